package org.concurrence.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * The buffer management under {@link BufferedSource}: unread bytes between the position and the limit of one
 * {@link Buffer}, taken from the pool when the first byte is read and given back as soon as the last is consumed.
 *
 * <p>Invariant: {@code buffer} is null or holds at least one unread byte, except inside a method of this class. Every
 * method keeps it on every path, exceptions included: a read that fails leaves what was buffered as it was.
 *
 * <p>Confined to the reader of the stream.
 */
final class ReadBuffer {
    /** {@link #indexOf} found the end of the stream before the delimiter. */
    static final int END = -1;
    /** {@link #indexOf} saw more than the allowed bytes without the delimiter. */
    static final int TOO_LONG = -2;

    private final Source source;
    private final PoolAccess pool;
    /** Unread bytes in [position, limit); null when there are none. */
    Buffer buffer;

    ReadBuffer(Source source, PoolAccess pool) {
        this.source = source;
        this.pool = pool;
    }

    int bufferSize() {
        return pool.bufferSize();
    }

    /** The count of unread bytes held. */
    int buffered() {
        return buffer == null ? 0 : buffer.remaining();
    }

    /**
     * Reads once from the source, appending to the unread bytes; first makes room, compacting or (when
     * {@code wanted} bytes would not fit) growing the buffer.
     *
     * @param wanted the total count of unread bytes the caller is after, more than {@link #buffered()}; decides how
     *               far the buffer may grow
     * @return the count read, or -1 at the end of the stream
     */
    int fill(long deadline, long wanted) throws IOException {
        Buffer b = buffer;
        if (b == null) {
            // Park without a buffer: an idle connection must not hold one while it waits for its next bytes.
            source.awaitReadable(Waits.left(deadline));
            b = buffer = pool.acquire().limit(0); // read mode: nothing unread yet
        } else if (b.capacity() - b.limit() < b.position() || b.limit() == b.capacity()) {
            b = makeRoom(b, wanted);
        }
        try {
            int room = b.capacity() - b.limit();
            return checkProgress(b.appendFrom(source, Waits.left(deadline)), room);
        } finally {
            releaseIfEmpty();
        }
    }

    /** A source that returns 0 for a destination with room would make the caller spin without ever parking. */
    private int checkProgress(int n, int room) throws IOException {
        if (n == 0) {
            throw new IOException(source + " read 0 bytes into " + room
                    + " free without blocking or failing: a Source must read at least one byte");
        }
        return n;
    }

    /**
     * Compacts when the consumed bytes before the position are more than the free ones after the limit (so a read is
     * never squeezed into a small tail while the head lies unused), or grows a buffer that is full from index 0.
     */
    private Buffer makeRoom(Buffer b, long wanted) {
        if (b.position() > 0) {
            return b.compact().flip();
        }
        // Full from index 0: more than a buffer is wanted (a long line, a big number on a tiny buffer). Double, up
        // to what is wanted, and always leave room for one byte: a read into no room would return 0 forever.
        int unread = b.remaining();
        long capacity = Math.max(unread + 1L, Math.min(wanted, 2L * b.capacity()));
        Buffer grown = pool.acquire((int) Math.min(capacity, Integer.MAX_VALUE - 8)).put(b).flip();
        pool.release(b); // its bytes were copied into `grown`
        return buffer = grown;
    }

    /** Reads from the source straight into {@code destination}; only when nothing is buffered. */
    int readDirect(ByteBuffer destination, long deadline) throws IOException {
        Duration left = Waits.left(deadline);
        int room = destination.remaining();
        return checkProgress(left == null ? source.read(destination) : source.read(destination, left), room);
    }

    /** Buffers until at least {@code count} bytes are unread. @return false if the stream ended first */
    boolean request(long count, long deadline) throws IOException {
        while (buffered() < count) {
            if (fill(deadline, count) < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Buffers until {@code delimiter} is among the unread bytes at most {@code maxOffset} bytes past the position.
     *
     * @return its offset from the position, {@link #END}, or {@link #TOO_LONG} if more than {@code maxOffset} bytes
     *         without it are buffered
     */
    int indexOf(byte delimiter, int maxOffset, long deadline) throws IOException {
        int scanned = 0; // offsets below this hold no delimiter; compacting and growing keep offsets
        while (true) {
            Buffer b = buffer;
            if (b != null) {
                int from = b.position();
                int to = (int) Math.min(b.limit(), (long) from + maxOffset + 1);
                int at = b.indexOf(delimiter, from + scanned, to);
                if (at >= 0) {
                    return at - from;
                }
                scanned = to - from;
                if (scanned > maxOffset) {
                    return TOO_LONG;
                }
            }
            if (fill(deadline, maxOffset + 1L) < 0) {
                return END;
            }
        }
    }

    /** Consumes {@code count} unread bytes (known to be buffered). */
    void consume(int count) {
        buffer.skip(count);
        releaseIfEmpty();
    }

    /** Gives the buffer back to the pool once nothing in it is unread. */
    void releaseIfEmpty() {
        Buffer b = buffer;
        if (b != null && !b.hasRemaining()) {
            buffer = null;
            pool.release(b);
        }
    }

    /** Puts {@code bytes[offset, offset + length)} back in front of the unread bytes: a failed read undone. */
    void unread(byte[] bytes, int offset, int length) {
        if (length == 0) {
            return;
        }
        Buffer b = buffer;
        if (b != null && b.position() >= length) {
            int at = b.position() - length;
            b.position(at).duplicate().put(bytes, offset, length); // the room before the position is consumed bytes
            return;
        }
        Buffer joined = pool.acquire(length + buffered()).put(bytes, offset, length);
        if (b != null) {
            joined.put(b);
            pool.release(b); // its bytes were copied into `joined`
        }
        buffer = joined.flip();
    }

    /** Drops whatever is buffered and gives the buffer back. */
    void clear() {
        Buffer b = buffer;
        if (b != null) {
            buffer = null;
            pool.release(b);
        }
    }
}
