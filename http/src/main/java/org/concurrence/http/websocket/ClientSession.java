package org.concurrence.http.websocket;

import java.net.SocketAddress;
import java.net.URI;
import java.time.Duration;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.http.Headers;
import org.concurrence.http.client.ClientUpgrade;
import org.concurrence.io.Sink;
import org.concurrence.io.Source;
import org.concurrence.sync.Event;

/**
 * One WebSocket session, client side, made by {@link WebSocketClient#connect}; what it does is in {@link Endpoint}.
 * The client's parts: frames it sends are masked, frames it receives must not be (a masked one fails the session
 * with 1002); {@link #receive()} has no bound of its own (the server speaks when it likes; the caller's deadline
 * applies, or use {@link #receive(Duration)}); a send without a timeout waits at most
 * {@link WebSocketOptions#writeTimeout()}; once the close handshake is over (either side began it) or the session
 * failed, the client closes the connection.
 *
 * <p>{@link #close()} ends it all, for try-with-resources: closes with 1000 if the session is still open (waiting at
 * most {@link WebSocketOptions#closeTimeout()} for the server's answer, read by another tasklet if one is receiving),
 * then closes the connection whatever happened.
 *
 * <p>Thread-safety: as {@link Endpoint}: any tasklet of the dispatcher that connected sends, one at a time receives;
 * {@link #close()} from one of them.
 */
public final class ClientSession extends Endpoint implements AutoCloseable {
    private final URI uri;
    private final Headers headers;
    private final ClientUpgrade connection;
    private final Duration closeTimeout;
    /** Set when the session is over: what {@link #close()} waits for while another tasklet reads the answer. */
    private final Event ended;

    ClientSession(URI uri, ClientUpgrade connection, WebSocketOptions options, String subprotocol, boolean deflate) {
        this(uri, connection, options, subprotocol, deflate, new Event("websocket-session-ended"));
    }

    private ClientSession(URI uri, ClientUpgrade connection, WebSocketOptions options, String subprotocol,
            boolean deflate, Event ended) {
        super(new Upgraded(connection, options.writeTimeout(), ended), Role.CLIENT, options, subprotocol, deflate);
        this.uri = uri;
        this.headers = connection.headers();
        this.connection = connection;
        this.closeTimeout = options.closeTimeout();
        this.ended = ended;
    }

    /** The URI connected to ({@code ws} or {@code wss}). */
    public URI uri() {
        return uri;
    }

    /** The fields of the server's 101 answer (read-only): cookies it set, its own extras. */
    public Headers headers() {
        return headers;
    }

    /**
     * Closes with 1000 unless the session is closed already (see {@link #close(int, String)}), then closes the
     * connection. Idempotent; never throws.
     */
    @Override
    public void close() {
        try {
            if (!isClosed()) {
                close(CloseCodes.NORMAL, "");
                // If another tasklet is receiving, close() left the server's answer to it: closing the connection now
                // would fail its receive with a broken connection instead of the close.
                ended.await(closeTimeout);
            }
        } catch (DeadlineExceededException e) {
            // No answer in time: the connection is closed all the same.
        } finally {
            connection.close();
        }
    }

    @Override
    public String toString() {
        return "WebSocket session with " + uri;
    }

    /** The client's upgraded connection as a transport: closed as soon as the session is over. */
    private record Upgraded(ClientUpgrade connection, Duration writeTimeout, Event ended) implements Transport {
        @Override
        public Source input() {
            return connection.input();
        }

        @Override
        public Sink output() {
            return connection.output();
        }

        @Override
        public Duration idleTimeout() {
            return null; // the server speaks when it likes: a receive waits under the caller's deadline
        }

        @Override
        public SocketAddress remoteAddress() {
            return connection.remoteAddress();
        }

        @Override
        public void sessionEnded() {
            connection.close();
            ended.set();
        }
    }
}
