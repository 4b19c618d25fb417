package org.concurrence.http.websocket;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.concurrence.http.wire.MessageSyntax;

/**
 * How a WebSocket session is run, in either role ({@link WebSocket#accept} for a server,
 * {@link WebSocketClient#connect} for a client); immutable, built from {@link #defaults()} with the {@code with...}
 * methods.
 *
 * @param maxMessageSize longest message (text or binary, all fragments together) the peer may send: more fails the
 *                       session with 1009; default 1 MiB
 * @param closeTimeout   how long a close this side starts waits for the peer's close; default 5 s
 * @param writeTimeout   client only: how long a send without a timeout of its own waits for the server to take the
 *                       frame; default 30 s (a server's sessions use the server's write timeout)
 * @param subprotocols   server: the subprotocols it speaks, by preference; the first a client offers (in the
 *                       server's order) is selected and echoed in {@code Sec-WebSocket-Protocol}; empty (the
 *                       default): none is selected whatever the client offers. Client: the subprotocols offered, by
 *                       preference; the server may select one of them, or none. Each is a token (RFC 6455 §4.1), or
 *                       the constructor throws {@link IllegalArgumentException}
 * @param origins        server only: the origins ({@code scheme://host[:port]}, compared without regard to case)
 *                       whose pages may open a session; a handshake from a browser page of another origin is 403.
 *                       Empty (the default): any. A browser sends its cookies with a WebSocket handshake from any
 *                       site, so a service that trusts cookies must list its origins, or any page could act as its
 *                       users (cross-site WebSocket hijacking). Clients that send no {@code Origin} (not browsers)
 *                       pass.
 * @param compression    server: accept the {@code permessage-deflate} extension (RFC 7692) when a client offers it
 *                       (browsers do); client: offer it. Once negotiated, messages of 256 bytes or more are sent
 *                       compressed when that makes them shorter, each on its own (no context takeover either way,
 *                       so a session holds no compressor between messages); the limit of {@code maxMessageSize}
 *                       applies to a message once decompressed. Default true
 */
public record WebSocketOptions(int maxMessageSize, Duration closeTimeout, Duration writeTimeout,
        List<String> subprotocols, List<String> origins, boolean compression) {
    public WebSocketOptions {
        if (maxMessageSize < 1) {
            throw new IllegalArgumentException("maxMessageSize must be at least 1: " + maxMessageSize);
        }
        Objects.requireNonNull(closeTimeout, "closeTimeout");
        if (closeTimeout.isNegative() || closeTimeout.isZero()) {
            throw new IllegalArgumentException("closeTimeout must be positive: " + closeTimeout);
        }
        Objects.requireNonNull(writeTimeout, "writeTimeout");
        if (writeTimeout.isNegative() || writeTimeout.isZero()) {
            throw new IllegalArgumentException("writeTimeout must be positive: " + writeTimeout);
        }
        subprotocols = List.copyOf(subprotocols);
        for (String subprotocol : subprotocols) {
            if (subprotocol.isEmpty() || !subprotocol.chars().allMatch(c -> c < 0x80
                    && MessageSyntax.isTokenChar((byte) c))) {
                throw new IllegalArgumentException("a subprotocol is a token (RFC 6455 §4.1: no spaces, commas or"
                        + " other separators), not \"" + subprotocol + "\"");
            }
        }
        origins = origins.stream().map(o -> o.strip().toLowerCase(Locale.ROOT)).toList();
    }

    /**
     * 1 MiB messages, a 5 s close, 30 s client writes, no subprotocol, any origin, compression (accepted when the
     * client offers it; offered by a client).
     */
    public static WebSocketOptions defaults() {
        return new WebSocketOptions(1024 * 1024, Duration.ofSeconds(5), Duration.ofSeconds(30), List.of(), List.of(),
                true);
    }

    public WebSocketOptions withMaxMessageSize(int maxMessageSize) {
        return new WebSocketOptions(maxMessageSize, closeTimeout, writeTimeout, subprotocols, origins, compression);
    }

    public WebSocketOptions withCloseTimeout(Duration closeTimeout) {
        return new WebSocketOptions(maxMessageSize, closeTimeout, writeTimeout, subprotocols, origins, compression);
    }

    /** A copy whose client sends wait at most {@code writeTimeout}; see {@link #writeTimeout()}. */
    public WebSocketOptions withWriteTimeout(Duration writeTimeout) {
        return new WebSocketOptions(maxMessageSize, closeTimeout, writeTimeout, subprotocols, origins, compression);
    }

    public WebSocketOptions withSubprotocols(String... subprotocols) {
        return new WebSocketOptions(maxMessageSize, closeTimeout, writeTimeout, List.of(subprotocols), origins,
                compression);
    }

    /** A copy that accepts permessage-deflate, or refuses it; see {@link #compression()}. */
    public WebSocketOptions withCompression(boolean compression) {
        return new WebSocketOptions(maxMessageSize, closeTimeout, writeTimeout, subprotocols, origins, compression);
    }

    /** A copy that lets only pages of {@code origins} open sessions; see {@link #origins()}. */
    public WebSocketOptions withOrigins(String... origins) {
        return new WebSocketOptions(maxMessageSize, closeTimeout, writeTimeout, subprotocols, List.of(origins),
                compression);
    }
}
