package org.concurrence.http.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;
import org.concurrence.http.Handler;
import org.concurrence.http.Request;
import org.concurrence.http.Response;
import org.concurrence.http.ResponseBody;
import org.concurrence.http.Status;
import org.concurrence.http.websocket.Message;
import org.concurrence.http.websocket.WebSocket;
import org.concurrence.http.server.HttpServerOptions;
import org.concurrence.http.server.TestServer;
import org.concurrence.sync.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The reverse proxy between real clients and a real upstream server: fields, bodies both ways, failures. */
@Timeout(120)
class ReverseProxyTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final int BIG = 8 * 1024 * 1024;

    /** The upstream: echoes what it received as "name: value" lines, and serves a few special paths. */
    private static Response upstream(Request request) throws IOException {
        return switch (request.path()) {
            case "/api/sum" -> {
                CRC32 crc = new CRC32();
                long n = 0;
                byte[] buffer = new byte[8192];
                InputStream in = request.body().stream();
                for (int r; (r = in.read(buffer)) >= 0; n += r) {
                    crc.update(buffer, 0, r);
                }
                yield Response.ok(n + " " + crc.getValue() + " " + request.body().length());
            }
            case "/api/big" -> Response.ok(ResponseBody.ofWriter(-1, out -> out.write(pattern(BIG))),
                    "application/octet-stream");
            case "/api/head" -> Response.ok(ResponseBody.ofWriter(1234, out -> out.write(new byte[1234])),
                    "text/plain");
            default -> {
                StringBuilder echo = new StringBuilder(request.method() + " " + request.target() + "\n");
                Map<String, String> fields = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                request.headers().forEach((name, value) -> fields.merge(name, value, (a, b) -> a + ", " + b));
                fields.forEach((name, value) -> echo.append(name.toLowerCase()).append(": ").append(value)
                        .append('\n'));
                yield Response.ok(echo.toString());
            }
        };
    }

    static byte[] pattern(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + (i >> 11));
        }
        return bytes;
    }

    private static Map<String, String> echoed(String text) {
        Map<String, String> fields = new TreeMap<>();
        String[] lines = text.split("\n");
        fields.put("request-line", lines[0]);
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(": ");
            fields.put(lines[i].substring(0, colon), lines[i].substring(colon + 2));
        }
        return fields;
    }

    private static HttpResponse<String> get(URI uri, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri);
        if (headers.length > 0) {
            b.headers(headers);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** One request on a raw socket (for fields the JDK's client will not send); the whole answer, to the close. */
    static String raw(int port, String request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout((int) TestServer.PATIENCE.toMillis());
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void aRequestGoesUpUnderTheUpstreamPathWithItsFieldsAndTheForwardingOnes() throws Exception {
        try (TestServer up = TestServer.start(ReverseProxyTest::upstream);
                ReverseProxy proxy = ReverseProxy.to(up.uri("/api"));
                TestServer front = TestServer.start(proxy)) {
            HttpResponse<String> r = get(front.uri("/items?id=7&q=a%20b"), "X-Custom", "kept",
                    "X-Forwarded-For", "203.0.113.9", "X-Forwarded-Host", "forged.example");
            assertEquals(200, r.statusCode());
            Map<String, String> seen = echoed(r.body());
            assertEquals("GET /api/items?id=7&q=a%20b", seen.get("request-line"));
            assertEquals("127.0.0.1:" + up.port(), seen.get("host"), "Host is the upstream's");
            assertEquals("kept", seen.get("x-custom"));
            assertEquals("203.0.113.9, 127.0.0.1", seen.get("x-forwarded-for"), "the client appended");
            assertEquals("127.0.0.1:" + front.port(), seen.get("x-forwarded-host"), "what the client used, not forged");
            assertEquals("http", seen.get("x-forwarded-proto"));
            assertEquals("1.1 concurrence", seen.get("via"));
            assertNull(seen.get("content-length"));
        }
    }

    @Test
    void theStandardForwardedFieldIsAppendedWhenChosenAndNothingIsTouchedWithNone() throws Exception {
        try (TestServer up = TestServer.start(ReverseProxyTest::upstream);
                ReverseProxy both = ReverseProxy.to(up.uri("")).withForwarding(Forwarding.BOTH);
                ReverseProxy none = ReverseProxy.to(up.uri("")).withForwarding(Forwarding.NONE);
                TestServer front = TestServer.start(request -> request.path().startsWith("/none")
                        ? none.handle(request) : both.handle(request))) {
            Map<String, String> seen = echoed(get(front.uri("/both"), "Forwarded", "for=203.0.113.9;proto=https",
                    "X-Forwarded-Host", "forged.example").body());
            assertEquals("for=203.0.113.9;proto=https, for=127.0.0.1;proto=http;host=\"127.0.0.1:" + front.port()
                    + "\"", seen.get("forwarded"), "appended; a host with a port is not a token: quoted");
            assertEquals("127.0.0.1", seen.get("x-forwarded-for"));
            assertEquals("127.0.0.1:" + front.port(), seen.get("x-forwarded-host"));
            seen = echoed(get(front.uri("/none"), "X-Forwarded-For", "203.0.113.9", "Forwarded", "for=x").body());
            assertEquals("203.0.113.9", seen.get("x-forwarded-for"), "passed on as the client sent it");
            assertEquals("for=x", seen.get("forwarded"));
            assertNull(seen.get("x-forwarded-proto"));
            assertEquals("1.1 concurrence", seen.get("via"), "Via in every case");
        }
        assertEquals("example.com", Forwarding.value("example.com"));
        assertEquals("\"a\\\"b\\\\c\"", Forwarding.value("a\"b\\c"));
        assertEquals("\"\"", Forwarding.value(""));
    }

    /**
     * An upstream of one connection on a platform thread that answers its first request with {@code response} as
     * given (our own server would not send a Connection field naming another field), then closes.
     */
    private static ServerSocket scripted(String response) throws IOException {
        ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().start(() -> {
            try (listener; Socket s = listener.accept()) {
                InputStream in = s.getInputStream();
                for (int matched = 0; matched < 4; ) {
                    int b = in.read();
                    if (b < 0) {
                        return;
                    }
                    matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
                }
                s.getOutputStream().write(response.getBytes(StandardCharsets.ISO_8859_1));
            } catch (IOException e) {
                // the test sees what its client got
            }
        });
        return listener;
    }

    @Test
    void statusFieldsAndBodyComeBackButNotTheHopByHopFields() throws Exception {
        try (ServerSocket up = scripted("HTTP/1.1 201 Created\r\nLocation: /api/items/7\r\n"
                + "Connection: keep-alive, X-Up-Secret\r\nX-Up-Secret: 1\r\nKeep-Alive: timeout=5\r\n"
                + "X-Up: yes\r\nContent-Length: 4\r\n\r\nmade");
                ReverseProxy proxy = ReverseProxy.to("http://127.0.0.1:" + up.getLocalPort());
                TestServer front = TestServer.start(proxy)) {
            String answer = raw(front.port(), "POST /api/created HTTP/1.1\r\nHost: front\r\nContent-Length: 0\r\n"
                    + "Connection: close\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 201 Created\r\n"), answer);
            assertTrue(answer.contains("\r\nLocation: /api/items/7\r\n"), answer);
            assertTrue(answer.contains("\r\nX-Up: yes\r\n"), answer);
            assertTrue(answer.contains("\r\nContent-Length: 4\r\n"), answer);
            assertFalse(answer.contains("X-Up-Secret"), "a field the upstream's Connection named stays behind: " + answer);
            assertFalse(answer.contains("Keep-Alive"), answer);
            assertTrue(answer.endsWith("\r\n\r\nmade"), answer);
        }
        try (TestServer up = TestServer.start(ReverseProxyTest::upstream);
                ReverseProxy proxy = ReverseProxy.to(up.uri("/"));
                TestServer front = TestServer.start(proxy)) {
            String echo = raw(front.port(), "GET /echo HTTP/1.1\r\nHost: front\r\nConnection: close, X-Secret\r\n"
                    + "X-Secret: 1\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nProxy-Authorization: Basic eA==\r\n"
                    + "X-Plain: 2\r\n\r\n");
            Map<String, String> seen = echoed(echo.substring(echo.indexOf("\r\n\r\n") + 4));
            assertEquals("2", seen.get("x-plain"));
            for (String hop : Set.of("x-secret", "keep-alive", "te", "proxy-authorization", "connection")) {
                assertNull(seen.get(hop), hop + " went up: " + seen);
            }
        }
    }

    @Test
    void aTargetThatLooksLikeAnotherHostStaysOnTheUpstreamAndViaIsExtendedOnce() throws Exception {
        try (TestServer up = TestServer.start(ReverseProxyTest::upstream);
                ReverseProxy proxy = ReverseProxy.to(up.uri("/base/"));
                TestServer front = TestServer.start(proxy)) {
            String answer = raw(front.port(), "GET //evil.example/x?y=1 HTTP/1.1\r\nHost: front\r\n"
                    + "Via: 1.0 first, 1.1 second\r\nConnection: close\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
            Map<String, String> seen = echoed(answer.substring(answer.indexOf("\r\n\r\n") + 4));
            assertEquals("GET /base//evil.example/x?y=1", seen.get("request-line"), "the upstream got it, as a path");
            assertEquals("1.0 first, 1.1 second, 1.1 concurrence", seen.get("via"));
        }
        try (TestServer up = TestServer.start(ReverseProxyTest::upstream);
                ReverseProxy proxy = ReverseProxy.to(up.uri(""));
                TestServer front = TestServer.start(proxy)) {
            String answer = raw(front.port(), "GET //evil.example/x HTTP/1.1\r\nHost: front\r\nConnection: close\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 200 "), "not sent to another host: " + answer);
            assertEquals("GET //evil.example/x", echoed(answer.substring(answer.indexOf("\r\n\r\n") + 4))
                    .get("request-line"));
        }
    }

    @Test
    void largeBodiesStreamBothWays() throws Exception {
        try (TestServer up = TestServer.start(ReverseProxyTest::upstream);
                ReverseProxy proxy = ReverseProxy.to(up.uri(""));
                TestServer front = TestServer.start(proxy)) {
            byte[] body = pattern(BIG);
            CRC32 crc = new CRC32();
            crc.update(body);
            HttpResponse<String> known = CLIENT.send(HttpRequest.newBuilder(front.uri("/api/sum"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(BIG + " " + crc.getValue() + " " + BIG, known.body(), "a body of known length");
            HttpResponse<String> chunked = CLIENT.send(HttpRequest.newBuilder(front.uri("/api/sum"))
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(BIG + " " + crc.getValue() + " -1", chunked.body(), "a chunked body stays chunked");
            HttpResponse<byte[]> down = CLIENT.send(HttpRequest.newBuilder(front.uri("/api/big")).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, down.statusCode());
            assertArrayEquals(body, down.body());
        }
    }

    @Test
    void headKeepsTheLengthAndTheUpstreamConnectionIsReused() throws Exception {
        Set<Integer> upstreamPorts = ConcurrentHashMap.newKeySet();
        try (TestServer up = TestServer.start(request -> {
                    upstreamPorts.add(((java.net.InetSocketAddress) request.remoteAddress()).getPort());
                    return upstream(request);
                });
                ReverseProxy proxy = ReverseProxy.to(up.uri(""));
                TestServer front = TestServer.start(proxy)) {
            HttpResponse<Void> head = CLIENT.send(HttpRequest.newBuilder(front.uri("/api/head"))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            assertEquals(200, head.statusCode());
            assertEquals("1234", head.headers().firstValue("Content-Length").orElseThrow());
            String unknown = raw(front.port(), "HEAD /api/big HTTP/1.1\r\nHost: f\r\nConnection: close\r\n\r\n");
            assertTrue(unknown.startsWith("HTTP/1.1 200 "), unknown);
            assertFalse(unknown.contains("Content-Length"), "a chunked GET's length is not known: " + unknown);
            assertFalse(unknown.contains("Transfer-Encoding"), unknown);
            for (int i = 0; i < 5; i++) {
                assertEquals(200, get(front.uri("/echo" + i)).statusCode());
            }
            assertTrue(upstreamPorts.size() <= 2, "upstream connections were pooled: " + upstreamPorts);
        }
    }

    @Test
    void anUnreachableUpstreamIs502AndASlowOne504AndTheProxyGoesOn() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Event release = new Event("the slow upstream may answer");
        try (TestServer up = TestServer.start(request -> {
                    if (request.path().equals("/slow")) {
                        release.await(TestServer.PATIENCE);
                    }
                    return upstream(request);
                });
                ReverseProxy down = ReverseProxy.to("http://127.0.0.1:" + closedPort);
                ReverseProxy slow = ReverseProxy.to(up.uri("")).withTimeout(Duration.ofMillis(300));
                TestServer front = TestServer.start(request -> request.path().startsWith("/down")
                        ? down.handle(request) : slow.handle(request))) {
            HttpResponse<String> unreachable = get(front.uri("/down"));
            assertEquals(502, unreachable.statusCode());
            assertFalse(unreachable.body().contains(String.valueOf(closedPort)), "no details go to the client");
            assertEquals(504, get(front.uri("/slow")).statusCode());
            release.set();
            assertEquals(200, get(front.uri("/fine")).statusCode(), "other requests go on");
        }
    }

    @Test
    void eachPieceOfAStreamedAnswerIsPassedOnAsItComes() throws Exception {
        Event firstSeen = new Event("the client read the first event");
        try (TestServer up = TestServer.start(request -> Response.ok(ResponseBody.ofWriter(-1, out -> {
                    out.write("data: one\n\n".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    firstSeen.await(TestServer.PATIENCE); // only ends if the proxy passed the first event on alone
                    out.write("data: two\n\n".getBytes(StandardCharsets.UTF_8));
                }), "text/event-stream"));
                ReverseProxy proxy = ReverseProxy.to(up.uri(""));
                TestServer front = TestServer.start(proxy)) {
            HttpResponse<InputStream> r = CLIENT.send(HttpRequest.newBuilder(front.uri("/events")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                byte[] first = in.readNBytes("data: one\n\n".length());
                assertEquals("data: one\n\n", new String(first, StandardCharsets.UTF_8));
                firstSeen.set();
                assertEquals("data: two\n\n", new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void aRequestBodyTooLargeForTheProxyKeepsItsOwnStatus() throws Exception {
        try (TestServer up = TestServer.start(ReverseProxyTest::upstream);
                ReverseProxy proxy = ReverseProxy.to(up.uri(""));
                TestServer front = TestServer.start(HttpServerOptions.defaults().withMaxBodySize(1024), proxy)) {
            String answer = raw(front.port(), "POST /api/sum HTTP/1.1\r\nHost: f\r\nTransfer-Encoding: chunked\r\n"
                    + "Connection: close\r\n\r\n" + "800\r\n" + "x".repeat(0x800) + "\r\n0\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
        }
    }

    @Test
    void aWebSocketIsTunnelledToTheUpstreamAndARefusedUpgradeComesBackAsItIs() throws Exception {
        Handler upstream = request -> request.path().equals("/ws")
                ? WebSocket.accept(request, session -> {
                    while (true) {
                        switch (session.receive()) {
                            case Message.Text t -> session.send("echo: " + t.text() + " via "
                                    + session.request().header("Via"));
                            case Message.Binary b -> session.send(b.bytes());
                        }
                    }
                })
                : Response.text(Status.of(426), "upgrade to something else");
        try (TestServer up = TestServer.start(upstream);
                ReverseProxy proxy = ReverseProxy.to(up.uri(""));
                TestServer front = TestServer.start(proxy)) {
            java.util.concurrent.BlockingQueue<String> got = new java.util.concurrent.LinkedBlockingQueue<>();
            java.net.http.WebSocket ws = CLIENT.newWebSocketBuilder().buildAsync(front.ws("/ws"),
                    new java.net.http.WebSocket.Listener() {
                        @Override
                        public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w,
                                CharSequence data, boolean last) {
                            got.add(data.toString());
                            w.request(1);
                            return null;
                        }
                    }).get(20, java.util.concurrent.TimeUnit.SECONDS);
            for (int i = 0; i < 3; i++) {
                ws.sendText("hello " + i, true).get(20, java.util.concurrent.TimeUnit.SECONDS);
                assertEquals("echo: hello " + i + " via 1.1 concurrence",
                        got.poll(20, java.util.concurrent.TimeUnit.SECONDS));
            }
            ws.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "done").get(20, java.util.concurrent.TimeUnit.SECONDS);

            String refused = raw(front.port(), "GET /other HTTP/1.1\r\nHost: f\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade, close\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n");
            assertTrue(refused.startsWith("HTTP/1.1 426 "), refused);
            assertTrue(refused.endsWith("upgrade to something else"), refused);
        }
    }

    @Test
    void settingsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> ReverseProxy.to("ftp://x/"));
        assertThrows(IllegalArgumentException.class, () -> ReverseProxy.to("http://x/?q=1"));
        assertThrows(IllegalArgumentException.class, () -> ReverseProxy.to("/relative"));
        try (ReverseProxy p = ReverseProxy.to("http://x/")) {
            assertThrows(IllegalArgumentException.class, () -> p.withTimeout(Duration.ZERO));
        }
    }
}
