package org.concurrence.http;

import java.util.Objects;

/**
 * Thrown by a handler (or by a request body it reads) to answer with an error status: the server sends
 * {@link #status()} with {@link #getMessage()} as a plain-text body. The message is meant for the client, so it must
 * not hold secrets; use it for what the client did wrong ("no such order: 42", "body is not JSON: ...").
 *
 * <p>The server itself throws it from request-body reads: 413 when the body exceeds the server's limit, 400 when a
 * chunked body is malformed or the client closes the connection before the body's end, 408 when the body does not
 * arrive in time.
 */
public class HttpException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Status status;

    public HttpException(Status status, String message) {
        super(message);
        this.status = Objects.requireNonNull(status, "status");
    }

    public HttpException(Status status, String message, Throwable cause) {
        super(message, cause);
        this.status = Objects.requireNonNull(status, "status");
    }

    /** The status the client gets. */
    public Status status() {
        return status;
    }

    /**
     * The response the server sends for this exception: {@link #status()} with the message (or else the reason
     * phrase) and a line end as plain text; no body for a status that forbids one. For a filter that must add to the
     * answer of a failed request (a CORS filter's permission), as the server would have sent it.
     */
    public Response toResponse() {
        if (status.forbidsBody()) {
            return Response.of(status);
        }
        return Response.text(status, (getMessage() == null ? status.reason() : getMessage()) + "\n");
    }
}
