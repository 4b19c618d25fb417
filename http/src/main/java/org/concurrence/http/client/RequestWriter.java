package org.concurrence.http.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.concurrence.http.Headers;
import org.concurrence.http.Method;
import org.concurrence.http.wire.FramedOutput;
import org.concurrence.io.BufferedSink;

/**
 * Writes a request into a connection's buffered writer (RFC 9112 §3): the request line in origin form, Host,
 * User-Agent, Accept-Encoding (if the client decodes) and Content-Type unless the request sets them, the framing fields the body calls for, the request's own
 * fields; then the body, framed. Nothing is flushed here: the caller flushes once, so a small request leaves in one
 * write.
 *
 * <p>Blocking: writing parks the tasklet only when the writer's buffer fills (a large body), under the current
 * deadline. Stateless; thread-safe.
 */
final class RequestWriter {
    private RequestWriter() {}

    /**
     * Writes the request line and the fields, through the empty line; {@code cookies} (the client's, or null) go in
     * the request's own Cookie field, after its value, or in one of their own.
     */
    static void head(BufferedSink out, ClientRequest request, String cookies, HttpClientOptions options)
            throws IOException {
        head(out, request, cookies, options, false);
    }

    /**
     * As above; {@code toProxy}: the connection goes to a forward proxy, so the target is in absolute form
     * ({@code http://host/path}) and the proxy's authorization goes along (RFC 9112 §3.2.2).
     */
    static void head(BufferedSink out, ClientRequest request, String cookies, HttpClientOptions options,
            boolean toProxy) throws IOException {
        Headers fields = request.headers();
        ClientRequest.Body body = request.body();
        StringBuilder head = new StringBuilder(128 + fields.size() * 32);
        head.append(request.method().name()).append(' ');
        if (toProxy) {
            head.append(request.origin().scheme()).append("://").append(request.origin().authority());
        }
        head.append(request.target()).append(" HTTP/1.1\r\n");
        if (!fields.contains("Host")) {
            field(head, "Host", request.origin().authority());
        }
        if (toProxy && options.proxy().authorization() != null && !fields.contains("Proxy-Authorization")) {
            field(head, "Proxy-Authorization", options.proxy().authorization());
        }
        if (options.userAgent() != null && !fields.contains("User-Agent")) {
            field(head, "User-Agent", options.userAgent());
        }
        if (options.decompress() && !fields.contains("Accept-Encoding")) {
            field(head, "Accept-Encoding", ContentCoding.ACCEPT);
        }
        long length = body.length();
        if (length > 0 || (length == 0 && expectsBody(request.method()))) {
            field(head, "Content-Length", Long.toString(length));
        } else if (length < 0) {
            field(head, "Transfer-Encoding", "chunked");
        }
        if (body.contentType() != null && !fields.contains("Content-Type")) {
            field(head, "Content-Type", body.contentType());
        }
        if (cookies != null && !fields.contains("Cookie")) {
            field(head, "Cookie", cookies);
        }
        for (int i = 0; i < fields.size(); i++) {
            String name = fields.name(i);
            if (cookies != null && name.equalsIgnoreCase("Cookie")) {
                field(head, name, fields.value(i) + "; " + cookies); // one Cookie field (RFC 6265 §5.4)
                cookies = null;
            } else {
                field(head, name, fields.value(i));
            }
        }
        head.append("\r\n");
        out.writeString(head.toString(), StandardCharsets.ISO_8859_1);
    }

    /**
     * Writes the body, framed as {@link #head} announced it.
     *
     * @throws IOException if a streamed body's writer fails or writes another length than it declared; the
     *                     connection is then unusable
     */
    static void body(BufferedSink out, ClientRequest.Body body) throws IOException {
        switch (body) {
            case ClientRequest.Body.Empty _ -> { }
            case ClientRequest.Body.Bytes bytes -> out.write(bytes.bytes());
            case ClientRequest.Body.Streamed streamed -> {
                SinkTarget target = new SinkTarget(out);
                FramedOutput stream = streamed.length() < 0 ? FramedOutput.chunked(target)
                        : FramedOutput.fixedLength(target, streamed.length(), "the request body's writer");
                streamed.writer().writeTo(stream);
                stream.finish();
            }
        }
    }

    /** POST, PUT and PATCH say Content-Length: 0 for an empty body (RFC 9110 §8.6); other methods say nothing. */
    private static boolean expectsBody(Method method) {
        return method.equals(Method.POST) || method.equals(Method.PUT) || method.equals(Method.PATCH);
    }

    private static void field(StringBuilder head, String name, String value) {
        head.append(name).append(": ").append(value).append("\r\n");
    }

    /** A connection's buffered writer as the target of {@link FramedOutput}. */
    private record SinkTarget(BufferedSink out) implements FramedOutput.Target {
        @Override
        public void put(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
        }

        @Override
        public void putChunkSize(int size) throws IOException {
            out.writeString(Integer.toHexString(size) + "\r\n", StandardCharsets.ISO_8859_1);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }
    }
}
