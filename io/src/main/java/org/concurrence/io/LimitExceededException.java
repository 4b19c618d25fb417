package org.concurrence.io;

import java.io.IOException;

/**
 * The peer sent something longer than the reader allows: a line over {@link BufferedSource#maxLineLength()}, bytes
 * before a delimiter over the maximum given to {@link BufferedSource#readUntil}, a framed message over
 * {@link MessageFraming#maxMessageSize()}. The message names the limit and the size seen.
 *
 * <p>Nothing was consumed: the offending bytes are still buffered. A protocol should treat this as fatal for the
 * connection (answer with an error if it has one, then close); skipping to a known boundary is rarely possible.
 */
public final class LimitExceededException extends IOException {
    private static final long serialVersionUID = 1L;
    private final long limit;

    /**
     * @param message what was too long, the limit and the size seen
     * @param limit   the limit that was exceeded, in bytes
     */
    public LimitExceededException(String message, long limit) {
        super(message);
        this.limit = limit;
    }

    /** The limit that was exceeded, in bytes. */
    public long limit() {
        return limit;
    }
}
