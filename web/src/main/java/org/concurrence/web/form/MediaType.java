package org.concurrence.web.form;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A parsed media type such as {@code multipart/form-data; boundary="x y"}: the lower-cased type and its parameters
 * (names lower-cased, quoted values unquoted). Immutable.
 */
record MediaType(String type, Map<String, String> params) {

    /** Parses {@code value}; null for null. Lenient: a parameter without {@code =} is skipped. */
    static MediaType parse(String value) {
        if (value == null) {
            return null;
        }
        int semi = value.indexOf(';');
        String type = (semi < 0 ? value : value.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
        Map<String, String> params = new LinkedHashMap<>();
        if (semi >= 0) {
            parseParams(value, semi + 1, params, true);
        }
        return new MediaType(type, Map.copyOf(params));
    }

    /**
     * Parses {@code ; name=value} pairs of {@code s} from {@code from}, honouring quoted strings (where only
     * {@code \"} and {@code \\} are escapes: browsers send other backslashes as they are); names lower-cased; the
     * first of a repeated name wins. A quoted value is kept exactly (RFC 9110 §5.6.4), spaces included; an unquoted
     * one loses the white space around it.
     */
    static void parseParams(String s, int from, Map<String, String> into, boolean lowerNames) {
        int i = from;
        int n = s.length();
        while (i < n) {
            int eq = s.indexOf('=', i);
            int semi = s.indexOf(';', i);
            if (eq < 0 || (semi >= 0 && semi < eq)) {
                if (semi < 0) {
                    return;
                }
                i = semi + 1;
                continue;
            }
            String name = s.substring(i, eq).strip();
            if (lowerNames) {
                name = name.toLowerCase(Locale.ROOT);
            }
            int j = eq + 1;
            while (j < n && (s.charAt(j) == ' ' || s.charAt(j) == '\t')) {
                j++;
            }
            StringBuilder v = new StringBuilder();
            if (j < n && s.charAt(j) == '"') {
                j++;
                while (j < n && s.charAt(j) != '"') {
                    char c = s.charAt(j++);
                    if (c == '\\' && j < n && (s.charAt(j) == '"' || s.charAt(j) == '\\')) {
                        // Only \" and \\ escape (as in Go's parser): browsers send a backslash in a file name as is
                        c = s.charAt(j++);
                    }
                    v.append(c);
                }
                j++;
                int next = s.indexOf(';', Math.min(j, n));
                i = next < 0 ? n : next + 1;
            } else {
                int end = s.indexOf(';', j);
                v.append(s.substring(j, end < 0 ? n : end).strip());
                i = end < 0 ? n : end + 1;
            }
            into.putIfAbsent(name, v.toString());
        }
    }

    String param(String name) {
        return params.get(name);
    }
}
