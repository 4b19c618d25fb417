package org.concurrence.io;

/**
 * A relative put on a {@link Buffer} asked for more bytes than are free between its position and its limit. The
 * message gives the operation, the count asked, the position and the limit; the buffer is unchanged.
 *
 * <p>Extends the JDK's {@link java.nio.BufferOverflowException} (which has no message) so that code written against
 * {@code java.nio} catches it too.
 */
public final class BufferOverflowException extends java.nio.BufferOverflowException {
    private static final long serialVersionUID = 1L;
    private final String message;

    /** Creates the exception with {@code message}, which should state the rule broken and the actual values. */
    public BufferOverflowException(String message) {
        this.message = message;
    }

    @Override
    public String getMessage() {
        return message;
    }
}
