package org.concurrence.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.concurrence.http.HttpException;
import org.concurrence.http.Response;
import org.concurrence.http.ResponseBody;
import org.concurrence.http.Status;
import org.concurrence.sync.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Keep-alive, pipelining in order and concurrently, HEAD, HTTP/1.0, Connection: close both ways. */
@Timeout(120)
class KeepAliveAndPipeliningTest {
    private static final String GET = "GET /%s HTTP/1.1\r\nHost: x\r\n\r\n";

    private static Response echoPath(org.concurrence.http.Request request) {
        return Response.ok("path " + request.path());
    }

    @Test
    void thousandsOfRequestsShareOneConnection() {
        try (TestServer s = TestServer.start(KeepAliveAndPipeliningTest::echoPath); RawClient c = s.connect()) {
            for (int i = 0; i < 3000; i++) {
                c.send(GET.formatted(i));
                RawClient.Response r = c.read();
                assertEquals("path /" + i, r.text());
                assertNull(r.header("Connection"), "keep-alive on HTTP/1.1 says nothing");
            }
            assertEquals(1, s.server.connectionCount());
        }
    }

    @Test
    void responsesCarryDateAndServerHeaders() {
        try (TestServer s = TestServer.start(KeepAliveAndPipeliningTest::echoPath); RawClient c = s.connect()) {
            RawClient.Response r = c.send(GET.formatted("d")).read();
            assertTrue(r.header("Date").matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT"),
                    r.header("Date"));
            assertEquals("Concurrence", r.header("Server"));
            assertEquals("text/plain; charset=UTF-8", r.header("Content-Type"));
        }
        try (TestServer s = TestServer.start(HttpServerOptions.defaults().withServerName(null),
                request -> Response.ok("x").withHeader("Date", "Thu, 01 Jan 1970 00:00:00 GMT"));
             RawClient c = s.connect()) {
            RawClient.Response r = c.send(GET.formatted("d")).read();
            assertNull(r.header("Server"));
            assertEquals("Thu, 01 Jan 1970 00:00:00 GMT", r.header("Date"), "the handler's own Date wins");
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderInOneBatch() {
        try (TestServer s = TestServer.start(KeepAliveAndPipeliningTest::echoPath); RawClient c = s.connect()) {
            StringBuilder batch = new StringBuilder();
            for (int i = 0; i < 50; i++) {
                batch.append(GET.formatted(i));
            }
            c.send(batch.toString());
            for (int i = 0; i < 50; i++) {
                assertEquals("path /" + i, c.read().text());
            }
        }
    }

    @Test
    void pipelinedHandlersRunConcurrentlyAndTheirResponsesStayInOrder() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        List<String> finished = new ArrayList<>();
        AtomicInteger othersLeft = new AtomicInteger(3);
        Event othersDone = new Event("the three behind /slow finished");
        try (TestServer s = TestServer.start(request -> {
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                if (request.path().equals("/slow")) {
                    // The first waits until the three behind it have finished: only possible if they run meanwhile.
                    othersDone.await(TestServer.PATIENCE);
                } else if (othersLeft.decrementAndGet() == 0) {
                    othersDone.set();
                }
                synchronized (finished) {
                    finished.add(request.path());
                }
                return Response.ok(request.path());
            } finally {
                running.decrementAndGet();
            }
        }); RawClient c = s.connect()) {
            c.send(GET.formatted("slow") + GET.formatted("a") + GET.formatted("b") + GET.formatted("c"));
            assertEquals("/slow", c.read().text());
            assertEquals("/a", c.read().text());
            assertEquals("/b", c.read().text());
            assertEquals("/c", c.read().text());
            assertEquals(List.of("/a", "/b", "/c", "/slow"), finished, "handlers finished out of order");
            assertTrue(mostAtOnce.get() >= 2, "pipelined handlers ran at the same time: " + mostAtOnce);
        }
    }

