package org.concurrence.http.jdk;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import org.concurrence.core.Concurrence;
import org.concurrence.core.DispatcherGroup;
import org.concurrence.core.Tasklet;
import org.concurrence.http.Request;
import org.concurrence.http.Response;
import org.concurrence.http.Status;
import org.concurrence.http.server.HttpServerOptions;
import org.concurrence.sync.Event;

/**
 * What {@link AdaptedHttpServer} and {@link AdaptedHttpsServer} share: the contexts, the life cycle (bind listens at
 * once, requests wait until start, stop), and the Concurrence {@link org.concurrence.http.server.HttpServer} that
 * serves the exchanges.
 *
 * <p>Thread-safety: every method may be called from any thread.
 */
final class ServerCore {
    private final String kind;
    private final Contexts contexts;
    private final HttpServerOptions options;
    private final Event started = new Event("httpserver started");
    private volatile org.concurrence.http.server.HttpServer server;
    private volatile DispatcherGroup ownGroup;
    private volatile Executor executor;
    private volatile boolean startCalled;
    private volatile boolean stopped;

    /**
     * @param facade  the JDK server object handlers see as their context's server
     * @param kind    "HttpServer" or "HttpsServer", for messages
     * @param options how the server runs (with TLS for HTTPS)
     */
    ServerCore(HttpServer facade, String kind, HttpServerOptions options) {
        this.kind = kind;
        this.contexts = new Contexts(facade);
        this.options = options;
    }

    synchronized void bind(InetSocketAddress address) throws IOException {
        Objects.requireNonNull(address, "address");
        if (server != null) {
            throw new BindException(kind + " already bound to " + server.address());
        }
        if (stopped) {
            throw new IllegalStateException(kind + " was stopped");
        }
        DispatcherGroup group;
        Tasklet<?> current = Tasklet.currentOrNull();
        if (current != null) {
            group = current.dispatcher().group();
        } else {
            group = ownGroup = DispatcherGroup.start(Concurrence.Options.defaults().withName("httpserver"));
        }
        try {
            server = org.concurrence.http.server.HttpServer.start(group, address, options, this::serve);
        } catch (IOException | RuntimeException e) {
            closeOwnGroup();
            throw e;
        }
    }

    synchronized void start() {
        if (server == null) {
            throw new IllegalStateException(kind + " not bound: call bind() or create it with an address first");
        }
        if (startCalled || stopped) {
            throw new IllegalStateException(kind + " already started");
        }
        startCalled = true;
        started.set();
    }

    /** Every request: wait for {@link #start()}, find the context, run its filters and handler. */
    private Response serve(Request request) throws Exception {
        started.await();
        AdaptedContext context = contexts.find(request.path());
        if (context == null || context.getHandler() == null) {
            return Response.text(Status.NOT_FOUND, "<h1>404 Not Found</h1>No context found for request");
        }
        return ExchangeBridge.run(request, context);
    }

    void setExecutor(Executor executor) {
        if (startCalled) {
            throw new IllegalStateException("server already started");
        }
        this.executor = executor;
    }

    Executor getExecutor() {
        return executor;
    }

    void stop(int delay) {
        if (delay < 0) {
            throw new IllegalArgumentException("negative delay parameter");
        }
        org.concurrence.http.server.HttpServer running;
        synchronized (this) {
            stopped = true;
            running = server;
        }
        if (running != null) {
            started.set(); // requests waiting for start() are answered rather than left hanging
            running.stop(Duration.ofSeconds(delay));
        }
        closeOwnGroup();
    }

    private void closeOwnGroup() {
        DispatcherGroup group = ownGroup;
        ownGroup = null;
        if (group != null) {
            group.close();
        }
    }

    HttpContext createContext(String path, HttpHandler handler) {
        return contexts.create(path, handler);
    }

    void removeContext(String path) {
        contexts.remove(path);
    }

    void removeContext(HttpContext context) {
        contexts.remove(context);
    }

    InetSocketAddress getAddress() {
        org.concurrence.http.server.HttpServer running = server;
        return running == null ? null : (InetSocketAddress) running.address();
    }
}
