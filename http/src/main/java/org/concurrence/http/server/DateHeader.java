package org.concurrence.http.server;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The {@code Date} header line (RFC 9110 §6.6.1, IMF-fixdate) as bytes, rendered again at most once per second.
 *
 * <p>Thread-safety: confined to one dispatcher; each dispatcher of a server has its own.
 */
final class DateHeader {
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private long second = Long.MIN_VALUE;
    private byte[] line;

    /** {@code Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n} for the current second; do not change the array. */
    byte[] line() {
        long now = System.currentTimeMillis() / 1000;
        if (now != second) {
            line = render(now);
            second = now;
        }
        return line;
    }

    static byte[] render(long epochSecond) {
        return ("Date: " + IMF_FIXDATE.format(Instant.ofEpochSecond(epochSecond)) + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }
}
