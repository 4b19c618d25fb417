package org.concurrence.http.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.concurrence.http.Response;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.concurrence.core.DeadlineExceededException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.concurrence.core.Concurrence;
import org.concurrence.core.Tasklet;
import org.concurrence.http.ResponseBody;
import org.concurrence.http.client.ClientRequest;
import org.concurrence.http.client.ClientResponse;
import org.concurrence.http.client.HttpClient;
import org.concurrence.http.client.InTasklets;
import org.concurrence.http.server.TestServer;
import org.concurrence.sync.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Server-sent events through our server, read by our client's EventReader and by the JDK's client. */
@Timeout(120)
class EventStreamTest {
    private static final Duration PATIENCE = TestServer.PATIENCE;

    private static List<ServerEvent> readAll(String stream) throws IOException {
        return readAll(new ByteArrayInputStream(stream.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<ServerEvent> readAll(InputStream in) throws IOException {
        List<ServerEvent> events = new ArrayList<>();
        try (EventReader reader = new EventReader(in)) {
            for (ServerEvent e; (e = reader.next()) != null; ) {
                events.add(e);
            }
        }
        return events;
    }

    /** A stream that gives one byte per read, so every line ending is split across reads. */
    private static InputStream trickling(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return new InputStream() {
            int at;

            @Override
            public int read() {
                return at < bytes.length ? bytes[at++] & 0xFF : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (at == bytes.length) {
                    return -1;
                }
                b[off] = bytes[at++];
                return 1;
            }
        };
    }

    @Test
    void eachEventReachesTheClientBeforeTheNextIsWrittenWithItsFields() {
        Event[] seen = {new Event("first seen"), new Event("second seen")};
        try (TestServer server = TestServer.start(request -> EventStream.response(events -> {
                    events.send(ServerEvent.of("hello").withId("1").withRetry(Duration.ofMillis(2500)));
                    seen[0].await(PATIENCE); // the client has it: nothing waits in a buffer
                    events.send("update", "line one\r\nline two\nline three é");
                    seen[1].await(PATIENCE);
                    events.comment("ignored");
                    events.send(ServerEvent.of("").withId("3"));
                    events.send(ServerEvent.of("last-id:" + EventStream.lastEventId(request).orElse("none")));
                }));
                HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                try (ClientResponse r = client.send(ClientRequest.get(server.uri("/events"))
                        .withHeader("Last-Event-ID", "0"), PATIENCE);
                        EventReader events = new EventReader(r.stream())) {
                    assertEquals(EventStream.CONTENT_TYPE, r.header("Content-Type"));
                    assertEquals("no-store", r.header("Cache-Control"));
                    assertEquals(new ServerEvent(null, "hello", "1", Duration.ofMillis(2500)), events.next());
                    assertEquals(Duration.ofMillis(2500), events.retry());
                    seen[0].set();
                    ServerEvent update = events.next();
                    assertEquals(new ServerEvent("update", "line one\nline two\nline three é", "1", null), update,
                            "the id is kept until another comes; every line break reads as LF");
                    assertEquals("update", update.type());
                    seen[1].set();
                    assertEquals(new ServerEvent(null, "", "3", null), events.next());
                    assertEquals("message", ServerEvent.of("x").type());
                    assertEquals("last-id:0", events.next().data());
                    assertNull(events.next(), "the producer returned: the stream ends");
                    assertEquals("3", events.lastEventId());
                }
            });
        }
    }

    @Test
    void theWireFormatIsWhatBrowsersReadAndAHeartbeatFillsQuietSpells() throws Exception {
        Event release = new Event("the producer may end");
        try (TestServer server = TestServer.start(request -> EventStream.response(Duration.ofMillis(20), events -> {
                    events.send(new ServerEvent("tick", "a\nb", "7", Duration.ofSeconds(3)));
                    release.await(PATIENCE); // quiet: the heartbeat speaks
                }))) {
            java.net.http.HttpClient jdk = java.net.http.HttpClient.newHttpClient();
            HttpResponse<Stream<String>> r = jdk.send(HttpRequest.newBuilder(server.uri("/")).build(),
                    HttpResponse.BodyHandlers.ofLines());
            Iterator<String> lines = r.body().iterator();
            assertEquals(List.of("event: tick", "id: 7", "retry: 3000", "data: a", "data: b", ""),
                    List.of(lines.next(), lines.next(), lines.next(), lines.next(), lines.next(), lines.next()));
            assertEquals(":", lines.next(), "a heartbeat comment");
            assertEquals("", lines.next());
            release.set();
            while (lines.hasNext()) {
                String line = lines.next();
                assertTrue(line.equals(":") || line.isEmpty(), line);
            }
        }
    }

    @Test
    void aHeartbeatWriteInProgressWhenTheProducerReturnsIsFinishedNotCutOff() {
        // A slow client: each write takes a second of virtual time. The producer returns while the heartbeat is in
        // the middle of one; killing the heartbeat there would leave half a chunk on the wire, followed by the
        // body's end (or the next response).
        List<String> log = new ArrayList<>();
        OutputStream slow = new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                String text = new String(b, off, len, StandardCharsets.UTF_8);
                log.add("begin " + text);
                Tasklet.sleep(Duration.ofSeconds(1));
                log.add("end " + text);
            }
        };
        Concurrence.run(Concurrence.Options.deterministic(), () -> {
            ResponseBody.Streamed body = (ResponseBody.Streamed) EventStream.response(Duration.ofMillis(100),
                    events -> Tasklet.sleep(Duration.ofMillis(500))).body();
            try {
                body.writer().writeTo(slow);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            log.add("body written");
        });
        assertEquals(List.of("begin :\n\n", "end :\n\n", "body written"), log);
    }

