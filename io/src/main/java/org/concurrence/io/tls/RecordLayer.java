package org.concurrence.io.tls;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import org.concurrence.io.Buffer;
import org.concurrence.io.BufferPool;
import org.concurrence.io.PoolAccess;
import org.concurrence.io.Socket;

/*
 * Implementation notes. Three buffers: netIn holds records read but not yet unwrapped and appIn plaintext unwrapped
 * but not yet delivered (both kept ready for writing: position = end of data); netOut holds records wrapped but not
 * yet written (kept ready for reading: position..limit is pending), so a write that timed out resumes with the rest
 * instead of corrupting the stream.
 *
 * Each buffer is held only while it holds pending bytes or an operation is using it: taken from a pool of record-sized
 * buffers when needed, given back by TlsSocket at the end of each operation (releaseIdle*) once it holds nothing, so
 * an idle session holds none. A reader that has nothing buffered waits for the socket to become readable before it
 * takes netIn, and gives back an empty appIn before any wait. A buffer that has to grow beyond the pool's size (a
 * session with larger records) becomes a private one and is dropped, not pooled, when it empties. When the session
 * ends, discard* gives back whatever is held, pending or not. Whoever holds the half's lock (the read lock for netIn
 * and appIn, the write lock for netOut) is the only one touching those fields, so a buffer goes back exactly once.
 */
/**
 * The mechanics under a {@link TlsSocket}: moves records between an {@link SSLEngine} and a {@link Socket}. Not
 * thread-safe: the inbound half (netIn, appIn) is used under the session's read lock, the outbound half (netOut)
 * under its write lock.
 */
final class RecordLayer {
    static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /** The destination of an unwrap with nothing buffered to unwrap. */
    private static final ByteBuffer NO_ROOM = ByteBuffer.allocate(0);
    /**
     * The size of the pooled record buffers: a whole TLS record with its overhead (the JDK's packet buffer size is
     * 16,709 bytes without the large-fragment option), or its plaintext (16,384), fits.
     */
    static final int BUFFER_SIZE = 17 * 1024;
    /** How many idle record buffers the shared pool keeps per dispatcher: 16 (272 KiB). */
    static final int MAX_POOLED = 16;
    /** The record buffers of every session not given another pool. */
    static final BufferPool POOL = BufferPool.create(BUFFER_SIZE, MAX_POOLED, false);

    private final SSLEngine engine;
    private final Socket socket;
    private final Slot netIn;
    private final Slot appIn;
    private final Slot netOut;
    /** The socket was just found readable ({@link #readable()}): the next read need not wait for it first. */
    private boolean readable;

    RecordLayer(SSLEngine engine, Socket socket, BufferPool pool) {
        this.engine = engine;
        this.socket = socket;
        PoolAccess access = new PoolAccess(pool);
        this.netIn = new Slot(pool, access);
        this.appIn = new Slot(pool, access);
        this.netOut = new Slot(pool, access);
    }

    // Inbound: under the read lock.

    /**
     * Unwraps one record from netIn into appIn, reading from the socket (under the current deadline) until a whole
     * record is there.
     *
     * @return the engine's result, or null if the stream ended between records
     * @throws SSLException if the stream ended in the middle of a record (a truncation, not an end)
     */
    SSLEngineResult unwrap() throws IOException {
        while (true) {
            SSLEngineResult result;
            ByteBuffer in = netIn.bytes;
            if (in == null) {
                // Nothing buffered: the engine says underflow (or closed) without a buffer to look at.
                result = engine.unwrap(EMPTY, NO_ROOM);
            } else {
                ByteBuffer out = appIn.bytes != null ? appIn.bytes : appIn.take();
                in.flip();
                try {
                    result = engine.unwrap(in, out);
                } finally {
                    in.compact();
                }
            }
            switch (result.getStatus()) {
                case OK, CLOSED -> {
                    return result;
                }
                case BUFFER_OVERFLOW -> {
                    if (appIn.bytes == null) {
                        appIn.take();
                    } else {
                        appIn.grow(engine.getSession().getApplicationBufferSize());
                    }
                }
                case BUFFER_UNDERFLOW -> {
                    appIn.releaseIfEmpty(); // not held across the wait below
                    if (netIn.bytes == null || netIn.bytes.position() == 0) {
                        if (!readable) {
                            netIn.release();
                            socket.awaitReadable(null); // parks holding no buffer
                        }
                        readable = false;
                        if (netIn.bytes == null) {
                            netIn.take();
                        }
                    } else if (!netIn.bytes.hasRemaining()) {
                        netIn.grow(engine.getSession().getPacketBufferSize());
                    }
                    if (socket.read(netIn.bytes) < 0) {
                        if (netIn.bytes.position() > 0) {
                            // Not the end of the stream but a cut one: what follows may have been dropped.
                            throw new SSLException("connection closed in the middle of a TLS record ("
                                    + netIn.bytes.position() + " bytes of it arrived): the data may be truncated");
                        }
                        netIn.release();
                        return null;
                    }
                }
            }
        }
    }

