package org.concurrence.bench;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * What the greeter servers of {@code bench greeter} share: the reply bytes (the same as
 * {@code org.concurrence.examples.Greeter}'s, so every raw server sends identical bytes), the scan for the end of a
 * request head and the keep-alive decision. How a server child JVM talks to the bench is {@link ServerMain}'s.
 */
final class GreeterServers {
    /** The body every server answers with. */
    static final String BODY = "Hello World!";
    static final byte[] KEEP_ALIVE = response("keep-alive");
    static final byte[] CLOSE = response("close");

    private GreeterServers() {}

    private static byte[] response(String connection) {
        return ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 12\r\nConnection: " + connection
                + "\r\n\r\n" + BODY).getBytes(StandardCharsets.US_ASCII);
    }

    /** The index just past "\r\n\r\n" in {@code buf[from, limit)}, or -1. */
    static int headEnd(byte[] buf, int from, int limit) {
        for (int i = Math.max(0, from); i + 3 < limit; i++) {
            if (buf[i + 3] == '\n' && buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r') {
                return i + 4;
            }
        }
        return -1;
    }

    /**
     * True if the request head in {@code buf[start, end)} asks to close after the reply: {@code Connection: close}, or
     * HTTP/1.0 without {@code Connection: keep-alive}. The same rule as the examples' Greeter.
     */
    static boolean wantsClose(byte[] buf, int start, int end) {
        String head = new String(buf, start, end - start, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
        boolean http10 = head.startsWith("http/1.0", head.indexOf(' ', head.indexOf(' ') + 1) + 1);
        return head.contains("\r\nconnection: close") || (http10 && !head.contains("\r\nconnection: keep-alive"));
    }
}
