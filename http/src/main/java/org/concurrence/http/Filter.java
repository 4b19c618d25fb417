package org.concurrence.http;

import java.util.Objects;

/**
 * Wraps a {@link Handler}: sees the request before it and the response after it, and may answer by itself without
 * calling {@code next} (authentication, a cache, a deadline). Filters compose: {@code a.andThen(b).wrap(h)} runs
 * {@code a} outermost, then {@code b}, then {@code h}.
 *
 * <p>Blocking and thread-safety: as for {@link Handler}.
 */
@FunctionalInterface
public interface Filter {
    /**
     * Handles {@code request}, usually by calling {@code next.handle(request)} (or with a wrapped request) and
     * returning its response, perhaps changed.
     */
    Response filter(Request request, Handler next) throws Exception;

    /** A handler that runs this filter around {@code handler}. */
    default Handler wrap(Handler handler) {
        Objects.requireNonNull(handler, "handler");
        return request -> filter(request, handler);
    }

    /** A filter that runs this one outside {@code inner}. */
    default Filter andThen(Filter inner) {
        Objects.requireNonNull(inner, "inner");
        return (request, next) -> filter(request, inner.wrap(next));
    }

    /** {@code filters} composed, the first outermost; a filter that does nothing if there are none. */
    static Filter chain(Filter... filters) {
        Filter result = (request, next) -> next.handle(request);
        for (int i = filters.length - 1; i >= 0; i--) {
            result = filters[i].andThen(result);
        }
        return result;
    }
}
