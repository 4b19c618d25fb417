package org.concurrence.http.websocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Tasklet;
import org.concurrence.http.Handler;
import org.concurrence.http.Response;
import org.concurrence.http.Status;
import org.concurrence.http.TestTls;
import org.concurrence.http.server.HttpServerOptions;
import org.concurrence.http.server.TestServer;
import org.concurrence.io.tls.TlsOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** WebSocket sessions with the JDK's own client ({@link java.net.http.WebSocket}). */
class WebSocketTest {
    private final CompletableFuture<WebSocketClosedException> peerClose = new CompletableFuture<>();
    private final CompletableFuture<Void> serverCloseReturned = new CompletableFuture<>();
    private TestServer server;

    static void echo(Endpoint session) throws Exception {
        while (true) {
            switch (session.receive()) {
                case Message.Text t -> session.send(t.text());
                case Message.Binary b -> session.send(b.bytes());
            }
        }
    }

    @BeforeEach
    void start() {
        Handler handler = request -> switch (request.path()) {
            case "/echo" -> WebSocket.accept(request, WebSocketTest::echo);
            // A close timeout of an hour: a close that returns within the test's patience returned on the answer.
            case "/server-closes" -> WebSocket.accept(request, WebSocketOptions.defaults().withCloseTimeout(
                    Duration.ofHours(1)), session -> {
                session.send("bye soon");
                session.close(4000, "server done");
                serverCloseReturned.complete(null);
            });
            case "/client-closes" -> WebSocket.accept(request, session -> {
                try {
                    session.receive();
                } catch (WebSocketClosedException e) {
                    peerClose.complete(e);
                    throw e;
                }
            });
            case "/throws" -> WebSocket.accept(request, session -> {
                session.receive();
                throw new IllegalStateException("handler bug (expected by the test)");
            });
            case "/ticks" -> WebSocket.accept(request, session -> {
                // Another tasklet of the dispatcher sends while the handler's tasklet receives.
                Tasklet<Void> ticker = Tasklet.spawn(() -> {
                    try {
                        for (int i = 0; i < 50; i++) {
                            session.send("tick " + i);
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                echo(session);
                ticker.join();
            });
            case "/timeout" -> WebSocket.accept(request, session -> {
                try {
                    session.receive(Duration.ofMillis(100));
                    session.send("unexpected message");
                } catch (DeadlineExceededException e) {
                    session.send("timed out");
                }
                echo(session);
            });
            default -> Response.of(Status.NOT_FOUND);
        };
        server = TestServer.start(handler);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void echoesTextAndBinary() throws Exception {
        try (JdkClient client = new JdkClient(server.ws("/echo"))) {
            client.ws.sendText("héllo wörld", true).get(20, TimeUnit.SECONDS);
            assertEquals("héllo wörld", client.next());
            byte[] small = {1, 2, 3, 0, -1};
            client.ws.sendBinary(ByteBuffer.wrap(small), true).get(20, TimeUnit.SECONDS);
            assertArrayEquals(small, (byte[]) client.next());
            client.ws.sendClose(1000, "").get(20, TimeUnit.SECONDS);
            assertEquals(1000, client.awaitClose().code());
        }
    }

    /** Over 64 KiB: 64-bit lengths both ways, and a message the client sends in fragments. */
    @Test
    void echoesLargeAndFragmentedMessages() throws Exception {
        byte[] big = new byte[200_000];
        new Random(42).nextBytes(big);
        String text = "0123456789abcdef".repeat(5000); // 80,000 chars
        try (JdkClient client = new JdkClient(server.ws("/echo"))) {
            client.ws.sendBinary(ByteBuffer.wrap(big), true).get(20, TimeUnit.SECONDS);
            assertArrayEquals(big, (byte[]) client.next());
            client.ws.sendBinary(ByteBuffer.wrap(big, 0, 70_000), false).get(20, TimeUnit.SECONDS);
            client.ws.sendPing(ByteBuffer.wrap("between".getBytes(StandardCharsets.UTF_8))).get(20, TimeUnit.SECONDS);
            client.ws.sendBinary(ByteBuffer.wrap(big, 70_000, 130_000), true).get(20, TimeUnit.SECONDS);
            assertArrayEquals(big, (byte[]) client.next());
            client.ws.sendText(text.substring(0, 40_000), false).get(20, TimeUnit.SECONDS);
            client.ws.sendText(text.substring(40_000), true).get(20, TimeUnit.SECONDS);
            assertEquals(text, client.next());
            assertEquals("between", StandardCharsets.UTF_8.decode(client.pongs.poll(20, TimeUnit.SECONDS))
                    .toString());
        }
    }

    @Test
    void answersPingWithPong() throws Exception {
        try (JdkClient client = new JdkClient(server.ws("/echo"))) {
            client.ws.sendPing(ByteBuffer.wrap(new byte[] {7, 8, 9})).get(20, TimeUnit.SECONDS);
            ByteBuffer pong = client.pongs.poll(20, TimeUnit.SECONDS);
            assertEquals(ByteBuffer.wrap(new byte[] {7, 8, 9}), pong);
        }
    }

    @Test
    void serverInitiatedCloseCompletesWithTheClientsAnswer() throws Exception {
        try (JdkClient client = new JdkClient(server.ws("/server-closes"))) {
            assertEquals("bye soon", client.next());
            assertEquals(new JdkClient.Closed(4000, "server done"), client.awaitClose());
            // The JDK client answers the close; the server's close returns on that answer, not on its (hour-long)
            // timeout.
            serverCloseReturned.get(TestServer.PATIENCE.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @Test
    void clientInitiatedCloseIsEchoed() throws Exception {
        try (JdkClient client = new JdkClient(server.ws("/client-closes"))) {
            client.ws.sendClose(4001, "client done").get(20, TimeUnit.SECONDS);
            WebSocketClosedException e = peerClose.get(20, TimeUnit.SECONDS);
            assertEquals(4001, e.code());
            assertEquals("client done", e.reason());
            assertTrue(e.byPeer());
            assertEquals(4001, client.awaitClose().code());
        }
    }

    /**
     * A graceful stop sends 1001 to a session whose handler is receiving; the client's answer ends the handler (it
     * sees the close, so it was not killed at the end of the grace) and the stop returns.
     */
    @Test
    void aGracefulStopClosesSessionsWith1001() throws Exception {
        try (JdkClient client = new JdkClient(server.ws("/client-closes"))) {
            server.server.stop(TestServer.PATIENCE);
            assertEquals(new JdkClient.Closed(1001, "server stopping"), client.awaitClose());
            WebSocketClosedException seen = peerClose.get(TestServer.PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertEquals(1001, seen.code());
            assertTrue(seen.byPeer());
        }
    }

    @Test
    void aHandlerThatThrowsClosesWith1011() throws Exception {
        try (JdkClient client = new JdkClient(server.ws("/throws"))) {
            client.ws.sendText("boom", true).get(20, TimeUnit.SECONDS);
            assertEquals(CloseCodes.INTERNAL_ERROR, client.awaitClose().code());
        }
    }

    @Test
    void manyConcurrentSessions() throws Exception {
        List<JdkClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 12; i++) {
                clients.add(new JdkClient(server.ws("/echo")));
            }
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < clients.size(); i++) {
                    clients.get(i).ws.sendText("client " + i + " round " + round, true).get(20, TimeUnit.SECONDS);
                }
                for (int i = 0; i < clients.size(); i++) {
                    assertEquals("client " + i + " round " + round, clients.get(i).next());
                }
            }
            assertTrue(server.server.connectionCount() >= 12);
        } finally {
            clients.forEach(JdkClient::close);
        }
    }

    @Test
    void anotherTaskletSendsWhileTheHandlerReceives() throws Exception {
        try (JdkClient client = new JdkClient(server.ws("/ticks"))) {
            client.ws.sendText("echo me", true).get(20, TimeUnit.SECONDS);
            List<Object> got = new ArrayList<>();
            for (int i = 0; i < 51; i++) {
                got.add(client.next());
            }
            assertTrue(got.contains("echo me"), got.toString());
            got.remove("echo me");
            for (int i = 0; i < 50; i++) {
                assertEquals("tick " + i, got.get(i));
            }
        }
    }

    @Test
    void aReceiveThatTimesOutLeavesTheSessionUsable() throws Exception {
        try (JdkClient client = new JdkClient(server.ws("/timeout"))) {
            assertEquals("timed out", client.next());
            client.ws.sendText("still here", true).get(20, TimeUnit.SECONDS);
            assertEquals("still here", client.next());
        }
    }

    @Test
    void worksOverHttps() throws Exception {
        try (TestServer tls = TestServer.start(HttpServerOptions.defaults().withTls(
                TlsOptions.server(TestTls.keys(), TestTls.PASSWORD)),
                request -> WebSocket.accept(request, WebSocketTest::echo));
             JdkClient client = new JdkClient(URI.create("wss://localhost:" + tls.port() + "/echo"),
                     HttpClient.newBuilder().sslContext(TestTls.clientContext()).build())) {
            byte[] big = new byte[100_000];
            new Random(7).nextBytes(big);
            client.ws.sendText("over TLS", true).get(20, TimeUnit.SECONDS);
            assertEquals("over TLS", client.next());
            client.ws.sendBinary(ByteBuffer.wrap(big), true).get(20, TimeUnit.SECONDS);
            assertArrayEquals(big, (byte[]) client.next());
            client.ws.sendClose(1000, "done").get(20, TimeUnit.SECONDS);
            assertEquals(1000, client.awaitClose().code());
        }
    }

    @Test
    void anOrdinaryRequestStillWorks() throws Exception {
        try (var http = java.net.http.HttpClient.newHttpClient()) {
            var response = http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + server.port() + "/echo")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(426, response.statusCode());
            assertEquals("13", response.headers().firstValue("Sec-WebSocket-Version").orElse(null));
        }
    }
}
