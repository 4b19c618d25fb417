package org.concurrence.http;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

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
 * <p>Immutable; thread-safe.
 */
public final class Response {
    public static final String TEXT_PLAIN = "text/plain; charset=UTF-8";
    public static final String TEXT_HTML = "text/html; charset=UTF-8";

    private final Status status;
    private final Headers headers;
    private final ResponseBody body;

    private Response(Status status, Headers headers, ResponseBody body) {
        this(status, headers, body, true);
    }

    /** {@code check} false: {@code headers} are another response's, already checked and frozen. */
    private Response(Status status, Headers headers, ResponseBody body, boolean check) {
        this.status = Objects.requireNonNull(status, "status");
        this.headers = headers.readOnly();
        this.body = Objects.requireNonNull(body, "body");
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

    /** A copy with {@code status}. */
    public Response withStatus(Status status) {
        return new Response(status, headers, body, false);
    }

    /** A copy with {@code body}. */
    public Response withBody(ResponseBody body) {
        return new Response(status, headers, body, false);
    }

    /** A copy where {@code name} has only {@code value}. */
    public Response withHeader(String name, String value) {
        return new Response(status, Headers.copyOf(headers).set(name, value), body);
    }

    /** A copy with one more {@code name: value} field (for Set-Cookie, Vary, ...). */
    public Response withAddedHeader(String name, String value) {
        return new Response(status, Headers.copyOf(headers).add(name, value), body);
    }

    /** A builder starting from this response. */
    public Builder toBuilder() {
        Builder b = new Builder(status);
        b.headers = Headers.copyOf(headers);
        b.body = body;
        return b;
    }

    @Override
    public String toString() {
        return "Response[" + status + ", " + headers + ", " + body.length() + " bytes]";
    }

    /** Builds a {@link Response}; not thread-safe. */
    public static final class Builder {
        private Status status;
        private Headers headers = new Headers();
        private ResponseBody body = ResponseBody.empty();

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
            return new Response(status, Headers.copyOf(headers), body);
        }
    }
}
