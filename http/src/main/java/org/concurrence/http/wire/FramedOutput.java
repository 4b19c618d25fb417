package org.concurrence.http.wire;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The stream a streamed body's writer writes to, framing the bytes as it goes (RFC 9112 §6, §7.1): counted against a
 * declared Content-Length, chunked (a chunk per write), or raw until the connection closes. The server frames
 * response bodies with it, the client request bodies. {@link #flush()} sends what is buffered now (for a body that
 * trickles, such as events); {@link #close()} does nothing: the owner calls {@link #finish()} when the writer returns.
 *
 * <p>Writing more bytes than declared, or fewer by {@link #finish()}, fails with an {@link IOException}: the peer
 * could not tell where the message ends, so the connection must close.
 *
 * <p>Blocking: as the {@link Target}'s writes. Thread-safety: used by one tasklet, while it holds the connection's
 * output.
 */
public abstract sealed class FramedOutput extends OutputStream {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    /** Where the framed bytes go: a connection's output buffer. */
    public interface Target {
        /** Appends bytes (sending them as the buffer fills). */
        void put(byte[] bytes, int offset, int length) throws IOException;

        /** Appends a chunk's size line: the size in hex, then CRLF. */
        void putChunkSize(int size) throws IOException;

        /** Sends what is buffered. */
        void flush() throws IOException;
    }

    final Target target;

    private FramedOutput(Target target) {
        this.target = Objects.requireNonNull(target, "target");
    }

    /**
     * Counted against {@code length}; {@code what} names the writer in errors, e.g. {@code "the response body's
     * writer"}.
     */
    public static FramedOutput fixedLength(Target target, long length, String what) {
        return new FixedLength(target, length, what);
    }

    /** Chunked: a chunk per write, the last chunk (no trailers) on {@link #finish()}. */
    public static FramedOutput chunked(Target target) {
        return new Chunked(target);
    }

    /** Raw bytes: the connection's close ends the body. */
    public static FramedOutput closeDelimited(Target target) {
        return new CloseDelimited(target);
    }

    @Override
    public final void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public final void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len > 0) {
            writeBody(b, off, len);
        }
    }

    abstract void writeBody(byte[] b, int off, int len) throws IOException;

    /** Ends the body after the writer returned: checks the length, or writes the last chunk. */
    public abstract void finish() throws IOException;

    @Override
    public final void flush() throws IOException {
        target.flush();
    }

    @Override
    public final void close() {
        // The owner ends the body when the writer returns.
    }

    private static final class FixedLength extends FramedOutput {
        private final long length;
        private final String what;
        private long written;

        FixedLength(Target target, long length, String what) {
            super(target);
            this.length = length;
            this.what = what;
        }

        @Override
        void writeBody(byte[] b, int off, int len) throws IOException {
            if (written + len > length) {
                throw new IOException(what + " wrote more than its declared length of " + length + " bytes ("
                        + (written + len) + ")");
            }
            written += len;
            target.put(b, off, len);
        }

        @Override
        public void finish() throws IOException {
            if (written != length) {
                throw new IOException(what + " wrote " + written + " bytes of its declared length of " + length);
            }
        }
    }

    private static final class Chunked extends FramedOutput {
        Chunked(Target target) {
            super(target);
        }

        @Override
        void writeBody(byte[] b, int off, int len) throws IOException {
            target.putChunkSize(len);
            target.put(b, off, len);
            target.put(CRLF, 0, 2);
        }

        @Override
        public void finish() throws IOException {
            target.put(LAST_CHUNK, 0, LAST_CHUNK.length);
        }
    }

    private static final class CloseDelimited extends FramedOutput {
        CloseDelimited(Target target) {
            super(target);
        }

        @Override
        void writeBody(byte[] b, int off, int len) throws IOException {
            target.put(b, off, len);
        }

        @Override
        public void finish() {
            // The connection closes after this body.
        }
    }
}
