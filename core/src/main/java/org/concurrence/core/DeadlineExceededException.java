package org.concurrence.core;

import java.time.Duration;

/**
 * A blocking call did not complete before its deadline: the tasklet's current deadline (set by a {@link Timeout}
 * scope) or the {@code Duration} passed to the call, whichever came first.
 *
 * <p>The message names the operation and how long the call waited. The operation did not take effect: a timed-out
 * channel receive took no value, a timed-out lock acquire holds nothing, a timed-out join left the tasklet running.
 * A deadline that had already passed when the call was made fails it at once, without waiting.
 */
public final class DeadlineExceededException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String operation;
    private final transient Duration waited;

    /**
     * @param operation what was waited for, e.g. {@code "receive on channel jobs"}
     * @param waited    how long the call waited before giving up (zero if the deadline had already passed)
     */
    public DeadlineExceededException(String operation, Duration waited) {
        super(operation + (waited.isZero()
                ? " failed at once: the deadline had already passed"
                : " timed out after " + Deadlines.format(waited)));
        this.operation = operation;
        this.waited = waited;
    }

    /** What was waited for. */
    public String operation() {
        return operation;
    }

    /** How long the call waited before its deadline passed. */
    public Duration waited() {
        return waited;
    }
}
