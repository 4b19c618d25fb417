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
 * A {@link HttpServer} whose exchanges are served by Concurrence's {@link org.concurrence.http.server.HttpServer}.
 *
 * <p>{@link #bind} listens at once (so {@link #getAddress()} tells the port chosen for port 0, as with the JDK's
 * server), but requests wait until {@link #start()}, as they would in the listen queue.
 *
 * <p>Thread-safety: every method may be called from any thread.
 */
final class AdaptedHttpServer extends HttpServer {
    private final Contexts contexts = new Contexts(this);
    private final Event started = new Event("httpserver started");
    private volatile org.concurrence.http.server.HttpServer server;
    private volatile DispatcherGroup ownGroup;
    private volatile Executor executor;
    private volatile boolean startCalled;
    private volatile boolean stopped;

    @Override
    public synchronized void bind(InetSocketAddress address, int backlog) throws IOException {
        Objects.requireNonNull(address, "address");
        if (server != null) {
            throw new BindException("HttpServer already bound to " + server.address());
        }
        if (stopped) {
            throw new IllegalStateException("HttpServer was stopped");
        }
        DispatcherGroup group;
        Tasklet<?> current = Tasklet.currentOrNull();
        if (current != null) {
            group = current.dispatcher().group();
        } else {
            group = ownGroup = DispatcherGroup.start(Concurrence.Options.defaults().withName("httpserver"));
        }
        try {
            server = org.concurrence.http.server.HttpServer.start(group, address, HttpServerOptions.defaults(),
                    this::serve);
        } catch (IOException | RuntimeException e) {
            closeOwnGroup();
            throw e;
        }
    }

    @Override
    public synchronized void start() {
        if (server == null) {
            throw new IllegalStateException("HttpServer not bound: call bind() or create it with an address first");
        }
        if (startCalled || stopped) {
            throw new IllegalStateException("HttpServer already started");
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

    @Override
    public void setExecutor(Executor executor) {
        if (startCalled) {
            throw new IllegalStateException("server already started");
        }
        this.executor = executor;
    }

    @Override
    public Executor getExecutor() {
        return executor;
    }

    @Override
    public void stop(int delay) {
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

    @Override
    public HttpContext createContext(String path, HttpHandler handler) {
        Objects.requireNonNull(handler, "handler");
        return contexts.create(path, handler);
    }

    @Override
    public HttpContext createContext(String path) {
        return contexts.create(path, null);
    }

    @Override
    public void removeContext(String path) {
        contexts.remove(path);
    }

    @Override
    public void removeContext(HttpContext context) {
        contexts.remove(context);
    }

    @Override
    public InetSocketAddress getAddress() {
        org.concurrence.http.server.HttpServer running = server;
        return running == null ? null : (InetSocketAddress) running.address();
    }

    @Override
    public String toString() {
        return "HttpServer[concurrence, " + getAddress() + "]";
    }
}
