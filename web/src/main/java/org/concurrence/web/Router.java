package org.concurrence.web;

import java.util.Objects;
import java.util.Set;
import org.concurrence.http.Handler;
import org.concurrence.http.Method;
import org.concurrence.http.Request;
import org.concurrence.http.Response;
import org.concurrence.http.Status;

/**
 * Dispatches requests by method and path template to handlers; built once with {@link #builder()}, then shared.
 *
 * <pre>{@code
 * Router router = Router.builder()
 *         .filter(new JsonFilter())                                  // every request, matched or not
 *         .get("/users/{id}", users::show)
 *         .post("/users", users::create, rateLimit)                  // a route filter
 *         .group("/admin", admin -> admin
 *                 .filter(requireAdmin)                              // the group's filter
 *                 .delete("/users/{id}", users::delete))
 *         .mount("/static", StaticFiles.of(Path.of("public")))
 *         .build();
 * }</pre>
 *
 * <p><b>Matching.</b> On the decoded {@link Request#path()}: segment by segment, a literal beats a parameter, which
 * beats a catch-all; the first template in that order that has a route for the method wins, so {@code /users/me}
 * beats {@code /users/{id}} and {@code /users/{id}/posts} is still found for {@code /users/me/posts}. A percent-encoded
 * slash decodes to a slash and so separates segments; a handler that must tell them apart reads
 * {@link Request#rawPath()}. Route parameters reach the handler as {@link Request#pathParam(String)}, and the template
 * that matched as the attribute {@link #ROUTE} (for logs and metrics).
 *
 * <p><b>Answers the router gives itself.</b>
 * <ul>
 * <li>No template matches the path: 404 (or the {@linkplain Builder#notFound not-found handler}).
 * <li>Trailing slash: templates are exact ({@code /users} is not {@code /users/}). A GET or HEAD whose path matches
 *     nothing but would match with the trailing slash added or removed gets a 308 redirect there (query kept); other
 *     methods get 404. So links work either way, yet each resource has one URL. No redirect (404 instead) when the
 *     slash is percent-encoded, or when the target would read as another host ({@code /\evil.example/} is
 *     {@code //evil.example} to a browser).
 * <li>A template matches but has no route for the method: 405 with an {@code Allow} header.
 * <li>HEAD is served by the GET route unless a HEAD route exists; the server sends the headers (with the GET body's
 *     length) and no body.
 * <li>OPTIONS without an OPTIONS route: 204 with {@code Allow}; {@code OPTIONS *} lists every method routed.
 * </ul>
 *
 * <p><b>Filter order</b>, outermost first: the router's filters (in the order added; they also see the 404, 405 and
 * OPTIONS answers above), then the filters of the enclosing groups from the outermost group in, then the route's own
 * filters in the order given, then the handler — as in the original, where a controller's filters ran outside its
 * actions' filters and the top decorator outermost.
 *
 * <p><b>Blocking and thread-safety.</b> Matching never blocks and allocates little (a fully literal path is one map
 * lookup); handlers and filters block as they like (see {@link Handler}). A built router is immutable and safe to call
 * from tasklets of every dispatcher at once.
 */
public final class Router implements Handler {
    /** The template of the route that matched, e.g. {@code /users/{id}}; set on requests a route handles. */
    public static final Request.Attribute<String> ROUTE = new Request.Attribute<>("route");

    private final RouteTree tree;
    private final Handler notFound;
    private final Handler dispatch;

    private Router(Builder b) {
        this.tree = new RouteTree();
        b.routes.forEach(tree::add);
        this.notFound = b.notFound;
        this.dispatch = Routes.wrap(b.filters, this::dispatch);
    }

    /** A builder with no routes. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Response handle(Request request) throws Exception {
        return dispatch.handle(request);
    }

    private Response dispatch(Request request) throws Exception {
        Method method = request.method();
        String path = request.path();
        RouteTree.Match match = tree.find(method, path);
        if (match != null) {
            Route route = match.route();
            String[] names = route.paramNames();
            return route.handler().handle(new RoutedRequest(request, route.template().text(), names, match.values()));
        }
        Set<String> allowed = tree.allowed(path);
        if (allowed.isEmpty() && !path.equals("*")) {
            return notFound(request, method, path);
        }
        String allow = allowHeader(allowed);
        if (method.equals(Method.OPTIONS)) {
            return Response.builder(Status.NO_CONTENT).header("Allow", allow).build();
        }
        return Response.builder(Status.METHOD_NOT_ALLOWED)
                .header("Allow", allow)
                .body("method " + method + " is not allowed for " + path + "; allowed: " + allow)
                .build();
    }

    private Response notFound(Request request, Method method, String path) throws Exception {
        if ((method.equals(Method.GET) || method.equals(Method.HEAD)) && path.length() > 1 && path.startsWith("/")) {
            String other = path.endsWith("/") ? path.substring(0, path.length() - 1) : path + "/";
            String raw = request.rawPath();
            String location = raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw + "/";
            if (raw.endsWith("/") == path.endsWith("/") && !leavesTheSite(location)
                    && tree.find(method, other) != null) {
                if (!request.rawQuery().isEmpty()) {
                    location += "?" + request.rawQuery();
                }
                return Response.redirect(Status.PERMANENT_REDIRECT, location);
            }
        }
        if (notFound != null) {
            return notFound.handle(request);
        }
        return Response.text(Status.NOT_FOUND, "no route for " + path);
    }

    /**
     * Whether a browser would read {@code location} as another host: {@code //host} is network-path relative, and
     * browsers take a backslash for a slash, so {@code /\host} is too.
     */
    private static boolean leavesTheSite(String location) {
        return location.length() > 1 && (location.charAt(1) == '/' || location.charAt(1) == '\\');
    }

    private static String allowHeader(Set<String> allowed) {
        StringBuilder sb = new StringBuilder();
        for (String m : allowed) {
            sb.append(m).append(", ");
        }
        if (!allowed.contains("OPTIONS")) {
            sb.append("OPTIONS, ");
        }
        return sb.substring(0, sb.length() - 2);
    }

    /**
     * Builds a {@link Router}: register routes, groups and filters (see {@link Routes}), then {@link #build()}.
     * Not thread-safe.
     */
    public static final class Builder extends Routes<Builder> {
        private Handler notFound;

        private Builder() {
            super("");
        }

        /**
         * Answers requests whose path no template matches (the default answers 404 with a short text). Runs inside
         * the router's filters.
         */
        public Builder notFound(Handler handler) {
            this.notFound = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * The router; this builder may be changed and built again without affecting it.
         *
         * @throws IllegalArgumentException if two routes have the same method and the same shape (names aside)
         */
        public Router build() {
            return new Router(this);
        }
    }
}
