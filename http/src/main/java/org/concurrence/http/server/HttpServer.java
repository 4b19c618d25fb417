package org.concurrence.http.server;

import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;
import org.concurrence.core.DispatcherGroup;
import org.concurrence.core.Tasklet;
import org.concurrence.http.Handler;

/**
 * An HTTP/1.1 server (RFC 9110, 9112) running one {@link Handler} for every request.
 *
 * <p>Each connection is served by a tasklet on one of the group's dispatchers (an acceptor per dispatcher on a shared
 * port). Requests on a keep-alive connection are handled one after another by that tasklet; requests pipelined behind
 * one another are handled concurrently, each in a tasklet of its own, and their responses written strictly in request
 * order. Bodies stream in both directions.
 *
 * <p>Robustness: malformed or ambiguous requests (request smuggling) get the right 4xx status and the connection is
 * closed; limits and timeouts in {@link HttpServerOptions} bound what one client can hold. Nothing a client sends
 * affects other connections.
 *
 * <p>Thread-safety: all methods may be called from any thread.
 */
public final class HttpServer implements AutoCloseable {
    private HttpServer() {}

    /** Starts a server with default options on the current tasklet's dispatcher group. */
    public static HttpServer start(SocketAddress address, Handler handler) throws IOException {
        return start(Tasklet.current().dispatcher().group(), address, HttpServerOptions.defaults(), handler);
    }

    /**
     * Starts a server on {@code group}, listening on {@code address} (port 0 picks a free one); callable from any
     * thread.
     *
     * @throws IOException if the address cannot be bound
     */
    public static HttpServer start(DispatcherGroup group, SocketAddress address, HttpServerOptions options,
            Handler handler) throws IOException {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(handler, "handler");
        throw new UnsupportedOperationException("not yet");
    }

    /** The address the server listens on. */
    public SocketAddress address() {
        throw new UnsupportedOperationException("not yet");
    }

    /** The TCP port it listens on. */
    public int port() {
        throw new UnsupportedOperationException("not yet");
    }

    /** Connections open now. */
    public int connectionCount() {
        throw new UnsupportedOperationException("not yet");
    }

    /**
     * Graceful stop: stops accepting, lets requests in progress finish within {@code grace} (idle keep-alive
     * connections are closed at once, busy ones after their current response), then kills what is left. Blocks until
     * done.
     */
    public void stop(Duration grace) {
        throw new UnsupportedOperationException("not yet");
    }

    /** {@link #stop(Duration)} with a grace of zero. */
    @Override
    public void close() {
        stop(Duration.ZERO);
    }
}
