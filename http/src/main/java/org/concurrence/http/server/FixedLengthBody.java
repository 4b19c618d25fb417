package org.concurrence.http.server;

import java.io.IOException;

/**
 * A body of a known length (Content-Length); see {@link BodyInput}. Thread-safety: as for {@link BodyInput}.
 */
final class FixedLengthBody extends BodyInput {
    private long remaining;

    FixedLengthBody(ConnectionInput in, long length, HttpServerOptions options, Events events) {
        super(in, options, events);
        this.remaining = length;
    }

    /** Bytes of the body not read yet. */
    long remaining() {
        return remaining;
    }

    @Override
    int readBody(byte[] b, int off, int len) throws IOException {
        if (remaining == 0) {
            return -1;
        }
        int n = readPart(b, off, len, remaining);
        remaining -= n;
        return n;
    }

    @Override
    public int available() {
        return (int) Math.min(super.available(), remaining);
    }
}
