package org.concurrence.http.server;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * The stream a {@link org.concurrence.http.ResponseBody.BodyWriter} writes to, framing the bytes as it goes: counted
 * against a declared Content-Length, chunked, or raw until the connection closes (HTTP/1.0, unknown length). Bytes go
 * into the connection's output buffer; {@link #flush()} sends them now (for a body that trickles, such as events).
 *
 * <p>Writing more bytes than declared, or fewer by the time the writer returns, fails with an {@link IOException}
 * and the connection is closed: the client could not tell where this response ends. {@link #close()} does nothing.
 *
 * <p>Blocking: a write parks the tasklet while the client is slow, at most the write timeout per flush.
 * Thread-safety: used by the handler's tasklet only, while it holds the connection's output.
 */
abstract sealed class BodyOutput extends OutputStream {
    final ResponseWriter writer;

    BodyOutput(ResponseWriter writer) {
        this.writer = writer;
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
    abstract void finish() throws IOException;

    @Override
    public final void flush() throws IOException {
        writer.flush();
    }

    @Override
    public final void close() {
        // The server ends the body when the writer returns.
    }

    /** Counted against a declared length. */
    static final class FixedLength extends BodyOutput {
        private final long length;
        private long written;

        FixedLength(ResponseWriter writer, long length) {
            super(writer);
            this.length = length;
        }

        @Override
        void writeBody(byte[] b, int off, int len) throws IOException {
            if (written + len > length) {
                throw new IOException("the response body's writer wrote more than its declared length of " + length
                        + " bytes (" + (written + len) + ")");
            }
            written += len;
            writer.put(b, off, len);
        }

        @Override
        void finish() throws IOException {
            if (written != length) {
                throw new IOException("the response body's writer wrote " + written + " bytes of its declared length"
                        + " of " + length);
            }
        }
    }

    /** Chunked: one chunk per write, the last chunk on {@link #finish()}. */
    static final class Chunked extends BodyOutput {
        private static final byte[] LAST = DispatcherShare.ascii("0\r\n\r\n");

        Chunked(ResponseWriter writer) {
            super(writer);
        }

        @Override
        void writeBody(byte[] b, int off, int len) throws IOException {
            writer.putHex(len);
            writer.putCrlf();
            writer.put(b, off, len);
            writer.putCrlf();
        }

        @Override
        void finish() throws IOException {
            writer.put(LAST);
        }
    }

    /** Raw bytes; the connection's close ends the body. */
    static final class CloseDelimited extends BodyOutput {
        CloseDelimited(ResponseWriter writer) {
            super(writer);
        }

        @Override
        void writeBody(byte[] b, int off, int len) throws IOException {
            writer.put(b, off, len);
        }

        @Override
        void finish() {
            // The connection closes after this response.
        }
    }
}
