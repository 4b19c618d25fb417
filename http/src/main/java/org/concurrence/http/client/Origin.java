package org.concurrence.http.client;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * Where a request goes: scheme, host and port (RFC 6454). The {@link HttpClient} pools connections per origin, and
 * its errors name the origin they concern.
 *
 * <p>Immutable; thread-safe.
 *
 * @param scheme {@code http} or {@code https}, in lower case
 * @param host   a host name or an IP address literal (an IPv6 literal without brackets), in lower case
 * @param port   1 to 65535
 */
public record Origin(String scheme, String host, int port) {

    public Origin {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(host, "host");
        scheme = scheme.toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("the HTTP client speaks http and https, not " + scheme);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("an origin needs a host");
        }
        host = host.toLowerCase(Locale.ROOT);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range 1..65535: " + port);
        }
    }

    /**
     * The origin of an absolute {@code http} or {@code https} URI; without a port, 80 or 443.
     *
     * @throws IllegalArgumentException if the URI is relative, of another scheme, or has no host
     */
    public static Origin of(URI uri) {
        if (uri.getScheme() == null || uri.getHost() == null) {
            throw new IllegalArgumentException("not an absolute http or https URI with a host: " + uri);
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        return new Origin(scheme, uri.getHost(), port);
    }

    /** Whether connections to this origin use TLS. */
    public boolean isSecure() {
        return scheme.equals("https");
    }

    /**
     * The Host field for requests to this origin: the host (an IPv6 literal in brackets), and the port if it is not
     * the scheme's default.
     */
    public String authority() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        boolean defaultPort = port == (isSecure() ? 443 : 80);
        return defaultPort ? h : h + ":" + port;
    }

    /** {@code host:port} with the port always shown (an IPv6 literal in brackets): a CONNECT request's target. */
    String hostAndPort() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** The address to connect to, unresolved: the socket looks the name up off the dispatcher. */
    InetSocketAddress address() {
        return InetSocketAddress.createUnresolved(host, port);
    }

    /** {@code https://example.com:443}: the port always shown. */
    @Override
    public String toString() {
        return scheme + "://" + hostAndPort();
    }
}
