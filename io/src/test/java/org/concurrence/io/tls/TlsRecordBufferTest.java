package org.concurrence.io.tls;

import static org.concurrence.io.Loopback.PATIENCE;
import static org.concurrence.io.Loopback.anyPort;
import static org.concurrence.io.Loopback.awaitCondition;
import static org.concurrence.io.Loopback.pattern;
import static org.concurrence.io.Loopback.readFully;
import static org.concurrence.io.Loopback.readToEnd;
import static org.concurrence.io.tls.TestCertificates.PASSWORD;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.concurrence.core.Blocking;
import org.concurrence.core.Concurrence;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.JoinError;
import org.concurrence.core.Tasklet;
import org.concurrence.core.TaskletExit;
import org.concurrence.core.Timeout;
import org.concurrence.io.BufferPool;
import org.concurrence.io.ClosedWhileWaitingException;
import org.concurrence.io.Loopback;
import org.concurrence.io.ServerSocket;
import org.concurrence.io.Socket;
import org.concurrence.sync.Event;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A TLS session holds record buffers only while they hold bytes: idle sessions hold none, a partial record, unread
 * plaintext or an unsent write keeps its buffer, and every way a session ends gives each buffer back exactly once.
 *
 * <p>Every test runs on one dispatcher with pools of its own that keep every buffer given back (far above what a test
 * uses), so {@code allocated() - pooled()} is exactly the number of buffers the sessions hold, and a buffer given back
 * twice fails at once ({@code IllegalStateException}).
 */
@org.junit.jupiter.api.Timeout(60)
class TlsRecordBufferTest {
    private static final Concurrence.Options ONE = Concurrence.Options.defaults().withDispatchers(1)
            .withName("tls-buffers");
    private static TestCertificates certificates;
    private static TlsOptions serverOptions;
    private static TlsOptions clientOptions;

    @BeforeAll
    static void makeCertificates() throws Exception {
        certificates = TestCertificates.make();
        serverOptions = TlsOptions.server(certificates.server, PASSWORD);
        clientOptions = TlsOptions.clientTrusting(certificates.trustsServer);
    }

    private static BufferPool pool() {
        return BufferPool.create(RecordLayer.BUFFER_SIZE, 10_000, false);
    }

    /** The buffers of {@code pool} that sessions hold now (on the current dispatcher, the only one). */
    private static long held(BufferPool pool) {
        return pool.allocated() - pool.pooled();
    }

    private static void assertHeld(long expected, BufferPool pool, String what) {
        assertEquals(expected, held(pool), what + " (allocated " + pool.allocated() + ", pooled " + pool.pooled()
                + ")");
    }

    private record Pair(TlsSocket server, TlsSocket client) {}

    /**
     * A server and a client session over loopback, handshake done, the server's record buffers from
     * {@code serverPool} and the client's from {@code clientPool}; through {@code relay} if not null.
     */
    private static Pair connect(BufferPool serverPool, BufferPool clientPool, TlsOptions client, Relay relay)
            throws IOException {
        try (ServerSocket listener = ServerSocket.bind(anyPort())) {
            Socket clientSocket = Socket.connect(listener.localAddress(), PATIENCE);
            Socket serverSocket = listener.accept(PATIENCE);
            if (relay != null) {
                // The client's connection ends at the relay, which carries on over a second one to the server.
                Socket toServer = Socket.connect(listener.localAddress(), PATIENCE);
                relay.start(serverSocket, toServer);
                serverSocket = listener.accept(PATIENCE);
            }
            TlsSocket server = TlsSocket.server(serverSocket, serverOptions, serverPool);
            Tasklet<Void> handshake = Tasklet.spawn(() -> {
                server.handshake(PATIENCE);
                return null;
            });
            TlsSocket session = TlsSocket.client(clientSocket, "localhost", client, clientPool);
            session.handshake(PATIENCE);
            handshake.join(PATIENCE);
            return new Pair(server, session);
        }
    }

    /**
     * Passes bytes between a client and a server, the client's in pieces of at most {@code piece} bytes with a yield
     * after each (so the server reads records in parts), and no more of them than allowed ({@link #hold},
     * {@link #allow}); the server's go through whole.
     */
    private static final class Relay {
        private final int piece;
        private final Event more = new Event();
        private long limit = Long.MAX_VALUE;
        private long forwarded;
        private int pumping = 2;

        Relay(int piece) {
            this.piece = piece;
        }