    @Test
    void noMoreThanMaxPipelinedRunAtOnce() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        Event full = new Event("three handlers running");
        try (TestServer s = TestServer.start(HttpServerOptions.defaults().withMaxPipelined(3), request -> {
            int now = running.incrementAndGet();
            mostAtOnce.accumulateAndGet(now, Math::max);
            if (now == 3) {
                full.set();
            }
            // Hold until the pipeline is full, so that more would run at once if the limit let them.
            full.await(TestServer.PATIENCE);
            running.decrementAndGet();
            return Response.ok(request.path());
        }); RawClient c = s.connect()) {
            StringBuilder batch = new StringBuilder();
            for (int i = 0; i < 12; i++) {
                batch.append(GET.formatted(i));
            }
            c.send(batch.toString());
            for (int i = 0; i < 12; i++) {
                assertEquals("/" + i, c.read().text());
            }
            assertTrue(mostAtOnce.get() <= 3 && mostAtOnce.get() >= 2, "at most 3 at once: " + mostAtOnce);
        }
    }

    @Test
    void aStreamedResponseOfAPipelinedRequestIsWrittenInItsTurn() {
        Event streamedHandled = new Event("the streamed request's handler returned");
        try (TestServer s = TestServer.start(request -> switch (request.path()) {
            case "/slow" -> {
                streamedHandled.await(TestServer.PATIENCE); // answer only after the one behind has its response
                yield Response.ok("slow");
            }
            default -> {
                streamedHandled.set();
                yield Response.ok(ResponseBody.ofWriter(-1, out -> {
                    for (int i = 0; i < 3; i++) {
                        out.write(("part" + i).getBytes(StandardCharsets.UTF_8));
                    }
                }), "text/plain");
            }
        }); RawClient c = s.connect()) {
            c.send(GET.formatted("slow") + GET.formatted("streamed"));
            assertEquals("slow", c.read().text());
            RawClient.Response streamed = c.read();
            assertEquals("chunked", streamed.header("Transfer-Encoding"));
            assertEquals("part0part1part2", streamed.text());
        }
    }

    @Test
    void connectionCloseFromTheClientEndsTheConnectionAfterTheResponse() {
        try (TestServer s = TestServer.start(KeepAliveAndPipeliningTest::echoPath); RawClient c = s.connect()) {
            c.send("GET /bye HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" + GET.formatted("ignored"));
            RawClient.Response r = c.read();
            assertEquals("path /bye", r.text());
            assertEquals("close", r.header("Connection"));
            c.assertClosed();
        }
    }

    @Test
    void connectionCloseFromTheHandlerEndsTheConnection() {
        try (TestServer s = TestServer.start(request -> Response.ok("bye").withHeader("Connection", "close"));
             RawClient c = s.connect()) {
            RawClient.Response r = c.send(GET.formatted("x")).read();
            assertEquals("close", r.header("Connection"));
            c.assertClosed();
        }
    }

    @Test
    void theLastAllowedRequestOfAConnectionSaysClose() {
        try (TestServer s = TestServer.start(HttpServerOptions.defaults().withMaxRequestsPerConnection(3),
                KeepAliveAndPipeliningTest::echoPath); RawClient c = s.connect()) {
            for (int i = 0; i < 2; i++) {
                assertNull(c.send(GET.formatted(i)).read().header("Connection"));
            }
            RawClient.Response last = c.send(GET.formatted(2)).read();
            assertEquals("close", last.header("Connection"));
            c.assertClosed();
        }
    }

    @Test
    void headSendsTheHeadersOfGetWithoutABodyAndNeverCallsAStreamedWriter() {
        AtomicInteger writerCalls = new AtomicInteger();
        try (TestServer s = TestServer.start(request -> switch (request.path()) {
            case "/bytes" -> Response.ok("twelve bytes");
            default -> Response.ok(ResponseBody.ofWriter(request.path().equals("/known") ? 5 : -1, out -> {
                writerCalls.incrementAndGet();
                out.write("hello".getBytes(StandardCharsets.UTF_8));
            }), "text/plain");
        }); RawClient c = s.connect()) {
            c.send("HEAD /bytes HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("12", c.read(true).header("Content-Length"));
            c.send("HEAD /known HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("5", c.read(true).header("Content-Length"));
            c.send("HEAD /unknown HTTP/1.1\r\nHost: x\r\n\r\n");
            RawClient.Response unknown = c.read(true);
            assertNull(unknown.header("Content-Length"));
            assertNull(unknown.header("Transfer-Encoding"));
            c.send(GET.formatted("bytes"));
            assertEquals("twelve bytes", c.read().text(), "no stray body bytes came before this response");
            assertEquals(0, writerCalls.get());
        }
    }

    @Test
    void http10ClosesAfterEachResponseUnlessAskedToKeepAlive() {
        try (TestServer s = TestServer.start(KeepAliveAndPipeliningTest::echoPath)) {
            try (RawClient c = s.connect()) {
                RawClient.Response r = c.send("GET /old HTTP/1.0\r\n\r\n").read();
                assertEquals("path /old", r.text());
                assertEquals("close", r.header("Connection"));
                c.assertClosed();
            }
            try (RawClient c = s.connect()) {
                for (int i = 0; i < 3; i++) {
                    RawClient.Response r = c.send("GET /" + i + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
                    assertEquals("path /" + i, r.text());
                    assertEquals("keep-alive", r.header("Connection"));
                }
            }
        }
    }

    @Test
    void http10GetsAnUnknownLengthBodyDelimitedByTheClose() throws Exception {
        try (TestServer s = TestServer.start(request -> Response.ok(ResponseBody.ofWriter(-1,
                out -> out.write("until the end".getBytes(StandardCharsets.UTF_8))), "text/plain"));
             RawClient c = s.connect()) {
            c.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            RawClient.Response r = c.read();
            assertNull(r.header("Content-Length"));
            assertNull(r.header("Transfer-Encoding"));
            assertEquals("close", r.header("Connection"));
            assertEquals("until the end", r.text());
        }
    }

    /**
     * A close-delimited body that fails part way must not end with the FIN that ends a whole one: the client sees
     * a reset (an error), not a short body it would take as complete.
     */
    @Test
    void http10CloseDelimitedBodyThatFailsEndsWithAResetNotAnEnd() throws Exception {
        byte[] block = new byte[64 * 1024];
        Arrays.fill(block, (byte) 'x');
        try (TestServer s = TestServer.start(request -> Response.ok(ResponseBody.ofWriter(-1, out -> {
            out.write(block);
            out.flush();
            throw new IllegalStateException("the body's source failed");
        }), "text/plain")); RawClient c = s.connect()) {
            c.send("GET / HTTP/1.0\r\n\r\n");
            InputStream in = c.input();
            byte[] buffer = new byte[8192];
            assertThrows(java.net.SocketException.class, () -> {
                while (in.read(buffer) >= 0) {
                    // the head and part of the body, then the reset
                }
            });
        }
    }

    @Test
    void noContentAndNotModifiedHaveNoBody() {
        try (TestServer s = TestServer.start(request -> request.path().equals("/204")
                ? Response.of(Status.NO_CONTENT) : Response.of(Status.NOT_MODIFIED));
             RawClient c = s.connect()) {
            RawClient.Response r = c.send(GET.formatted("204")).read();
            assertEquals(204, r.status());
            assertNull(r.header("Content-Length"));
            assertEquals(304, c.send(GET.formatted("304")).read().status());
            c.send(GET.formatted("204"));
            assertEquals(204, c.read().status(), "nothing was left between the responses");
        }
    }

    @Test
    void aStreamedResponseThatFailsDoesNotTakeTheCompleteResponsesBeforeItWithIt() throws Exception {
        try (TestServer s = TestServer.start(request -> request.path().equals("/fail")
                ? Response.ok(ResponseBody.ofWriter(-1, out -> {
                    out.write("partial".getBytes(StandardCharsets.UTF_8));
                    throw new IOException("the source broke");
                }), "text/plain")
                : echoPath(request)); RawClient c = s.connect()) {
            c.send(GET.formatted("a") + GET.formatted("b") + GET.formatted("fail") + GET.formatted("never"));
            assertEquals("path /a", c.read().text(), "a complete response written before the failure is sent");
            assertEquals("path /b", c.read().text());
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            try {
                c.input().transferTo(rest);
            } catch (IOException resetIsFine) {
                // The connection was closed abruptly: also the expected outcome.
            }
            String text = rest.toString(StandardCharsets.ISO_8859_1);
            assertFalse(text.contains("\r\n0\r\n\r\n"), "the failed body must not look complete: " + text);
            assertFalse(text.contains("never"), text);
        }
    }

    @Test
    void statusesThatCannotBeAFinalAnswerBecome500AndTheStreamStaysInStep() {
        try (TestServer s = TestServer.start(request -> switch (request.path()) {
            case "/thrown-interim" -> throw new HttpException(Status.of(103), "early hints are no answer");
            case "/thrown-700" -> throw new HttpException(Status.of(700), "no such class of status");
            case "/returned-700" -> Response.text(Status.of(700), "no such class of status");
            default -> echoPath(request);
        }); RawClient c = s.connect()) {
            for (String path : new String[] {"thrown-interim", "thrown-700", "returned-700"}) {
                RawClient.Response r = c.send(GET.formatted(path)).read();
                assertEquals(500, r.status(), path);
                assertEquals("path /next", c.send(GET.formatted("next")).read().text(), "after " + path);
            }
        }
    }

    @Test
    void emptyLinesBeforeARequestAreSkipped() {
        try (TestServer s = TestServer.start(KeepAliveAndPipeliningTest::echoPath); RawClient c = s.connect()) {
            c.send("\r\n\r\n" + GET.formatted("after-blank"));
            assertEquals("path /after-blank", c.read().text());
        }
    }

    @Test
    void anAbsoluteFormTargetsAuthorityIsTheHostTheHandlerSees() {
        // RFC 9112 §3.2.2: the target's host wins over the Host field (which a proxy may have set otherwise)
        try (TestServer s = TestServer.start(request -> Response.ok(request.headers().get("Host") + " "
                + request.path() + " " + request.headers().all("Host").size()));
             RawClient c = s.connect()) {
            c.send("GET http://example.org:8080/a?b HTTP/1.1\r\nHost: other.example\r\n\r\n");
            assertEquals("example.org:8080 /a 1", c.read().text());
            c.send("GET HTTP://Example.org HTTP/1.1\r\nHost: Example.org\r\n\r\n");
            assertEquals("Example.org / 1", c.read().text());
            c.send("GET /plain HTTP/1.1\r\nHost: other.example\r\n\r\n");
            assertEquals("other.example /plain 1", c.read().text());
        }
    }

    @Test
    void emptyLinesSplitAcrossReadsAreSkipped() throws Exception {
        // A CR read alone (its LF still on the way) is the first half of an empty line, not the start of a head.
        // Each byte goes in a segment of its own (no delay), so the server often reads a CR alone; whether it does
        // is up to timing, so the same is tried on several connections.
        try (TestServer s = TestServer.start(KeepAliveAndPipeliningTest::echoPath)) {
            for (int i = 0; i < 20; i++) {
                try (RawClient c = s.connect()) {
                    if (i % 2 == 1) { // and between two requests on a kept-alive connection
                        c.send(GET.formatted("first-" + i));
                        assertEquals("path /first-" + i, c.read().text());
                    }
                    for (byte b : "\r\n\r\n".getBytes(StandardCharsets.US_ASCII)) {
                        c.send(new byte[] {b});
                        Thread.onSpinWait();
                    }
                    c.send(GET.formatted("split-" + i));
                    assertEquals("path /split-" + i, c.read().text());
                }
            }
        }
    }

    @Test
    void aHeadSentByteByByteIsAssembled() throws Exception {
        try (TestServer s = TestServer.start(KeepAliveAndPipeliningTest::echoPath); RawClient c = s.connect()) {
            for (byte b : GET.formatted("slowly").getBytes(StandardCharsets.US_ASCII)) {
                c.send(new byte[] {b});
            }
            assertEquals("path /slowly", c.read().text());
        }
    }

    @Test
    void anIdleConnectionWaitsHoldingNoBuffer() throws Exception {
        // Indirect but behavioural: many idle connections and then one request each all work.
        try (TestServer s = TestServer.start(KeepAliveAndPipeliningTest::echoPath)) {
            List<RawClient> clients = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                RawClient c = s.connect();
                clients.add(c);
                assertEquals("path /" + i, c.send(GET.formatted(i)).read().text());
            }
            for (int i = 0; i < 200; i++) {
                assertEquals("path /again" + i, clients.get(i).send(GET.formatted("again" + i)).read().text());
                clients.get(i).close();
            }
            assertNotNull(s.server.toString());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (s.server.connectionCount() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(5); // polling a condition under a deadline; spinning would starve the server's CPU
            }
            assertEquals(0, s.server.connectionCount());
        }
    }
}
