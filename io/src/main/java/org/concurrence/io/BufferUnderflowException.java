package org.concurrence.io;

/**
 * A relative get on a {@link Buffer} asked for more bytes than remain between its position and its limit. The
 * message gives the operation, the count asked, the position and the limit; the buffer is unchanged.
 *
 * <p>Extends the JDK's {@link java.nio.BufferUnderflowException} (which has no message) so that code written against
 * {@code java.nio} catches it too. Not an end of stream: a {@link BufferedSource} signals that with
 * {@link java.io.EOFException}.
 */
public final class BufferUnderflowException extends java.nio.BufferUnderflowException {
    private static final long serialVersionUID = 1L;
    private final String message;

    /** Creates the exception with {@code message}, which should state the rule broken and the actual values. */
    public BufferUnderflowException(String message) {
        this.message = message;
    }

    @Override
    public String getMessage() {
        return message;
    }
}