        void start(Socket client, Socket server) {
            Tasklet.builder().daemon(true).spawn(() -> pump(server, client, Integer.MAX_VALUE, false));
            Tasklet.builder().daemon(true).spawn(() -> pump(client, server, piece, true));
        }

        /** Forwards nothing more of the client's until {@link #allow}. */
        void hold() {
            limit = forwarded;
        }

        /** Forwards {@code n} more bytes of the client's. */
        void allow(long n) {
            limit = limit == Long.MAX_VALUE ? forwarded + n : limit + n;
            more.set();
        }

        /** Forwards all of the client's from now on. */
        void release() {
            limit = Long.MAX_VALUE;
            more.set();
        }

        /** Waits until the relay has forwarded {@code n} bytes of the client's in all. */
        void awaitForwarded(long n) {
            awaitCondition(n + " bytes relayed", () -> forwarded >= n);
        }

        long forwarded() {
            return forwarded;
        }

        private Void pump(Socket from, Socket to, int pieces, boolean limited) throws IOException {
            ByteBuffer chunk = ByteBuffer.allocate(65536);
            try {
                while (from.read(chunk.clear()) >= 0) {
                    chunk.flip();
                    while (chunk.hasRemaining()) {
                        while (limited && forwarded >= limit) {
                            more.clear(); // one dispatcher: no allow() can come between the check and the clear
                            more.await();
                        }
                        int n = (int) Math.min(Math.min(pieces, chunk.remaining()),
                                limited ? limit - forwarded : Long.MAX_VALUE);
                        to.write(chunk.slice(chunk.position(), n));
                        chunk.position(chunk.position() + n);
                        if (limited) {
                            forwarded += n;
                            Tasklet.yield();
                        }
                    }
                }
                to.shutdownOutput();
            } catch (IOException goneAlready) {
                // The test closed one end: the relay's work is done.
            } finally {
                if (--pumping == 0) { // both ways ended
                    from.close();
                    to.close();
                }
            }
            return null;
        }
    }

