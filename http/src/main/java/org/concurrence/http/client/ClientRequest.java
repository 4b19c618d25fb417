package org.concurrence.http.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.concurrence.http.Headers;
import org.concurrence.http.Method;
import org.concurrence.io.Source;

/**
 * A request for {@link HttpClient#send}: method, absolute URI, header fields and body. Immutable: the {@code with...}
 * methods return new requests, so one request may be sent many times, from any tasklet.
 * <pre>{@code
 * ClientRequest get = ClientRequest.get("https://example.com/items?page=2").withHeader("Accept", "application/json");
 * ClientRequest post = ClientRequest.post(uri, ClientRequest.Body.of(json, "application/json"));
 * ClientRequest upload = ClientRequest.put(uri, ClientRequest.Body.ofStream(-1, in));   // chunked
 * }</pre>
 *
 * <p>The client frames the body: Content-Length when its length is known, chunked when it is not, so the fields may
 * not hold Content-Length or Transfer-Encoding (the constructor refuses them). It adds Host (unless the fields set one,
 * as a proxy may), User-Agent (unless set) and the body's Content-Type (unless set). {@code Connection: close} is
 * honoured: the connection is closed after the response. {@code Expect: 100-continue} makes the client send the head,
 * wait for the interim 100 (at most {@link HttpClientOptions#expectContinueTimeout()}), and send the body only then.
 *
 * @param method  the method
 * @param uri     an absolute {@code http} or {@code https} URI; its fragment is not sent
 * @param headers the fields to send, copied and frozen
 * @param body    what to send; {@link Body#empty()} for none
 */
public record ClientRequest(Method method, URI uri, Headers headers, Body body) {

