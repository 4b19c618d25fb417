package org.concurrence.http;

import java.net.URLDecoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.concurrence.http.wire.Diagnostics;

/**
 * Named parameters of a query string or an {@code application/x-www-form-urlencoded} body: an ordered, case-sensitive
 * multimap. {@code a=1&b=2&a=3} has {@code get("a") == "1"} and {@code all("a") == [1, 3]}; a name without {@code =}
 * has the empty value.
 *
 * <p>Immutable; thread-safe.
 */
public final class Parameters {
    private static final Parameters EMPTY = new Parameters(Map.of());
    private final Map<String, List<String>> values;

    private Parameters(Map<String, List<String>> values) {
        this.values = values;
    }

    /** No parameters. */
    public static Parameters empty() {
        return EMPTY;
    }

    /**
     * Decodes {@code encoded} ({@code +} is a space, {@code %XX} an octet of {@code charset}).
     *
     * @throws HttpException 400 if a percent escape is malformed
     */
    public static Parameters parse(String encoded, Charset charset) {
        if (encoded == null || encoded.isEmpty()) {
            return EMPTY;
        }
        Map<String, List<String>> map = new LinkedHashMap<>();
        int start = 0;
        while (start <= encoded.length()) {
            int amp = encoded.indexOf('&', start);
            int end = amp < 0 ? encoded.length() : amp;
            if (end > start) {
                int eq = start;
                while (eq < end && encoded.charAt(eq) != '=') {
                    eq++; // within this field only: a search to the end for each field is quadratic
                }
                String name;
                String value;
                if (eq == end) {
                    name = decode(encoded.substring(start, end), charset);
                    value = "";
                } else {
                    name = decode(encoded.substring(start, eq), charset);
                    value = decode(encoded.substring(eq + 1, end), charset);
                }
                map.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
            }
            if (amp < 0) {
                break;
            }
            start = amp + 1;
        }
        map.replaceAll((k, v) -> Collections.unmodifiableList(v));
        return new Parameters(Collections.unmodifiableMap(map));
    }

    /** {@link #parse(String, Charset)} in UTF-8. */
    public static Parameters parse(String encoded) {
        return parse(encoded, StandardCharsets.UTF_8);
    }

    private static String decode(String s, Charset charset) {
        if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
            return s;
        }
        try {
            return URLDecoder.decode(s, charset);
        } catch (IllegalArgumentException e) {
            throw new HttpException(Status.BAD_REQUEST, "malformed percent-encoding in "
                    + Diagnostics.quote(s), e); // quoted in part: a form field may be a megabyte
        }
    }

    /** The first value of {@code name}, or null. */
    public String get(String name) {
        List<String> v = values.get(name);
        return v == null ? null : v.getFirst();
    }

    /** The first value of {@code name}, or {@code fallback}. */
    public String getOrDefault(String name, String fallback) {
        String v = get(name);
        return v == null ? fallback : v;
    }

    /** Every value of {@code name}, in order; empty if none. */
    public List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    public boolean contains(String name) {
        return values.containsKey(name);
    }

    /** The names, in first-seen order. */
    public Set<String> names() {
        return values.keySet();
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    /** An unmodifiable view: name to values. */
    public Map<String, List<String>> asMap() {
        return values;
    }

    @Override
    public String toString() {
        return "Parameters" + values;
    }
}
