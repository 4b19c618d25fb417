package org.concurrence.http;

/**
 * Handles one HTTP request: takes the request, returns the response — the counterpart of a WSGI application.
 *
 * <p>Blocking: a handler runs in a tasklet (the connection's, or one of its own for a pipelined request) and may block
 * freely in any Concurrence call — a database query, a call to another tasklet, a read of the request body — which
 * parks only that tasklet. It runs with no deadline of its own unless a filter sets one (see {@code TimeoutFilter} in
 * the web module, or wrap the work in a {@link org.concurrence.core.Timeout} scope).
 *
 * <p>Failures: an {@link HttpException} becomes a response with its status and message (a status outside 200–599,
 * which cannot answer a request, becomes a 500); any other exception becomes a 500 whose body does not show the
 * exception (unless the server runs in development mode), and is logged with the request line. A handler that
 * returns without reading the request body leaves the server to drain it (up to a bound) or to close the connection.
 *
 * <p>Thread-safety: one handler instance serves every request of a server, from tasklets of every dispatcher, so it
 * must be safe to call concurrently (most are stateless, or keep state in tasklets they send messages to).
 */
@FunctionalInterface
public interface Handler {
    /**
     * Answers {@code request}.
     *
     * @return the response; never null
     * @throws Exception anything; see the class comment for what the client gets
     */
    Response handle(Request request) throws Exception;
}
