package org.concurrence.http;

import java.net.SocketAddress;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * A request that passes every call to another one; subclasses override what they change (a router adds
 * {@link #pathParams()}, a filter may replace the body). Attributes are shared with the wrapped request.
 *
 * <p>Thread-safety: as for {@link Request}.
 */
public class ForwardingRequest implements Request {
    private final Request delegate;

    public ForwardingRequest(Request delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The wrapped request. */
    protected Request delegate() {
        return delegate;
    }

    @Override
    public Method method() {
        return delegate.method();
    }

    @Override
    public String target() {
        return delegate.target();
    }

    @Override
    public String path() {
        return delegate.path();
    }

    @Override
    public String rawPath() {
        return delegate.rawPath();
    }

    @Override
    public String rawQuery() {
        return delegate.rawQuery();
    }

    @Override
    public Parameters queryParams() {
        return delegate.queryParams();
    }

    @Override
    public Version version() {
        return delegate.version();
    }

    @Override
    public Headers headers() {
        return delegate.headers();
    }

    @Override
    public RequestBody body() {
        return delegate.body();
    }

    @Override
    public SocketAddress remoteAddress() {
        return delegate.remoteAddress();
    }

    @Override
    public SocketAddress localAddress() {
        return delegate.localAddress();
    }

    @Override
    public Optional<SSLSession> tlsSession() {
        return delegate.tlsSession();
    }

    @Override
    public Map<String, String> pathParams() {
        return delegate.pathParams();
    }

    @Override
    public <T> T attribute(Attribute<T> key) {
        return delegate.attribute(key);
    }

    @Override
    public <T> void setAttribute(Attribute<T> key, T value) {
        delegate.setAttribute(key, value);
    }

    @Override
    public String toString() {
        return method() + " " + target();
    }
}
