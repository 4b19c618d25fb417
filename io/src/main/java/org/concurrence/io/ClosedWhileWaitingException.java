package org.concurrence.io;

import java.nio.channels.AsynchronousCloseException;

/**
 * A socket was closed (by another tasklet, another thread, or a server stopping) while a tasklet waited to read from,
 * write to, accept on or connect it. Thrown from the waiting call, which then did nothing more.
 *
 * <p>It is an {@link AsynchronousCloseException}, so an {@link java.io.IOException} like every other way a socket
 * can fail: a connection loop's {@code catch (IOException e)} handles a close from elsewhere too.
 */
public final class ClosedWhileWaitingException extends AsynchronousCloseException {
    private static final long serialVersionUID = 2L;
    private final String message;

    /** @param message what was closed and what the tasklet was doing, e.g. "socket ... was closed while reading" */
    public ClosedWhileWaitingException(String message) {
        this.message = message;
    }

    @Override
    public String getMessage() {
        return message;
    }
}
