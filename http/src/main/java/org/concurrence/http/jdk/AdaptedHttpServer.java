package org.concurrence.http.jdk;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.concurrence.http.server.HttpServerOptions;

/**
 * A {@link HttpServer} whose exchanges are served by Concurrence's {@link org.concurrence.http.server.HttpServer}.
 *
 * <p>{@link #bind} listens at once (so {@link #getAddress()} tells the port chosen for port 0, as with the JDK's
 * server), but requests wait until {@link #start()}, as they would in the listen queue.
 *
 * <p>Thread-safety: every method may be called from any thread.
 */
final class AdaptedHttpServer extends HttpServer {
    private final ServerCore core = new ServerCore(this, "HttpServer", HttpServerOptions.defaults());

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
        return "HttpServer[concurrence, " + getAddress() + "]";
    }
}
