package org.concurrence.web.cookie;

/** The character classes of RFC 6265 §4.1.1. */
final class CookieSyntax {
    private CookieSyntax() {}

    /** A token (RFC 9110): visible ASCII except separators. */
    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    /** cookie-value: cookie-octets, optionally wrapped in one pair of double quotes. */
    static boolean isValue(String s) {
        int from = 0;
        int to = s.length();
        if (to >= 2 && s.charAt(0) == '"' && s.charAt(to - 1) == '"') {
            from = 1;
            to--;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!(c == 0x21 || (c >= 0x23 && c <= 0x2b) || (c >= 0x2d && c <= 0x3a) || (c >= 0x3c && c <= 0x5b)
                    || (c >= 0x5d && c <= 0x7e))) {
                return false;
            }
        }
        return true;
    }

    /** av-octet: any CHAR except CTLs and ';'. */
    static boolean isAttributeValue(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7f || c == ';') {
                return false;
            }
        }
        return true;
    }
}
