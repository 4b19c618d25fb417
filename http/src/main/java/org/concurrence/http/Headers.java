package org.concurrence.http;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * HTTP header fields: an ordered list of name and value pairs, looked up case-insensitively (RFC 9110 §5). A name
 * may occur more than once; {@link #get} returns the first value, {@link #all} every one.
 *
 * <p>Names must be tokens and values must hold no CR, LF or NUL: {@link #add} and {@link #set} throw
 * {@link IllegalArgumentException} naming the bad field, so a handler cannot split a response by mistake.
 *
 * <p>Thread-safety: not thread-safe while mutable. {@link #readOnly()} freezes an instance (a request's headers are
 * frozen); a frozen instance is safe to read from any thread and throws {@link UnsupportedOperationException} on
 * change.
 */
public final class Headers {
    private String[] fields;
    private int size;
    private boolean frozen;

    /** An empty, mutable list. */
    public Headers() {
        this(8);
    }

    /**
     * An empty, mutable list with room for {@code expectedFields} fields before it grows (a parser that counted the
     * lines of a head makes the array no bigger than needed).
     *
     * @throws IllegalArgumentException if {@code expectedFields} is negative
     */
    public Headers(int expectedFields) {
        if (expectedFields < 0) {
            throw new IllegalArgumentException("a negative number of fields: " + expectedFields);
        }
        fields = new String[Math.max(1, expectedFields) * 2];
    }

    /** A mutable list of the given pairs: {@code of("Content-Type", "text/plain", "Cache-Control", "no-cache")}. */
    public static Headers of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values must come in pairs: " + namesAndValues.length);
        }
        Headers h = new Headers(namesAndValues.length / 2); // a response's few fields, usually never added to
        for (int i = 0; i < namesAndValues.length; i += 2) {
            h.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return h;
    }

    /** A mutable copy of {@code other}. */
    public static Headers copyOf(Headers other) {
        Headers h = new Headers(Math.max(4, other.size));
        System.arraycopy(other.fields, 0, h.fields, 0, other.size * 2);
        h.size = other.size;
        return h;
    }

    /**
     * The first {@code count} pairs of {@code namesAndValues} (name, value, name, value, ...) as a read-only list,
     * for an HTTP parser that has already checked every name and value against the grammar: they are not checked
     * again here, and the array is kept, not copied (the caller must not change it). A response's fields are always
     * checked, whatever their origin: a {@link Response} takes fields only through {@link #add} and {@link #set}.
     *
     * @throws IllegalArgumentException if {@code count} pairs do not fit the array
     */
    public static Headers ofParsed(String[] namesAndValues, int count) {
        if (count < 0 || count * 2 > namesAndValues.length) {
            throw new IllegalArgumentException(count + " fields do not fit an array of " + namesAndValues.length);
        }
        Headers h = new Headers(namesAndValues);
        h.size = count;
        h.frozen = true;
        return h;
    }

    private Headers(String[] fields) {
        this.fields = fields;
    }

    /** How many fields there are (a repeated name counts each time). */
    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /** The name of the {@code index}th field, as it was added. */
    public String name(int index) {
        Objects.checkIndex(index, size);
        return fields[index * 2];
    }

    /** The value of the {@code index}th field. */
    public String value(int index) {
        Objects.checkIndex(index, size);
        return fields[index * 2 + 1];
    }

    /** The first value of {@code name}, or null if there is none. */
    public String get(String name) {
        for (int i = 0; i < size * 2; i += 2) {
            if (fields[i].equalsIgnoreCase(name)) {
                return fields[i + 1];
            }
        }
        return null;
    }

    /** The first value of {@code name}, or {@code fallback}. */
    public String getOrDefault(String name, String fallback) {
        String v = get(name);
        return v == null ? fallback : v;
    }

    /** Every value of {@code name}, in order; empty if there is none. */
    public List<String> all(String name) {
        List<String> values = null;
        for (int i = 0; i < size * 2; i += 2) {
            if (fields[i].equalsIgnoreCase(name)) {
                if (values == null) {
                    values = new ArrayList<>(2);
                }
                values.add(fields[i + 1]);
            }
        }
        return values == null ? List.of() : Collections.unmodifiableList(values);
    }

    /** Whether a field named {@code name} is present. */
    public boolean contains(String name) {
        return get(name) != null;
    }

    /**
     * Whether any value of {@code name}, read as a comma-separated list (RFC 9110 §5.6.1), holds {@code token}
     * (case-insensitive): {@code containsToken("Connection", "close")}.
     */
    public boolean containsToken(String name, String token) {
        for (int i = 0; i < size * 2; i += 2) {
            if (fields[i].equalsIgnoreCase(name) && listHas(fields[i + 1], token)) {
                return true;
            }
        }
        return false;
    }

    private static boolean listHas(String list, String token) {
        int start = 0;
        int n = list.length();
        while (start <= n) {
            int comma = list.indexOf(',', start);
            int end = comma < 0 ? n : comma;
            int a = start;
            int b = end;
            while (a < b && (list.charAt(a) == ' ' || list.charAt(a) == '\t')) {
                a++;
            }
            while (b > a && (list.charAt(b - 1) == ' ' || list.charAt(b - 1) == '\t')) {
                b--;
            }
            if (b - a == token.length() && list.regionMatches(true, a, token, 0, token.length())) {
                return true;
            }
            if (comma < 0) {
                return false;
            }
            start = comma + 1;
        }
        return false;
    }

    /** Appends a field; returns this. */
    public Headers add(String name, String value) {
        checkMutable();
        checkField(name, value);
        if (size * 2 == fields.length) {
            fields = Arrays.copyOf(fields, fields.length * 2);
        }
        fields[size * 2] = name;
        fields[size * 2 + 1] = value;
        size++;
        return this;
    }

    /** Replaces every field named {@code name} with one holding {@code value}; returns this. */
    public Headers set(String name, String value) {
        checkMutable();
        checkField(name, value);
        for (int i = 0; i < size * 2; i += 2) {
            if (fields[i].equalsIgnoreCase(name)) {
                fields[i + 1] = value;
                removeFrom(i + 2, name);
                return this;
            }
        }
        return add(name, value);
    }

    /** Sets {@code name} only if it is absent; returns this. */
    public Headers setIfAbsent(String name, String value) {
        return contains(name) ? this : set(name, value);
    }

    /** Removes every field named {@code name}; returns this. */
    public Headers remove(String name) {
        checkMutable();
        removeFrom(0, name);
        return this;
    }

    private void removeFrom(int from, String name) {
        int w = from;
        for (int r = from; r < size * 2; r += 2) {
            if (!fields[r].equalsIgnoreCase(name)) {
                fields[w] = fields[r];
                fields[w + 1] = fields[r + 1];
                w += 2;
            }
        }
        Arrays.fill(fields, w, size * 2, null);
        size = w / 2;
    }

    /** Calls {@code action} with each name and value, in order. */
    public void forEach(BiConsumer<String, String> action) {
        for (int i = 0; i < size * 2; i += 2) {
            action.accept(fields[i], fields[i + 1]);
        }
    }

    /**
     * The fields as a map from name to values, in first-seen order; names keep the case of their first occurrence
     * and repeated names (in any case) are merged. A new map; changing it does not change this.
     */
    public Map<String, List<String>> toMap() {
        Map<String, List<String>> byLowerName = new LinkedHashMap<>();
        Map<String, String> firstSpelling = new LinkedHashMap<>();
        for (int i = 0; i < size * 2; i += 2) {
            String lower = fields[i].toLowerCase(Locale.ROOT);
            firstSpelling.putIfAbsent(lower, fields[i]);
            byLowerName.computeIfAbsent(lower, k -> new ArrayList<>(1)).add(fields[i + 1]);
        }
        Map<String, List<String>> map = new LinkedHashMap<>();
        byLowerName.forEach((lower, values) -> map.put(firstSpelling.get(lower), values));
        return map;
    }

    /** Freezes this list, so every later change throws; returns this. */
    public Headers readOnly() {
        frozen = true;
        return this;
    }

    /** Whether {@link #readOnly()} froze this list. */
    public boolean isReadOnly() {
        return frozen;
    }

    private void checkMutable() {
        if (frozen) {
            throw new UnsupportedOperationException("these headers are read-only (a request's headers, or frozen)");
        }
    }

    private static void checkField(String name, String value) {
        Objects.requireNonNull(name, "header name");
        Objects.requireNonNull(value, "header value");
        if (!Tokens.isToken(name)) {
            throw new IllegalArgumentException("not a valid header name: \"" + name + "\"");
        }
        if (!Tokens.isFieldValue(value)) {
            throw new IllegalArgumentException("header " + name + " has a value with CR, LF or control characters");
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Headers[");
        for (int i = 0; i < size * 2; i += 2) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(fields[i]).append(": ").append(fields[i + 1]);
        }
        return sb.append(']').toString();
    }
}
