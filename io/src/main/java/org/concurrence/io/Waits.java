package org.concurrence.io;

import java.time.Duration;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.Tasklet;

/**
 * Per-call timeouts over several source or sink calls: one absolute deadline taken when the call starts, and the time
 * left before it handed to each underlying call, so that a {@code readLine(Duration)} spanning five reads waits at
 * most its {@code Duration} in total.
 */
final class Waits {
    /** No per-call timeout: each underlying call honours the tasklet's current deadline by itself. */
    static final long CURRENT = Long.MAX_VALUE;

    private Waits() {}

    /** The deadline of a call given {@code timeout}: the earlier of it and the current deadline; null: CURRENT. */
    static long deadline(Duration timeout) {
        return timeout == null ? CURRENT : Tasklet.deadline(timeout);
    }

    /** The timeout to pass to the next underlying call: null for CURRENT, else the time left (zero if passed). */
    static Duration left(long deadline) {
        if (deadline == CURRENT) {
            return null;
        }
        Dispatcher dispatcher = Dispatcher.current();
        long now = dispatcher == null ? System.nanoTime() : dispatcher.nanoTime();
        return Duration.ofNanos(Math.max(0, deadline - now));
    }
}
