package org.concurrence.http.client;

import java.io.IOException;
import java.time.Duration;

/**
 * A response body without a length, ended by the connection's close (RFC 9112 §6.3, rule 8); see
 * {@link BodyStream}. Over TLS the end counts only if the server sent close_notify first (RFC 9112 §9.8): without it
 * the body may have been cut by an attacker, and the read fails. The connection is never reused.
 *
 * <p>Thread-safety: as for {@link BodyStream}.
 */
final class CloseDelimitedStream extends BodyStream {
    private long received;

    CloseDelimitedStream(Exchange exchange) {
        super(exchange, false);
    }

    @Override
    int readBody(byte[] b, int off, int len, Duration wait) throws IOException {
        int n = readSome(b, off, len, len, wait);
        if (n < 0 && !connection.endedCleanly()) {
            throw cut("the TLS connection ended without close_notify after " + received + " bytes", null);
        }
        received += Math.max(0, n);
        return n;
    }

    @Override
    long remaining() {
        return -1;
    }
}
