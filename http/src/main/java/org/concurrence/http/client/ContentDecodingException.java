package org.concurrence.http.client;

import java.io.IOException;

/**
 * A response body the client was decoding ({@code Content-Encoding: gzip} or {@code deflate}, see
 * {@link HttpClientOptions#decompress()}) is not valid data of its coding: a bad header, a corrupt block, a checksum
 * or length that differs from the trailer's, data that ends before the compressed stream does — or it stacks more
 * codings than the client decodes. The message names the coding, the request, the origin and the problem. The
 * connection was closed, not pooled; only the call that read the body fails, and the client goes on.
 */
public final class ContentDecodingException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient Origin origin;

    /**
     * @param message what was wrong, with the coding and the request
     * @param origin  the server that sent the body
     * @param cause   the decoder's own failure (a {@link java.util.zip.DataFormatException}, say), or null
     */
    public ContentDecodingException(String message, Origin origin, Throwable cause) {
        super(message, cause);
        this.origin = origin;
    }

    /** The server that sent the body. */
    public Origin origin() {
        return origin;
    }
}
