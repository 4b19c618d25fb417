package org.concurrence.channel;

/**
 * What travels through a channel besides items, and what a woken waiter is woken with. Items themselves are never
 * null, so these markers cannot be confused with them.
 */
enum Signal {
    /** A waiting sender's item was taken. */
    SENT,
    /** The channel was closed while the operation waited, or is closed and drained. */
    CLOSED;

    /** An exception sent with {@link Channel#sendException}: the receiver that takes it throws it. */
    record Thrown(RuntimeException exception) {}
}