    @Test
    void aHeartbeatWriteThatTimesOutEndsTheProducerToo() {
        // A client that stopped reading: the heartbeat's write times out under the server's write timeout (what the
        // socket throws then), part of its chunk perhaps gone out. The stream is over as surely as after a reset.
        OutputStream stalled = new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                throw new DeadlineExceededException("write to a stalled client", Duration.ofSeconds(1));
            }
        };
        AtomicReference<Throwable> how = new AtomicReference<>();
        Concurrence.run(Concurrence.Options.deterministic(), () -> {
            Event never = new Event("an event that never comes");
            ResponseBody.Streamed body = (ResponseBody.Streamed) EventStream.response(Duration.ofMillis(100),
                    events -> {
                        try {
                            never.await(Duration.ofDays(1)); // a quiet subscription
                        } catch (Throwable t) {
                            how.set(t);
                            throw t;
                        }
                    }).body();
            try {
                body.writer().writeTo(stalled);
            } catch (IOException | RuntimeException | org.concurrence.core.TaskletExit e) {
                // How the body ended is the server's business; the producer's end is the test's.
            }
        });
        assertTrue(how.get() instanceof org.concurrence.core.TaskletExit, String.valueOf(how.get()));
    }

    @Test
    void aClientThatLeavesEndsAProducerWaitingOnSomethingElse() throws Exception {
        CountDownLatch ended = new CountDownLatch(1);
        AtomicReference<Throwable> how = new AtomicReference<>();
        Event never = new Event("an event that never comes");
        try (TestServer server = TestServer.start(request -> EventStream.response(Duration.ofMillis(20), events -> {
                    try {
                        events.send("first");
                        never.await(Duration.ofDays(1)); // a subscription that stays quiet
                    } catch (Throwable t) {
                        how.set(t);
                        throw t;
                    } finally {
                        ended.countDown();
                    }
                }))) {
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(),
                    server.port())) {
                client.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(
                        StandardCharsets.ISO_8859_1));
                InputStream in = client.getInputStream();
                String seen = "";
                while (!seen.contains("data: first")) {
                    int b = in.read();
                    assertTrue(b >= 0, "the stream ended before its first event");
                    seen += (char) b;
                }
                client.setSoLinger(true, 0); // leave abruptly: the heartbeat's next write fails at once
            }
            assertTrue(ended.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS),
                    "the producer ended once the client had gone");
            assertTrue(how.get() instanceof org.concurrence.core.TaskletExit, String.valueOf(how.get()));
        }
    }

    @Test
    void aReadCutOffByItsTimeoutLosesNothing() throws Exception {
        // A raw stream of events over a socket of our own, so that what a timeout leaves is up to the reader alone.
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CountDownLatch rest = new CountDownLatch(1);
            Thread.ofPlatform().daemon().start(() -> {
                try (Socket s = listener.accept()) {
                    java.io.OutputStream out = s.getOutputStream();
                    out.write("data: one\n\ndata: tw".getBytes(StandardCharsets.UTF_8)); // half a line
                    out.flush();
                    rest.await();
                    out.write("o\nid: 2\n\n".getBytes(StandardCharsets.UTF_8));
                } catch (IOException | InterruptedException e) {
                    // the test sees what its reader got
                }
            });
            InTasklets.run(() -> {
                try (org.concurrence.io.Socket socket = org.concurrence.io.Socket.connect(
                        listener.getLocalSocketAddress(), PATIENCE);
                        EventReader events = new EventReader(new org.concurrence.io.BufferedSource(socket)
                                .asInputStream())) {
                    assertEquals("one", events.next(PATIENCE).data());
                    assertThrows(DeadlineExceededException.class,
                            () -> events.next(Duration.ofMillis(50)), "half a line, then nothing");
                    rest.countDown();
                    assertEquals(new ServerEvent(null, "two", "2", null), events.next(PATIENCE),
                            "the half line read before the timeout was kept");
                    assertNull(events.next(PATIENCE));
                }
            });
        }
    }

    @Test
    void overOurClientAReadThatTimesOutGoesOnAndASendCanBeBounded() {
        Event rest = new Event("the rest may go");
        try (TestServer server = TestServer.start(request -> EventStream.response(events -> {
                    events.send(ServerEvent.of("one"), PATIENCE);
                    rest.await(PATIENCE);
                    events.send(ServerEvent.of("two").withId("2"), PATIENCE);
                }));
                HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                try (ClientResponse r = client.send(ClientRequest.get(server.uri("/")), PATIENCE);
                        EventReader events = new EventReader(r.stream())) {
                    assertEquals("one", events.next(PATIENCE).data());
                    assertThrows(DeadlineExceededException.class, () -> events.next(Duration.ofMillis(50)));
                    rest.set();
                    assertEquals(new ServerEvent(null, "two", "2", null), events.next(PATIENCE),
                            "the client's body went on after the reader's own timeout");
                    assertNull(events.next(PATIENCE));
                }
            });
        }
    }

    @Test
    void aSendCutOffPartWayEndsTheStreamForEveryLaterSend() {
        Concurrence.run(Concurrence.Options.deterministic(), () -> {
            Event taken = new Event("the client took the bytes"); // never: a client that stopped reading
            OutputStream slow = new OutputStream() {
                @Override
                public void write(int b) {
                    taken.await();
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    taken.await(); // under the caller's deadline, as a socket write is
                }
            };
            Response r = EventStream.response(events -> {
                assertThrows(DeadlineExceededException.class,
                        () -> events.send(ServerEvent.of("late"), Duration.ofMillis(10)));
                IOException after = assertThrows(IOException.class, () -> events.send("next"));
                assertTrue(after.getMessage().startsWith("an earlier write to this event stream failed part way"),
                        after.getMessage());
            });
            try {
                ((ResponseBody.Streamed) r.body()).writer().writeTo(slow);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void aHeadRequestNeverRunsTheProducer() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        try (TestServer server = TestServer.start(request -> EventStream.response(events -> runs.incrementAndGet()))) {
            HttpResponse<String> head = java.net.http.HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    server.uri("/")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, head.statusCode());
            assertEquals(EventStream.CONTENT_TYPE, head.headers().firstValue("Content-Type").orElseThrow());
            assertEquals(0, runs.get());
        }
    }

    @Test
    void theReaderFollowsTheStandardsParser() throws IOException {
        String stream = "\uFEFF: a comment\r\n"
                + "data:no space\r"
                + "data:  two spaces\n"
                + "unknown: field\n"
                + "\n"
                + "event: ping\n"        // no data: nothing is dispatched, the type is forgotten
                + "\n"
                + "data\n"               // a field name alone: an empty value
                + "id: a\u0000b\n"       // an id with NUL is ignored
                + "retry: 12x\n"         // not digits: ignored
                + "\r\n"
                + "id\n"                 // an empty id resets it
                + "data: x\n"
                + "\n"
                + "data: cut off";      // no blank line before the end: dropped
        List<ServerEvent> expected = List.of(new ServerEvent(null, "no space\n two spaces", null, null),
                new ServerEvent(null, "", null, null), new ServerEvent(null, "x", null, null));
        assertEquals(expected, readAll(stream));
        assertEquals(expected, readAll(trickling(stream)), "line endings split across reads");
        assertEquals(List.of(new ServerEvent(null, "1", "9", null), new ServerEvent(null, "2", "9", null)),
                readAll("id: 9\ndata: 1\n\ndata: 2\n\n"), "the id carries over");
    }

    @Test
    void theLastEventIdChangesOnlyWhenABlankLineEndsTheEvent() throws IOException {
        // The id a client sends back on reconnecting is that of the last event it was given whole (§9.2.6: the last
        // event ID string is set at dispatch): an event cut off by the end of the stream must not move it on, or the
        // server resumes after an event the client never had.
        try (EventReader reader = new EventReader(new ByteArrayInputStream(
                "id: 1\ndata: a\n\nid: 2\ndata: cut off\n".getBytes(StandardCharsets.UTF_8)))) {
            assertEquals(new ServerEvent(null, "a", "1", null), reader.next());
            assertNull(reader.next());
            assertEquals("1", reader.lastEventId());
        }
        try (EventReader reader = new EventReader(new ByteArrayInputStream(
                "id: 5\n\ndata: b\n\n".getBytes(StandardCharsets.UTF_8)))) {
            assertEquals(new ServerEvent(null, "b", "5", null), reader.next(), "an id alone, dispatched, still counts");
        }
    }

    @Test
    void limitsHoldAgainstAHostileStream() {
        EventReader longLine = new EventReader(new ByteArrayInputStream(("data: " + "x".repeat(100)).getBytes(
                StandardCharsets.UTF_8)), 64);
        assertEquals("server-sent event line longer than 64 bytes",
                assertThrows(IOException.class, longLine::next).getMessage());
        EventReader manyLines = new EventReader(new ByteArrayInputStream("data: 0123456789\n".repeat(10)
                .getBytes(StandardCharsets.UTF_8)), 64);
        assertEquals("server-sent event longer than 64 bytes",
                assertThrows(IOException.class, manyLines::next).getMessage());
    }

    @Test
    void whatTheFormatCannotCarryIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ServerEvent.of("a\nb", "data"));
        assertThrows(IllegalArgumentException.class, () -> ServerEvent.of("x").withId("1\r\ndata: forged"));
        assertThrows(IllegalArgumentException.class, () -> ServerEvent.of("x").withId("a\0"));
        assertThrows(IllegalArgumentException.class, () -> ServerEvent.of("x").withRetry(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> EventStream.response(Duration.ZERO, events -> { }));
        assertEquals("data: a\ndata: \ndata: b\n\n", ServerEvent.of("a\r\rb").encode());
    }
}