    /** The socket was found readable: the next read goes straight to it. */
    void readable() {
        readable = true;
    }

    /**
     * True if plaintext waits to be delivered or bytes of a record wait to be unwrapped. May be called without the
     * read lock (a stale answer only makes a read wait, or not, for the socket).
     */
    boolean hasBufferedInput() {
        return appIn.holdsBytes() || netIn.holdsBytes();
    }

    /** True if plaintext waits to be delivered. */
    boolean hasPlaintext() {
        return appIn.holdsBytes();
    }

    /** Moves as much waiting plaintext as fits into {@code destination}; returns how much. */
    int deliver(ByteBuffer destination) {
        ByteBuffer plain = appIn.bytes.flip();
        int n = Math.min(plain.remaining(), destination.remaining());
        destination.put(plain.slice(plain.position(), n));
        plain.position(plain.position() + n);
        plain.compact();
        return n;
    }

    /** Gives back the inbound buffers that hold nothing, at the end of a read or a handshake. */
    void releaseIdleInbound() {
        netIn.releaseIfEmpty();
        appIn.releaseIfEmpty();
        readable = false;
    }

    /** Gives back the inbound buffers, dropping what they hold: the session has ended. */
    void discardInbound() {
        netIn.discard();
        appIn.discard();
        readable = false;
    }

    // Outbound: under the write lock.

    /** Wraps what it can of {@code source} into netOut, then sends all of netOut under the current deadline. */
    SSLEngineResult wrapAndFlush(ByteBuffer source) throws IOException {
        SSLEngineResult result = wrap(source);
        flush();
        return result;
    }

    /** Sends what netOut holds (the rest of a write that timed out), under the current deadline. */
    void flush() throws IOException {
        if (netOut.bytes != null && netOut.bytes.hasRemaining()) {
            socket.write(netOut.bytes);
        }
    }

    /** Wraps what the engine has to send by itself (an alert, close_notify) and sends it only if it goes at once. */
    void wrapAndSendNow() throws IOException {
        wrap(EMPTY);
        if (netOut.bytes.hasRemaining()) {
            socket.write(netOut.bytes, Duration.ZERO);
        }
    }

    private SSLEngineResult wrap(ByteBuffer source) throws SSLException {
        if (netOut.bytes == null) {
            netOut.take();
        } else {
            netOut.bytes.compact();
        }
        try {
            SSLEngineResult result;
            while ((result = engine.wrap(source, netOut.bytes)).getStatus()
                    == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                netOut.grow(engine.getSession().getPacketBufferSize());
            }
            return result;
        } finally {
            netOut.bytes.flip();
        }
    }

    /** Gives back netOut if everything in it was sent, at the end of a write. */
    void releaseIdleOutbound() {
        ByteBuffer out = netOut.bytes;
        if (out != null && !out.hasRemaining()) {
            netOut.release();
        }
    }

    /** Gives back netOut, dropping what it holds: the session has ended. */
    void discardOutbound() {
        netOut.discard();
    }

    // Either side.

    /** Runs the engine's delegated tasks (certificate checks) inline: they compute, they do not block. */
    HandshakeStatus runTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
        return engine.getHandshakeStatus();
    }

    /**
     * One of the three buffers, held only while needed: {@code bytes} is null while none is held; {@code pooled} is
     * the pool's buffer under {@code bytes}, or null for a grown, private one.
     */
    private static final class Slot {
        private final BufferPool pool;
        private final PoolAccess access;
        ByteBuffer bytes;
        private Buffer pooled;

        Slot(BufferPool pool, PoolAccess access) {
            this.pool = pool;
            this.access = access;
        }

        /** Takes a buffer from the pool: empty, ready for writing. */
        ByteBuffer take() {
            pooled = access.acquire();
            bytes = pooled.asByteBuffer();
            return bytes;
        }

        /** True if the buffer holds bytes (ready for writing: position = end of data). */
        boolean holdsBytes() {
            ByteBuffer b = bytes;
            return b != null && b.position() > 0;
        }

        /** Replaces the buffer (ready for writing) by a private one with room for {@code room} more bytes. */
        void grow(int room) {
            ByteBuffer bigger = ByteBuffer.allocate(bytes.position() + Math.max(room, 1024));
            bigger.put(bytes.flip());
            release();
            bytes = bigger;
        }

        /** Gives the buffer (ready for writing) back if it holds nothing. */
        void releaseIfEmpty() {
            if (bytes != null && bytes.position() == 0) {
                release();
            }
        }

        /** Gives the buffer back, by the tasklet that uses it: through the access's cached free list. */
        void release() {
            Buffer b = pooled;
            bytes = null;
            pooled = null;
            if (b != null) {
                access.release(b);
            }
        }

        /**
         * Gives the buffer back whatever it holds. Through the pool itself, not the access: a close may come from
         * another dispatcher or thread, whose free list (or none) it then goes to, leaving the access to its owner.
         */
        void discard() {
            Buffer b = pooled;
            bytes = null;
            pooled = null;
            if (b != null) {
                pool.release(b);
            }
        }
    }
}
