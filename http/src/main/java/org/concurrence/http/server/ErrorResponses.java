package org.concurrence.http.server;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.concurrence.http.HttpException;
import org.concurrence.http.Response;
import org.concurrence.http.Status;

/**
 * What the client gets when a request fails: an {@link HttpException}'s status with its message as plain text; for
 * anything else a 500 that says nothing about the failure (in development mode, its stack trace).
 */
final class ErrorResponses {
    private static final Response INTERNAL = Response.text(Status.INTERNAL_SERVER_ERROR, "Internal Server Error\n");

    private ErrorResponses() {}

    static Response of(HttpException e) {
        return e.toResponse();
    }

    static Response internal(Throwable failure, boolean development) {
        if (!development) {
            return INTERNAL;
        }
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        return Response.text(Status.INTERNAL_SERVER_ERROR, "Internal Server Error\n\n" + trace);
    }
}
