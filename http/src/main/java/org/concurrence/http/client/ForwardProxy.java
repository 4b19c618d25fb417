package org.concurrence.http.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * The HTTP proxy an {@link HttpClient} goes through ({@link HttpClientOptions#withProxy}), as a crawler behind a
 * corporate or rotating proxy needs. A plain {@code http} request goes to the proxy in absolute form
 * ({@code GET http://host/path HTTP/1.1}) on a connection kept for its origin; an {@code https} one goes through a
 * {@code CONNECT host:port} tunnel, and TLS runs end to end with the origin inside it (the proxy sees neither the
 * request nor the answer). Connecting to the proxy, the tunnel and the TLS handshake together take at most the
 * client's connect timeout.
 *
 * <p>Which origins go through a proxy is the {@link ProxySelector}'s call: the first {@link Proxy.Type#HTTP HTTP}
 * proxy it gives for {@code http://host:port} or {@code https://host:port} is used, {@link Proxy#NO_PROXY DIRECT}
 * connects directly; a SOCKS proxy fails the call. {@link ProxySelector#getDefault()} reads the JVM's
 * {@code http.proxyHost} / {@code https.proxyHost} / {@code http.nonProxyHosts} properties.
 *
 * <p>A proxy that refuses a tunnel fails the call with an {@link IOException} naming the proxy and its status
 * ({@code 407 Proxy Authentication Required}, say); for a plain request its answer is the response, as any other.
 *
 * <p>Immutable and thread-safe if the selector is.
 *
 * @param selector      chooses the proxy for each origin
 * @param authorization the {@code Proxy-Authorization} value sent to the proxy with every plain request and tunnel,
 *                      or null for none (see {@link #withBasicAuthentication})
 */
public record ForwardProxy(ProxySelector selector, String authorization) {
    public ForwardProxy {
        Objects.requireNonNull(selector, "selector");
        if (authorization != null && !authorization.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("a Proxy-Authorization value must be printable ASCII");
        }
    }

    /** Every origin through the proxy at {@code address}. */
    public static ForwardProxy at(InetSocketAddress address) {
        return new ForwardProxy(ProxySelector.of(Objects.requireNonNull(address, "address")), null);
    }

    /** The origins {@code selector} sends to a proxy, through it. */
    public static ForwardProxy of(ProxySelector selector) {
        return new ForwardProxy(selector, null);
    }

    /**
     * A copy that sends {@code Proxy-Authorization: Basic ...} with {@code user} and {@code password} (UTF-8).
     *
     * @throws IllegalArgumentException if {@code user} has a colon (the proxy would split the credentials there), or
     *                                  either has a control character (RFC 7617 §2)
     */
    public ForwardProxy withBasicAuthentication(String user, String password) {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (user.indexOf(':') >= 0) {
            throw new IllegalArgumentException("a Basic user-id has no colon (RFC 7617 §2): the proxy would split the"
                    + " credentials there");
        }
        if ((user + password).chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("a Basic user-id or password has no control characters (RFC 7617 §2)");
        }
        String credentials = user + ":" + password;
        return new ForwardProxy(selector, "Basic "
                + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * The proxy for {@code origin}, or null to connect directly.
     *
     * @throws IOException if the selector chose a SOCKS proxy, which this client does not speak
     */
    InetSocketAddress select(Origin origin) throws IOException {
        List<Proxy> proxies = selector.select(uri(origin));
        for (Proxy proxy : proxies == null ? List.<Proxy>of() : proxies) {
            switch (proxy.type()) {
                case DIRECT -> {
                    return null;
                }
                case HTTP -> {
                    if (proxy.address() instanceof InetSocketAddress address) {
                        return address;
                    }
                }
                case SOCKS -> throw new IOException("the proxy chosen for " + origin + " is a SOCKS proxy ("
                        + proxy.address() + "), which this client does not speak; only HTTP proxies");
            }
        }
        return null;
    }

    /** How {@code origin} is put to the selector: {@code http://host[:port]}. */
    static URI uri(Origin origin) {
        return URI.create((origin.isSecure() ? "https://" : "http://") + origin.authority());
    }

    @Override
    public String toString() {
        return "ForwardProxy[" + selector + (authorization != null ? ", with authorization" : "") + "]";
    }
}
