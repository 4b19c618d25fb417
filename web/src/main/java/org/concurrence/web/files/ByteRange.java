package org.concurrence.web.files;

/**
 * The one byte range a {@code Range} header asks for (RFC 9110 §14.1.2), resolved against a representation's
 * length. Immutable.
 *
 * @param first the first byte, inclusive
 * @param last  the last byte, inclusive
 */
record ByteRange(long first, long last) {
    /** What to do with a Range header. */
    sealed interface Outcome permits Full, Partial, Unsatisfiable {}

    /** Ignore it: absent, malformed, another unit, or several ranges; send the whole representation. */
    record Full() implements Outcome {}

    /** Send this range with 206. */
    record Partial(ByteRange range) implements Outcome {}

    /** No range overlaps the representation: 416. */
    record Unsatisfiable() implements Outcome {}

    long length() {
        return last - first + 1;
    }

    /** What {@code header} asks of a representation of {@code size} bytes. */
    static Outcome parse(String header, long size) {
        if (header == null) {
            return new Full();
        }
        String h = header.strip();
        if (h.length() < 6 || !h.regionMatches(true, 0, "bytes=", 0, 6)) {
            return new Full();
        }
        String spec = h.substring(6).strip();
        if (spec.indexOf(',') >= 0) {
            return new Full();
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return new Full();
        }
        long first = number(spec.substring(0, dash).strip());
        long last = number(spec.substring(dash + 1).strip());
        if (dash == 0) {
            if (last < 0) {
                return new Full();
            }
            if (last == 0 || size == 0) {
                return new Unsatisfiable();
            }
            return new Partial(new ByteRange(Math.max(0, size - last), size - 1));
        }
        if (first < 0 || (dash < spec.length() - 1 && last < 0) || (last >= 0 && last < first)) {
            return new Full();
        }
        if (first >= size) {
            return new Unsatisfiable();
        }
        return new Partial(new ByteRange(first, last < 0 ? size - 1 : Math.min(last, size - 1)));
    }

    /**
     * A non-negative decimal, or -1 if {@code s} is empty or not one. The grammar puts no bound on the digits, so one
     * of more than 18 significant digits is {@link Long#MAX_VALUE}: past the end of any file, as it is.
     */
    private static long number(String s) {
        if (s.isEmpty()) {
            return -1;
        }
        int significant = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            if (significant > 0 || c != '0') {
                significant++;
            }
        }
        return significant > 18 ? Long.MAX_VALUE : Long.parseLong(s);
    }
}
