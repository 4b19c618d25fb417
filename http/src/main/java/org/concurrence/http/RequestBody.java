package org.concurrence.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;

/**
 * The body of a request, read as a stream straight from the connection: nothing is buffered whole unless
 * {@link #bytes()} or {@link #text()} asks for it. The stream ends where the body ends (Content-Length or the last
 * chunk); it never reads into the next pipelined request.
 *
 * <p>Blocking and deadlines: reads park the calling tasklet until bytes arrive, under the tasklet's deadline and the
 * server's body timeout (whichever is sooner). For a request with {@code Expect: 100-continue} the server sends the
 * interim 100 response on the first read, so a handler that answers without reading never makes the client send.
 *
 * <p>Errors: a body larger than the server's limit fails the read with {@link HttpException} 413, a malformed chunked
 * body with 400, a body that stops arriving with 408; the connection is closed after the response, other connections
 * go on. An {@link IOException} means the client went away.
 *
 * <p>Thread-safety: read by one tasklet at a time.
 */
public interface RequestBody {
    /** The declared length (Content-Length); -1 if chunked (not known in advance); 0 for no body. */
    long length();

    /** Whether the request has no body at all (no Content-Length or it is 0, and not chunked). */
    default boolean isEmpty() {
        return length() == 0;
    }

    /** The body as a stream; the same stream on every call. Closing it does not close the connection. */
    InputStream stream();

    /**
     * The whole body, read now.
     *
     * @throws HttpException 413 if it is larger than the server's limit for buffered bodies
     * @throws IOException   if the client went away
     */
    byte[] bytes() throws IOException;

    /** The whole body as text in the charset of its Content-Type, else UTF-8; see {@link #bytes()}. */
    String text() throws IOException;

    /** The whole body as text in {@code charset}; see {@link #bytes()}. */
    String text(Charset charset) throws IOException;

    /** Reads and drops whatever is left of the body. */
    void discard() throws IOException;
}
