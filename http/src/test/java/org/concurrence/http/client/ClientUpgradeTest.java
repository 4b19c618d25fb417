package org.concurrence.http.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.http.Headers;
import org.concurrence.http.Method;
import org.concurrence.http.Response;
import org.concurrence.http.TestTls;
import org.concurrence.http.server.HttpServerOptions;
import org.concurrence.http.server.TestServer;
import org.concurrence.io.tls.TlsOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link HttpClient#upgrade}: the answer's head, the bytes behind it, refusals, silence, TLS. */
@Timeout(120)
class ClientUpgradeTest {
    private static final Duration PATIENCE = TestServer.PATIENCE;

    private static ClientRequest upgradeTo(URI uri) {
        return new ClientRequest(Method.GET, uri, Headers.of("Upgrade", "echo", "Connection", "Upgrade"),
                ClientRequest.Body.empty());
    }

    private static String read(ClientUpgrade upgrade, int n) throws Exception {
        return new String(upgrade.input().readExactly(n, PATIENCE), StandardCharsets.ISO_8859_1);
    }

    /** The server's first bytes of the new protocol leave in the same write as its 101: none is lost. */
    @Test
    void bytesRightBehindThe101ComeFirst() {
        CompletableFuture<String> head = new CompletableFuture<>();
        try (ScriptedServer server = new ScriptedServer((c, i) -> {
            head.complete(c.readHead());
            c.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nhello");
            c.write(new String(c.readBytes(4), StandardCharsets.ISO_8859_1) + "!");
            assertTrue(c.closedByClient());
        });
             HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                try (ClientUpgrade up = client.upgrade(upgradeTo(server.uri("/x")), PATIENCE)) {
                    assertTrue(up.switched());
                    assertEquals(101, up.status().code());
                    assertEquals("echo", up.headers().get("Upgrade"));
                    assertEquals("hello", read(up, 5));
                    up.output().write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.ISO_8859_1)), PATIENCE);
                    assertEquals("ping!", read(up, 5));
                    assertTrue(up.remoteAddress().toString().contains("127.0.0.1"));
                }
            });
            String sent = head.getNow("");
            assertTrue(sent.startsWith("GET /x HTTP/1.1\r\n"), sent);
            assertTrue(sent.contains("\r\nUpgrade: echo\r\n") && sent.contains("\r\nConnection: Upgrade\r\n"), sent);
        }
    }

    /** A refusal's status and fields, and its body raw as sent: a Content-Length one, then a chunked one. */
    @Test
    void aRefusalKeepsItsStatusAndItsRawBody() {
        try (ScriptedServer server = new ScriptedServer((c, i) -> {
            c.readHead();
            if (i == 0) {
                c.write("HTTP/1.1 403 Forbidden\r\nContent-Length: 5\r\n\r\nnope!");
            } else {
                c.write("HTTP/1.1 426 Upgrade Required\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nnope\r\n0\r\n\r\n");
            }
            c.closedByClient();
        });
             HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                try (ClientUpgrade up = client.upgrade(upgradeTo(server.uri("/x")), PATIENCE)) {
                    assertFalse(up.switched());
                    assertEquals(403, up.status().code());
                    assertEquals("5", up.headers().get("Content-Length"));
                    assertEquals("nope!", read(up, 5));
                }
                try (ClientUpgrade up = client.upgrade(upgradeTo(server.uri("/x")), PATIENCE)) {
                    assertEquals(426, up.status().code());
                    assertEquals("4\r\nnope\r\n0\r\n\r\n", read(up, 14));
                }
            });
        }
    }

    @Test
    void aServerThatNeverAnswersTimesOutNamingTheStep() {
        CompletableFuture<Boolean> closed = new CompletableFuture<>();
        try (ScriptedServer server = new ScriptedServer((c, i) -> {
            c.readHead();
            closed.complete(c.closedByClient()); // says nothing: the client gives up and closes
        });
             HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                DeadlineExceededException e = assertThrows(DeadlineExceededException.class,
                        () -> client.upgrade(upgradeTo(server.uri("/silent")), Duration.ofMillis(300)));
                assertTrue(e.getMessage().contains("waiting for the answer's head from")
                        && e.getMessage().contains("/silent"), e.getMessage());
            });
            assertTrue(closed.get(PATIENCE.toSeconds(), TimeUnit.SECONDS), "the client closed the connection");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void upgradesOverHttps() {
        HttpServerOptions https = HttpServerOptions.defaults().withTls(TlsOptions.server(TestTls.keys(),
                TestTls.PASSWORD));
        try (TestServer server = TestServer.start(https, request -> Response.switchingProtocols(
                Headers.of("Upgrade", "echo"), connection -> {
                    ByteBuffer buffer = ByteBuffer.allocate(64);
                    connection.read(buffer, PATIENCE);
                    connection.write(buffer.flip(), PATIENCE);
                }));
             HttpClient client = HttpClient.create(HttpClientOptions.defaults().withTls(
                     TlsOptions.client(TestTls.clientContext())))) {
            InTasklets.run(() -> {
                URI uri = URI.create("https://localhost:" + server.port() + "/tls");
                try (ClientUpgrade up = client.upgrade(upgradeTo(uri), PATIENCE)) {
                    assertTrue(up.switched());
                    up.output().write(ByteBuffer.wrap("secret".getBytes(StandardCharsets.ISO_8859_1)), PATIENCE);
                    assertEquals("secret", read(up, 6));
                }
            });
        }
    }
}
