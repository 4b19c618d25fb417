package org.concurrence.io;

import java.io.UncheckedIOException;
import java.nio.channels.AsynchronousCloseException;

/**
 * A socket was closed (by another tasklet, or by shutdown) while a tasklet waited to read from or write to it. Thrown
 * from the waiting read or write; the cause is an {@link AsynchronousCloseException}.
 */
public final class ClosedWhileWaitingException extends UncheckedIOException {
    private static final long serialVersionUID = 1L;

    public ClosedWhileWaitingException(String message) {
        super(message, new AsynchronousCloseException());
    }
}
