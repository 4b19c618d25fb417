package org.concurrence.http;

import java.net.SocketAddress;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * One HTTP request as a handler sees it: the request line, the header fields and the body as a stream.
 *
 * <p>The server's requests are parsed strictly (RFC 9112) before a handler sees them: the method is a token, the
 * target is an origin-form path (or {@code *} for OPTIONS, or absolute-form), the headers are valid and frozen, and
 * the body framing is unambiguous. Routers and filters pass on a wrapped request (see {@link ForwardingRequest}) to add
 * path parameters or attributes.
 *
 * <p>Thread-safety: a request belongs to the tasklet handling it. Its attributes are not synchronized; its body is
 * read by one tasklet at a time.
 */
public interface Request {
    /** The method, e.g. {@link Method#GET}. */
    Method method();

    /** The request-target exactly as sent, e.g. {@code /search?q=tasklets}. */
    String target();

    /** The path of the target, percent-decoded as UTF-8, e.g. {@code /files/a b.txt}; never empty. */
    String path();

    /** The path of the target as sent, not decoded, e.g. {@code /files/a%20b.txt}. */
    String rawPath();

    /** The query of the target as sent (without the {@code ?}), or the empty string. */
    String rawQuery();

    /** The decoded query parameters. */
    Parameters queryParams();

    /** The first value of query parameter {@code name}, or null. */
    default String queryParam(String name) {
        return queryParams().get(name);
    }

    /** The protocol version of the request line. */
    Version version();

    /** The header fields, read-only. */
    Headers headers();

    /** The first value of header {@code name}, or null. */
    default String header(String name) {
        return headers().get(name);
    }

    /** The body; an empty one if the request has none. */
    RequestBody body();

    /** The peer's address. */
    SocketAddress remoteAddress();

    /** The address the request came in on. */
    SocketAddress localAddress();

    /**
     * The TLS session of a request that came over HTTPS (protocol, cipher suite, the client's certificates under
     * mutual TLS); empty over plain HTTP.
     */
    default Optional<SSLSession> tlsSession() {
        return Optional.empty();
    }

    /** Parameters taken from the path by a router ({@code /users/{id}} → {@code id}); empty if none. */
    default Map<String, String> pathParams() {
        return Map.of();
    }

    /**
     * The path parameter {@code name}.
     *
     * @throws IllegalArgumentException if the route has no such parameter (a programming error, named in the message)
     */
    default String pathParam(String name) {
        String value = pathParams().get(name);
        if (value == null) {
            throw new IllegalArgumentException("no path parameter \"" + name + "\" in " + pathParams().keySet()
                    + " for " + method() + " " + path());
        }
        return value;
    }

    /** The value a filter or router attached under {@code key}, or null. */
    <T> T attribute(Attribute<T> key);

    /** Attaches {@code value} (null removes it) under {@code key} for the filters and handler after this one. */
    <T> void setAttribute(Attribute<T> key, T value);

    /**
     * The key of a request attribute: identity is the key, the name is for messages.
     * {@code static final Attribute<User> USER = new Attribute<>("user");}
     */
    final class Attribute<T> {
        private final String name;

        public Attribute(String name) {
            this.name = name;
        }

        public String name() {
            return name;
        }

        @Override
        public String toString() {
            return "Attribute[" + name + "]";
        }
    }
}
