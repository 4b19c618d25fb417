package org.concurrence.http.client;

import java.io.IOException;
import java.time.Duration;

/** A response body of a known length (Content-Length); see {@link BodyStream}. Thread-safety: as for it. */
final class FixedLengthStream extends BodyStream {
    private final long length;
    private long remaining;

    FixedLengthStream(Exchange exchange, long length, boolean keepAlive) {
        super(exchange, keepAlive);
        this.length = length;
        this.remaining = length;
    }

    @Override
    int readBody(byte[] b, int off, int len, Duration wait) throws IOException {
        if (remaining == 0) {
            return -1;
        }
        int n = readSome(b, off, len, remaining, wait);
        if (n < 0) {
            throw cut("the connection ended after " + (length - remaining) + " of " + length + " bytes", null);
        }
        remaining -= n;
        return n;
    }

    @Override
    long remaining() {
        return remaining;
    }
}
