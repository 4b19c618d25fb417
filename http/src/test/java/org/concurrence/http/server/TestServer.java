package org.concurrence.http.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import org.concurrence.core.Concurrence;
import org.concurrence.core.DispatcherGroup;
import org.concurrence.http.Handler;

/**
 * A server on a group of its own (two dispatchers on real time), for clients on plain threads: HttpClient, curl, raw
 * sockets, WebSocket clients.
 */
public final class TestServer implements AutoCloseable {
    /** The longest any single step of a test may take before it is a failure (never a synchronisation sleep). */
    public static final Duration PATIENCE = Duration.ofSeconds(20);

    final DispatcherGroup group;
    public final HttpServer server;

    private TestServer(DispatcherGroup group, HttpServer server) {
        this.group = group;
        this.server = server;
    }

    public static TestServer start(Handler handler) {
        return start(HttpServerOptions.defaults(), handler);
    }

    /** A server on {@code port} of the loopback address (one that was free a moment ago, say). */
    public static TestServer startOn(int port, Handler handler) {
        return start(HttpServerOptions.defaults(), port, handler);
    }

    public static TestServer start(HttpServerOptions options, Handler handler) {
        return start(options, 0, handler);
    }

    private static TestServer start(HttpServerOptions options, int port, Handler handler) {
        DispatcherGroup group = DispatcherGroup.start(Concurrence.Options.defaults().withDispatchers(2)
                .withName("http-test"));
        try {
            return new TestServer(group, HttpServer.start(group,
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), port), options, handler));
        } catch (IOException e) {
            group.close();
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.port();
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    /** The WebSocket URI of {@code path} on this (plain HTTP) server. */
    public URI ws(String path) {
        return URI.create("ws://127.0.0.1:" + port() + path);
    }

    RawClient connect() {
        return new RawClient(port());
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            group.close();
        }
    }
}
