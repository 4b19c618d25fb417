package org.concurrence.http.websocket;

import java.net.SocketAddress;
import java.time.Duration;
import org.concurrence.io.Sink;
import org.concurrence.io.Source;

/**
 * What an {@link Endpoint} runs over, in either role: the server's upgraded connection, or the client's
 * {@link org.concurrence.http.client.ClientUpgrade}.
 *
 * <p>Blocking: reads and writes park the calling tasklet under the timeout given and its deadline. Thread-safety: one
 * reader and one writer at a time, on the connection's dispatcher.
 */
interface Transport {
    /** Where the peer's frames come from, starting with the bytes buffered behind the handshake. */
    Source input();

    /** Where this side's frames go. */
    Sink output();

    /** How long a receive waits when the caller gives no timeout; null for no bound but the caller's deadline. */
    Duration idleTimeout();

    /** How long a send waits for the peer to take a frame when the caller gives no timeout. */
    Duration writeTimeout();

    /** The peer's address. */
    SocketAddress remoteAddress();

    /**
     * The session is over (its close exchanged, failed, or the connection ended): a client closes its connection
     * now (RFC 6455 §7.1.1); a server's ends when its session handler returns.
     */
    void sessionEnded();
}
