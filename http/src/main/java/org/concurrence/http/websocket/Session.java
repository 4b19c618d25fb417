package org.concurrence.http.websocket;

import java.net.SocketAddress;
import java.time.Duration;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.http.Request;
import org.concurrence.http.Response;
import org.concurrence.io.Sink;
import org.concurrence.io.Source;

/**
 * One WebSocket session, server side, over the connection of its opening handshake; what it does is in
 * {@link Endpoint}. The server's parts: {@link #receive()} waits at most the server's idle timeout and a send at most
 * its write timeout; the connection ends when the {@link SessionHandler} returns (closing the session with 1000, or
 * 1011 if it threw, 1001 if a receive timeout escaped it). When the server {@linkplain
 * org.concurrence.http.server.HttpServer#stop stops}, the session sends a close with 1001 ("server stopping") and
 * ends with the client's answer; a send after that close throws {@link WebSocketClosedException}.
 *
 * <p>Thread-safety: as {@link Endpoint}: any tasklet of the connection's dispatcher sends, one at a time receives.
 */
public final class Session extends Endpoint {
    private static final String SERVER_STOPPING = "server stopping";
    private final Request request;

    Session(Response.UpgradedConnection connection, Request request, WebSocketOptions options, String subprotocol,
            boolean deflate) {
        super(new Upgraded(connection), Role.SERVER, options, subprotocol, deflate);
        this.request = request;
        connection.onServerStop(() -> closeWithoutWaiting(CloseCodes.GOING_AWAY, SERVER_STOPPING));
    }

    /** The opening handshake's request: its path, query, headers (cookies), attributes. */
    public Request request() {
        return request;
    }

    /** After the handler: closes with 1000, 1011 if it threw, 1001 if a receive timed out and it let that out. */
    void finish(Throwable failure) {
        if (isClosed()) {
            return;
        }
        if (failure == null) {
            close(CloseCodes.NORMAL, "");
        } else if (failure instanceof DeadlineExceededException) {
            close(CloseCodes.GOING_AWAY, "timed out");
        } else {
            close(CloseCodes.INTERNAL_ERROR, "internal error");
        }
    }

    @Override
    public String toString() {
        return "WebSocket session " + request.path() + " with " + remoteAddress();
    }

    /** The server's upgraded connection as a transport: it stays open until the session handler returns. */
    private record Upgraded(Response.UpgradedConnection connection) implements Transport {
        @Override
        public Source input() {
            return connection;
        }

        @Override
        public Sink output() {
            return connection;
        }

        @Override
        public Duration idleTimeout() {
            return connection.idleTimeout();
        }

        @Override
        public Duration writeTimeout() {
            return connection.writeTimeout();
        }

        @Override
        public SocketAddress remoteAddress() {
            return connection.remoteAddress();
        }

        @Override
        public void sessionEnded() {
            // The server ends the connection when the session handler returns.
        }
    }
}
