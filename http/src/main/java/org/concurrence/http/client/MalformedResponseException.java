package org.concurrence.http.client;

import java.io.IOException;

/**
 * A server answered with something that is not a valid HTTP/1.1 response: a bad status line, an invalid header
 * field, a head over {@link HttpClientOptions#maxHeadSize()}, framing that cannot be trusted (differing
 * Content-Lengths, Content-Length with Transfer-Encoding, a bad chunk size), or a body that ended before its framing
 * said. The message names what was wrong, with the bytes where it was; the connection was discarded. Only the call
 * that got it fails: the client and its other calls go on.
 */
public final class MalformedResponseException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient Origin origin;

    /**
     * @param message what was wrong, and where
     * @param origin  the server that sent it
     * @param cause   the parser's own failure, or null
     */
    public MalformedResponseException(String message, Origin origin, Throwable cause) {
        super("malformed response from " + origin + ": " + message, cause);
        this.origin = origin;
    }

    /** The server that sent the response. */
    public Origin origin() {
        return origin;
    }
}
