package org.concurrence.http.websocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Tasklet;
import org.concurrence.http.Handler;
import org.concurrence.http.Headers;
import org.concurrence.http.Response;
import org.concurrence.http.Status;
import org.concurrence.http.TestTls;
import org.concurrence.http.client.HttpClient;
import org.concurrence.http.client.HttpClientOptions;
import org.concurrence.http.client.InTasklets;
import org.concurrence.http.server.HttpServerOptions;
import org.concurrence.http.server.TestServer;
import org.concurrence.io.tls.TlsOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link WebSocketClient} sessions against our own server ({@link WebSocket#accept}), on real sockets. */
@Timeout(120)
class WebSocketClientTest {
    private static final Duration PATIENCE = TestServer.PATIENCE;
    private final CompletableFuture<WebSocketClosedException> serverSaw = new CompletableFuture<>();
    private final CompletableFuture<Void> serverCloseReturned = new CompletableFuture<>();
    private TestServer server;
    private HttpClient http;

    /** Echoes until the session ends, and notes how it ended. */
    private void echoNoting(Session session) throws Exception {
        try {
            WebSocketTest.echo(session);
        } catch (WebSocketClosedException e) {
            serverSaw.complete(e);
            throw e;
        }
    }

    @BeforeEach
    void start() {
        Handler handler = request -> switch (request.path()) {
            case "/echo" -> WebSocket.accept(request, this::echoNoting);
            case "/plain" -> WebSocket.accept(request, WebSocketOptions.defaults().withCompression(false),
                    this::echoNoting);
            case "/small" -> WebSocket.accept(request, WebSocketOptions.defaults().withMaxMessageSize(1000),
                    this::echoNoting);
            case "/chat" -> WebSocket.accept(request, WebSocketOptions.defaults().withSubprotocols("chat.v2", "chat"),
                    this::echoNoting);
            case "/own" -> WebSocket.accept(request, WebSocketOptions.defaults().withOrigins("https://app.example"),
                    this::echoNoting);
            case "/fields" -> WebSocket.accept(request, session -> {
                session.send(request.header("Origin") + " " + request.header("Authorization") + " "
                        + request.header("Cookie"));
                echoNoting(session);
            });
            case "/server-closes" -> WebSocket.accept(request, WebSocketOptions.defaults().withCloseTimeout(
                    Duration.ofHours(1)), session -> {
                session.send("bye soon");
                session.close(4000, "server done");
                serverCloseReturned.complete(null);
            });
            default -> Response.of(Status.NOT_FOUND);
        };
        server = TestServer.start(handler);
        http = HttpClient.create();
    }

    @AfterEach
    void stop() {
        http.close();
        server.close();
    }

    private ClientSession connect(String path) throws Exception {
        return WebSocketClient.connect(http, server.ws(path), PATIENCE);
    }

    private static Message receive(Endpoint session) throws Exception {
        return session.receive(PATIENCE);
    }

    @Test
    void echoesTextAndBinaryAndClosesNormally() throws Exception {
        InTasklets.run(() -> {
            try (ClientSession ws = connect("/echo")) {
                assertNull(ws.subprotocol());
                assertEquals("websocket", ws.headers().get("Upgrade"));
                ws.send("héllo wörld");
                assertEquals(new Message.Text("héllo wörld"), receive(ws));
                byte[] small = {1, 2, 3, 0, -1};
                ws.send(small, PATIENCE);
                assertArrayEquals(small, assertInstanceOf(Message.Binary.class, receive(ws)).bytes());
                ws.send("");
                assertEquals(new Message.Text(""), receive(ws));
            }
        });
        WebSocketClosedException seen = serverSaw.join();
        assertEquals(1000, seen.code());
        assertTrue(seen.byPeer());
    }

    /** Over 64 KiB (64-bit lengths and masking in chunks both ways), with and without compression. */
    @Test
    void largeMessagesRoundTripWithAndWithoutCompression() throws Exception {
        byte[] random = new byte[300_000];
        new Random(42).nextBytes(random);
        String text = "tick tock ".repeat(20_000) + "é";
        InTasklets.run(() -> {
            for (String path : List.of("/echo", "/plain")) {
                try (ClientSession ws = connect(path)) {
                    assertEquals(path.equals("/echo"), ws.compression(), path);
                    ws.send(random);
                    assertArrayEquals(random, assertInstanceOf(Message.Binary.class, receive(ws)).bytes());
                    ws.send(text);
                    assertEquals(new Message.Text(text), receive(ws));
                    ws.send(new byte[70_000]);
                    assertEquals(70_000, assertInstanceOf(Message.Binary.class, receive(ws)).bytes().length);
                }
            }
        });
    }

    @Test
    void compressionIsOfferedOnlyWhenOn() throws Exception {
        InTasklets.run(() -> {
            String text = "a compressible line of text; ".repeat(100);
            try (ClientSession ws = WebSocketClient.connect(http, server.ws("/echo"),
                    WebSocketOptions.defaults().withCompression(false), PATIENCE)) {
                assertFalse(ws.compression());
                ws.send(text);
                assertEquals(new Message.Text(text), receive(ws));
            }
            try (ClientSession ws = connect("/echo")) {
                assertTrue(ws.compression());
                assertTrue(ws.headers().get("Sec-WebSocket-Extensions").startsWith("permessage-deflate"));
                ws.send(text);
                assertEquals(new Message.Text(text), receive(ws));
            }
        });
    }

    @Test
    void theServerSelectsAnOfferedSubprotocolOrNone() throws Exception {
        InTasklets.run(() -> {
            try (ClientSession ws = WebSocketClient.connect(http, server.ws("/chat"),
                    WebSocketOptions.defaults().withSubprotocols("chat", "chat.v2"), PATIENCE)) {
                assertEquals("chat.v2", ws.subprotocol(), "the server's preference among those offered");
                ws.send("hi");
                assertEquals(new Message.Text("hi"), receive(ws));
            }
            try (ClientSession ws = WebSocketClient.connect(http, server.ws("/chat"),
                    WebSocketOptions.defaults().withSubprotocols("other"), PATIENCE)) {
                assertNull(ws.subprotocol());
            }
        });
    }

    @Test
    void aSubprotocolThatIsNotATokenIsRefusedNamingIt() {
        // "a, b" would go out as two offers, "chat v2" as a field no server can parse: a clear error instead.
        for (String bad : List.of("a, b", "chat v2", "", "caf\u00e9")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> WebSocketOptions.defaults().withSubprotocols("chat", bad), bad);
            assertTrue(e.getMessage().contains("\"" + bad + "\""), e.getMessage());
        }
        assertEquals(List.of("chat.v2", "x-y_z"),
                WebSocketOptions.defaults().withSubprotocols("chat.v2", "x-y_z").subprotocols());
    }

    @Test
    void extraFieldsReachTheServerAndHandshakeFieldsAreRefused() throws Exception {
        InTasklets.run(() -> {
            Headers extra = Headers.of("Origin", "https://app.example", "Authorization", "Bearer t0k3n",
                    "Cookie", "id=42");
            try (ClientSession ws = WebSocketClient.connect(http, server.ws("/fields"), WebSocketOptions.defaults(),
                    extra, PATIENCE)) {
                assertEquals(new Message.Text("https://app.example Bearer t0k3n id=42"), receive(ws));
            }
            assertThrows(IllegalArgumentException.class, () -> WebSocketClient.connect(http, server.ws("/echo"),
                    WebSocketOptions.defaults(), Headers.of("Sec-WebSocket-Protocol", "x"), PATIENCE));
            assertThrows(IllegalArgumentException.class, () -> WebSocketClient.connect(http,
                    URI.create("http://127.0.0.1:" + server.port() + "/echo"), PATIENCE));
        });
    }

    @Test
    void aRefusalIsReportedWithItsStatusAndBody() throws Exception {
        InTasklets.run(() -> {
            WebSocketHandshakeException e = assertThrows(WebSocketHandshakeException.class, () ->
                    WebSocketClient.connect(http, server.ws("/own"), WebSocketOptions.defaults(),
                            Headers.of("Origin", "https://evil.example"), PATIENCE));
            assertEquals(403, e.status());
            assertTrue(e.body().contains("may not open a WebSocket"), e.body());
            assertTrue(e.getMessage().contains("403"), e.getMessage());
            WebSocketHandshakeException missing = assertThrows(WebSocketHandshakeException.class,
                    () -> connect("/nowhere"));
            assertEquals(404, missing.status());
        });
    }

    @Test
    void worksOverTls() throws Exception {
        try (TestServer tls = TestServer.start(HttpServerOptions.defaults().withTls(
                TlsOptions.server(TestTls.keys(), TestTls.PASSWORD)),
                request -> WebSocket.accept(request, WebSocketTest::echo));
             HttpClient trusting = HttpClient.create(HttpClientOptions.defaults().withTls(
                     TlsOptions.client(TestTls.clientContext())))) {
            byte[] big = new byte[100_000];
            new Random(7).nextBytes(big);
            InTasklets.run(() -> {
                try (ClientSession ws = WebSocketClient.connect(trusting,
                        URI.create("wss://localhost:" + tls.port() + "/echo"), PATIENCE)) {
                    ws.send("over TLS");
                    assertEquals(new Message.Text("over TLS"), receive(ws));
                    ws.send(big);
                    assertArrayEquals(big, assertInstanceOf(Message.Binary.class, receive(ws)).bytes());
                    ws.close(1000, "done");
                    assertTrue(ws.isClosed());
                }
            });
        }
    }

    @Test
    void aCloseTheClientBeginsIsSeenByTheServerWithItsCodeAndReason() throws Exception {
        InTasklets.run(() -> {
            try (ClientSession ws = connect("/echo")) {
                ws.send("one");
                assertEquals(new Message.Text("one"), receive(ws));
                ws.close(4001, "client done");
                assertTrue(ws.isClosed());
                WebSocketClosedException after = assertThrows(WebSocketClosedException.class, () -> ws.send("x"));
                assertEquals(4001, after.code());
                assertFalse(after.byPeer());
            }
        });
        WebSocketClosedException seen = serverSaw.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertEquals(4001, seen.code());
        assertEquals("client done", seen.reason());
        assertTrue(seen.byPeer());
    }

    @Test
    void aCloseTheServerBeginsIsEchoedAndSurfacesByPeer() throws Exception {
        InTasklets.run(() -> {
            try (ClientSession ws = connect("/server-closes")) {
                assertEquals(new Message.Text("bye soon"), receive(ws));
                WebSocketClosedException e = assertThrows(WebSocketClosedException.class, () -> receive(ws));
                assertEquals(4000, e.code());
                assertEquals("server done", e.reason());
                assertTrue(e.byPeer());
                assertTrue(ws.isClosed());
                assertThrows(WebSocketClosedException.class, () -> ws.send("too late"));
            }
        });
        // The server's close waits an hour for the answer: it returned because the client echoed its close.
        serverCloseReturned.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void pingsAreAnsweredAndPongsDropped() throws Exception {
        InTasklets.run(() -> {
            try (ClientSession ws = connect("/echo")) {
                ws.ping("are you there".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                ws.ping(new byte[0], PATIENCE);
                ws.send("after the pings");
                assertEquals(new Message.Text("after the pings"), receive(ws), "the pongs were dropped");
                assertThrows(IllegalArgumentException.class, () -> ws.ping(new byte[126]));
            }
        });
    }

    @Test
    void aMessageOverTheLimitFailsWith1009OnBothSides() throws Exception {
        InTasklets.run(() -> {
            try (ClientSession ws = WebSocketClient.connect(http, server.ws("/plain"),
                    WebSocketOptions.defaults().withMaxMessageSize(1000), PATIENCE)) {
                ws.send(new byte[1000]);
                assertEquals(1000, assertInstanceOf(Message.Binary.class, receive(ws)).bytes().length);
                ws.send(new byte[1001]); // the server takes it; its echo is too big for the client
                WebSocketClosedException e = assertThrows(WebSocketClosedException.class, () -> receive(ws));
                assertEquals(CloseCodes.TOO_BIG, e.code());
                assertFalse(e.byPeer());
            }
        });
        WebSocketClosedException seen = serverSaw.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertEquals(CloseCodes.TOO_BIG, seen.code());
        assertTrue(seen.byPeer());
    }

    @Test
    void aReceiveThatTimesOutLeavesTheSessionUsable() throws Exception {
        InTasklets.run(() -> {
            try (ClientSession ws = connect("/echo")) {
                assertThrows(DeadlineExceededException.class, () -> ws.receive(Duration.ofMillis(100)));
                ws.send("still here");
                assertEquals(new Message.Text("still here"), receive(ws));
                assertFalse(ws.isClosed());
            }
        });
    }

    @Test
    void closingWhileAnotherTaskletReceivesEndsThatReceiveWithTheCloseNotABrokenConnection() throws Exception {
        InTasklets.run(() -> {
            ClientSession ws = connect("/echo");
            org.concurrence.sync.Event first = new org.concurrence.sync.Event("first message");
            Tasklet<WebSocketClosedException> receiver = Tasklet.spawn(() -> {
                assertEquals(new Message.Text("one"), receive(ws));
                first.set();
                return assertThrows(WebSocketClosedException.class, () -> receive(ws)); // parked here during close
            });
            ws.send("one");
            first.await(PATIENCE);
            ws.close();
            assertTrue(ws.isClosed(), "the close handshake was over when close() returned");
            assertEquals(CloseCodes.NORMAL, receiver.join().code());
        });
        WebSocketClosedException seen = serverSaw.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertEquals(CloseCodes.NORMAL, seen.code());
        assertTrue(seen.byPeer());
    }

    @Test
    void anotherTaskletSendsWhileOneReceives() throws Exception {
        InTasklets.run(() -> {
            try (ClientSession ws = connect("/echo")) {
                Tasklet<List<String>> receiver = Tasklet.spawn(() -> {
                    List<String> got = new ArrayList<>();
                    for (int i = 0; i < 200; i++) {
                        got.add(((Message.Text) receive(ws)).text());
                    }
                    return got;
                });
                List<String> sent = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    String m = "message " + i + " " + "x".repeat(i * 37);
                    sent.add(m);
                    ws.send(m);
                }
                assertEquals(sent, receiver.join());
            }
        });
    }
}
