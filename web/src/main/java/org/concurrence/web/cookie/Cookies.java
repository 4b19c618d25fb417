package org.concurrence.web.cookie;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.concurrence.http.Request;
import org.concurrence.http.Response;

/**
 * Reading the cookies a request carries and setting cookies on a response.
 *
 * <p>Parsing is lenient as RFC 6265 §5.4 asks of a server reading what browsers send: pairs are split on {@code ;},
 * space and tab around names and values are dropped (not other
 * control characters), one pair of double quotes around a value is removed, pairs without
 * {@code =} or with an empty name are skipped, and of a name sent twice the first wins (browsers send the one with
 * the longest path first). Several {@code Cookie} fields (HTTP/2 style) are read in order.
 *
 * <p>Never blocks. Thread-safety: stateless.
 */
public final class Cookies {
    private Cookies() {}

    /** The request's cookies, name to value in the order sent; empty if it has none. Unmodifiable. */
    public static Map<String, String> parse(Request request) {
        Map<String, String> cookies = new LinkedHashMap<>();
        for (String field : request.headers().all("Cookie")) {
            parseInto(field, cookies);
        }
        return cookies.isEmpty() ? Map.of() : Collections.unmodifiableMap(cookies);
    }

    /** The value of the request's cookie {@code name}, or null. */
    public static String get(Request request, String name) {
        return parse(request).get(name);
    }

    /** The cookies of one {@code Cookie} header value. */
    public static Map<String, String> parse(String header) {
        Map<String, String> cookies = new LinkedHashMap<>();
        parseInto(header, cookies);
        return Collections.unmodifiableMap(cookies);
    }

    private static void parseInto(String header, Map<String, String> into) {
        int start = 0;
        int n = header.length();
        while (start < n) {
            int semi = header.indexOf(';', start);
            int end = semi < 0 ? n : semi;
            int eq = header.indexOf('=', start);
            if (eq >= 0 && eq < end) {
                String name = trim(header, start, eq);
                String value = trim(header, eq + 1, end);
                if (value.length() >= 2 && value.charAt(0) == '"' && value.charAt(value.length() - 1) == '"') {
                    value = value.substring(1, value.length() - 1);
                }
                if (!name.isEmpty()) {
                    into.putIfAbsent(name, value);
                }
            }
            start = end + 1;
        }
    }

    /**
     * {@code s[from, to)} without the SP and HTAB around it (RFC 6265 §5.2, "WSP"); other control characters are part
     * of the name or value, as a browser would keep them.
     */
    private static String trim(String s, int from, int to) {
        while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
            from++;
        }
        while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
            to--;
        }
        return s.substring(from, to);
    }

    /** {@code response} with one {@code Set-Cookie} field more for {@code cookie}. */
    public static Response add(Response response, Cookie cookie) {
        return response.withAddedHeader("Set-Cookie", cookie.toSetCookie());
    }

    /** {@code response} with one {@code Set-Cookie} field per cookie, in order. */
    public static Response add(Response response, Cookie... cookies) {
        Response.Builder b = response.toBuilder();
        for (Cookie c : cookies) {
            b.addHeader("Set-Cookie", c.toSetCookie());
        }
        return b.build();
    }
}
