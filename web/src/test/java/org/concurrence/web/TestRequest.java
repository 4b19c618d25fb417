package org.concurrence.web;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URLDecoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.concurrence.http.Headers;
import org.concurrence.http.HttpException;
import org.concurrence.http.Method;
import org.concurrence.http.Parameters;
import org.concurrence.http.Request;
import org.concurrence.http.RequestBody;
import org.concurrence.http.Status;
import org.concurrence.http.Version;

/** A request built in a test, as the server would hand it to a handler. Not thread-safe. */
public final class TestRequest implements Request {
    /** The limit of {@link RequestBody#bytes()}, as the server's maxBufferedBodySize. */
    public static final int MAX_BUFFERED = 1024 * 1024;

    private final Method method;
    private final String target;
    private final String rawPath;
    private final String rawQuery;
    private final Headers headers;
    private final Body body;
    private final Map<Attribute<?>, Object> attributes = new HashMap<>();

    private TestRequest(Method method, String target, Headers headers, long length, InputStream in) {
        this.method = method;
        this.target = target;
        int q = target.indexOf('?');
        this.rawPath = q < 0 ? target : target.substring(0, q);
        this.rawQuery = q < 0 ? "" : target.substring(q + 1);
        this.headers = headers.readOnly();
        this.body = new Body(length, in);
    }

    public static TestRequest get(String target, String... headers) {
        return of(Method.GET, target, headers);
    }

    public static TestRequest of(Method method, String target, String... headers) {
        return new TestRequest(method, target, Headers.of(headers), 0, InputStream.nullInputStream());
    }

    public static TestRequest withBody(Method method, String target, byte[] body, String... headers) {
        return new TestRequest(method, target, Headers.of(headers), body.length, new ByteArrayInputStream(body));
    }

    public static TestRequest withBody(Method method, String target, String body, String... headers) {
        return withBody(method, target, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    /** A request whose body is {@code in}, of unknown length (as chunked). */
    public static TestRequest withStream(Method method, String target, InputStream in, String... headers) {
        return new TestRequest(method, target, Headers.of(headers), -1, in);
    }

    @Override
    public Method method() {
        return method;
    }

    @Override
    public String target() {
        return target;
    }

    @Override
    public String path() {
        return URLDecoder.decode(rawPath.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    @Override
    public String rawPath() {
        return rawPath;
    }

    @Override
    public String rawQuery() {
        return rawQuery;
    }

    @Override
    public Parameters queryParams() {
        return Parameters.parse(rawQuery);
    }

    @Override
    public Version version() {
        return Version.HTTP_1_1;
    }

    @Override
    public Headers headers() {
        return headers;
    }

    @Override
    public RequestBody body() {
        return body;
    }

    @Override
    public SocketAddress remoteAddress() {
        return new InetSocketAddress("127.0.0.1", 40000);
    }

    @Override
    public SocketAddress localAddress() {
        return new InetSocketAddress("127.0.0.1", 8080);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T attribute(Attribute<T> key) {
        return (T) attributes.get(key);
    }

    @Override
    public <T> void setAttribute(Attribute<T> key, T value) {
        if (value == null) {
            attributes.remove(key);
        } else {
            attributes.put(key, value);
        }
    }

    private record Body(long length, InputStream stream) implements RequestBody {
        @Override
        public byte[] bytes() throws IOException {
            byte[] b = stream.readNBytes(MAX_BUFFERED + 1);
            if (b.length > MAX_BUFFERED) {
                throw new HttpException(Status.CONTENT_TOO_LARGE, "body larger than " + MAX_BUFFERED + " bytes");
            }
            return b;
        }

        @Override
        public String text() throws IOException {
            return text(StandardCharsets.UTF_8);
        }

        @Override
        public String text(Charset charset) throws IOException {
            return new String(bytes(), charset);
        }

        @Override
        public void discard() throws IOException {
            stream.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }
}
