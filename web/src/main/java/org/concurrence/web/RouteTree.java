package org.concurrence.web;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.concurrence.http.Method;

/*
 * Implementation notes. A trie over path segments. Each node has literal children (a hash map), at most one parameter
 * child and at most one catch-all child; routes hang on the node where their template ends. Matching walks the
 * segments of the decoded path by index (no split) depth-first in precedence order — literal, then parameter, then
 * catch-all — and backtracks, so /users/me/posts finds /users/{id}/posts when /users/me has no child "posts". The
 * first node on that order that has a route for the method wins. Captured values go into an array indexed by
 * parameter depth; each route maps them to its own names, so /users/{id} (GET) and /users/{name} (POST) may coexist.
 * Fully literal templates are also kept in a map from the whole path to their node: the common case is one lookup.
 * Built once, then only read: safe to share.
 */
/** The routes of a {@link Router} as a segment trie; immutable after building, safe to read from any thread. */
final class RouteTree {
    private final Node root = new Node();
    private final Map<String, Node> staticPaths = new HashMap<>();
    private final Set<String> allMethods = new TreeSet<>();
    private int maxParams;

    static final class Node {
        final Map<String, Node> literals = new HashMap<>(4);
        Node param;
        Node catchAll;
        final Map<Method, Route> routes = new LinkedHashMap<>(4);
        Route any;

        boolean hasRoutes() {
            return any != null || !routes.isEmpty();
        }

        /** The route for {@code method} here: the method's own, else GET's for HEAD, else the any-method route. */
        Route lookup(Method method) {
            Route r = routes.get(method);
            if (r == null && method.equals(Method.HEAD)) {
                r = routes.get(Method.GET);
            }
            return r != null ? r : any;
        }
    }

    /** A route found for a request, with the values of its parameters in template order. */
    record Match(Route route, String[] values) {}

    /**
     * Adds {@code route}.
     *
     * @throws IllegalArgumentException if a route with the same method and the same shape is already there
     */
    void add(Route route) {
        Node node = root;
        int params = 0;
        for (PathTemplate.Segment segment : route.template().segments()) {
            node = switch (segment) {
                case PathTemplate.Literal l -> node.literals.computeIfAbsent(l.value(), k -> new Node());
                case PathTemplate.Param p -> {
                    params++;
                    yield node.param == null ? (node.param = new Node()) : node.param;
                }
                case PathTemplate.CatchAll c -> {
                    params++;
                    yield node.catchAll == null ? (node.catchAll = new Node()) : node.catchAll;
                }
            };
        }
        Route existing = route.method() == null ? node.any : node.routes.get(route.method());
        if (existing != null) {
            throw new IllegalArgumentException("route " + route.describe() + " conflicts with "
                    + existing.describe() + " registered before");
        }
        if (route.method() == null) {
            node.any = route;
        } else {
            node.routes.put(route.method(), route);
            allMethods.add(route.method().name());
        }
        if (route.template().isStatic()) {
            staticPaths.put(route.template().text(), node);
        }
        maxParams = Math.max(maxParams, params);
    }

    /** The route for {@code method} and the decoded {@code path}, or null. */
    Match find(Method method, String path) {
        Node exact = staticPaths.get(path);
        if (exact != null) {
            Route r = exact.lookup(method);
            if (r != null) {
                return new Match(r, NO_VALUES);
            }
        }
        if (path.isEmpty() || path.charAt(0) != '/') {
            return null;
        }
        String[] values = maxParams == 0 ? NO_VALUES : new String[maxParams];
        Route r = find(root, method, path, 1, values, 0);
        return r == null ? null : new Match(r, values);
    }

    private static final String[] NO_VALUES = new String[0];

    private static Route find(Node node, Method method, String path, int pos, String[] values, int depth) {
        int end = path.indexOf('/', pos);
        boolean last = end < 0;
        if (last) {
            end = path.length();
        }
        Node literal = node.literals.get(path.substring(pos, end));
        if (literal != null) {
            Route r = last ? literal.lookup(method) : find(literal, method, path, end + 1, values, depth);
            if (r != null) {
                return r;
            }
        }
        if (node.param != null && end > pos) {
            Route r = last ? node.param.lookup(method) : find(node.param, method, path, end + 1, values, depth + 1);
            if (r != null) {
                values[depth] = path.substring(pos, end);
                return r;
            }
        }
        if (node.catchAll != null) {
            Route r = node.catchAll.lookup(method);
            if (r != null) {
                values[depth] = path.substring(pos);
                return r;
            }
        }
        return null;
    }

    /**
     * The methods some route accepts for {@code path}, in a stable order (GET, HEAD, then the others alphabetically;
     * HEAD whenever GET is there), or an empty set if no template matches it. A node with an any-method route adds
     * no names of its own.
     */
    Set<String> allowed(String path) {
        Set<String> methods = new TreeSet<>(RouteTree::compareMethods);
        if (path.equals("*")) {
            methods.addAll(allMethods);
        } else if (!path.isEmpty() && path.charAt(0) == '/') {
            List<Node> nodes = new ArrayList<>();
            collect(root, path, 1, nodes);
            for (Node n : nodes) {
                n.routes.keySet().forEach(m -> methods.add(m.name()));
            }
            if (nodes.isEmpty()) {
                return Set.of();
            }
        }
        if (methods.contains("GET")) {
            methods.add("HEAD");
        }
        return methods;
    }

    /** Whether some route (of any method) matches {@code path}. */
    boolean matchesAny(String path) {
        if (path.isEmpty() || path.charAt(0) != '/') {
            return false;
        }
        List<Node> nodes = new ArrayList<>();
        collect(root, path, 1, nodes);
        return !nodes.isEmpty();
    }

    private static void collect(Node node, String path, int pos, List<Node> into) {
        int end = path.indexOf('/', pos);
        boolean last = end < 0;
        if (last) {
            end = path.length();
        }
        Node literal = node.literals.get(path.substring(pos, end));
        if (literal != null) {
            visit(literal, last, path, end, into);
        }
        if (node.param != null && end > pos) {
            visit(node.param, last, path, end, into);
        }
        if (node.catchAll != null && node.catchAll.hasRoutes()) {
            into.add(node.catchAll);
        }
    }

    private static void visit(Node child, boolean last, String path, int end, List<Node> into) {
        if (!last) {
            collect(child, path, end + 1, into);
        } else if (child.hasRoutes()) {
            into.add(child);
        }
    }

    private static final List<String> FIRST = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    private static int compareMethods(String a, String b) {
        int ia = FIRST.indexOf(a);
        int ib = FIRST.indexOf(b);
        if (ia >= 0 || ib >= 0) {
            return Integer.compare(ia < 0 ? Integer.MAX_VALUE : ia, ib < 0 ? Integer.MAX_VALUE : ib);
        }
        return a.compareTo(b);
    }
}
