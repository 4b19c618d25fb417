package org.concurrence.web;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.concurrence.http.ForwardingRequest;
import org.concurrence.http.Request;

/**
 * The request a {@link Router} hands to a route's filters and handler: the original one plus the path parameters
 * and, as the attribute {@link Router#ROUTE}, the template that matched (without storing it on the original).
 *
 * <p>Thread-safety: as for {@link Request}.
 */
final class RoutedRequest extends ForwardingRequest {
    private final String template;
    private final Map<String, String> params;

    RoutedRequest(Request delegate, String template, String[] names, String[] values) {
        super(delegate);
        this.template = template;
        this.params = map(names, values);
    }

    private static Map<String, String> map(String[] names, String[] values) {
        return switch (names.length) {
            case 0 -> Map.of();
            case 1 -> Map.of(names[0], values[0]);
            case 2 -> Map.of(names[0], values[0], names[1], values[1]);
            default -> {
                Map<String, String> m = new LinkedHashMap<>();
                for (int i = 0; i < names.length; i++) {
                    m.put(names[i], values[i]);
                }
                yield Collections.unmodifiableMap(m);
            }
        };
    }

    @Override
    public Map<String, String> pathParams() {
        return params;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T attribute(Attribute<T> key) {
        return key == Router.ROUTE ? (T) template : super.attribute(key);
    }

    @Override
    public <T> void setAttribute(Attribute<T> key, T value) {
        if (key == Router.ROUTE) {
            throw new IllegalArgumentException("Router.ROUTE is set by the router and cannot be changed");
        }
        super.setAttribute(key, value);
    }
}
