package org.concurrence.io.tls;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import org.concurrence.io.Socket;

/*
 * Implementation notes. Three buffers: netIn holds records read but not yet unwrapped and appIn plaintext unwrapped
 * but not yet delivered (both kept ready for writing: position = end of data); netOut holds records wrapped but not
 * yet written (kept ready for reading: position..limit is pending), so a write that timed out resumes with the rest
 * instead of corrupting the stream. Buffers grow when the engine asks for more room (a session's sizes may change
 * with the handshake) and never shrink.
 */
/**
 * The mechanics under a {@link TlsSocket}: moves records between an {@link SSLEngine} and a {@link Socket}. Not
 * thread-safe: the inbound half (netIn, appIn) is used under the session's read lock, the outbound half (netOut)
 * under its write lock.
 */
final class RecordLayer {
    static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final SSLEngine engine;
    private final Socket socket;
    private ByteBuffer netIn;
    private ByteBuffer appIn;
    private ByteBuffer netOut;

    RecordLayer(SSLEngine engine, Socket socket) {
        this.engine = engine;
        this.socket = socket;
        int packet = engine.getSession().getPacketBufferSize();
        this.netIn = ByteBuffer.allocate(packet);
        this.appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
        this.netOut = ByteBuffer.allocate(packet).flip();
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
            netIn.flip();
            SSLEngineResult result;
            try {
                result = engine.unwrap(netIn, appIn);
            } finally {
                netIn.compact();
            }
            switch (result.getStatus()) {
                case OK, CLOSED -> {
                    return result;
                }
                case BUFFER_OVERFLOW -> appIn = grow(appIn, engine.getSession().getApplicationBufferSize());
                case BUFFER_UNDERFLOW -> {
                    if (!netIn.hasRemaining()) {
                        netIn = grow(netIn, engine.getSession().getPacketBufferSize());
                    }
                    if (socket.read(netIn) < 0) {
                        if (netIn.position() > 0) {
                            // Not the end of the stream but a cut one: what follows may have been dropped.
                            throw new SSLException("connection closed in the middle of a TLS record ("
                                    + netIn.position() + " bytes of it arrived): the data may be truncated");
                        }
                        return null;
                    }
                }
            }
        }
    }

    /** True if plaintext waits to be delivered or bytes of a record wait to be unwrapped. */
    boolean hasBufferedInput() {
        return appIn.position() > 0 || netIn.position() > 0;
    }

    /** True if plaintext waits to be delivered. */
    boolean hasPlaintext() {
        return appIn.position() > 0;
    }

    /** Moves as much waiting plaintext as fits into {@code destination}; returns how much. */
    int deliver(ByteBuffer destination) {
        appIn.flip();
        int n = Math.min(appIn.remaining(), destination.remaining());
        destination.put(appIn.slice(appIn.position(), n));
        appIn.position(appIn.position() + n);
        appIn.compact();
        return n;
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
        if (netOut.hasRemaining()) {
            socket.write(netOut);
        }
    }

    /** Wraps what the engine has to send by itself (an alert, close_notify) and sends it only if it goes at once. */
    void wrapAndSendNow() throws IOException {
        wrap(EMPTY);
        if (netOut.hasRemaining()) {
            socket.write(netOut, Duration.ZERO);
        }
    }

    private SSLEngineResult wrap(ByteBuffer source) throws SSLException {
        netOut.compact();
        try {
            SSLEngineResult result;
            while ((result = engine.wrap(source, netOut)).getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                netOut = grow(netOut, engine.getSession().getPacketBufferSize());
            }
            return result;
        } finally {
            netOut.flip();
        }
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

    /** A buffer with room for {@code room} more bytes than {@code buffer} holds (both ready for writing). */
    private static ByteBuffer grow(ByteBuffer buffer, int room) {
        ByteBuffer bigger = ByteBuffer.allocate(buffer.position() + Math.max(room, 1024));
        bigger.put(buffer.flip());
        return bigger;
    }
}
