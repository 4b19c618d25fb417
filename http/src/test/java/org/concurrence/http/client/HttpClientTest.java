package org.concurrence.http.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.Outcome;
import org.concurrence.core.Tasklet;
import org.concurrence.http.Method;
import org.concurrence.http.Response;
import org.concurrence.http.ResponseBody;
import org.concurrence.http.Status;
import org.concurrence.http.server.HttpServerOptions;
import org.concurrence.http.server.TestServer;
import org.concurrence.sync.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client against our own HTTP server: keep-alive, framing both ways, deadlines, the per-origin limit, sharing. */
@Timeout(120)
class HttpClientTest {
    private static final Duration PATIENCE = TestServer.PATIENCE;

    /** Echoes method, path, and the request body's length and CRC. */
    private static Response echo(org.concurrence.http.Request request) throws IOException {
        CRC32 crc = new CRC32();
        long length = 0;
        byte[] buffer = new byte[16384];
        try (InputStream in = request.body().stream()) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                crc.update(buffer, 0, n);
                length += n;
            }
        }
        return Response.ok(request.method() + " " + request.target() + " " + length + " " + crc.getValue()
                + " chunked=" + "chunked".equals(request.header("Transfer-Encoding")));
    }

    @Test
    void sequentialRequestsShareOneKeepAliveConnection() {
        InTasklets.Counting handler = new InTasklets.Counting(HttpClientTest::echo);
        try (TestServer server = TestServer.start(handler); HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                for (int i = 0; i < 20; i++) {
                    try (ClientResponse r = client.send(ClientRequest.get(server.uri("/n/" + i)), PATIENCE)) {
                        assertEquals(200, r.statusCode());
                        assertEquals("GET /n/" + i + " 0 0 chunked=false", r.text());
                    }
                }
            });
            assertEquals(1, handler.connections.size(), "one connection, kept alive: " + handler.connections);
        }
    }

    @Test
    void fixedAndChunkedResponseBodiesAreReadAndTheConnectionReused() {
        byte[] big = new byte[300_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        InTasklets.Counting handler = new InTasklets.Counting(request -> switch (request.path()) {
            case "/fixed" -> Response.ok(ResponseBody.of(big), "application/octet-stream");
            default -> Response.ok(ResponseBody.ofWriter(-1, out -> {
                for (int i = 0; i < big.length; i += 1000) {
                    out.write(big, i, Math.min(1000, big.length - i));
                }
            }), "application/octet-stream");
        });
        try (TestServer server = TestServer.start(handler); HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                for (String path : List.of("/fixed", "/chunked", "/fixed", "/chunked")) {
                    try (ClientResponse r = client.send(ClientRequest.get(server.uri(path)), PATIENCE)) {
                        assertEquals(path.equals("/fixed") ? "300000" : null, r.header("Content-Length"));
                        assertArrayEquals(big, r.bytes(), path);
                    }
                }
            });
            assertEquals(1, handler.connections.size());
        }
    }

    @Test
    void requestBodiesAreSentWithALengthOrChunked() {
        byte[] data = "hello, body".repeat(1000).getBytes(StandardCharsets.UTF_8);
        CRC32 crc = new CRC32();
        crc.update(data);
        String expected = " " + data.length + " " + crc.getValue();
        try (TestServer server = TestServer.start(HttpClientTest::echo); HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                ClientRequest fixed = ClientRequest.post(server.uri("/up"), ClientRequest.Body.of(data));
                assertEquals("POST /up" + expected + " chunked=false", client.send(fixed, PATIENCE).text());
                ClientRequest chunked = ClientRequest.put(server.uri("/up"), ClientRequest.Body.ofWriter(-1, out -> {
                    for (int i = 0; i < data.length; i += 777) {
                        out.write(data, i, Math.min(777, data.length - i));
                    }
                }));
                assertEquals("PUT /up" + expected + " chunked=true", client.send(chunked, PATIENCE).text());
                ClientRequest streamed = ClientRequest.post(server.uri("/up"),
                        ClientRequest.Body.ofStream(data.length, new java.io.ByteArrayInputStream(data)));
                assertEquals("POST /up" + expected + " chunked=false", client.send(streamed, PATIENCE).text());
                ClientRequest empty = ClientRequest.post(server.uri("/up"), ClientRequest.Body.empty());
                assertEquals("POST /up 0 0 chunked=false", client.send(empty, PATIENCE).text());
            });
        }
    }

    /**
     * 256 MiB each way, generated and checked on the fly: the heap in use while the last bytes pass (the body still
     * open) stays far below the body's size, so neither side buffers it.
     */
    @Test
    void largeBodiesStreamBothWaysInFlatMemory() {
        long size = 256L * 1024 * 1024;
        try (TestServer server = TestServer.start(HttpServerOptions.defaults().withMaxBodySize(size),
                request -> request.path().equals("/down")
                        ? Response.ok(ResponseBody.ofWriter(-1, out -> generate(out, size)), "application/octet-stream")
                        : echo(request));
             HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                long before = usedHeap();
                long[] peak = {0};
                ClientRequest up = ClientRequest.post(server.uri("/up"), ClientRequest.Body.ofWriter(size, out -> {
                    generate(out, size);
                    peak[0] = usedHeap();
                }));
                String answer = client.send(up, Duration.ofSeconds(100)).text();
                assertTrue(answer.startsWith("POST /up " + size + " "), answer);
                assertTrue(peak[0] - before < size / 4, "heap grew by " + (peak[0] - before) + " while uploading");
                try (ClientResponse r = client.send(ClientRequest.get(server.uri("/down")), Duration.ofSeconds(100))) {
                    byte[] buffer = new byte[65536];
                    long total = 0;
                    InputStream in = r.stream();
                    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                        for (int i = 0; i < n; i += 4099) {
                            assertEquals(pattern(total + i), buffer[i], "byte " + (total + i));
                        }
                        total += n;
                    }
                    assertEquals(size, total);
                    long grown = usedHeap() - before;
                    assertTrue(grown < size / 4, "heap grew by " + grown + " while downloading");
                }
            });
        }
    }

    @Test
    void aResponseSentBeforeTheServerStoppedReadingIsReturned() {
        try (TestServer server = TestServer.start(HttpServerOptions.defaults().withMaxBodySize(1000)
                .withMaxDrainSize(1000), HttpClientTest::echo);
             HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                ClientRequest tooBig = ClientRequest.post(server.uri("/up"), ClientRequest.Body.ofWriter(-1,
                        out -> generate(out, 50L * 1024 * 1024)));
                ClientResponse r = client.send(tooBig, PATIENCE);
                assertEquals(413, r.statusCode());
                r.close();
                assertEquals(200, client.send(ClientRequest.get(server.uri("/next")), PATIENCE).statusCode());
            });
        }
    }

    private static void generate(OutputStream out, long size) throws IOException {
        byte[] chunk = new byte[65536];
        for (long done = 0; done < size; done += chunk.length) {
            for (int i = 0; i < chunk.length; i++) {
                chunk[i] = pattern(done + i);
            }
            out.write(chunk, 0, (int) Math.min(chunk.length, size - done));
        }
    }

    private static byte pattern(long index) {
        return (byte) (index % 251);
    }

    private static long usedHeap() {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    @Test
    void headAndStatusesWithoutContentHaveNoBodyAndKeepTheConnection() {
        InTasklets.Counting handler = new InTasklets.Counting(request -> switch (request.path()) {
            case "/204" -> Response.of(Status.NO_CONTENT);
            case "/304" -> Response.of(Status.NOT_MODIFIED).withHeader("ETag", "\"x\"");
            default -> Response.ok("a body that HEAD does not get");
        });
        try (TestServer server = TestServer.start(handler); HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                for (int round = 0; round < 2; round++) {
                    ClientResponse head = client.send(ClientRequest.head(server.uri("/x")), PATIENCE);
                    assertEquals(200, head.statusCode());
                    assertEquals("29", head.header("Content-Length"));
                    assertFalse(head.hasBody());
                    assertEquals(0, head.bytes().length);
                    ClientResponse none = client.send(ClientRequest.get(server.uri("/204")), PATIENCE);
                    assertEquals(204, none.statusCode());
                    assertEquals(-1, none.stream().read());
                    ClientResponse notModified = client.send(ClientRequest.get(server.uri("/304")), PATIENCE);
                    assertEquals(304, notModified.statusCode());
                    assertEquals("", notModified.text());
                    assertEquals("a body that HEAD does not get",
                            client.send(ClientRequest.get(server.uri("/x")), PATIENCE).text());
                }
            });
            assertEquals(1, handler.connections.size(), "no response left bytes that spoiled the connection");
        }
    }

    @Test
    void aTimeoutFailsOnlyItsCallNamingTheStepAndTheOrigin() {
        Event never = new Event();
        InTasklets.Counting handler = new InTasklets.Counting(request -> {
            if (request.path().equals("/slow")) {
                never.await(PATIENCE);
            }
            return Response.ok("fast");
        });
        try (TestServer server = TestServer.start(handler); HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                assertEquals("fast", client.send(ClientRequest.get(server.uri("/warm")), PATIENCE).text());
                Tasklet<String> other = Tasklet.spawn(() -> client.send(ClientRequest.get(server.uri("/fast")),
                        PATIENCE).text());
                DeadlineExceededException e = assertThrows(DeadlineExceededException.class,
                        () -> client.send(ClientRequest.get(server.uri("/slow")), Duration.ofMillis(300)));
                String origin = "http://127.0.0.1:" + server.port();
                assertEquals("GET " + server.uri("/slow") + ": waiting for the response head from " + origin,
                        e.operation());
                assertEquals("fast", other.join(PATIENCE));
                assertEquals("fast", client.send(ClientRequest.get(server.uri("/after")), PATIENCE).text());
                try (org.concurrence.core.Timeout scope = org.concurrence.core.Timeout.after(Duration.ofMillis(200))) {
                    DeadlineExceededException d = assertThrows(DeadlineExceededException.class,
                            () -> client.send(ClientRequest.get(server.uri("/slow"))));
                    assertTrue(d.getMessage().contains("timed out after"), d.getMessage());
                }
            });
            assertTrue(handler.connections.size() >= 2, "the timed-out call's connection was not reused");
        }
    }

    @Test
    void callersBeyondTheOriginLimitWaitUnderTheirDeadline() {
        Event release = new Event();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger mostInFlight = new AtomicInteger();
        InTasklets.Counting handler = new InTasklets.Counting(request -> {
            mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                release.await(PATIENCE);
                return Response.ok("done");
            } finally {
                inFlight.decrementAndGet();
            }
        });
        HttpClientOptions options = HttpClientOptions.defaults().withMaxConnectionsPerOrigin(2);
        try (TestServer server = TestServer.start(handler); HttpClient client = HttpClient.create(options)) {
            InTasklets.run(() -> {
                List<Tasklet<String>> callers = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    callers.add(Tasklet.spawn(() -> client.send(ClientRequest.get(server.uri("/held")), PATIENCE)
                            .text()));
                }
                while (inFlight.get() < 2) {
                    Tasklet.sleep(Duration.ofMillis(5)); // polls the server's count; the assertions use no timing
                }
                DeadlineExceededException e = assertThrows(DeadlineExceededException.class,
                        () -> client.send(ClientRequest.get(server.uri("/late")), Duration.ofMillis(200)));
                assertTrue(e.operation().contains("waiting for a connection to http://127.0.0.1:"), e.operation());
                release.set();
                for (Outcome<String> o : Tasklet.joinAll(callers, PATIENCE)) {
                    assertEquals("done", o.get());
                }
            });
            assertEquals(2, mostInFlight.get());
            assertEquals(2, handler.connections.size(), "waiters got the connections given back: "
                    + handler.connections);
        }
    }

    @Test
    void taskletsOnSeveralDispatchersShareOneClient() {
        InTasklets.Counting handler = new InTasklets.Counting(HttpClientTest::echo);
        HttpClientOptions options = HttpClientOptions.defaults().withMaxConnectionsPerOrigin(6);
        try (TestServer server = TestServer.start(handler); HttpClient client = HttpClient.create(options)) {
            InTasklets.run(4, () -> {
                List<Tasklet<Integer>> workers = new ArrayList<>();
                List<Dispatcher> dispatchers = Dispatcher.current().group().dispatchers();
                for (int i = 0; i < 40; i++) {
                    int id = i;
                    workers.add(Tasklet.builder().on(dispatchers.get(i % dispatchers.size())).spawn(() -> {
                        int ok = 0;
                        for (int k = 0; k < 10; k++) {
                            ClientRequest post = ClientRequest.post(server.uri("/w/" + id + "/" + k),
                                    ClientRequest.Body.of("x".repeat(k)));
                            String text = client.send(post, PATIENCE).text();
                            ok += text.startsWith("POST /w/" + id + "/" + k + " " + k + " ") ? 1 : 0;
                        }
                        return ok;
                    }));
                }
                for (Outcome<Integer> o : Tasklet.joinAll(workers, PATIENCE)) {
                    assertEquals(10, o.get());
                }
            });
            assertTrue(handler.connections.size() <= 40, "connections are reused: " + handler.connections.size());
        }
    }

    @Test
    void closingAnUnreadBodyKeepsTheConnectionOnlyIfTheRestIsSmall() {
        InTasklets.Counting handler = new InTasklets.Counting(request -> Response.ok(
                "y".repeat(request.path().equals("/big") ? 1_000_000 : 1000)));
        try (TestServer server = TestServer.start(handler); HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                ClientResponse small = client.send(ClientRequest.get(server.uri("/small")), PATIENCE);
                assertEquals('y', small.stream().read());
                small.close();
                // Drained for the pool, but to its reader the body is closed, not ended after one byte.
                assertThrows(IOException.class, () -> small.stream().read());
                client.send(ClientRequest.get(server.uri("/small")), PATIENCE).close();
                assertEquals(1, handler.connections.size(), "a small unread body is drained");
                ClientResponse big = client.send(ClientRequest.get(server.uri("/big")), PATIENCE);
                assertEquals('y', big.stream().read());
                big.close();
                assertThrows(IOException.class, () -> big.stream().read());
                client.send(ClientRequest.get(server.uri("/small")), PATIENCE).close();
                assertEquals(2, handler.connections.size(), "a large unread body costs its connection");
            });
        }
    }

    @Test
    void expectContinueSendsTheBodyOnlyWhenTheServerAsks() {
        AtomicInteger read = new AtomicInteger();
        try (TestServer server = TestServer.start(request -> {
            if (request.path().equals("/refuse")) {
                return Response.text(Status.FORBIDDEN, "no");
            }
            read.addAndGet(request.body().bytes().length);
            return Response.ok("took it");
        }); HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                byte[] data = new byte[100_000];
                ClientRequest take = ClientRequest.put(server.uri("/take"), ClientRequest.Body.ofWriter(data.length,
                        out -> out.write(data))).withExpectContinue();
                assertEquals("took it", client.send(take, PATIENCE).text());
                assertEquals(data.length, read.get());
                AtomicInteger writerCalls = new AtomicInteger();
                ClientRequest refused = ClientRequest.put(server.uri("/refuse"), ClientRequest.Body.ofWriter(-1,
                        out -> writerCalls.incrementAndGet())).withExpectContinue();
                ClientResponse r = client.send(refused, PATIENCE);
                assertEquals(403, r.statusCode());
                assertEquals("no", r.text());
                assertEquals(0, writerCalls.get(), "the body was never sent");
            });
        }
    }

    @Test
    void redirectsAreFollowedOnlyWhenAsked() {
        try (TestServer server = TestServer.start(request -> switch (request.path()) {
            case "/old" -> Response.redirect(Status.FOUND, "/new?x=1");
            case "/form" -> Response.redirect(Status.SEE_OTHER, "/new");
            case "/loop" -> Response.redirect(Status.TEMPORARY_REDIRECT, "/loop");
            default -> echo(request);
        })) {
            InTasklets.run(() -> {
                try (HttpClient never = HttpClient.create()) {
                    ClientResponse r = never.send(ClientRequest.get(server.uri("/old")), PATIENCE);
                    assertEquals(302, r.statusCode());
                    assertEquals("/new?x=1", r.header("Location"));
                    r.close();
                }
                HttpClientOptions follow = HttpClientOptions.defaults().withFollowRedirects(Redirects.NORMAL);
                try (HttpClient client = HttpClient.create(follow)) {
                    ClientResponse r = client.send(ClientRequest.get(server.uri("/old")), PATIENCE);
                    assertEquals("GET /new?x=1 0 0 chunked=false", r.text());
                    assertEquals(server.uri("/new?x=1"), r.request().uri());
                    ClientRequest post = ClientRequest.post(server.uri("/form"), ClientRequest.Body.of("a=1"));
                    assertEquals("GET /new 0 0 chunked=false", client.send(post, PATIENCE).text());
                    IOException loop = assertThrows(IOException.class,
                            () -> client.send(ClientRequest.get(server.uri("/loop")), PATIENCE));
                    assertTrue(loop.getMessage().contains("more than 5 redirects"), loop.getMessage());
                }
            });
        }
    }

    @Test
    void textUsesTheCharsetOfTheContentType() {
        try (TestServer server = TestServer.start(request -> Response.ok(
                ResponseBody.of("café".getBytes(StandardCharsets.ISO_8859_1)), "text/plain; charset=ISO-8859-1"));
             HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> assertEquals("café", client.send(ClientRequest.get(server.uri("/")), PATIENCE)
                    .text()));
        }
    }

    @Test
    void requestsThatWouldMisframeAreRefusedWhenBuilt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClientRequest.get("http://example.com/").withHeader("Content-Length", "5"));
        assertTrue(e.getMessage().contains("frames the body itself"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ClientRequest.get("ftp://example.com/"));
        assertThrows(IllegalArgumentException.class, () -> ClientRequest.get("/relative"));
        ClientRequest r = ClientRequest.of(Method.of("PROPFIND"), java.net.URI.create("http://h:81/a%20b?q=1#frag"));
        assertEquals("/a%20b?q=1", r.target());
        assertEquals("h:81", r.origin().authority());
        assertNull(r.headers().get("Host"));
    }
}
