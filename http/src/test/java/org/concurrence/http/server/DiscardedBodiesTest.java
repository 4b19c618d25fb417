package org.concurrence.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.concurrence.http.Response;
import org.concurrence.http.ResponseBody;
import org.concurrence.http.Status;
import org.concurrence.sync.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A streamed response body is settled exactly once: written, or — when it is not sent — discarded, so that what its
 * writer holds (an open stream, an upstream response) is let go.
 */
@Timeout(60)
class DiscardedBodiesTest {
    private static final String GET = "GET /%s HTTP/1.1\r\nHost: x\r\n\r\n";

    /** A stream that counts its closes. */
    private static final class Tracked extends ByteArrayInputStream {
        final AtomicInteger closes = new AtomicInteger();
        final CountDownLatch closed = new CountDownLatch(1);

        Tracked(String text) {
            super(text.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void close() {
            closes.incrementAndGet();
            closed.countDown();
        }
    }

    /** A writer that records whether it was written or discarded. */
    private static final class Recording implements ResponseBody.BodyWriter {
        final AtomicInteger writes = new AtomicInteger();
        final AtomicInteger discards = new AtomicInteger();
        final CountDownLatch discarded = new CountDownLatch(1);

        @Override
        public void writeTo(OutputStream out) throws IOException {
            writes.incrementAndGet();
            out.write("body".getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void discard() {
            discards.incrementAndGet();
            discarded.countDown();
        }
    }

    @Test
    void aHeadRequestClosesTheStreamOfItsBodyWithoutReadingIt() throws Exception {
        Tracked stream = new Tracked("hello");
        try (TestServer s = TestServer.start(request -> Response.ok(ResponseBody.ofStream(5, stream), "text/plain"));
                RawClient c = s.connect()) {
            c.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("5", c.read(true).header("Content-Length"));
            assertTrue(stream.closed.await(20, TimeUnit.SECONDS), "the stream was closed");
            assertEquals(5, stream.available(), "nothing was read from it");
        }
        assertEquals(1, stream.closes.get());
    }

    @Test
    void aStatusWithoutABodyDiscardsAStreamedBody() throws Exception {
        Recording noContent = new Recording();
        Recording notModified = new Recording();
        try (TestServer s = TestServer.start(request -> request.path().equals("/204")
                ? Response.builder(Status.NO_CONTENT).body(ResponseBody.ofWriter(-1, noContent)).build()
                : Response.builder(Status.NOT_MODIFIED).body(ResponseBody.ofWriter(4, notModified)).build());
                RawClient c = s.connect()) {
            assertEquals(204, c.send(GET.formatted("204")).read().status());
            assertEquals(304, c.send(GET.formatted("304")).read().status());
        }
        assertEquals(0, noContent.writes.get() + notModified.writes.get());
        assertEquals(1, noContent.discards.get());
        assertEquals(1, notModified.discards.get());
    }

    @Test
    void aBodyThatIsSentIsNeverDiscarded() {
        Recording writer = new Recording();
        try (TestServer s = TestServer.start(request -> Response.ok(ResponseBody.ofWriter(4, writer), "text/plain"));
                RawClient c = s.connect()) {
            assertEquals("body", c.send(GET.formatted("a")).read().text());
        }
        assertEquals(1, writer.writes.get());
        assertEquals(0, writer.discards.get());
    }

    @Test
    void anUpgradeWhose101CannotBeWrittenIsDiscardedNotRun() throws Exception {
        CountDownLatch discarded = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        Event clientGone = new Event("the client reset its connection");
        try (TestServer s = TestServer.start(request -> {
            clientGone.await(TestServer.PATIENCE);
            return Response.switchingProtocols(org.concurrence.http.Headers.of("Upgrade", "test",
                    "Connection", "Upgrade"), new Response.Upgrade() {
                @Override
                public void run(Response.UpgradedConnection connection) {
                    runs.incrementAndGet();
                }

                @Override
                public void discard() {
                    discarded.countDown();
                }
            });
        })) {
            try (java.net.Socket client = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), s.port())) {
                client.getOutputStream().write("GET /up HTTP/1.1\r\nHost: x\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
                client.setSoLinger(true, 0); // the close resets: the server's 101 cannot be written
            }
            clientGone.set();
            assertTrue(discarded.await(20, TimeUnit.SECONDS), "the upgrade was discarded");
        }
        assertEquals(0, runs.get(), "and never run");
    }

    @Test
    void aPipelinedResponseWhoseTurnNeverComesIsDiscarded() throws Exception {
        Recording behind = new Recording();
        Event behindReturned = new Event("the second handler returned");
        try (TestServer s = TestServer.start(request -> {
            if (request.path().equals("/second")) {
                behindReturned.set();
                return Response.ok(ResponseBody.ofWriter(4, behind), "text/plain");
            }
            // The first: its response fails while being written, once the one behind it waits for its turn.
            behindReturned.await(TestServer.PATIENCE);
            return Response.ok(ResponseBody.ofWriter(4, out -> {
                throw new IOException("the first body fails");
            }), "text/plain");
        }); RawClient c = s.connect()) {
            c.send(GET.formatted("first") + GET.formatted("second"));
            assertTrue(behind.discarded.await(20, TimeUnit.SECONDS), "the second response was discarded");
            c.assertClosed();
        }
        assertEquals(0, behind.writes.get());
        assertEquals(1, behind.discards.get());
        assertFalse(behind.discards.get() > 1);
    }
}
