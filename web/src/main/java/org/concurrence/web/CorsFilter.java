package org.concurrence.web;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.concurrence.http.Filter;
import org.concurrence.http.Handler;
import org.concurrence.http.Headers;
import org.concurrence.http.HttpException;
import org.concurrence.http.Method;
import org.concurrence.http.Request;
import org.concurrence.http.Response;
import org.concurrence.http.Status;

/**
 * Cross-origin resource sharing (the Fetch standard's CORS protocol) for an API that browsers call from pages of
 * other origins.
 *
 * <p>A preflight ({@code OPTIONS} with {@code Origin} and {@code Access-Control-Request-Method}) is answered here,
 * without calling the handler: 204 with the allowed origin, methods, headers and max age when the origin, the method
 * and every requested header are allowed; otherwise 403 naming what was refused. An actual request from an allowed
 * origin gets {@code Access-Control-Allow-Origin} (and the credentials and exposed-headers fields as configured) on
 * whatever the handler answers, errors included (an {@link HttpException} thrown inside is answered here, as the
 * server would, so that it carries them); from another origin it goes through without them, and the browser
 * keeps the response from the page. A request without {@code Origin} is not a CORS request and passes untouched.
 * Responses that depend on the origin say {@code Vary: Origin}.
 *
 * <p>Defaults: methods GET, HEAD and POST (the ones browsers send without preflight; add others with
 * {@link #withMethods}); any request header the preflight asks for (narrow with {@link #withHeaders}); no
 * credentials (allowed for listed origins only); no exposed headers; the browser's own preflight cache time. With
 * credentials, the origin is echoed, never {@code *}, as the standard requires. Responses that depend on the origin
 * (all of them, when origins are listed) say {@code Vary: Origin}, requests without one included.
 *
 * <p>Place it first among a router's filters: router filters also see the OPTIONS requests the router would answer
 * itself, so the preflight reaches it for every path.
 *
 * <p>Blocking: none. Thread-safety: immutable; one instance may serve every request.
 */
public final class CorsFilter implements Filter {
    private static final Set<Method> SIMPLE_METHODS = Set.of(Method.GET, Method.HEAD, Method.POST);

    /** Lower-cased origins ({@code scheme://host[:port]}); null: any origin. */
    private final Set<String> origins;
    private final Set<Method> methods;
    /** Lower-cased header names; null: whatever the preflight asks for. */
    private final Set<String> headers;
    private final Set<String> exposed;
    private final boolean credentials;
    private final Duration maxAge;

    private CorsFilter(Set<String> origins, Set<Method> methods, Set<String> headers, Set<String> exposed,
            boolean credentials, Duration maxAge) {
        this.origins = origins;
        this.methods = methods;
        this.headers = headers;
        this.exposed = exposed;
        this.credentials = credentials;
        this.maxAge = maxAge;
    }

    /**
     * Allows pages of these origins, each {@code scheme://host} with an optional {@code :port}, e.g.
     * {@code https://app.example.com}; compared without regard to case.
     *
     * @throws IllegalArgumentException if one is not an origin (a path, a wildcard, no scheme)
     */
    public static CorsFilter allowing(String... origins) {
        Set<String> set = new LinkedHashSet<>();
        for (String origin : origins) {
            Objects.requireNonNull(origin, "origin");
            if (!origin.matches("(?i)[a-z][a-z0-9+.-]*://[^/?#*\\s]+")) {
                throw new IllegalArgumentException("not an origin (scheme://host[:port], no path or wildcard): "
                        + origin);
            }
            set.add(origin.toLowerCase(Locale.ROOT));
        }
        if (set.isEmpty()) {
            throw new IllegalArgumentException("no origin given; use allowingAnyOrigin() to allow every one");
        }
        return new CorsFilter(Set.copyOf(set), SIMPLE_METHODS, null, Set.of(), false, null);
    }

    /** Allows pages of every origin (a public API). */
    public static CorsFilter allowingAnyOrigin() {
        return new CorsFilter(null, SIMPLE_METHODS, null, Set.of(), false, null);
    }

    /** A copy that also allows {@code methods} (GET, HEAD and POST always are). */
    public CorsFilter withMethods(Method... methods) {
        Set<Method> set = new LinkedHashSet<>(SIMPLE_METHODS);
        set.addAll(Arrays.asList(methods));
        return new CorsFilter(origins, Set.copyOf(set), headers, exposed, credentials, maxAge);
    }

    /** A copy that allows only these request headers in a preflight (beyond the ones browsers never ask about). */
    public CorsFilter withHeaders(String... names) {
        return new CorsFilter(origins, methods, lowerCased(names), exposed, credentials, maxAge);
    }

    /** A copy that lets pages read these response headers (beyond the few browsers always expose). */
    public CorsFilter withExposedHeaders(String... names) {
        return new CorsFilter(origins, methods, headers, Set.copyOf(Arrays.asList(names)), credentials, maxAge);
    }

