package org.concurrence.io;

import java.io.IOException;

/**
 * A connection's two buffered directions: a {@link BufferedSource} to read from and a {@link BufferedSink} to write
 * to, with buffers from one {@link BufferPool}. Typical use, per connection:
 * <pre>{@code
 * try (BufferedStream stream = BufferedStream.of(socket)) {
 *     String request = stream.reader().readLine();
 *     stream.writer().writeString("hello " + request + "\r\n").flush();
 * }
 * }</pre>
 *
 * <p>Blocking, deadlines and memory are as described on {@link BufferedSource} and {@link BufferedSink}: an idle
 * stream holds no buffer. Thread-safety: one tasklet may read while another writes; each direction is used by one
 * tasklet at a time.
 */
public final class BufferedStream implements AutoCloseable {
    private final Source source;
    private final Sink sink;
    private final BufferedSource reader;
    private final BufferedSink writer;

    /**
     * A buffered stream over {@code source} and {@code sink}, either of which may be null for a one-way stream, with
     * buffers from {@link BufferPool#standard()}.
     */
    public BufferedStream(Source source, Sink sink) {
        this(source, sink, BufferPool.standard());
    }

    /** {@link #BufferedStream(Source, Sink)} with buffers from {@code pool}. */
    public BufferedStream(Source source, Sink sink, BufferPool pool) {
        if (source == null && sink == null) {
            throw new IllegalArgumentException("a stream needs a source, a sink or both; both are null");
        }
        this.source = source;
        this.sink = sink;
        this.reader = source == null ? null : new BufferedSource(source, pool);
        this.writer = sink == null ? null : new BufferedSink(sink, pool);
    }

    /** A buffered stream over a connection that is both the source and the sink (a socket). */
    public static <C extends Source & Sink> BufferedStream of(C connection) {
        return new BufferedStream(connection, connection);
    }

    /** {@link #of(Source)} with buffers from {@code pool}. */
    public static <C extends Source & Sink> BufferedStream of(C connection, BufferPool pool) {
        return new BufferedStream(connection, connection, pool);
    }

    /**
     * The reading direction.
     *
     * @throws IllegalStateException if the stream was made without a source
     */
    public BufferedSource reader() {
        if (reader == null) {
            throw new IllegalStateException("no reader: this stream was made without a source, for writing only");
        }
        return reader;
    }

    /**
     * The writing direction.
     *
     * @throws IllegalStateException if the stream was made without a sink
     */
    public BufferedSink writer() {
        if (writer == null) {
            throw new IllegalStateException("no writer: this stream was made without a sink, for reading only");
        }
        return writer;
    }

    /**
     * Flushes the writer under the current deadline and closes both directions, each underlying object once (a
     * connection that is both source and sink is closed once), also if the flush failed. Closing twice does nothing.
     */
    @Override
    public void close() throws IOException {
        try {
            if (writer != null) {
                writer.close();
            }
        } finally {
            if (reader != null && reader.closeBuffer() && source != sink) {
                source.close();
            }
        }
    }

    @Override
    public String toString() {
        return "BufferedStream[reader=" + reader + ", writer=" + writer + "]";
    }
}
