package org.concurrence.http.proxy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.concurrence.http.Headers;
import org.concurrence.http.Request;
import org.concurrence.http.wire.MessageSyntax;

/**
 * Which fields a {@link ReverseProxy} adds to tell the upstream who the client is and what it asked for; {@code Via}
 * is added in every case.
 *
 * <ul>
 *   <li>{@code X-Forwarded-For} gets the client's address appended to what earlier proxies put there;
 *       {@code X-Forwarded-Proto} ({@code http} or {@code https}) and {@code X-Forwarded-Host} (the client's
 *       {@code Host}) are set by the proxy, replacing whatever the client sent.</li>
 *   <li>{@code Forwarded} (RFC 7239) gets one element appended to the earlier ones:
 *       {@code for=192.0.2.7;proto=https;host=example.com}, an IPv6 address as {@code for="[2001:db8::7]"}, values
 *       that are not tokens quoted.</li>
 * </ul>
 * A chain's earlier entries come from whoever sent the request: an upstream trusts only the entries its own proxies
 * appended (the last ones).
 */
public enum Forwarding {
    /** Only {@code Via}. */
    NONE,
    /** The {@code X-Forwarded-*} fields: what most servers and frameworks read. The default. */
    X_FORWARDED,
    /** The standard {@code Forwarded} field (RFC 7239). */
    FORWARDED,
    /** Both. */
    BOTH;

    private boolean xForwarded() {
        return this == X_FORWARDED || this == BOTH;
    }

    private boolean forwarded() {
        return this == FORWARDED || this == BOTH;
    }

    /** Whether the client's own field {@code name} is dropped because the proxy sets it (or appends to it) itself. */
    boolean setsItself(String name) {
        return (xForwarded() && (name.equalsIgnoreCase("X-Forwarded-Proto")
                || name.equalsIgnoreCase("X-Forwarded-Host") || name.equalsIgnoreCase("X-Forwarded-For")))
                || (forwarded() && name.equalsIgnoreCase("Forwarded"));
    }

    /** Adds this choice's fields for {@code request} (whose fields are {@code in}) to {@code out}. */
    void addTo(Headers out, Request request, Headers in) {
        InetAddress client = request.remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
        String proto = request.tlsSession().isPresent() ? "https" : "http";
        String host = in.get("Host");
        if (xForwarded()) {
            List<String> earlier = in.all("X-Forwarded-For");
            if (client != null) {
                out.add("X-Forwarded-For", ReverseProxy.joined(earlier, client.getHostAddress()));
            } else if (!earlier.isEmpty()) {
                out.add("X-Forwarded-For", String.join(", ", earlier));
            }
            out.add("X-Forwarded-Proto", proto);
            if (host != null) {
                out.add("X-Forwarded-Host", host);
            }
        }
        if (forwarded()) {
            String node = client == null ? "unknown" : client instanceof Inet6Address
                    ? "\"[" + client.getHostAddress() + "]\"" : client.getHostAddress();
            String element = "for=" + node + ";proto=" + proto + (host != null ? ";host=" + value(host) : "");
            out.add("Forwarded", ReverseProxy.joined(in.all("Forwarded"), element));
        }
    }

    /** {@code text} as an RFC 7239 value: as it is if it is a token, else a quoted string. */
    static String value(String text) {
        if (!text.isEmpty() && text.chars().allMatch(c -> c < 0x80 && MessageSyntax.isTokenChar((byte) c))) {
            return text;
        }
        StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                quoted.append('\\');
            }
            quoted.append(c);
        }
        return quoted.append('"').toString();
    }
}