    /**
     * A copy that lets pages send cookies and read the response ({@code Access-Control-Allow-Credentials}). Only for
     * listed origins: with any origin allowed, every site on the web could read its visitors' data from this API
     * with their cookies (the reflected-origin misconfiguration), so that is refused.
     *
     * @throws IllegalStateException if this filter allows any origin
     */
    public CorsFilter withCredentials() {
        if (origins == null) {
            throw new IllegalStateException("credentials cannot be allowed for any origin: every site could then read"
                    + " responses with its visitors' cookies; list the origins with CorsFilter.allowing(...)");
        }
        return new CorsFilter(origins, methods, headers, exposed, true, maxAge);
    }

    /**
     * A copy that lets browsers cache a preflight's answer for {@code maxAge} (whole seconds; browsers cap it, at 2 h
     * in Chromium and 24 h in Firefox).
     */
    public CorsFilter withMaxAge(Duration maxAge) {
        if (maxAge.isNegative()) {
            throw new IllegalArgumentException("max age must not be negative: " + maxAge);
        }
        return new CorsFilter(origins, methods, headers, exposed, credentials, maxAge);
    }

    private static Set<String> lowerCased(String... names) {
        return Arrays.stream(names).map(n -> n.strip().toLowerCase(Locale.ROOT)).filter(n -> !n.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public Response filter(Request request, Handler next) throws Exception {
        String origin = request.header("Origin");
        if (origin == null) {
            // Not a CORS request; but the answer to one would differ, so a shared cache must keep them apart.
            Response response = next.handle(request);
            return origins == null ? response : vary(response, "Origin");
        }
        String requestedMethod = request.header("Access-Control-Request-Method");
        if (request.method().equals(Method.OPTIONS) && requestedMethod != null) {
            return preflight(request, origin, requestedMethod);
        }
        Response response;
        try {
            response = next.handle(request);
        } catch (HttpException e) {
            response = e.toResponse(); // answered here so that the page may read the error too
        }
        if (!allows(origin)) {
            return origins == null ? response : vary(response, "Origin");
        }
        Response.Builder b = response.toBuilder().header("Access-Control-Allow-Origin", allowOrigin(origin));
        if (credentials) {
            b.header("Access-Control-Allow-Credentials", "true");
        }
        if (!exposed.isEmpty()) {
            b.header("Access-Control-Expose-Headers", String.join(", ", exposed));
        }
        Response answered = b.build();
        return allowOrigin(origin).equals("*") ? answered : vary(answered, "Origin");
    }

    private Response preflight(Request request, String origin, String requestedMethod) {
        String refused = null;
        if (!allows(origin)) {
            refused = "origin " + origin + " is not allowed";
        } else if (!allowsMethod(requestedMethod.strip())) {
            refused = "method " + requestedMethod.strip() + " is not allowed (allowed: " + names(methods) + ")";
        }
        String requestedHeaders = request.header("Access-Control-Request-Headers");
        Set<String> asked = requestedHeaders == null || requestedHeaders.isBlank() ? Set.of()
                : lowerCased(requestedHeaders.split(","));
        if (refused == null && headers != null) {
            Set<String> notAllowed = asked.stream().filter(h -> !headers.contains(h))
                    .collect(Collectors.toCollection(TreeSet::new));
            if (!notAllowed.isEmpty()) {
                refused = "request headers " + notAllowed + " are not allowed";
            }
        }
        Headers varies = Headers.of("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
        if (refused != null) {
            Response.Builder b = Response.builder(Status.FORBIDDEN).body("CORS preflight refused: " + refused + "\n");
            varies.forEach(b::addHeader);
            return b.build();
        }
        Response.Builder b = Response.builder(Status.NO_CONTENT)
                .header("Access-Control-Allow-Origin", allowOrigin(origin))
                .header("Access-Control-Allow-Methods", names(methods));
        if (!asked.isEmpty()) {
            b.header("Access-Control-Allow-Headers", String.join(", ", new TreeSet<>(asked)));
        }
        if (credentials) {
            b.header("Access-Control-Allow-Credentials", "true");
        }
        if (maxAge != null) {
            b.header("Access-Control-Max-Age", Long.toString(maxAge.toSeconds()));
        }
        varies.forEach(b::addHeader);
        return b.build();
    }

    private boolean allowsMethod(String name) {
        try {
            return methods.contains(Method.of(name));
        } catch (IllegalArgumentException notAMethod) {
            return false;
        }
    }

    private boolean allows(String origin) {
        return origins == null || origins.contains(origin.strip().toLowerCase(Locale.ROOT));
    }

    /** {@code *} for any origin without credentials; else the request's origin, echoed. */
    private String allowOrigin(String origin) {
        return origins == null && !credentials ? "*" : origin.strip();
    }

    private static String names(Set<Method> methods) {
        return methods.stream().map(Method::name).sorted().collect(Collectors.joining(", "));
    }

    private static Response vary(Response response, String field) {
        return response.headers().containsToken("Vary", field) || response.headers().containsToken("Vary", "*")
                ? response : response.withAddedHeader("Vary", field);
    }
}
