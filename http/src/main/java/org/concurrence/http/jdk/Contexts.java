package org.concurrence.http.jdk;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The contexts of one server and the JDK's rule for choosing one: the context whose path is the longest prefix of the
 * request's path. Changes are rare and lookups constant, so the list is copied on write.
 *
 * <p>Thread-safety: safe from any thread.
 */
final class Contexts {
    private final HttpServer server;
    private final CopyOnWriteArrayList<AdaptedContext> list = new CopyOnWriteArrayList<>();

    Contexts(HttpServer server) {
        this.server = server;
    }

    synchronized AdaptedContext create(String path, HttpHandler handler) {
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("Illegal value for path or protocol");
        }
        for (AdaptedContext c : list) {
            if (c.getPath().equals(path)) {
                throw new IllegalArgumentException("cannot add context to list: a context for " + path
                        + " already exists");
            }
        }
        AdaptedContext context = new AdaptedContext(server, path, handler);
        list.add(context);
        return context;
    }

    synchronized void remove(String path) {
        Objects.requireNonNull(path, "path");
        if (!list.removeIf(c -> c.getPath().equals(path))) {
            throw new IllegalArgumentException("cannot remove element from list: no context for " + path);
        }
    }

    synchronized void remove(HttpContext context) {
        Objects.requireNonNull(context, "context");
        if (!list.remove(context)) {
            throw new IllegalArgumentException("cannot remove element from list: not a context of this server");
        }
    }

    /** The context for {@code path}, or null. */
    AdaptedContext find(String path) {
        AdaptedContext best = null;
        for (AdaptedContext c : list) {
            String p = c.getPath();
            if (path.startsWith(p) && (best == null || p.length() > best.getPath().length())) {
                best = c;
            }
        }
        return best;
    }
}
