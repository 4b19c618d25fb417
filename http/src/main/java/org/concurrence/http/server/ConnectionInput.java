package org.concurrence.http.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * The read side of a connection: bytes received and not yet consumed, in a buffer taken from the dispatcher's
 * {@link SpareBuffers} only while there are some. Unconsumed bytes are {@code [start, buffer.position())} of the
 * buffer's array; a head too big for a spare buffer grows a private one (bounded by the head limits, which the
 * {@link HeadScanner} enforces before asking for more).
 *
 * <p>Blocking: {@link #fill} and {@link #readDirect} park the calling tasklet in the socket under the timeout given
 * and the tasklet's deadline. Thread-safety: confined to the connection's dispatcher; only one tasklet reads at a time
 * (the connection's, or the handler reading the body inline on it).
 */
final class ConnectionInput {
    private final Transport transport;
    private final SpareBuffers spare;
    private ByteBuffer buffer;
    private int start;

    ConnectionInput(Transport transport, SpareBuffers spare) {
        this.transport = transport;
        this.spare = spare;
    }

    /** Unconsumed bytes buffered. */
    int available() {
        return buffer == null ? 0 : buffer.position() - start;
    }

    /** The buffer's array; valid until the next {@link #fill}. */
    byte[] array() {
        return buffer.array();
    }

    /** Index in {@link #array()} of the first unconsumed byte. */
    int start() {
        return start;
    }

    /** Marks {@code n} buffered bytes consumed. */
    void consume(int n) {
        start += n;
        if (start == buffer.position()) {
            start = 0;
            buffer.clear();
        }
    }

    /** Copies up to {@code length} buffered bytes to {@code destination} and consumes them; returns how many. */
    int take(byte[] destination, int offset, int length) {
        int n = Math.min(length, available());
        System.arraycopy(buffer.array(), start, destination, offset, n);
        consume(n);
        return n;
    }

    /**
     * Reads more bytes from the socket after the buffered ones, waiting at most {@code timeout}; makes room first
     * (moving the unconsumed bytes to the front, or growing the buffer if they fill it).
     *
     * @return how many bytes came, or -1 at the end of the stream
     */
    int fill(Duration timeout) throws IOException {
        if (buffer == null) {
            buffer = spare.take();
        } else if (!buffer.hasRemaining()) {
            makeRoom();
        }
        return transport.read(buffer, timeout);
    }

    private void makeRoom() {
        int unconsumed = available();
        if (start > 0) {
            System.arraycopy(buffer.array(), start, buffer.array(), 0, unconsumed);
            buffer.position(unconsumed);
            start = 0;
            return;
        }
        ByteBuffer grown = ByteBuffer.allocate(buffer.capacity() * 2);
        grown.put(buffer.array(), 0, unconsumed);
        spare.give(buffer);
        buffer = grown;
    }

    /**
     * Reads from the socket straight into {@code destination} (when nothing is buffered): a large body passes without
     * a copy through the connection's buffer. {@code length} must not reach past the body's end.
     *
     * @return how many bytes came, or -1 at the end of the stream
     */
    int readDirect(byte[] destination, int offset, int length, Duration timeout) throws IOException {
        return transport.read(ByteBuffer.wrap(destination, offset, length), timeout);
    }

    /**
     * Parks until the socket is readable, holding no buffer; call only when nothing is buffered.
     */
    void awaitReadable(Duration timeout) throws IOException {
        release();
        transport.awaitReadable(timeout);
    }

    /** Gives the buffer back to the dispatcher's spares if it holds nothing unconsumed. */
    void release() {
        if (buffer != null && available() == 0) {
            spare.give(buffer);
            buffer = null;
            start = 0;
        }
    }
}
