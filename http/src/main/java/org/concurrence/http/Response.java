package org.concurrence.http;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.concurrence.io.Sink;
import org.concurrence.io.Source;

/**
 * The answer to a request: a status, header fields and a {@link ResponseBody}.
 *
 * <p>A response is immutable, so one built once (a fixed greeting, a 404 page) can be returned for every request:
 * the server adds Date, Server, Content-Length or Transfer-Encoding and Connection as it writes, without changing it.
 * The {@code with...} methods return changed copies; {@link #builder(Status)} builds one in steps.
 *
 * <p>The factories set Content-Type: {@code text/plain; charset=UTF-8} for {@link #text}, {@code text/html;
 * charset=UTF-8} for {@link #html}. A handler must not set Content-Length or Transfer-Encoding: the server frames the
 * body from its {@link ResponseBody#length()}.
 *
 * <p>A {@code 101 Switching Protocols} response made by {@link #switchingProtocols} carries an {@link Upgrade}: the
 * protocol the connection speaks after the 101 (WebSocket, see {@code org.concurrence.http.websocket}). It is the
 * only 1xx status a handler may return.
 *
 * <p>Immutable; thread-safe.
 */
public final class Response {
    public static final String TEXT_PLAIN = "text/plain; charset=UTF-8";
    public static final String TEXT_HTML = "text/html; charset=UTF-8";

    private final Status status;
    private final Headers headers;
    private final ResponseBody body;
    /** What runs on the connection after a 101; null for every other response. */
    private final Upgrade upgrade;

    private Response(Status status, Headers headers, ResponseBody body) {
        this(status, headers, body, true, null);
    }

    /**
     * {@code check} false: {@code headers} are another response's, already checked and frozen. An {@code upgrade} is
     * kept only with a 101 (a filter turning the answer into an error drops it).
     */
    private Response(Status status, Headers headers, ResponseBody body, boolean check, Upgrade upgrade) {
        this.status = Objects.requireNonNull(status, "status");
        this.headers = headers.readOnly();
        this.body = Objects.requireNonNull(body, "body");
        this.upgrade = status.code() == 101 ? upgrade : null;
        if (check && (headers.contains("Content-Length") || headers.contains("Transfer-Encoding"))) {
            throw new IllegalArgumentException("Content-Length and Transfer-Encoding are set by the server from the"
                    + " body's length; do not set them on a response");
        }
    }

    /** {@code status} with no body. */
    public static Response of(Status status) {
        return new Response(status, new Headers(), ResponseBody.empty());
    }

    /** 200 with {@code text} as {@code text/plain; charset=UTF-8}. */
    public static Response ok(String text) {
        return text(Status.OK, text);
    }

