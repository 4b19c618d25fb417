package org.concurrence.http.server;

import java.nio.charset.StandardCharsets;
import org.concurrence.http.Status;

/** Status lines encoded once: {@code HTTP/1.1 200 OK\r\n} for every registered status; others encoded per use. */
final class StatusLines {
    private static final Status[] KNOWN = new Status[600];
    private static final byte[][] LINES = new byte[600][];

    static {
        for (int code = 100; code < 600; code++) {
            Status status = Status.of(code);
            if (!status.reason().isEmpty()) {
                KNOWN[code] = status;
                LINES[code] = encode(status);
            }
        }
    }

    private StatusLines() {}

    /** The status line for {@code status}; do not change the array. */
    static byte[] of(Status status) {
        int code = status.code();
        if (code < 600) {
            Status known = KNOWN[code];
            if (known == status || status.equals(known)) {
                return LINES[code];
            }
        }
        return encode(status);
    }

    private static byte[] encode(Status status) {
        return ("HTTP/1.1 " + status.code() + " " + status.reason() + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }
}
