package org.concurrence.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.concurrence.core.Tasklet;
import org.concurrence.http.Response;
import org.concurrence.http.ResponseBody;
import org.concurrence.sync.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each timeout with short options, the connection limit, and the graceful stop. */
@Timeout(120)
class TimeoutsAndStopTest {
    private static final Duration SHORT = Duration.ofMillis(300);

    /** What {@link #trickle} saw: the server's answer (null if none came) and how many pieces went out. */
    private record Trickled(RawClient.Response answer, int sent) {
        /** The answer's status, or -1 if none came. */
        int status() {
            return answer == null ? -1 : answer.status();
        }
    }

    /**
     * Sends {@code pieces} one at a time, looking for an answer for 50 ms after each, until one comes, the pieces run
     * out, the server stops taking them (it closed), or {@link TestServer#PATIENCE} has passed.
     */
    private static Trickled trickle(RawClient c, List<String> pieces) throws IOException {
        c.socket.setSoTimeout(50);
        long deadline = System.nanoTime() + TestServer.PATIENCE.toNanos();
        int sent = 0;
        for (String piece : pieces) {
            if (System.nanoTime() >= deadline) {
                break;
            }
            boolean refused = false;
            try {
                c.send(piece);
                sent++;
            } catch (RuntimeException closed) {
                refused = true; // the server answered and closed: read the answer
            }
            try {
                return new Trickled(c.read(), sent);
            } catch (RuntimeException | AssertionError notYet) {
                if (refused) {
                    break;
                }
                // No answer within 50 ms: send the next piece.
            }
        }
        return new Trickled(null, sent);
    }

    @Test
    void aHeadThatTricklesTooSlowlyGets408AndTheConnectionCloses() throws Exception {
        try (TestServer s = TestServer.start(HttpServerOptions.defaults().withHeadTimeout(SHORT),
                request -> Response.ok("never")); RawClient c = s.connect()) {
            c.send("GET / HTTP/1.1\r\n");
            long start = System.nanoTime();
            c.send("Host: x\r\n"); // still within the head, but the end never comes
            RawClient.Response r = c.read();
            assertEquals(408, r.status());
            assertEquals("close", r.header("Connection"));
            c.assertClosed();
            assertTrue(System.nanoTime() - start >= SHORT.toNanos() / 2, "the timeout ran from the first byte");
        }
    }

    @Test
    void aSlowlorisSendingAByteAtATimeCannotHoldTheConnection() throws Exception {
        try (TestServer s = TestServer.start(HttpServerOptions.defaults().withHeadTimeout(SHORT),
                request -> Response.ok("never")); RawClient c = s.connect()) {
            String head = "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + "y".repeat(1000);
            int status = trickle(c, head.chars().mapToObj(ch -> String.valueOf((char) ch)).toList()).status();
            assertEquals(408, status);
        }
    }

    @Test
    void aSlowlorisSendingEmptyLinesOneAtATimeIsRefusedAfterTheFewAllowed() throws Exception {
        // Each CRLF arrives alone, so each wait for it is a fresh idle wait: only a count kept across reads stops a
        // client that would otherwise hold the connection forever with two bytes per idle timeout.
        try (TestServer s = TestServer.start(request -> Response.ok("never")); RawClient c = s.connect()) {
            int status = trickle(c, Collections.nCopies(40, "\r\n")).status();
            assertEquals(400, status);
        }
    }

    @Test
    void aBodyTricklingBelowTheMinimumRateGets408ThoughNoSingleWaitTimesOut() throws Exception {
        // 20 bytes/s, one every 50 ms: each wait is far inside the 300 ms body timeout, so only the rate stops it.
        HttpServerOptions options = HttpServerOptions.defaults().withBodyTimeout(SHORT).withMinBodyRate(100);
        try (TestServer s = TestServer.start(options, request -> Response.ok(request.body().text()));
             RawClient c = s.connect()) {
            c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10000\r\n\r\n");
            Trickled trickled = trickle(c, Collections.nCopies(10_000, "b"));
            RawClient.Response answer = trickled.answer();
            int sent = trickled.sent();
            assertTrue(answer != null, "no answer within " + TestServer.PATIENCE);
            assertEquals(408, answer.status());
            assertEquals("close", answer.header("Connection"));
            assertTrue(sent < 10_000, "cut off before the body was complete: " + sent + " bytes");
        }
    }

    @Test
    void aClientStillUploadingWhenAnsweredEarlyIsReadUntilItStopsNotCutAfterASecond() throws Exception {
        // Answered at once with close, the client goes on sending its body for ~2 s, 100 bytes every 50 ms: the
        // lingering close keeps reading while bytes come (a second of silence would end it), so the client's sends
        // all go through and it sees a clean end, not a reset that could cost it the answer.
        try (TestServer s = TestServer.start(request -> Response.builder(org.concurrence.http.Status.UNAUTHORIZED)
                .header("Connection", "close").build()); RawClient c = s.connect()) {
            c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4000\r\n\r\n");
            assertEquals(401, c.read().status());
            for (int i = 0; i < 40; i++) {
                c.send("b".repeat(100)); // fails if the server reset the connection
                Thread.sleep(50); // the client's pace (not a wait for the server)
            }
            c.socket.shutdownOutput();
            InputStream in = c.input();
            c.socket.setSoTimeout((int) TestServer.PATIENCE.toMillis());
            assertEquals(-1, in.read(), "a clean end");
        }
    }

