package org.concurrence.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What a response carries: nothing, bytes held in memory, or a stream the server pulls while it writes. The server
 * frames it: Content-Length when the length is known, chunked for HTTP/1.1 when it is not, close-delimited for
 * HTTP/1.0. Its Content-Type is a header of the {@link Response}, not part of the body.
 *
 * <p>Immutable (a {@link Bytes} body does not copy its array: do not change it after); an {@link Empty} or
 * {@link Bytes} body may be shared by many responses at once, a {@link Streamed} one only if its writer may be.
 *
 * <p>A {@link Streamed} body handed to the server is settled exactly once: either its writer's
 * {@link BodyWriter#writeTo} runs, or — when the body is not to be sent (a HEAD request, a status without a body, a
 * connection that ended before the response's turn) — its {@link BodyWriter#discard}, so that a writer holding a
 * resource (an open stream, an upstream response) can let it go.
 */
public sealed interface ResponseBody permits ResponseBody.Empty, ResponseBody.Bytes, ResponseBody.Streamed {
    /** The length in bytes; -1 if not known before writing. */
    long length();

    /** No body. */
    static ResponseBody empty() {
        return Empty.INSTANCE;
    }

    /** {@code bytes}, not copied. */
    static ResponseBody of(byte[] bytes) {
        return new Bytes(bytes);
    }

    /** {@code text} in UTF-8. */
    static ResponseBody of(String text) {
        return new Bytes(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A body written by {@code writer} when the server sends it.
     *
     * @param length the exact number of bytes the writer will write, or -1 if not known (then chunked)
     */
    static ResponseBody ofWriter(long length, BodyWriter writer) {
        return new Streamed(length, writer);
    }

    /**
     * A body copied from {@code in}, which is closed after, or when the body is discarded; {@code length} as for
     * {@link #ofWriter}.
     */
    static ResponseBody ofStream(long length, InputStream in) {
        Objects.requireNonNull(in, "in");
        return new Streamed(length, new BodyWriter() {
            @Override
            public void writeTo(OutputStream out) throws IOException {
                try (in) {
                    in.transferTo(out);
                }
            }

            @Override
            public void discard() throws IOException {
                in.close();
            }
        });
    }

    /** No body. */
    enum Empty implements ResponseBody {
        INSTANCE;

        @Override
        public long length() {
            return 0;
        }
    }

    /** Bytes held in memory. */
    record Bytes(byte[] bytes) implements ResponseBody {
        public Bytes {
            Objects.requireNonNull(bytes, "bytes");
        }

        @Override
        public long length() {
            return bytes.length;
        }
    }

    /**
     * A body the server pulls from {@code writer} as it sends; nothing is held whole in memory.
     *
     * @param length exact length, or -1 if unknown
     */
    record Streamed(long length, BodyWriter writer) implements ResponseBody {
        public Streamed {
            Objects.requireNonNull(writer, "writer");
            if (length < -1) {
                throw new IllegalArgumentException("length must be -1 (unknown) or at least 0: " + length);
            }
        }
    }

    /**
     * Writes a streamed body. Blocking: runs in the handler's tasklet; each write parks it while the client is slow,
     * under the server's write timeout. Writing more or fewer bytes than a declared length is an error that closes the
     * connection (the client would otherwise misread the next response).
     */
    @FunctionalInterface
    interface BodyWriter {
        /** Writes the whole body to {@code out}; do not close {@code out}. */
        void writeTo(OutputStream out) throws IOException;

        /**
         * Called instead of {@link #writeTo} when the body will not be sent: the request was a HEAD, the status carries
         * no body (204, 304), or the connection ended before the response's turn. Releases what the writer holds; the
         * default holds nothing. Called at most once, never after {@code writeTo}, in the tasklet that writes the
         * connection's responses; a failure is logged and otherwise ignored.
         */
        default void discard() throws IOException {}
    }
}
