package org.concurrence.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.concurrence.http.Response;
import org.concurrence.http.ResponseBody;
import org.concurrence.http.TestTls;
import org.concurrence.io.tls.TlsOptions;
import org.concurrence.io.tls.TlsSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** HTTPS: the server over TLS, with the JDK's HTTP client and raw TLS sockets. */
@Timeout(120)
class HttpsTest {
    private static final char[] PASSWORD = TestTls.PASSWORD;
    private static KeyStore keys;
    private static SSLContext clientContext;

    @BeforeAll
    static void certificate() {
        keys = TestTls.keys();
        clientContext = TestTls.clientContext();
    }

    private static TestServer https(HttpServerOptions options) {
        return TestServer.start(options.withTls(TlsOptions.server(keys, PASSWORD)), request -> Response.ok(
                request.method() + " " + request.target() + " over "
                        + request.tlsSession().map(s -> s.getProtocol()).orElse("plain HTTP")));
    }

    @Test
    void theJdkClientTalksHttpsAndTheHandlerSeesTheSession() throws Exception {
        try (TestServer s = https(HttpServerOptions.defaults());
             HttpClient client = HttpClient.newBuilder().sslContext(clientContext).build()) {
            for (int i = 0; i < 3; i++) { // one connection, kept alive
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                        URI.create("https://localhost:" + s.port() + "/hello/" + i)).timeout(Duration.ofSeconds(20))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());
                assertEquals("GET /hello/" + i + " over TLSv1.3", r.body());
                assertTrue(r.sslSession().isPresent());
            }
            HttpResponse<String> post = client.send(HttpRequest.newBuilder(
                    URI.create("https://localhost:" + s.port() + "/big")).timeout(Duration.ofSeconds(20))
                    .POST(HttpRequest.BodyPublishers.ofString("x".repeat(300_000))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("POST /big over TLSv1.3", post.body(), "an unread body of 300 kB is drained over TLS");
        }
    }

