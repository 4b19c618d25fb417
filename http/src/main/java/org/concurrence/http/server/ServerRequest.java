package org.concurrence.http.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLSession;
import org.concurrence.http.Headers;
import org.concurrence.http.HttpException;
import org.concurrence.http.Method;
import org.concurrence.http.Parameters;
import org.concurrence.http.Request;
import org.concurrence.http.RequestBody;
import org.concurrence.http.Status;
import org.concurrence.http.Version;
import org.concurrence.http.wire.Diagnostics;

/**
 * A request as the server hands it to the handler: the parsed head, the body, the connection's addresses. The path
 * and the query are split and decoded on first use.
 *
 * <p>Thread-safety: belongs to the tasklet handling it (see {@link Request}).
 */
final class ServerRequest implements Request {
    private final RequestHead head;
    private final RequestBody body;
    private final Transport transport;
    private String rawPath;
    private String rawQuery;
    private String path;
    private Parameters query;
    private Map<Attribute<?>, Object> attributes;

    ServerRequest(RequestHead head, RequestBody body, Transport transport) {
        this.head = head;
        this.body = body;
        this.transport = transport;
    }

    RequestHead head() {
        return head;
    }

    @Override
    public Method method() {
        return head.method();
    }

    @Override
    public String target() {
        return head.target();
    }

    @Override
    public String path() {
        if (path == null) {
            path = decodePath(rawPath());
        }
        return path;
    }

    @Override
    public String rawPath() {
        if (rawPath == null) {
            split();
        }
        return rawPath;
    }

    @Override
    public String rawQuery() {
        if (rawQuery == null) {
            split();
        }
        return rawQuery;
    }

    /** Splits the target into path and query; absolute-form loses its scheme and authority. */
    private void split() {
        String target = head.target();
        int from = 0;
        if (target.charAt(0) != '/' && !target.equals("*")) {
            int authority = target.indexOf("//") + 2;
            int slash = target.indexOf('/', authority);
            int mark = target.indexOf('?', authority);
            from = slash < 0 || (mark >= 0 && mark < slash) ? -1 : slash;
            if (from < 0) {
                rawPath = "/";
                rawQuery = mark < 0 ? "" : target.substring(mark + 1);
                return;
            }
        }
        int mark = target.indexOf('?', from);
        rawPath = mark < 0 ? target.substring(from) : target.substring(from, mark);
        rawQuery = mark < 0 ? "" : target.substring(mark + 1);
    }

    /** Percent-decodes {@code raw} as UTF-8 ({@code +} stays a plus in a path); malformed input is 400. */
    static String decodePath(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '%') {
                bytes.write(c);
                continue;
            }
            int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
            int lo = hi >= 0 ? Character.digit(raw.charAt(i + 2), 16) : -1;
            if (lo < 0) {
                throw new HttpException(Status.BAD_REQUEST, "malformed percent-encoding in the path "
                        + Diagnostics.quote(raw));
            }
            bytes.write(hi << 4 | lo);
            i += 2;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new HttpException(Status.BAD_REQUEST, "the path is not UTF-8 once decoded: "
                    + Diagnostics.quote(raw), e);
        }
    }

    @Override
    public Parameters queryParams() {
        if (query == null) {
            query = Parameters.parse(rawQuery());
        }
        return query;
    }

    @Override
    public Version version() {
        return head.version();
    }

    @Override
    public Headers headers() {
        return head.headers();
    }

    @Override
    public RequestBody body() {
        return body;
    }

    @Override
    public SocketAddress remoteAddress() {
        try {
            return transport.socket().remoteAddress();
        } catch (IOException e) {
            throw new UncheckedIOException("the connection's remote address is gone: " + transport, e);
        }
    }

    @Override
    public Optional<SSLSession> tlsSession() {
        return transport.tlsSession();
    }

    @Override
    public SocketAddress localAddress() {
        try {
            return transport.socket().localAddress();
        } catch (IOException e) {
            throw new UncheckedIOException("the connection's local address is gone: " + transport, e);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T attribute(Attribute<T> key) {
        return attributes == null ? null : (T) attributes.get(key);
    }

    @Override
    public <T> void setAttribute(Attribute<T> key, T value) {
        if (value == null) {
            if (attributes != null) {
                attributes.remove(key);
            }
            return;
        }
        if (attributes == null) {
            attributes = new HashMap<>(4);
        }
        attributes.put(key, value);
    }

    @Override
    public String toString() {
        return head.requestLine();
    }
}
