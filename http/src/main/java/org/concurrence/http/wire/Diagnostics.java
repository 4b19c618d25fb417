package org.concurrence.http.wire;

/**
 * How protocol errors show what the peer sent: quoted and cut short, or as hex of the first bytes. Stateless and
 * thread-safe.
 */
public final class Diagnostics {
    private static final int MAX_QUOTED = 64;

    private Diagnostics() {}

    /** {@code s} in quotes, cut to 64 characters, control characters escaped. */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < Math.min(s.length(), MAX_QUOTED); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append(s.length() > MAX_QUOTED ? "\"…" : "\"").toString();
    }

    /** Up to {@code count} bytes from {@code at} as hex, e.g. {@code 0d 0a 47}. */
    public static String hex(byte[] bytes, int at, int count) {
        StringBuilder sb = new StringBuilder();
        for (int i = at; i < Math.min(bytes.length, at + count); i++) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(String.format("%02x", bytes[i] & 0xff));
        }
        return sb.toString();
    }
}
