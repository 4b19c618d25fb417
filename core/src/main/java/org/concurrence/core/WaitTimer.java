package org.concurrence.core;

/*
 * Implementation notes. A timed wait normally arms a timer when it parks and disarms it when it wakes: two O(log n)
 * operations on the dispatcher's timer heap, each touching the Timer objects on its path. With a thousand keep-alive
 * connections each waiting for its next request under an idle timeout, the timer to disarm is the oldest one, at the
 * root, and disarming it sifts the last timer down the whole heap: about twenty Timer objects that have not been
 * touched since their connection's previous request, i.e. cache misses per request that grow with the number of
 * connections (measured: bench http, json at 1,000 connections). Here successive waits of one owner share one timer
 * that is left armed after a wait ends: a wait whose deadline is not earlier than the armed timer's changes nothing in
 * the heap; when the timer fires before the current waiter's deadline (it was armed for an earlier wait), it re-arms
 * itself for that deadline; when nobody waits, it is dropped. A deadline is never late: the armed timer is never
 * after the current waiter's deadline.
 */
/**
 * The deadline timer of one owner's successive timed waits (for example a socket's reads), armed lazily: at most one
 * wait at a time, all on one dispatcher. Waits through {@link #await} behave exactly like
 * {@link Waiter#await(long, String, Object)}; the difference is that the timer stays armed between waits, so a server
 * that waits with an idle timeout per request costs the timer heap nothing per request.
 *
 * <p>Thread-safety: confined to the dispatcher's carrier (its tasklets and its loop); waits from a plain thread or
 * another dispatcher's tasklet fall back to the waiter's own timer.
 */
public final class WaitTimer {
    private final Dispatcher dispatcher;
    private final Runnable fire = this::fire;
    private Timer timer;
    private Waiter<?> waiter;
    private long deadline;

    /** A timer for waits on {@code dispatcher}. */
    public WaitTimer(Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    /**
     * {@code waiter.await(deadline, operation, target)} with this timer as the wake-up at the deadline.
     *
     * @throws IllegalStateException if another wait through this timer is in progress
     */
    public <T> T await(Waiter<T> waiter, long deadline, String operation, Object target) {
        Tasklet<?> tasklet = waiter.tasklet();
        if (deadline == Deadlines.NONE || tasklet == null || tasklet.dispatcher() != dispatcher) {
            return waiter.await(deadline, operation, target);
        }
        if (this.waiter != null) {
            throw new IllegalStateException(operation + " " + target + ": another wait through the same timer is in "
                    + "progress");
        }
        arm(waiter, deadline);
        try {
            return waiter.await(deadline, operation, target, false);
        } finally {
            this.waiter = null;
        }
    }

    private void arm(Waiter<?> waiter, long deadline) {
        this.waiter = waiter;
        this.deadline = deadline;
        Timer t = timer;
        if (t != null && t.isQueued()) {
            if (t.due <= deadline) {
                return; // fires in time: then re-arms for this deadline if it is still ahead
            }
            dispatcher.cancel(t);
        }
        timer = dispatcher.schedule(deadline, fire);
    }

    /** The timer fired (on the carrier): wake the waiter if its deadline has come, else re-arm for it. */
    private void fire() {
        timer = null;
        Waiter<?> w = waiter;
        if (w == null) {
            return; // nobody waits: the next wait arms again
        }
        if (dispatcher.nanoTime() >= deadline) {
            w.wakeUp();
        } else {
            timer = dispatcher.schedule(deadline, fire);
        }
    }

    /**
     * Disarms the timer, for an owner that is done (a closed socket), so that the heap does not keep it until it
     * fires. Call on the dispatcher's carrier; elsewhere it does nothing (the timer then fires once and is dropped).
     */
    public void cancel() {
        Timer t = timer;
        if (t != null && dispatcher.isOnThisDispatcher()) {
            timer = null;
            dispatcher.cancel(t);
        }
    }
}
