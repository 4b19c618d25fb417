package org.concurrence.http.websocket;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import org.concurrence.core.Concurrence;
import org.concurrence.core.DispatcherGroup;
import org.concurrence.http.Handler;
import org.concurrence.http.server.HttpServer;
import org.concurrence.http.server.HttpServerOptions;

/** A server on a group of its own (two dispatchers), for clients on plain threads. */
final class WsServer implements AutoCloseable {
    /** The longest any single step of a test may take before it is a failure (never a synchronisation sleep). */
    static final Duration PATIENCE = Duration.ofSeconds(20);

    final DispatcherGroup group;
    final HttpServer server;

    private WsServer(DispatcherGroup group, HttpServer server) {
        this.group = group;
        this.server = server;
    }

    static WsServer start(Handler handler) {
        return start(HttpServerOptions.defaults(), handler);
    }

    static WsServer start(HttpServerOptions options, Handler handler) {
        DispatcherGroup group = DispatcherGroup.start(Concurrence.Options.defaults().withDispatchers(2)
                .withName("ws-test"));
        try {
            return new WsServer(group, HttpServer.start(group,
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), options, handler));
        } catch (IOException e) {
            group.close();
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return server.port();
    }

    URI ws(String path) {
        return URI.create("ws://127.0.0.1:" + port() + path);
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