    public ClientRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(body, "body");
        Origin.of(uri); // an absolute http(s) URI with a host, or IllegalArgumentException
        headers = headers.isReadOnly() ? headers : Headers.copyOf(headers).readOnly();
        if (headers.contains("Content-Length") || headers.contains("Transfer-Encoding")) {
            throw new IllegalArgumentException("the client frames the body itself: remove Content-Length and "
                    + "Transfer-Encoding from the request's headers (" + method + " " + uri + ")");
        }
    }

    /** A request with no fields of its own and no body. */
    public static ClientRequest of(Method method, URI uri) {
        return new ClientRequest(method, uri, new Headers(0).readOnly(), Body.empty());
    }

    /** {@code GET uri}. */
    public static ClientRequest get(URI uri) {
        return of(Method.GET, uri);
    }

    /** {@code GET uri}; throws {@link IllegalArgumentException} for a malformed URI. */
    public static ClientRequest get(String uri) {
        return get(URI.create(uri));
    }

    /** {@code HEAD uri}. */
    public static ClientRequest head(URI uri) {
        return of(Method.HEAD, uri);
    }

    /** {@code DELETE uri}. */
    public static ClientRequest delete(URI uri) {
        return of(Method.DELETE, uri);
    }

    /** {@code POST uri} with {@code body}. */
    public static ClientRequest post(URI uri, Body body) {
        return of(Method.POST, uri).withBody(body);
    }

    /** {@code PUT uri} with {@code body}. */
    public static ClientRequest put(URI uri, Body body) {
        return of(Method.PUT, uri).withBody(body);
    }

    /** This request with the field {@code name: value} added to its fields. */
    public ClientRequest withHeader(String name, String value) {
        return new ClientRequest(method, uri, Headers.copyOf(headers).add(name, value), body);
    }

    /** This request with {@code fields} instead of its own. */
    public ClientRequest withHeaders(Headers fields) {
        return new ClientRequest(method, uri, fields, body);
    }

    /** This request with {@code newBody}. */
    public ClientRequest withBody(Body newBody) {
        return new ClientRequest(method, uri, headers, newBody);
    }

    /** This request with another method (its fields and body kept). */
    public ClientRequest withMethod(Method newMethod) {
        return new ClientRequest(newMethod, uri, headers, body);
    }

    /** This request to another URI (its fields and body kept). */
    public ClientRequest withUri(URI newUri) {
        return new ClientRequest(method, newUri, headers, body);
    }

    /** This request asking for {@code 100 Continue} before its body is sent: {@code Expect: 100-continue}. */
    public ClientRequest withExpectContinue() {
        return withHeader("Expect", "100-continue");
    }

    /** The origin the request goes to. */
    public Origin origin() {
        return Origin.of(uri);
    }

    /**
     * Whether sending the request twice has the effect of sending it once (RFC 9110 §9.2.2: GET, HEAD, OPTIONS,
     * TRACE, PUT, DELETE), so that a request that failed on a stale connection may be sent again.
     */
    public boolean isIdempotent() {
        return method.equals(Method.GET) || method.equals(Method.HEAD) || method.equals(Method.OPTIONS)
                || method.equals(Method.TRACE) || method.equals(Method.PUT) || method.equals(Method.DELETE);
    }

    /** The request target in origin form: the raw path ({@code /} if empty) and query. */
    String target() {
        String path = uri.getRawPath();
        String query = uri.getRawQuery();
        String target = path == null || path.isEmpty() ? "/" : path;
        return query == null ? target : target + "?" + query;
    }

    /** {@code GET https://example.com/x}, for errors. */
    @Override
    public String toString() {
        return method + " " + uri;
    }

    /**
     * What a request sends: nothing, bytes in memory, or a stream the client pulls while it writes (Content-Length if
     * its length is given, chunked if not). A body may name its Content-Type, which is sent unless the request's
     * fields set one.
     *
     * <p>{@link Empty} and {@link Bytes} bodies are immutable (a {@code Bytes} body does not copy its array: do not
     * change it after) and may be sent any number of times; a {@link Streamed} body is consumed by its first send, so a
     * request with one is never sent again by the client (no retry on a stale connection once its body began, no
     * redirect that repeats it).
     */
    public sealed interface Body permits Body.Empty, Body.Bytes, Body.Streamed {
        /** The length in bytes; -1 if not known before writing (then chunked). */
        long length();

        /** The body's Content-Type, or null. */
        String contentType();

        /** No body. */
        static Body empty() {
            return Empty.INSTANCE;
        }

        /** {@code bytes}, not copied, with no Content-Type of its own. */
        static Body of(byte[] bytes) {
            return new Bytes(bytes, null);
        }

        /** {@code bytes}, not copied, as {@code contentType}. */
        static Body of(byte[] bytes, String contentType) {
            return new Bytes(bytes, contentType);
        }

        /** {@code text} in UTF-8 as {@code text/plain; charset=UTF-8}. */
        static Body of(String text) {
            return of(text, "text/plain; charset=UTF-8");
        }

        /** {@code text} in UTF-8 as {@code contentType} (which should say UTF-8 if it names a charset). */
        static Body of(String text, String contentType) {
            return new Bytes(text.getBytes(StandardCharsets.UTF_8), contentType);
        }

        /**
         * A body written by {@code writer} when the request is sent.
         *
         * @param length the exact number of bytes the writer will write, or -1 if not known (then chunked)
         */
        static Body ofWriter(long length, BodyWriter writer) {
            return new Streamed(length, writer, null);
        }

        /** The bytes of {@code in} to its end, closed after; {@code length} as for {@link #ofWriter}. */
        static Body ofStream(long length, InputStream in) {
            Objects.requireNonNull(in, "in");
            return ofWriter(length, out -> {
                try (in) {
                    in.transferTo(out);
                }
            });
        }

        /**
         * The bytes of {@code source} to its end (an io {@link Source}: a socket, a buffered source, another
         * response's body), read under the sending call's deadline and closed after; {@code length} as for
         * {@link #ofWriter}. A proxy forwards a body this way with flat memory.
         */
        static Body ofSource(long length, Source source) {
            Objects.requireNonNull(source, "source");
            return ofWriter(length, out -> {
                try (source) {
                    ByteBuffer buffer = ByteBuffer.allocate(8192);
                    while (source.read(buffer.clear()) >= 0) {
                        out.write(buffer.array(), 0, buffer.position());
                    }
                }
            });
        }

        /** No body. */
        enum Empty implements Body {
            INSTANCE;

            @Override
            public long length() {
                return 0;
            }

            @Override
            public String contentType() {
                return null;
            }
        }

        /**
         * Bytes held in memory.
         *
         * @param contentType the Content-Type, or null
         */
        record Bytes(byte[] bytes, String contentType) implements Body {
            public Bytes {
                Objects.requireNonNull(bytes, "bytes");
            }

            @Override
            public long length() {
                return bytes.length;
            }
        }

        /**
         * A body the client pulls from {@code writer} as it sends.
         *
         * @param length      exact length, or -1 if unknown
         * @param contentType the Content-Type, or null
         */
        record Streamed(long length, BodyWriter writer, String contentType) implements Body {
            public Streamed {
                Objects.requireNonNull(writer, "writer");
                if (length < -1) {
                    throw new IllegalArgumentException("length must be -1 (unknown) or at least 0: " + length);
                }
            }

            /** This body as {@code type}. */
            public Streamed withContentType(String type) {
                return new Streamed(length, writer, type);
            }
        }
    }

    /**
     * Writes a streamed request body. Blocking: runs in the sending tasklet, under the call's deadline; each write
     * parks it while the server is slow. Writing more or fewer bytes than a declared length fails the call (and
     * discards the connection): the server would otherwise misread what follows.
     */
    @FunctionalInterface
    public interface BodyWriter {
        /** Writes the whole body to {@code out}; do not close {@code out}. */
        void writeTo(OutputStream out) throws IOException;
    }
}
