package org.concurrence.core;

import java.util.concurrent.locks.LockSupport;

/**
 * A one-shot action that a dispatcher runs on its carrier thread when the dispatcher's clock reaches {@link #due()}:
 * a {@link Runnable}, or a {@link Thread} to unpark (a sleep or a timed wait, which then needs no action object of its
 * own: 16 bytes less per timed wait).
 *
 * <p>Timers are created and cancelled only on their dispatcher's carrier (by tasklets running there or by the
 * dispatcher loop itself); this class is not thread-safe. A timer cancelled before it fires never fires, even when
 * it was due in the same loop pass.
 */
final class Timer {
    final long due;
    final long sequence;
    /** A Runnable to run, or a Thread to unpark. */
    private final Object action;
    /** Position in the owning {@link TimerQueue}'s heap, or -1 when not queued. */
    int heapIndex = -1;

    Timer(long due, long sequence, Object action) {
        this.due = due;
        this.sequence = sequence;
        this.action = action;
    }

    /** Runs the action (on the dispatcher's carrier). */
    void fire() {
        if (action instanceof Thread thread) {
            LockSupport.unpark(thread);
        } else {
            ((Runnable) action).run();
        }
    }

    long due() {
        return due;
    }

    boolean isQueued() {
        return heapIndex >= 0;
    }

    /** Orders by due time, then by creation order, so timers due at the same instant fire first-in, first-out. */
    boolean firesBefore(Timer other) {
        return due < other.due || (due == other.due && sequence < other.sequence);
    }
}
