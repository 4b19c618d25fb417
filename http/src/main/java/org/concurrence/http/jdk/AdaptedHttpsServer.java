package org.concurrence.http.jdk;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.concurrence.http.server.HttpServerOptions;
import org.concurrence.io.tls.TlsOptions;

/**
 * A {@link HttpsServer} whose exchanges are served over TLS by Concurrence's
 * {@link org.concurrence.http.server.HttpServer}; handlers get {@link com.sun.net.httpserver.HttpsExchange}s.
 *
 * <p>As {@link AdaptedHttpServer} for binding, starting and stopping. The {@link HttpsConfigurator} may be set or
 * replaced at any time; each connection's handshake uses the one current then (see {@link ConfiguratorContext}), and
 * a connection made while there is none fails its handshake.
 *
 * <p>Thread-safety: every method may be called from any thread.
 */
final class AdaptedHttpsServer extends HttpsServer {
    private volatile HttpsConfigurator configurator;
    private final ServerCore core = new ServerCore(this, "HttpsServer", HttpServerOptions.defaults()
            .withTls(TlsOptions.server(ConfiguratorContext.of(() -> configurator))));

    @Override
    public void setHttpsConfigurator(HttpsConfigurator configurator) {
        this.configurator = Objects.requireNonNull(configurator, "configurator");
    }

    @Override
    public HttpsConfigurator getHttpsConfigurator() {
        return configurator;
    }

    @Override
    public void bind(InetSocketAddress address, int backlog) throws IOException {
        core.bind(address);
    }

    @Override
    public void start() {
        core.start();
    }

    @Override
    public void setExecutor(Executor executor) {
        core.setExecutor(executor);
    }

    @Override
    public Executor getExecutor() {
        return core.getExecutor();
    }

    @Override
    public void stop(int delay) {
        core.stop(delay);
    }

    @Override
    public HttpContext createContext(String path, HttpHandler handler) {
        Objects.requireNonNull(handler, "handler");
        return core.createContext(path, handler);
    }

    @Override
    public HttpContext createContext(String path) {
        return core.createContext(path, null);
    }

    @Override
    public void removeContext(String path) {
        core.removeContext(path);
    }

    @Override
    public void removeContext(HttpContext context) {
        core.removeContext(context);
    }

    @Override
    public InetSocketAddress getAddress() {
        return core.getAddress();
    }

    @Override
    public String toString() {
        return "HttpsServer[concurrence, " + getAddress() + "]";
    }
}
