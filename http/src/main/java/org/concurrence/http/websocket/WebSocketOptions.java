package org.concurrence.http.websocket;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How a WebSocket session is run; immutable, built from {@link #defaults()} with the {@code with...} methods.
 *
 * @param maxMessageSize longest message (text or binary, all fragments together) a client may send: more fails the
 *                       session with 1009; default 1 MiB
 * @param closeTimeout   how long a close the server starts waits for the client's close; default 5 s
 * @param subprotocols   the subprotocols the server speaks, by preference; the first a client offers (in the
 *                       server's order) is selected and echoed in {@code Sec-WebSocket-Protocol}; empty (the
 *                       default): none is selected whatever the client offers
 * @param origins        the origins ({@code scheme://host[:port]}, compared without regard to case) whose pages may
 *                       open a session; a handshake from a browser page of another origin is 403. Empty (the
 *                       default): any. A browser sends its cookies with a WebSocket handshake from any site, so a
 *                       service that trusts cookies must list its origins, or any page could act as its users
 *                       (cross-site WebSocket hijacking). Clients that send no {@code Origin} (not browsers) pass.
 * @param compression    accept the {@code permessage-deflate} extension (RFC 7692) when a client offers it (browsers
 *                       do): messages of 256 bytes or more are then sent compressed when that makes them shorter,
 *                       each on its own (no context takeover either way, so a session holds no compressor between
 *                       messages); the limit of {@code maxMessageSize} applies to a message once decompressed.
 *                       Default true
 */
public record WebSocketOptions(int maxMessageSize, Duration closeTimeout, List<String> subprotocols,
        List<String> origins, boolean compression) {
    public WebSocketOptions {
        if (maxMessageSize < 1) {
            throw new IllegalArgumentException("maxMessageSize must be at least 1: " + maxMessageSize);
        }
        Objects.requireNonNull(closeTimeout, "closeTimeout");
        if (closeTimeout.isNegative() || closeTimeout.isZero()) {
            throw new IllegalArgumentException("closeTimeout must be positive: " + closeTimeout);
        }
        subprotocols = List.copyOf(subprotocols);
        origins = origins.stream().map(o -> o.strip().toLowerCase(Locale.ROOT)).toList();
    }

    /** 1 MiB messages, a 5 s close, no subprotocol, any origin, compression when the client offers it. */
    public static WebSocketOptions defaults() {
        return new WebSocketOptions(1024 * 1024, Duration.ofSeconds(5), List.of(), List.of(), true);
    }

    public WebSocketOptions withMaxMessageSize(int maxMessageSize) {
        return new WebSocketOptions(maxMessageSize, closeTimeout, subprotocols, origins, compression);
    }

    public WebSocketOptions withCloseTimeout(Duration closeTimeout) {
        return new WebSocketOptions(maxMessageSize, closeTimeout, subprotocols, origins, compression);
    }

    public WebSocketOptions withSubprotocols(String... subprotocols) {
        return new WebSocketOptions(maxMessageSize, closeTimeout, List.of(subprotocols), origins, compression);
    }

    /** A copy that accepts permessage-deflate, or refuses it; see {@link #compression()}. */
    public WebSocketOptions withCompression(boolean compression) {
        return new WebSocketOptions(maxMessageSize, closeTimeout, subprotocols, origins, compression);
    }

    /** A copy that lets only pages of {@code origins} open sessions; see {@link #origins()}. */
    public WebSocketOptions withOrigins(String... origins) {
        return new WebSocketOptions(maxMessageSize, closeTimeout, subprotocols, List.of(origins), compression);
    }
}
