package org.concurrence.channel;

import org.concurrence.core.Waiter;

/**
 * What an operation that did not have to wait exchanged: the value it ends with (an item, {@link Signal#SENT} or
 * {@link Signal#CLOSED}), and the waiter it woke and prefers to switch to (null: keep running).
 */
record Exchange(Object value, Waiter<?> switchTo) {
    static final Exchange SENT = new Exchange(Signal.SENT, null);
    static final Exchange CLOSED = new Exchange(Signal.CLOSED, null);
}
