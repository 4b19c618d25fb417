package org.concurrence.http.jdk;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import com.sun.net.httpserver.spi.HttpServerProvider;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The {@link HttpServerProvider} that makes {@link HttpServer#create} return a server running on Concurrence's
 * dispatchers. Found by the JDK through {@code META-INF/services}; to pick it explicitly, set the system property
 * {@code com.sun.net.httpserver.HttpServerProvider} to this class's name.
 *
 * <p>Where handlers run: called from a tasklet, the server runs on that tasklet's dispatcher group; called from a
 * plain thread, it starts a group of its own (one dispatcher per core) that its {@code stop} closes. Each exchange's
 * filters and handler run in a tasklet; an {@link java.util.concurrent.Executor} given to
 * {@link HttpServer#setExecutor} is kept and returned but not used, since tasklets already give every exchange its
 * own blocking context. The {@code backlog} argument is accepted and ignored (the listen queue is as deep as the
 * kernel allows).
 *
 * <p>HTTPS: {@link #createHttpsServer} makes a server that serves over TLS with the context and parameters of its
 * {@link com.sun.net.httpserver.HttpsConfigurator}; its handlers get {@link com.sun.net.httpserver.HttpsExchange}s.
 *
 * <p>Thread-safety: stateless; safe from any thread.
 */
public final class ConcurrenceHttpServerProvider extends HttpServerProvider {
    /** For the service loader. */
    public ConcurrenceHttpServerProvider() {}

    @Override
    public HttpServer createHttpServer(InetSocketAddress address, int backlog) throws IOException {
        AdaptedHttpServer server = new AdaptedHttpServer();
        if (address != null) {
            server.bind(address, backlog);
        }
        return server;
    }

    @Override
    public HttpsServer createHttpsServer(InetSocketAddress address, int backlog) throws IOException {
        AdaptedHttpsServer server = new AdaptedHttpsServer();
        if (address != null) {
            server.bind(address, backlog);
        }
        return server;
    }
}