    /** {@code status} with {@code text} as {@code text/plain; charset=UTF-8}. */
    public static Response text(Status status, String text) {
        return new Response(status, Headers.of("Content-Type", TEXT_PLAIN),
                new ResponseBody.Bytes(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** 200 with {@code html} as {@code text/html; charset=UTF-8}. */
    public static Response html(String html) {
        return new Response(Status.OK, Headers.of("Content-Type", TEXT_HTML),
                new ResponseBody.Bytes(html.getBytes(StandardCharsets.UTF_8)));
    }

    /** 200 with {@code body} of the given content type. */
    public static Response ok(ResponseBody body, String contentType) {
        return new Response(Status.OK, Headers.of("Content-Type", contentType), body);
    }

    /** A redirect ({@code status} 301, 302, 303, 307 or 308) to {@code location}. */
    public static Response redirect(Status status, String location) {
        if (status.code() < 300 || status.code() > 399) {
            throw new IllegalArgumentException("not a redirect status: " + status);
        }
        return new Response(status, Headers.of("Location", location), ResponseBody.empty());
    }

    /**
     * {@code 101 Switching Protocols} with {@code headers} (which must name the protocol: {@code Upgrade},
     * {@code Connection: Upgrade} and the protocol's own fields), after which the server hands the connection to
     * {@code upgrade}. For protocol implementations (see {@code org.concurrence.http.websocket.WebSocket}) rather than
     * handlers.
     *
     * <p>The server honours it only for a request that carries an {@code Upgrade} field and no body, which it runs on
     * the connection's own tasklet and claims nothing behind: after writing and flushing the 101 at the request's
     * turn, it runs {@code upgrade} on that tasklet and closes the connection when it returns. Any other request
     * answered with it gets a 500.
     */
    public static Response switchingProtocols(Headers headers, Upgrade upgrade) {
        Objects.requireNonNull(upgrade, "upgrade");
        return new Response(Status.SWITCHING_PROTOCOLS, Headers.copyOf(headers), ResponseBody.empty(), true, upgrade);
    }

    /** A builder starting from {@code status}, no headers and no body. */
    public static Builder builder(Status status) {
        return new Builder(status);
    }

    public Status status() {
        return status;
    }

    /** The handler's header fields, read-only (without the ones the server adds). */
    public Headers headers() {
        return headers;
    }

    public ResponseBody body() {
        return body;
    }

    /** What runs on the connection after this 101 (see {@link #switchingProtocols}); null for any other response. */
    public Upgrade upgrade() {
        return upgrade;
    }

    /** A copy with {@code status}; a status other than 101 drops the {@link #upgrade()}. */
    public Response withStatus(Status status) {
        return new Response(status, headers, body, false, upgrade);
    }

    /** A copy with {@code body}. */
    public Response withBody(ResponseBody body) {
        return new Response(status, headers, body, false, upgrade);
    }

    /** A copy where {@code name} has only {@code value}. */
    public Response withHeader(String name, String value) {
        return new Response(status, Headers.copyOf(headers).set(name, value), body, true, upgrade);
    }

    /** A copy with one more {@code name: value} field (for Set-Cookie, Vary, ...). */
    public Response withAddedHeader(String name, String value) {
        return new Response(status, Headers.copyOf(headers).add(name, value), body, true, upgrade);
    }

    /** A builder starting from this response. */
    public Builder toBuilder() {
        Builder b = new Builder(status);
        b.headers = Headers.copyOf(headers);
        b.body = body;
        b.upgrade = upgrade;
        return b;
    }

    @Override
    public String toString() {
        return "Response[" + status + ", " + headers + ", " + body.length() + " bytes]";
    }

    /**
     * The protocol a connection speaks after a {@code 101 Switching Protocols} response; see
     * {@link #switchingProtocols}.
     */
    @FunctionalInterface
    public interface Upgrade {
        /**
         * Speaks the new protocol over {@code connection} until done; the server closes the connection when this
         * returns or throws (a throw is logged). Runs on the connection's tasklet.
         */
        void run(UpgradedConnection connection) throws Exception;

        /**
         * Called instead of {@link #run} when the 101 is never completed — its write failed, or the connection ended
         * first — so that an upgrade holding something (a proxy's connection to its upstream) lets it go; the default
         * holds nothing. Called at most once, never after {@code run}, on the connection's tasklet; a failure is
         * logged and otherwise ignored.
         */
        default void discard() throws Exception {}
    }

    /**
     * A connection after its 101: the bytes the client sent after the upgrade request (those the server had already
     * read first), and the way back to the client, over TLS for HTTPS.
     *
     * <p>Blocking: reads and writes park the calling tasklet, under the timeout given and its deadline (the
     * {@link Source} and {@link Sink} contracts). Thread-safety: confined to the connection's dispatcher; one reader
     * and one writer at a time, which may be two tasklets. {@link #close()} is callable from any thread.
     */
    public interface UpgradedConnection extends Source, Sink {
        /** The server's idle timeout: how long a protocol should wait for the client when it has no other bound. */
        java.time.Duration idleTimeout();

        /** The server's write timeout: how long a write may wait for the client to take bytes. */
        java.time.Duration writeTimeout();

        /** The client's address. */
        java.net.SocketAddress remoteAddress();

        /**
         * Registers what the protocol does when the server begins a graceful stop (replacing an earlier action): it
         * runs once, in a new tasklet on the connection's dispatcher, at once if the stop has begun. It should lead
         * the protocol to end within the stop's grace (a WebSocket session sends a close with 1001); what still runs
         * after the grace is killed. Callable from the connection's tasklets.
         */
        void onServerStop(Runnable action);
    }

    /** Builds a {@link Response}; not thread-safe. */
    public static final class Builder {
        private Status status;
        private Headers headers = new Headers();
        private ResponseBody body = ResponseBody.empty();
        /** Kept from {@link #toBuilder()}'s response, so a filter adding fields to a 101 keeps its upgrade. */
        private Upgrade upgrade;

        private Builder(Status status) {
            this.status = Objects.requireNonNull(status, "status");
        }

        public Builder status(Status status) {
            this.status = Objects.requireNonNull(status, "status");
            return this;
        }

        /** Sets {@code name} to {@code value} alone. */
        public Builder header(String name, String value) {
            headers.set(name, value);
            return this;
        }

        /** Adds one more {@code name: value} field. */
        public Builder addHeader(String name, String value) {
            headers.add(name, value);
            return this;
        }

        /** Removes every {@code name} field. */
        public Builder removeHeader(String name) {
            headers.remove(name);
            return this;
        }

        public Builder contentType(String contentType) {
            return header("Content-Type", contentType);
        }

        public Builder body(ResponseBody body) {
            this.body = Objects.requireNonNull(body, "body");
            return this;
        }

        /** {@code text} in UTF-8; sets Content-Type to {@code text/plain; charset=UTF-8} unless one is set. */
        public Builder body(String text) {
            headers.setIfAbsent("Content-Type", TEXT_PLAIN);
            return body(ResponseBody.of(text));
        }

        public Builder body(byte[] bytes) {
            return body(ResponseBody.of(bytes));
        }

        public Response build() {
            return new Response(status, Headers.copyOf(headers), body, true, upgrade);
        }
    }
}