    @Test
    void aBodyAtTheMinimumRateOrFasterIsReadWhole() {
        HttpServerOptions options = HttpServerOptions.defaults().withBodyTimeout(SHORT).withMinBodyRate(100);
        try (TestServer s = TestServer.start(options, request -> Response.ok(request.body().text()));
             RawClient c = s.connect()) {
            String body = "x".repeat(5000);
            c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + body);
            RawClient.Response r = c.read();
            assertEquals(200, r.status());
            assertEquals(body, new String(r.body(), java.nio.charset.StandardCharsets.US_ASCII));
        }
    }

    @Test
    void aBodyThatStopsArrivingGets408() {
        try (TestServer s = TestServer.start(HttpServerOptions.defaults().withBodyTimeout(SHORT),
                request -> Response.ok(request.body().text())); RawClient c = s.connect()) {
            c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly a part");
            RawClient.Response r = c.read();
            assertEquals(408, r.status());
            assertEquals("close", r.header("Connection"));
            c.assertClosed();
        }
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedSilently() {
        try (TestServer s = TestServer.start(HttpServerOptions.defaults().withIdleTimeout(SHORT),
                request -> Response.ok("hi")); RawClient c = s.connect()) {
            assertEquals("hi", c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().text());
            c.assertClosed(); // no 408, just the close
        }
    }

    @Test
    void aClientThatStopsReadingIsClosedAfterTheWriteTimeout() throws Exception {
        CountDownLatch failed = new CountDownLatch(1);
        try (TestServer s = TestServer.start(HttpServerOptions.defaults().withWriteTimeout(SHORT),
                request -> Response.ok(ResponseBody.ofWriter(-1, out -> {
                    byte[] block = new byte[65536];
                    try {
                        while (true) {
                            out.write(block); // the client never reads: the socket buffers fill
                        }
                    } finally {
                        failed.countDown();
                    }
                }), "application/octet-stream")); RawClient c = s.connect()) {
            c.socket.setReceiveBufferSize(4096);
            c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(failed.await(20, TimeUnit.SECONDS), "the writer was stopped");
            long deadline = System.nanoTime() + TestServer.PATIENCE.toNanos();
            while (s.server.connectionCount() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10); // polling a condition under a deadline, not a synchronisation sleep
            }
            assertEquals(0, s.server.connectionCount());
        }
    }

    @Test
    void connectionsBeyondTheLimitWaitUntilOneLeaves() throws Exception {
        try (TestServer s = TestServer.start(HttpServerOptions.defaults().withMaxConnections(1),
                request -> Response.ok("served"))) {
            RawClient first = s.connect();
            assertEquals("served", first.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().text());
            try (RawClient second = s.connect()) {
                second.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                second.socket.setSoTimeout(300);
                assertThrows(SocketTimeoutException.class, () -> second.input().read(), "not served while full");
                second.socket.setSoTimeout((int) TestServer.PATIENCE.toMillis());
                first.close();
                assertEquals("served", second.read().text());
            }
        }
    }

    @Test
    void stopClosesIdleConnectionsAtOnceAndLetsABusyOneFinishItsResponse() throws Exception {
        CountDownLatch handling = new CountDownLatch(1);
        Event release = new Event("release /slow");
        TestServer s = TestServer.start(request -> {
            if (request.path().equals("/slow")) {
                handling.countDown();
                release.await(); // busy until the idle connection was seen closed by the stop
            }
            return Response.ok("done " + request.path());
        });
        try (RawClient idle = s.connect(); RawClient busy = s.connect()) {
            assertEquals("done /", idle.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().text());
            busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(handling.await(20, TimeUnit.SECONDS));
            Thread stopper = Thread.ofPlatform().start(() -> s.server.stop(Duration.ofSeconds(10)));
            idle.assertClosed();
            release.set();
            RawClient.Response r = busy.read();
            assertEquals("done /slow", r.text());
            assertEquals("close", r.header("Connection"));
            busy.assertClosed();
            stopper.join();
            assertEquals(0, s.server.connectionCount());
            assertThrows(IOException.class, () -> new java.net.Socket("127.0.0.1", s.port()).close(),
                    "no longer accepting");
        } finally {
            s.close();
        }
    }

    @Test
    void stopKillsAHandlerThatOutlivesTheGrace() throws Exception {
        CountDownLatch handling = new CountDownLatch(1);
        TestServer s = TestServer.start(request -> {
            handling.countDown();
            Tasklet.sleep(Duration.ofMinutes(5));
            return Response.ok("too late");
        });
        try (RawClient c = s.connect()) {
            c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(handling.await(20, TimeUnit.SECONDS));
            long start = System.nanoTime();
            s.server.stop(Duration.ofMillis(200));
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10));
            InputStream in = c.input();
            try {
                assertEquals(-1, in.read());
            } catch (IOException reset) {
                // Closed abruptly: fine.
            }
        } finally {
            s.close();
        }
    }
}
