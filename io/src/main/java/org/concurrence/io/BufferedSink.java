package org.concurrence.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * A {@link Sink} with a buffer in front: collects bytes, numbers in both byte orders and strings, and writes them to
 * the underlying sink when the buffer fills or on {@link #flush()}. Nothing reaches the sink before that: a protocol
 * writes a whole message, then flushes once.
 *
 * <p>Blocking: a write waits only when the buffer is full and must go to the sink; {@link #flush()} waits until every
 * buffered byte is written. Both park only the calling tasklet and honour the tasklet's current deadline
 * ({@link org.concurrence.core.DeadlineExceededException}) and kill ({@link org.concurrence.core.TaskletExit});
 * {@link #flush(Duration)} and {@link #write(ByteBuffer, Duration)} take a per-call timeout as well. A write or flush
 * that failed may have written part of the bytes (the rest stay buffered): as with any {@link Sink}, a stream protocol
 * should then close the connection.
 *
 * <p>Writes of a buffer's size or more that find nothing buffered go straight from the caller's bytes to the sink.
 * The sink is called until it has taken every byte, so a sink that takes part of the bytes per call also works.
 *
 * <p>Memory: the buffer comes from a {@link BufferPool} with the first buffered byte and goes back as soon as a flush
 * empties it, so an idle stream holds none.
 *
 * <p>Thread-safety: one writer at a time (not thread-safe). The sibling {@link BufferedSource} of a connection may be
 * used by another tasklet at the same time.
 */
public final class BufferedSink implements Sink {
    private final Sink sink;
    private final PoolAccess pool;
    /** Bytes not yet written in [0, position) ("put mode"); null when there are none. */
    private Buffer buffer;
    /** For numbers wider than a tiny buffer; see {@link #room}. */
    private Buffer scratch;
    private boolean scratchInUse;
    private boolean closed;

    /** A buffered sink over {@code sink} with buffers from {@link BufferPool#standard()}. */
    public BufferedSink(Sink sink) {
        this(sink, BufferPool.standard());
    }

    /** A buffered sink over {@code sink} with buffers from {@code pool}. */
    public BufferedSink(Sink sink, BufferPool pool) {
        this.sink = Objects.requireNonNull(sink, "sink");
        this.pool = new PoolAccess(pool);
    }

    /** The count of bytes written to this sink and not yet to the underlying one; never waits. */
    public int buffered() {
        return buffer == null ? 0 : buffer.position();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Numbers.

    /** Writes the low 8 bits of {@code b}. */
    public BufferedSink writeByte(int b) throws IOException {
        room(1).putByte(b);
        return written();
    }

    /** Writes the low 16 bits of {@code s} big-endian (a short or an unsigned short). */
    public BufferedSink writeShort(int s) throws IOException {
        room(2).putShort(s);
        return written();
    }

    /** Writes the low 16 bits of {@code s} little-endian. */
    public BufferedSink writeShortLe(int s) throws IOException {
        room(2).putShortLe(s);
        return written();
    }

    /** Writes {@code i} big-endian (for an unsigned int, pass {@code (int) value}). */
    public BufferedSink writeInt(int i) throws IOException {
        room(4).putInt(i);
        return written();
    }

    /** Writes {@code i} little-endian. */
    public BufferedSink writeIntLe(int i) throws IOException {
        room(4).putIntLe(i);
        return written();
    }

    /** Writes {@code l} big-endian. */
    public BufferedSink writeLong(long l) throws IOException {
        room(8).putLong(l);
        return written();
    }

    /** Writes {@code l} little-endian. */
    public BufferedSink writeLongLe(long l) throws IOException {
        room(8).putLongLe(l);
        return written();
    }

    /**
     * A buffer with {@code size} bytes free: the stream's buffer (flushed first if it is too full), or, if the pool's
     * buffers are smaller than {@code size}, a scratch buffer that {@link #written()} then writes out.
     */
    private Buffer room(int size) throws IOException {
        checkOpen();
        Buffer b = buffer;
        if (b == null) {
            b = buffer = pool.acquire();
        }
        if (b.remaining() < size) {
            drain(b, Waits.CURRENT);
        }
        if (b.remaining() >= size) {
            return b;
        }
        if (scratch == null) {
            scratch = Buffer.allocate(Long.BYTES);
        }
        scratchInUse = true;
        return scratch.clear();
    }

    private BufferedSink written() throws IOException {
        if (scratchInUse) {
            scratchInUse = false;
            write(scratch.array(), 0, scratch.position());
        }
        return this;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Bytes and strings.

    /** Writes all of {@code source}. */
    public BufferedSink write(byte[] source) throws IOException {
        return write(source, 0, source.length);
    }

    /** Writes {@code source[offset, offset + length)}. */
    public BufferedSink write(byte[] source, int offset, int length) throws IOException {
        checkOpen();
        Objects.checkFromIndexSize(offset, length, source.length);
        if (length > 0) {
            put(ByteBuffer.wrap(source, offset, length), Waits.CURRENT);
        }
        return this;
    }

    /** Writes {@code s} encoded as UTF-8. */
    public BufferedSink writeString(String s) throws IOException {
        return writeString(s, StandardCharsets.UTF_8);
    }

    /** Writes {@code s} encoded with {@code charset}. */
    public BufferedSink writeString(String s, Charset charset) throws IOException {
        return write(s.getBytes(charset));
    }

    /**
     * Writes every remaining byte of {@code source} into this sink (advancing its position to its limit): buffered,
     * or straight to the underlying sink if it is large; {@link #flush()} to send what is buffered.
     */
    @Override
    public void write(ByteBuffer source) throws IOException {
        write(source, null);
    }

    /** {@link #write(ByteBuffer)}, waiting at most {@code timeout} for the underlying sink. */
    @Override
    public void write(ByteBuffer source, Duration timeout) throws IOException {
        checkOpen();
        put(source, Waits.deadline(timeout));
    }

    private void put(ByteBuffer source, long deadline) throws IOException {
        try {
            while (source.hasRemaining()) {
                Buffer b = buffer;
                if ((b == null || b.position() == 0) && source.remaining() >= pool.bufferSize()) {
                    writeDirect(source, deadline); // nothing buffered to keep in order: skip the copy
                    return;
                }
                if (b == null) {
                    b = buffer = pool.acquire();
                }
                int n = Math.min(source.remaining(), b.remaining());
                int end = source.limit();
                b.put(source.limit(source.position() + n));
                source.limit(end);
                if (!b.hasRemaining()) {
                    drain(b, deadline);
                }
            }
        } finally {
            releaseIfEmpty();
        }
    }

    private void writeDirect(ByteBuffer source, long deadline) throws IOException {
        while (source.hasRemaining()) {
            int before = source.remaining();
            Duration left = Waits.left(deadline);
            if (left == null) {
                sink.write(source);
            } else {
                sink.write(source, left);
            }
            checkProgress(before, source.remaining());
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Flushing.

    /**
     * Writes every buffered byte to the underlying sink, waiting as long as it takes under the current deadline, and
     * gives the buffer back to the pool.
     */
    public void flush() throws IOException {
        flush(null);
    }

    /** {@link #flush()}, waiting at most {@code timeout}. */
    public void flush(Duration timeout) throws IOException {
        checkOpen();
        Buffer b = buffer;
        if (b != null) {
            try {
                drain(b, Waits.deadline(timeout));
            } finally {
                releaseIfEmpty();
            }
        }
    }

    /** Writes {@code [0, position)} of {@code b} to the sink; what could not be written stays, at the start. */
    private void drain(Buffer b, long deadline) throws IOException {
        b.flip();
        try {
            while (b.hasRemaining()) {
                int before = b.remaining();
                b.writeTo(sink, Waits.left(deadline));
                checkProgress(before, b.remaining());
            }
        } finally {
            b.compact(); // back to put mode, unwritten bytes first
        }
    }

    private void checkProgress(int before, int after) throws IOException {
        if (after == before) {
            throw new IOException(sink + " took none of " + before
                    + " bytes without blocking or failing: a Sink must write every byte");
        }
    }

    private void releaseIfEmpty() {
        Buffer b = buffer;
        if (b != null && b.position() == 0) {
            buffer = null;
            pool.release(b);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Views and closing.

    /**
     * An {@link OutputStream} over this sink, for libraries that want one: {@code flush} flushes this sink,
     * {@code close} closes it. Writes honour the tasklet's deadline and fail with the unchecked
     * {@link org.concurrence.core.DeadlineExceededException}.
     */
    public OutputStream asOutputStream() {
        return new SinkOutputStream(this);
    }

    /**
     * Flushes under the current deadline, then closes the underlying sink (also if the flush failed) and gives the
     * buffer back. Closing twice does nothing.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            flush();
        } catch (IOException | RuntimeException | Error e) {
            closeQuietly(e);
            throw e;
        } finally {
            closed = true;
            Buffer b = buffer;
            buffer = null;
            if (b != null) {
                pool.release(b);
            }
        }
        sink.close();
    }

    private void closeQuietly(Throwable failure) {
        try {
            sink.close();
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** For {@link SinkOutputStream}, whose contract wants an {@code IOException} once closed. */
    boolean isClosed() {
        return closed;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
    }

    @Override
    public String toString() {
        return "BufferedSink[buffered=" + buffered() + ", sink=" + sink + "]";
    }
}
