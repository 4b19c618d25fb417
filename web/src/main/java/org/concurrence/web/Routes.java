package org.concurrence.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.concurrence.http.Filter;
import org.concurrence.http.Handler;
import org.concurrence.http.Method;

/**
 * Where routes are registered: the {@link Router.Builder} itself and each {@link Group} inside it. Registration is
 * functional — a handler is a lambda or a method reference ({@code users::show}); nothing is scanned.
 *
 * <p>A path template is a path whose segments may be parameters: {@code /users/{id}} captures one non-empty segment
 * as {@code id}; a last segment {@code {path...}} captures the rest of the path, slashes included, possibly empty.
 * Handlers read them with {@code request.pathParam("id")}. A parameter must be a whole segment. A trailing slash is
 * part of the template: {@code /users} and {@code /users/} are different routes (see {@link Router} for the redirect
 * between them). Inside a group, the path {@code ""} stands for the group's prefix itself.
 *
 * <p>Filters: {@link #filter} adds a filter to every route of this level (the router's filters also see requests no
 * route matched); the filters passed with a route apply to that route alone. See {@link Router} for the order.
 *
 * <p>Not thread-safe: build a router in one tasklet or thread, then share the built {@link Router}.
 *
 * @param <S> the concrete type, returned by every method so calls chain
 */
public abstract sealed class Routes<S extends Routes<S>> permits Router.Builder, Group {
    final String prefix;
    final List<Filter> filters = new ArrayList<>();
    final List<Route> routes = new ArrayList<>();

    Routes(String prefix) {
        this.prefix = prefix;
    }

    @SuppressWarnings("unchecked")
    private S self() {
        return (S) this;
    }

    /** Adds {@code filter} to this level; filters added first run outermost. */
    public S filter(Filter filter) {
        filters.add(Objects.requireNonNull(filter, "filter"));
        return self();
    }

    /** Routes GET (and so HEAD, unless a HEAD route is registered too) on {@code path} to {@code handler}. */
    public S get(String path, Handler handler, Filter... filters) {
        return route(Method.GET, path, handler, filters);
    }

    /** Routes POST on {@code path} to {@code handler}. */
    public S post(String path, Handler handler, Filter... filters) {
        return route(Method.POST, path, handler, filters);
    }

    /** Routes PUT on {@code path} to {@code handler}. */
    public S put(String path, Handler handler, Filter... filters) {
        return route(Method.PUT, path, handler, filters);
    }

    /** Routes PATCH on {@code path} to {@code handler}. */
    public S patch(String path, Handler handler, Filter... filters) {
        return route(Method.PATCH, path, handler, filters);
    }

    /** Routes DELETE on {@code path} to {@code handler}. */
    public S delete(String path, Handler handler, Filter... filters) {
        return route(Method.DELETE, path, handler, filters);
    }

    /**
     * Routes {@code method} on {@code path} to {@code handler}, with {@code filters} around it (the first outermost).
     *
     * @throws IllegalArgumentException if the template is malformed, or another route has the same method and shape
     *                                  (found when the router is built)
     */
    public S route(Method method, String path, Handler handler, Filter... filters) {
        Objects.requireNonNull(method, "method");
        add(method, path, handler, filters);
        return self();
    }

    /**
     * Hands every request under {@code prefix} — {@code prefix} itself and {@code prefix/...}, whatever the
     * method — to {@code handler}, with the rest of the path (after {@code prefix/}, possibly empty) as the path
     * parameter {@code path}. For handlers that do their own dispatch, such as
     * {@link org.concurrence.web.files.StaticFiles}. A more specific route still wins.
     */
    public S mount(String prefix, Handler handler, Filter... filters) {
        checkPrefix(prefix);
        String full = this.prefix + prefix;
        String[] name = {"path"};
        String[] empty = {""};
        add(null, prefix, request -> handler.handle(new RoutedRequest(request, full, name, empty)), filters);
        add(null, prefix + "/{path...}", handler, filters);
        return self();
    }

    /**
     * Registers the routes {@code body} adds to a group under {@code prefix}, with the group's own filters (added in
     * {@code body} with {@link #filter}) around each of them — the counterpart of the original's controller.
     * Groups nest.
     */
    public S group(String prefix, Consumer<Group> body) {
        checkPrefix(prefix);
        Objects.requireNonNull(body, "body");
        Group group = new Group(this.prefix + prefix);
        body.accept(group);
        for (Route r : group.routes) {
            routes.add(new Route(r.method(), r.template(), r.paramNames(), wrap(group.filters, r.handler())));
        }
        return self();
    }

    private void add(Method method, String path, Handler handler, Filter... routeFilters) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(handler, "handler");
        String full = prefix + path;
        if (full.isEmpty()) {
            throw new IllegalArgumentException("the path \"\" is only allowed inside a group; use \"/\"");
        }
        PathTemplate template = PathTemplate.parse(full);
        routes.add(new Route(method, template, wrap(List.of(routeFilters), handler)));
    }

    /** {@code handler} inside {@code filters}, the first outermost; no wrapper at all for no filters. */
    static Handler wrap(List<Filter> filters, Handler handler) {
        Handler h = handler;
        for (int i = filters.size() - 1; i >= 0; i--) {
            h = filters.get(i).wrap(h);
        }
        return h;
    }

    private static void checkPrefix(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        if (!prefix.startsWith("/") || prefix.endsWith("/")) {
            throw new IllegalArgumentException("a prefix starts with '/' and does not end with one: \"" + prefix
                    + "\"");
        }
    }
}