    private static void write(TlsSocket session, String text) throws IOException {
        session.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static String read(TlsSocket session, int atMost) throws IOException {
        ByteBuffer into = ByteBuffer.allocate(atMost);
        int n = session.read(into);
        return n < 0 ? null : new String(into.array(), 0, n, StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------------------------------------------------

    @Test
    void idleSessionsHoldNoRecordBuffersAndTakeTurnsWithAFew() {
        int connections = 100;
        BufferPool serverPool = pool();
        BufferPool clientPool = pool();
        Concurrence.run(ONE, () -> {
            try (Timeout _ = Timeout.after(PATIENCE)) {
                List<Pair> pairs = new ArrayList<>();
                List<Tasklet<String>> readers = new ArrayList<>();
                Event allWaiting = new Event();
                int[] waiting = {0};
                for (int i = 0; i < connections; i++) {
                    Pair pair = connect(serverPool, clientPool, clientOptions, null);
                    pairs.add(pair);
                    write(pair.server(), "hello " + i); // the client also reads TLS 1.3's session tickets first
                    assertEquals("hello " + i, read(pair.client(), 100));
                    readers.add(Tasklet.spawn(() -> {
                        if (++waiting[0] == connections) {
                            allWaiting.set();
                        }
                        pair.server().awaitReadable(PATIENCE); // as a server parks its idle connections
                        return read(pair.server(), 100);
                    }));
                }
                allWaiting.await();
                Tasklet.yield(); // every reader is now parked, half of them in awaitReadable, with nothing buffered
                assertHeld(0, serverPool, "record buffers held by idle server sessions");
                assertHeld(0, clientPool, "record buffers held by idle client sessions");
                assertTrue(serverPool.allocated() <= 6, "the sessions took turns with a few buffers: "
                        + serverPool.allocated());
                for (int i = 0; i < connections; i++) {
                    write(pairs.get(i).client(), "line " + i);
                }
                for (int i = 0; i < connections; i++) {
                    assertEquals("line " + i, readers.get(i).join());
                }
                assertHeld(0, serverPool, "after a request each");
                // A reader parked in read() itself, without awaitReadable first, holds nothing either.
                Tasklet<String> reader = Tasklet.spawn(() -> read(pairs.getFirst().server(), 100));
                Tasklet.yield();
                assertHeld(0, serverPool, "a reader parked in read()");
                write(pairs.getFirst().client(), "last");
                assertEquals("last", reader.join());
                for (Pair pair : pairs) {
                    pair.client().close();
                    pair.server().close();
                }
                assertHeld(0, serverPool, "after closing");
                assertHeld(0, clientPool, "after closing");
                assertTrue(serverPool.allocated() <= 6, "buffers allocated: " + serverPool.allocated());
            }
            return null;
        });
    }

    /**
     * Records cut into 7-byte pieces, read into small and odd-sized buffers, while another tasklet writes a megabyte
     * the other way: every byte arrives, a partial record or undelivered plaintext keeps its buffer between reads, and
     * the end (close_notify both ways) leaves nothing held.
     */
    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void dataSplitAcrossRecordsAndReadsRoundTripsWithConcurrentReaderAndWriter(String protocol) {
        BufferPool serverPool = pool();
        BufferPool clientPool = pool();
        Concurrence.run(ONE, () -> {
            try (Timeout _ = Timeout.after(PATIENCE)) {
                Pair pair = connect(serverPool, clientPool, clientOptions.withProtocols(protocol), new Relay(7));
                byte[] up = pattern(1, 40_000);
                byte[] down = pattern(2, 1 << 20);
                Tasklet<byte[]> serverReader = Tasklet.spawn(() -> {
                    java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
                    int[] sizes = {1, 3, 1000, 17, 20_000, 5};
                    for (int i = 0; ; i++) {
                        ByteBuffer into = ByteBuffer.allocate(sizes[i % sizes.length]);
                        int n = pair.server().read(into);
                        if (n < 0) {
                            return got.toByteArray();
                        }
                        got.write(into.array(), 0, n);
                    }
                });
                Tasklet<Void> serverWriter = Tasklet.spawn(() -> {
                    pair.server().write(ByteBuffer.wrap(down));
                    pair.server().shutdownOutput();
                    return null;
                });
                Tasklet<byte[]> clientReader = Tasklet.spawn(() -> readToEnd(pair.client()));
                for (int at = 0; at < up.length; at += 4000) { // several records
                    pair.client().write(ByteBuffer.wrap(up, at, 4000));
                }
                pair.client().shutdownOutput();
                assertArrayEquals(up, serverReader.join());
                serverWriter.join();
                assertArrayEquals(down, clientReader.join());
                assertHeld(0, serverPool, "server at the end of both streams");
                assertHeld(0, clientPool, "client at the end of both streams");
                pair.server().close();
                pair.client().close();
                assertHeld(0, serverPool, "server closed");
                assertHeld(0, clientPool, "client closed");
            }
            return null;
        });
    }

    @Test
    void aPartialRecordOrUnreadPlaintextKeepsItsBufferUntilRead() {
        BufferPool serverPool = pool();
        Concurrence.run(ONE, () -> {
            try (Timeout _ = Timeout.after(PATIENCE)) {
                Relay relay = new Relay(Integer.MAX_VALUE);
                Pair pair = connect(serverPool, pool(), clientOptions, relay);
                relay.hold();
                long before = relay.forwarded();
                write(pair.client(), "hello"); // one record, more than 10 bytes
                relay.allow(10);
                relay.awaitForwarded(before + 10);
                Tasklet<String> reader = Tasklet.spawn(() -> read(pair.server(), 100));
                awaitCondition("the reader holding part of a record", () -> held(serverPool) == 1);
                relay.release();
                assertEquals("hello", reader.join());
                assertHeld(0, serverPool, "the record read");
                // Plaintext the reader had no room for stays buffered (appIn), and goes back once read.
                write(pair.client(), "hello");
                assertEquals("h", read(pair.server(), 1));
                assertHeld(1, serverPool, "4 bytes of plaintext unread");
                assertEquals("ello", read(pair.server(), 100));
                assertHeld(0, serverPool, "all read");
                pair.client().close();
                pair.server().close();
            }
            return null;
        });
    }

    @Test
    void aReadKilledInTheMiddleOfARecordKeepsItsPartForTheNextReadAndACloseGivesBuffersBackOnce() {
        BufferPool serverPool = pool();
        Concurrence.run(ONE, () -> {
            try (Timeout _ = Timeout.after(PATIENCE)) {
                Relay relay = new Relay(Integer.MAX_VALUE);
                Pair pair = connect(serverPool, pool(), clientOptions, relay);
                // Killed while waiting with nothing buffered: it held nothing and holds nothing.
                Tasklet<String> idle = Tasklet.spawn(() -> read(pair.server(), 100));
                Tasklet.yield();
                assertHeld(0, serverPool, "a reader waiting for a record");
                idle.kill();
                assertInstanceOf(TaskletExit.class, assertThrows(JoinError.class, idle::join).getCause());
                assertHeld(0, serverPool, "after the kill");
                // Killed with part of a record read: the part stays for the next read.
                relay.hold();
                long before = relay.forwarded();
                write(pair.client(), "first");
                relay.allow(10);
                relay.awaitForwarded(before + 10);
                Tasklet<String> partial = Tasklet.spawn(() -> read(pair.server(), 100));
                awaitCondition("the reader holding part of a record", () -> held(serverPool) == 1);
                partial.kill();
                assertInstanceOf(TaskletExit.class, assertThrows(JoinError.class, partial::join).getCause());
                assertHeld(1, serverPool, "the part of the record, kept by the session");
                relay.release();
                assertEquals("first", read(pair.server(), 100));
                assertHeld(0, serverPool, "the record read");
                // Closed from another tasklet while a reader waits in the middle of a record: the reader wakes and
                // gives the buffer back; the close does not (its lock is held), so it goes back once.
                relay.hold();
                before = relay.forwarded();
                write(pair.client(), "second");
                relay.allow(10);
                relay.awaitForwarded(before + 10);
                Tasklet<String> cut = Tasklet.spawn(() -> read(pair.server(), 100));
                awaitCondition("the reader holding part of a record", () -> held(serverPool) == 1);
                pair.server().close();
                assertInstanceOf(ClosedWhileWaitingException.class,
                        assertThrows(JoinError.class, cut::join).getCause());
                assertHeld(0, serverPool, "after the close");
                assertEquals(serverPool.allocated(), serverPool.pooled());
                pair.client().close();
            }
            return null;
        });
    }

    @Test
    void aPartialRecordLeftByAKilledReaderGoesBackWhenTheSessionIsClosed() {
        BufferPool serverPool = pool();
        Concurrence.run(ONE, () -> {
            try (Timeout _ = Timeout.after(PATIENCE)) {
                Relay relay = new Relay(Integer.MAX_VALUE);
                Pair pair = connect(serverPool, pool(), clientOptions, relay);
                relay.hold();
                write(pair.client(), "never whole");
                relay.allow(10);
                Tasklet<String> partial = Tasklet.spawn(() -> read(pair.server(), 100));
                awaitCondition("the reader holding part of a record", () -> held(serverPool) == 1);
                partial.kill();
                assertThrows(JoinError.class, partial::join);
                assertHeld(1, serverPool, "kept by the session");
                pair.server().close(); // no reader: the close gives it back itself
                assertHeld(0, serverPool, "after the close");
                pair.server().close();
                assertHeld(0, serverPool, "a second close gives nothing back twice");
                pair.client().close();
            }
            return null;
        });
    }

    @Test
    void aWriteThatTimedOutKeepsItsUnsentRecordsUntilAbortAndAKilledWriterUntilClose() {
        for (boolean abort : new boolean[] {true, false}) {
            BufferPool serverPool = pool();
            Concurrence.run(ONE, () -> {
                try (Timeout _ = Timeout.after(PATIENCE)) {
                    Pair pair = connect(serverPool, pool(), clientOptions, null);
                    ByteBuffer megabyte = ByteBuffer.wrap(pattern(3, 1 << 20));
                    // The client reads nothing: the socket's buffers fill and a write times out part way.
                    assertThrows(DeadlineExceededException.class, () -> {
                        for (int i = 0; i < 1000; i++) {
                            pair.server().write(megabyte.clear(), Duration.ofMillis(200));
                        }
                    });
                    assertHeld(1, serverPool, "the records not yet sent");
                    if (abort) {
                        pair.server().abort();
                    } else {
                        Tasklet<Void> writer = Tasklet.spawn(() -> {
                            pair.server().write(megabyte.clear()); // sends the rest first, then waits again
                            return null;
                        });
                        Tasklet.yield();
                        writer.kill();
                        assertThrows(JoinError.class, writer::join);
                        assertHeld(1, serverPool, "kept by the session after the kill");
                        // A writer waiting when the session closes gives its buffer back as it wakes.
                        Tasklet<Void> waiting = Tasklet.spawn(() -> {
                            pair.server().write(megabyte.clear());
                            return null;
                        });
                        Tasklet.yield();
                        pair.server().close();
                        assertInstanceOf(ClosedWhileWaitingException.class,
                                assertThrows(JoinError.class, waiting::join).getCause());
                    }
                    assertHeld(0, serverPool, abort ? "after abort" : "after close");
                    assertEquals(serverPool.allocated(), serverPool.pooled());
                    pair.client().close();
                }
                return null;
            });
        }
    }

    /**
     * Post-handshake messages from the JDK's own client: a TLS 1.3 KeyUpdate (which {@code startHandshake} sends on an
     * established session, asking for one back) or a TLS 1.2 renegotiation, read and answered by the reader with
     * pooled buffers; the session goes on and ends holding none.
     */
    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void keyUpdatesAndRenegotiationsFromThePeerAreAnsweredWithPooledBuffers(String protocol) {
        BufferPool serverPool = pool();
        Concurrence.run(ONE, () -> {
            try (Timeout _ = Timeout.after(PATIENCE); ServerSocket listener = ServerSocket.bind(anyPort())) {
                Tasklet<Void> server = Tasklet.spawn(() -> {
                    try (TlsSocket session = TlsSocket.server(listener.accept(), serverOptions, serverPool)) {
                        session.handshake();
                        Loopback.echoStream(session);
                    }
                    return null;
                });
                int port = listener.localAddress() instanceof java.net.InetSocketAddress a ? a.getPort() : -1;
                SSLContext context = TlsOptions.context(null, null, certificates.trustsServer);
                List<String> echoed = Blocking.call(() -> {
                    try (SSLSocket client = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
                        client.setEnabledProtocols(new String[] {protocol});
                        client.setSoTimeout((int) PATIENCE.toMillis());
                        OutputStream out = client.getOutputStream();
                        BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(),
                                StandardCharsets.UTF_8));
                        List<String> lines = new ArrayList<>();
                        out.write("before\n".getBytes(StandardCharsets.UTF_8));
                        lines.add(in.readLine());
                        client.startHandshake(); // KeyUpdate (TLS 1.3) or a renegotiation (TLS 1.2)
                        out.write("after\n".getBytes(StandardCharsets.UTF_8));
                        lines.add(in.readLine());
                        client.startHandshake();
                        out.write("again\n".getBytes(StandardCharsets.UTF_8));
                        lines.add(in.readLine());
                        return lines;
                    }
                });
                assertEquals(List.of("before", "after", "again"), echoed);
                server.join();
                assertHeld(0, serverPool, "after the session ended");
                assertTrue(serverPool.allocated() <= 3, "buffers allocated: " + serverPool.allocated());
            }
            return null;
        });
    }

    @Test
    void aFailedHandshakeGivesItsBuffersBack() {
        BufferPool serverPool = pool();
        Concurrence.run(ONE, () -> {
            try (Timeout _ = Timeout.after(PATIENCE); ServerSocket listener = ServerSocket.bind(anyPort())) {
                Socket plain = Socket.connect(listener.localAddress(), PATIENCE);
                TlsSocket server = TlsSocket.server(listener.accept(PATIENCE), serverOptions, serverPool);
                Tasklet<Void> handshake = Tasklet.spawn(() -> {
                    server.handshake(PATIENCE);
                    return null;
                });
                plain.write(ByteBuffer.wrap("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
                assertInstanceOf(javax.net.ssl.SSLHandshakeException.class,
                        assertThrows(JoinError.class, handshake::join).getCause());
                assertHeld(0, serverPool, "after the failed handshake");
                plain.close();
            }
            return null;
        });
    }

    @Test
    void readFullyStillWorksAcrossPooledBuffers() {
        // A read into a buffer larger than a record, many records in flight: unwrap and deliver in turn.
        BufferPool serverPool = pool();
        Concurrence.run(ONE, () -> {
            try (Timeout _ = Timeout.after(PATIENCE)) {
                Pair pair = connect(serverPool, pool(), clientOptions, null);
                byte[] big = pattern(4, 300_000);
                Tasklet<byte[]> reader = Tasklet.spawn(() -> readFully(pair.server(), big.length));
                pair.client().write(ByteBuffer.wrap(big));
                assertArrayEquals(big, reader.join());
                assertHeld(0, serverPool, "all read");
                pair.client().close();
                pair.server().close();
            }
            return null;
        });
    }
}
