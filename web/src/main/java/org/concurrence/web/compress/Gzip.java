package org.concurrence.web.compress;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.GZIPOutputStream;
import org.concurrence.http.ResponseBody;

/**
 * Gzip (RFC 1952) for response bodies: in memory for a body of bytes, as a stream for a streamed one. The deflater's
 * native memory is released as soon as a body is done or fails, not left to the garbage collector.
 */
final class Gzip {
    private static final int BUFFER = 8192;

    private Gzip() {}

    /** {@code bytes} compressed at {@code level}. */
    static byte[] compress(byte[] bytes, int level) {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream(Math.max(64, bytes.length / 4));
        try (Stream gzip = new Stream(compressed, level)) {
            gzip.write(bytes);
            gzip.finish();
        } catch (IOException e) {
            throw new IllegalStateException("gzip into memory failed", e); // a ByteArrayOutputStream does not throw
        }
        return compressed.toByteArray();
    }

    /**
     * A streamed body that runs {@code writer} through gzip: its length is unknown (so the server chunks it), and a
     * {@code flush()} of the writer flushes what is compressed so far (a sync flush), so events still reach the
     * client as they happen.
     */
    static ResponseBody streamed(ResponseBody.BodyWriter writer, int level) {
        return ResponseBody.ofWriter(-1, new ResponseBody.BodyWriter() {
            @Override
            public void writeTo(OutputStream out) throws IOException {
                // If writing the gzip header already fails, the deflater made by the constructor is left to its
                // Cleaner.
                Stream gzip = new Stream(new Unclosed(out), level);
                try {
                    writer.writeTo(gzip);
                    gzip.finish(); // the trailer only for a body written whole: a failed one stays visibly cut
                } finally {
                    gzip.release();
                }
            }

            @Override
            public void discard() throws IOException {
                writer.discard();
            }
        });
    }

    /** A gzip stream at a chosen level; closing it or {@link #release()} frees its deflater. */
    private static final class Stream extends GZIPOutputStream {
        Stream(OutputStream out, int level) throws IOException {
            super(out, BUFFER, true);
            def.setLevel(level); // before any input: applies to the whole stream
        }

        /** Frees the deflater's native memory without writing anything more. */
        void release() {
            def.end();
        }
    }

    /** The server's body stream, which a body must not close (the connection goes on). */
    private static final class Unclosed extends FilterOutputStream {
        Unclosed(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() {
            // Not the server's stream: closing the gzip stream ends the body, not the connection.
        }
    }
}