    /** curl offers HTTP/2 by ALPN; the server does not choose it, and curl goes on in HTTP/1.1 over TLS. */
    @Test
    void curlTalksHttpsWithTheCertificateAsItsAuthority() throws Exception {
        Path curl = Path.of("/usr/bin/curl");
        assertTrue(Files.isExecutable(curl), "curl is required for this test: " + curl);
        Path pem = Files.createTempFile("concurrence-https", ".pem");
        try (TestServer s = https(HttpServerOptions.defaults())) {
            Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n" + java.util.Base64.getMimeEncoder(64,
                    "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(keys.getCertificate("key").getEncoded())
                    + "\n-----END CERTIFICATE-----\n");
            Process p = new ProcessBuilder(curl.toString(), "--max-time", "20", "-s", "--cacert", pem.toString(),
                    "https://localhost:" + s.port() + "/a", "https://localhost:" + s.port() + "/b")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            assertEquals("GET /a over TLSv1.3GET /b over TLSv1.3", out);
        } finally {
            Files.delete(pem);
        }
    }

    /** A client that does not trust the certificate, or speaks plain HTTP, loses only its own connection. */
    @Test
    void aFailedHandshakeClosesOnlyItsConnection() throws Exception {
        try (TestServer s = https(HttpServerOptions.defaults())) {
            try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), s.port())) {
                plain.setSoTimeout(20_000);
                plain.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] answer = plain.getInputStream().readAllBytes();
                assertTrue(answer.length < 100 && !new String(answer, StandardCharsets.ISO_8859_1).contains("HTTP/1.1"),
                        "no HTTP answer to plain text on the HTTPS port");
            } catch (IOException resetIsFine) {
                // The server may reset rather than close: either way the connection is gone.
            }
            try (HttpClient untrusting = HttpClient.newBuilder().build()) {
                assertThrows(IOException.class, () -> untrusting.send(HttpRequest.newBuilder(
                        URI.create("https://localhost:" + s.port() + "/")).timeout(Duration.ofSeconds(20)).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            try (HttpClient client = HttpClient.newBuilder().sslContext(clientContext).build()) {
                assertEquals(200, client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + s.port()
                        + "/after")).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode());
            }
        }
    }

    /**
     * Between requests a TLS connection waits under the idle timeout, not the head timeout: a client that pauses
     * after its handshake and first request is not answered 408 when the (short) head timeout passes.
     */
    @Test
    void anIdleTlsConnectionWaitsUnderTheIdleTimeoutNotTheHeadTimeout() throws Exception {
        try (TestServer s = https(HttpServerOptions.defaults().withHeadTimeout(Duration.ofMillis(200))
                .withIdleTimeout(Duration.ofSeconds(60)));
             SSLSocket tls = (SSLSocket) clientContext.getSocketFactory().createSocket("localhost", s.port())) {
            tls.startHandshake();
            tls.getOutputStream().write("GET /first HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = tls.getInputStream();
            String first = readResponse(in);
            assertTrue(first.startsWith("HTTP/1.1 200 ") && first.endsWith("GET /first over TLSv1.3"), first);
            tls.setSoTimeout(1_000); // five head timeouts: the server must stay silent (and keep the connection)
            assertThrows(SocketTimeoutException.class, () -> in.read());
            tls.setSoTimeout(20_000);
            tls.getOutputStream().write("GET /second HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String second = readResponse(in);
            assertTrue(second.endsWith("GET /second over TLSv1.3"), second);
        }
    }

    /**
     * A TLS record that carries no data (a KeyUpdate the client sends between requests) wakes an idle connection but
     * is no request: the connection stays idle under the idle timeout, not the head timeout.
     */
    @Test
    void aKeyUpdateBetweenRequestsLeavesTheConnectionIdle() throws Exception {
        try (TestServer s = https(HttpServerOptions.defaults().withHeadTimeout(Duration.ofMillis(200))
                .withIdleTimeout(Duration.ofSeconds(60)));
             SSLSocket tls = (SSLSocket) clientContext.getSocketFactory().createSocket("localhost", s.port())) {
            tls.setEnabledProtocols(new String[] {"TLSv1.3"});
            tls.startHandshake();
            tls.getOutputStream().write("GET /first HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = tls.getInputStream();
            assertTrue(readResponse(in).endsWith("GET /first over TLSv1.3"));
            tls.startHandshake(); // on TLS 1.3: a KeyUpdate, asking the server to update its keys too
            tls.setSoTimeout(1_000); // five head timeouts: the server must stay silent (and keep the connection)
            assertThrows(SocketTimeoutException.class, () -> in.read());
            tls.setSoTimeout(20_000);
            tls.getOutputStream().write("GET /second HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String second = readResponse(in);
            assertTrue(second.endsWith("GET /second over TLSv1.3"), second);
        }
    }

    /**
     * How TLS connections end: a response that ends the connection (HTTP/1.0 close-delimited, {@code Connection:
     * close}) ends with close_notify, so the client knows the body is whole (RFC 8446 §6.1, RFC 9112 §9.8); a
     * close-delimited body that fails part way ends without one (a reset), so it cannot pass for a whole one.
     */
    @Test
    void aCompleteResponseEndsWithCloseNotifyAndAFailedOneWithout() throws Exception {
        byte[] block = "x".repeat(5000).getBytes(StandardCharsets.US_ASCII);
        try (TestServer s = TestServer.start(HttpServerOptions.defaults().withTls(TlsOptions.server(keys, PASSWORD)),
                request -> Response.ok(ResponseBody.ofWriter(-1, out -> {
                    out.write(block);
                    out.flush();
                    if (request.path().equals("/fail")) {
                        throw new IllegalStateException("the body's source failed (expected)");
                    }
                }), "text/plain"))) {
            org.concurrence.core.Concurrence.run(() -> {
                for (String request : List.of("GET /whole HTTP/1.0\r\nHost: x\r\n\r\n",
                        "GET /whole HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) {
                    Ending end = fetch(s.port(), request);
                    assertTrue(end.bytes > 5000 && end.failure == null && end.closeNotify,
                            request.lines().findFirst().orElseThrow() + ": " + end);
                }
                Ending cut = fetch(s.port(), "GET /fail HTTP/1.0\r\nHost: x\r\n\r\n");
                assertTrue(cut.failure != null || !cut.closeNotify, "a failed body passed for a whole one: " + cut);
            });
        }
    }

    /**
     * Idle keep-alive HTTPS connections hold no TLS record buffers: {@value #IDLE_CONNECTIONS} connections that each
     * made a request and then wait make the shared record-buffer pool allocate fewer buffers than there are
     * connections (the server's dispatchers keep at most 16 idle each; if every idle connection held even one record
     * buffer, each would have been allocated anew).
     */
    @Test
    void idleHttpsConnectionsHoldNoRecordBuffers() throws Exception {
        List<SSLSocket> open = new java.util.ArrayList<>();
        try (TestServer s = https(HttpServerOptions.defaults())) {
            org.concurrence.io.BufferPool records = TlsSocket.recordBufferPool();
            // One connection first, so that what a first connection sets up is not counted.
            open.add(requestAndStayOpen(s.port(), 0));
            long before = records.allocated();
            assertTrue(before > 0, "the record buffers come from the pool");
            for (int i = 1; i <= IDLE_CONNECTIONS; i++) {
                open.add(requestAndStayOpen(s.port(), i));
            }
            long allocated = records.allocated() - before;
            assertTrue(allocated < IDLE_CONNECTIONS / 2, "record buffers allocated for " + IDLE_CONNECTIONS
                    + " idle HTTPS connections: " + allocated);
            // Each still works after its idle wait, and the last request of each is answered in turn.
            for (int i = 0; i < open.size(); i += 10) {
                open.get(i).getOutputStream().write(("GET /again/" + i + " HTTP/1.1\r\nHost: x\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                String again = readResponse(open.get(i).getInputStream());
                assertTrue(again.endsWith("GET /again/" + i + " over TLSv1.3"), again);
            }
        } finally {
            for (SSLSocket tls : open) {
                tls.close();
            }
        }
    }

    private static final int IDLE_CONNECTIONS = 100;

    private static SSLSocket requestAndStayOpen(int port, int i) throws IOException {
        SSLSocket tls = (SSLSocket) clientContext.getSocketFactory().createSocket("localhost", port);
        tls.setSoTimeout(20_000);
        tls.startHandshake();
        tls.getOutputStream().write(("GET /idle/" + i + " HTTP/1.1\r\nHost: x\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        String answer = readResponse(tls.getInputStream());
        assertTrue(answer.endsWith("GET /idle/" + i + " over TLSv1.3"), answer);
        return tls;
    }

    private record Ending(long bytes, boolean closeNotify, Exception failure) {}

    /** Sends {@code request} over a TLS session of ours and reads until the end; how it ended. */
    private static Ending fetch(int port, String request) {
        try (TlsSocket tls = TlsSocket.connect(new java.net.InetSocketAddress("127.0.0.1", port), "localhost",
                TlsOptions.client(clientContext), Duration.ofSeconds(20))) {
            tls.write(java.nio.ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)), Duration.ofSeconds(20));
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(8192);
            long bytes = 0;
            try {
                for (int n; (n = tls.read(buffer.clear(), Duration.ofSeconds(20))) >= 0; ) {
                    bytes += n;
                }
            } catch (IOException e) {
                return new Ending(bytes, tls.closeNotifyReceived(), e);
            }
            return new Ending(bytes, tls.closeNotifyReceived(), null);
        } catch (IOException e) {
            return new Ending(0, false, e);
        }
    }

    /** Reads one response with a Content-Length body. */
    private static String readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed after " + head);
            }
            head.append((char) b);
        }
        int length = 0;
        for (String line : List.of(head.toString().split("\r\n"))) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).strip());
            }
        }
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
