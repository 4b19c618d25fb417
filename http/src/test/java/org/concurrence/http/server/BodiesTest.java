package org.concurrence.http.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.concurrence.http.Response;
import org.concurrence.http.ResponseBody;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Request and response bodies: lengths, chunked with trailers, 100-continue, streaming, draining, limits. */
@Timeout(120)
class BodiesTest {
    private static final long BIG = 64L * 1024 * 1024;

    private static Response echoBody(org.concurrence.http.Request request) throws IOException {
        return Response.ok(request.body().text());
    }

    @Test
    void aContentLengthBodyIsReadAndTheNextRequestFollows() {
        try (TestServer s = TestServer.start(BodiesTest::echoBody); RawClient c = s.connect()) {
            c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloPOST / HTTP/1.1\r\nHost: x\r\n"
                    + "Content-Length: 3\r\n\r\nbye");
            assertEquals("hello", c.read().text());
            assertEquals("bye", c.read().text());
        }
    }

    @Test
    void aChunkedBodyWithExtensionsAndTrailersIsDecoded() {
        try (TestServer s = TestServer.start(request -> Response.ok(request.body().length() + ":"
                + request.body().text())); RawClient c = s.connect()) {
            c.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5;name=value\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Checksum: 42\r\nX-Other: y\r\n\r\n"
                    + "GET /next HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("-1:hello world", c.read().text());
            assertEquals("0:", c.read().text(), "the trailers did not leak into the next request");
        }
    }

    @Test
    void availableCountsOnlyChunkDataNotTheFramingOrTheNextRequest() {
        try (TestServer s = TestServer.start(request -> {
            InputStream in = request.body().stream();
            byte[] b = new byte[64];
            StringBuilder seen = new StringBuilder();
            for (int n; (n = in.read(b)) >= 0; ) {
                seen.append(n).append('/').append(in.available()).append(' ');
            }
            return Response.ok(seen.toString().strip());
        }); RawClient c = s.connect()) {
            c.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("5/0 6/0", c.read().text(), "after each chunk nothing more is body until its size line");
            assertEquals("", c.read().text());
        }
    }

    @Test
    void aResponseOfUnknownLengthIsChunked() {
        try (TestServer s = TestServer.start(request -> Response.ok(ResponseBody.ofWriter(-1, out -> {
            out.write("one ".getBytes(StandardCharsets.UTF_8));
            out.flush();
            out.write("two".getBytes(StandardCharsets.UTF_8));
        }), "text/plain")); RawClient c = s.connect()) {
            RawClient.Response r = c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertEquals("chunked", r.header("Transfer-Encoding"));
            assertEquals("one two", r.text());
            assertEquals("one two", c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().text());
        }
    }

    @Test
    void hundredContinueIsSentOnTheFirstReadOfTheBody() throws Exception {
        try (TestServer s = TestServer.start(BodiesTest::echoBody); RawClient c = s.connect()) {
            c.send("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
            RawClient.Response interim = c.read();
            assertEquals(100, interim.status());
            c.send("body");
            RawClient.Response r = c.read();
            assertEquals(200, r.status());
            assertEquals("body", r.text());
            assertEquals("", c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().text(), "the connection goes on");
        }
    }

    @Test
    void aStreamedResponseWhoseWriterReadsTheBodyGetsTheHundredContinueFirst() {
        try (TestServer s = TestServer.start(request -> Response.ok(ResponseBody.ofWriter(-1,
                out -> request.body().stream().transferTo(out)), "text/plain")); RawClient c = s.connect()) {
            c.send("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
            assertEquals(100, c.read().status(), "the interim response comes before the final one");
            c.send("body");
            RawClient.Response r = c.read();
            assertEquals(200, r.status());
            assertEquals("body", r.text());
            assertEquals("chunked", r.header("Transfer-Encoding"));
        }
    }

    @Test
    void aHandlerThatAnswersWithoutReadingNeverMakesTheClientSendAndTheConnectionCloses() {
        try (TestServer s = TestServer.start(request -> Response.text(org.concurrence.http.Status.FORBIDDEN, "no"));
             RawClient c = s.connect()) {
            c.send("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 1000000\r\n\r\n");
            RawClient.Response r = c.read();
            assertEquals(403, r.status(), "the final response comes first, without a 100");
            assertEquals("close", r.header("Connection"));
            c.assertClosed();
        }
    }

    @Test
    void anUnreadSmallBodyIsDrainedAndTheConnectionKept() {
        try (TestServer s = TestServer.start(request -> Response.ok("ignored " + request.body().length()));
             RawClient c = s.connect()) {
            String body = "x".repeat(50_000); // under the default drain limit of 64 KiB, over a read buffer
            c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            RawClient.Response r = c.read();
            assertEquals("ignored 50000", r.text());
            assertNull(r.header("Connection"));
            c.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
            assertEquals("ignored -1", c.read().text());
            assertEquals("ignored 0", c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().text());
        }
    }

    @Test
    void anUnreadBodyOverTheDrainLimitClosesTheConnection() {
        try (TestServer s = TestServer.start(HttpServerOptions.defaults().withMaxDrainSize(1000),
                request -> Response.ok("ignored")); RawClient c = s.connect()) {
            // Bigger than a read buffer, so it is not already all received with its head.
            c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 50000\r\n\r\n" + "x".repeat(50_000));
            RawClient.Response r = c.read();
            assertEquals("close", r.header("Connection"));
            c.assertClosed();
        }
    }

    @Test
    void bytesRefusesABodyOverTheBufferedLimitWith413() {
        try (TestServer s = TestServer.start(HttpServerOptions.defaults().withMaxBufferedBodySize(10),
                BodiesTest::echoBody); RawClient c = s.connect()) {
            c.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "b\r\nhello world\r\n0\r\n\r\n");
            assertEquals(413, c.read().status());
            c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world");
            assertEquals(413, c.read().status());
        }
    }

    @Test
    void aStreamedBodyThatDisagreesWithItsLengthBreaksTheConnection() {
        try (TestServer s = TestServer.start(request -> Response.ok(ResponseBody.ofWriter(
                request.path().equals("/long") ? 3 : 10, out -> out.write("12345".getBytes(StandardCharsets.UTF_8))),
                "text/plain"))) {
            for (String path : new String[] {"/long", "/short"}) {
                try (RawClient c = s.connect()) {
                    c.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
                    ByteArrayOutputStream got = new ByteArrayOutputStream();
                    try {
                        c.input().transferTo(got);
                    } catch (IOException resetIsFine) {
                        // The connection was closed abruptly: also the expected outcome.
                    }
                    String text = got.toString(StandardCharsets.ISO_8859_1);
                    assertTrue(!text.contains("12345") || path.equals("/short"), path + ": " + text);
                }
            }
        }
    }

    @Test
    void largeBodiesStreamBothWaysWithoutBeingBufferedWhole() throws Exception {
        AtomicBoolean sawEarlyBytes = new AtomicBoolean();
        AtomicLong clientSent = new AtomicLong();
        AtomicLong received = new AtomicLong();
        // The buffered-body limit is far below the body: only a stream can pass it through.
        HttpServerOptions options = HttpServerOptions.defaults().withMaxBufferedBodySize(64 * 1024);
        try (TestServer s = TestServer.start(options, request -> {
            InputStream in = request.body().stream();
            byte[] chunk = new byte[65536];
            int n = in.read(chunk);
            sawEarlyBytes.set(n > 0 && clientSent.get() < BIG / 2);
            long total = n;
            for (n = in.read(chunk); n >= 0; n = in.read(chunk)) {
                total += n;
            }
            received.set(total);
            return Response.ok(ResponseBody.ofWriter(BIG, out -> writePattern(out, BIG)), "application/octet-stream");
        }); RawClient c = s.connect()) {
            Thread sender = Thread.ofPlatform().start(() -> {
                try {
                    OutputStream out = c.output();
                    out.write(("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: " + BIG + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    byte[] block = new byte[65536];
                    for (long sent = 0; sent < BIG; sent += block.length) {
                        out.write(block);
                        clientSent.addAndGet(block.length);
                    }
                    out.flush();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            String statusLine = c.line();
            assertEquals("HTTP/1.1 200 OK", statusLine);
            long length = -1;
            for (String line = c.line(); !line.isEmpty(); line = c.line()) {
                if (line.startsWith("Content-Length: ")) {
                    length = Long.parseLong(line.substring(16));
                }
            }
            assertEquals(BIG, length);
            assertEquals(BIG, verifyPattern(c.input(), BIG));
            sender.join();
            assertEquals(BIG, received.get());
            assertTrue(sawEarlyBytes.get(), "the handler saw the first bytes before the client had sent half");
        }
    }

    private static void writePattern(OutputStream out, long length) throws IOException {
        byte[] block = new byte[32768];
        for (long at = 0; at < length; at += block.length) {
            for (int i = 0; i < block.length; i++) {
                block[i] = (byte) ((at + i) * 31 >>> 3);
            }
            out.write(block, 0, (int) Math.min(block.length, length - at));
        }
    }

    private static long verifyPattern(InputStream in, long length) throws IOException {
        byte[] block = new byte[32768];
        long at = 0;
        while (at < length) {
            int n = in.read(block, 0, (int) Math.min(block.length, length - at));
            assertTrue(n > 0, "body ended early at " + at);
            for (int i = 0; i < n; i++) {
                if (block[i] != (byte) ((at + i) * 31 >>> 3)) {
                    assertEquals((byte) ((at + i) * 31 >>> 3), block[i], "byte " + (at + i));
                }
            }
            at += n;
        }
        return at;
    }

    @Test
    void aDetachedSmallBodyOfAPipelinedRequestIsIntact() {
        AtomicInteger calls = new AtomicInteger();
        try (TestServer s = TestServer.start(request -> {
            calls.incrementAndGet();
            return Response.ok(new String(request.body().bytes(), StandardCharsets.UTF_8));
        }); RawClient c = s.connect()) {
            StringBuilder batch = new StringBuilder();
            for (int i = 0; i < 20; i++) {
                String body = "body-" + i;
                batch.append("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ").append(body.length()).append("\r\n\r\n")
                        .append(body);
            }
            c.send(batch.toString());
            for (int i = 0; i < 20; i++) {
                assertEquals("body-" + i, c.read().text());
            }
            assertArrayEquals(new int[] {20}, new int[] {calls.get()});
        }
    }
}
