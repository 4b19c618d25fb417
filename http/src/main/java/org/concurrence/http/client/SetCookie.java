package org.concurrence.http.client;

import java.time.Instant;
import java.util.Locale;

/**
 * One {@code Set-Cookie} field value as RFC 6265 §5.2 reads it, before the jar decides what to do with it (§5.3):
 * the name and value before the first {@code ;}, then attributes, each read case-insensitively, the last of a name
 * winning, unknown ones (SameSite, Priority, ...) ignored. An attribute with a value it cannot use is ignored, not
 * the cookie: an Expires that is no cookie-date ({@link CookieDate}), a Max-Age that is not an integer, an empty
 * Domain, a Path that does not start with {@code /}.
 *
 * <p>Immutable; thread-safe.
 *
 * @param name     the cookie's name, not empty
 * @param value    its value, possibly empty (quotes are part of it, as browsers keep them)
 * @param expires  the Expires attribute, or null
 * @param maxAge   the Max-Age attribute in seconds (zero or less: expired), or null
 * @param domain   the Domain attribute, lower case, its leading dot removed; or null
 * @param path     the Path attribute (starts with {@code /}), or null
 * @param secure   the Secure attribute
 * @param httpOnly the HttpOnly attribute
 */
record SetCookie(String name, String value, Instant expires, Long maxAge, String domain, String path,
        boolean secure, boolean httpOnly) {

    /**
     * The cookie {@code field} sets; null if it is to be ignored entirely: no {@code =} in the name-value pair, an
     * empty name, or a control character (other than tab) or a character beyond ISO-8859-1 in the name or value —
     * those could not be sent back in a {@code Cookie} field.
     */
    static SetCookie parse(String field) {
        int semicolon = field.indexOf(';');
        String pair = semicolon < 0 ? field : field.substring(0, semicolon);
        int eq = pair.indexOf('=');
        if (eq < 0) {
            return null;
        }
        String name = trim(pair.substring(0, eq));
        String value = trim(pair.substring(eq + 1));
        if (name.isEmpty() || !sendable(name) || !sendable(value)) {
            return null;
        }
        Instant expires = null;
        Long maxAge = null;
        String domain = null;
        String path = null;
        boolean secure = false;
        boolean httpOnly = false;
        int start = semicolon;
        while (start >= 0) {
            int end = field.indexOf(';', start + 1);
            String attribute = field.substring(start + 1, end < 0 ? field.length() : end);
            start = end;
            int aeq = attribute.indexOf('=');
            String attributeName = trim(aeq < 0 ? attribute : attribute.substring(0, aeq)).toLowerCase(Locale.ROOT);
            String attributeValue = aeq < 0 ? "" : trim(attribute.substring(aeq + 1));
            switch (attributeName) {
                case "expires" -> {
                    Instant at = CookieDate.parse(attributeValue);
                    if (at != null) {
                        expires = at;
                    }
                }
                case "max-age" -> {
                    Long seconds = maxAge(attributeValue);
                    if (seconds != null) {
                        maxAge = seconds;
                    }
                }
                case "domain" -> {
                    String d = attributeValue.startsWith(".") ? attributeValue.substring(1) : attributeValue;
                    if (!d.isEmpty()) {
                        domain = d.toLowerCase(Locale.ROOT);
                    }
                }
                case "path" -> path = attributeValue.startsWith("/") ? attributeValue : null;
                case "secure" -> secure = true;
                case "httponly" -> httpOnly = true;
                default -> { }
            }
        }
        return new SetCookie(name, value, expires, maxAge, domain, path, secure, httpOnly);
    }

    /** Max-Age: an optional minus and digits; huge values saturate. Null if it is not that. */
    private static Long maxAge(String text) {
        int digitsFrom = text.startsWith("-") ? 1 : 0;
        if (text.length() == digitsFrom) {
            return null;
        }
        for (int i = digitsFrom; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return null;
            }
        }
        if (text.length() - digitsFrom > 18) {
            return digitsFrom == 1 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return Long.parseLong(text);
    }

    /** Without the spaces and tabs around it (RFC 6265's WSP). */
    private static String trim(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
            from++;
        }
        while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
            to--;
        }
        return s.substring(from, to);
    }

    /** Whether {@code s} can go back in a Cookie field: no control characters but tab, nothing beyond 0xFF. */
    private static boolean sendable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
                return false;
            }
        }
        return true;
    }
}
