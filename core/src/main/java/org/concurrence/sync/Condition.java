package org.concurrence.sync;

import java.time.Duration;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Tasklet;
import org.concurrence.core.TaskletExit;
import org.concurrence.core.WaitQueue;
import org.concurrence.core.Waiter;

/*
 * Implementation notes. A waiter joins the condition's queue before it releases the lock, so a signal sent by the
 * next owner cannot be missed. signal() completes the first waiter that is still waiting (one that timed out or was
 * killed is cancelled, so complete() returns false and the signal goes to the next). A woken waiter then takes the
 * lock back through the lock's own line (Mesa style), without deadline or kill getting in the way. If it is killed
 * after being signalled, it passes the signal on before throwing, so a signal is never swallowed by a dead waiter.
 */
/**
 * A condition variable bound to a {@link Lock} or {@link RLock} (from {@code newCondition()}): the owner of the lock
 * waits on it for some state to change, and another owner signals after changing it.
 *
 * <pre>{@code
 * try (var _ = lock.acquire()) {
 *     while (queue.isEmpty()) {
 *         notEmpty.await();          // releases the lock while waiting, holds it again on return
 *     }
 *     return queue.removeFirst();
 * }
 * }</pre>
 *
 * <p><b>Waiting.</b> {@link #await()} releases the lock (every hold of an RLock), waits until {@link #signal()} or
 * {@link #signalAll()} wakes it, then takes the lock back, in line with the lock's other waiters, before returning.
 * Waiters are woken in the order they began to wait. There are no spurious wake-ups, but between the signal and the
 * return another owner may have changed the state again: check the condition in a loop.
 *
 * <p><b>Deadlines and kills.</b> {@code await()} waits under the current deadline, {@link #await(Duration)} also for at
 * most the given time. On timeout it throws {@link DeadlineExceededException}, on a kill {@link TaskletExit};
 * <em>in every case the lock is held again when await returns or throws</em>, so a try-with-resources or finally
 * that unlocks stays correct. Taking the lock back ignores the deadline (the exception may therefore come later than
 * the deadline, once the lock is free) and defers a kill until the lock is held. A deadline that had already passed
 * fails at once, and a pending kill is thrown at once, without releasing the lock. A waiter that timed out or was
 * killed leaves the queue and a later signal goes to the next waiter; a waiter that was signalled and then killed
 * passes the signal on.
 *
 * <p><b>Memory visibility.</b> Actions before {@code signal()} happen-before the signalled waiter's return from
 * {@code await}; the lock gives the rest.
 *
 * <p><b>Thread-safety.</b> Every method must be called by the tasklet (or thread) that owns the lock, on any
 * dispatcher; otherwise it throws {@link IllegalStateException}.
 */
public final class Condition {
    private final Ownership lock;
    private final Object lockObject;
    private final Object monitor = new Object();
    private final WaitQueue<Boolean> waiters = new WaitQueue<>();

    Condition(Ownership lock, Object lockObject) {
        this.lock = lock;
        this.lockObject = lockObject;
    }

    /**
     * Releases the lock and waits for a signal under the current deadline, then takes the lock back.
     *
     * @throws DeadlineExceededException if the deadline passed before a signal; the lock is held again
     * @throws TaskletExit               if the tasklet was killed while waiting; the lock is held again
     * @throws IllegalStateException     if the caller does not own the lock
     */
    public void await() {
        awaitUntil(Tasklet.deadline(null));
    }

    /**
     * Releases the lock and waits for a signal for at most {@code timeout} (never past the current deadline), then
     * takes the lock back.
     *
     * @see #await()
     */
    public void await(Duration timeout) {
        awaitUntil(Tasklet.deadline(timeout));
    }

    /**
     * Wakes the waiter that has waited longest, if any; it returns from {@code await} once it has the lock again.
     * Never waits.
     *
     * @throws IllegalStateException if the caller does not own the lock
     */
    public void signal() {
        lock.checkHeld("signal of condition of");
        signalFirst();
    }

    /**
     * Wakes every waiter, in the order they began to wait. Never waits.
     *
     * @throws IllegalStateException if the caller does not own the lock
     */
    public void signalAll() {
        lock.checkHeld("signalAll of condition of");
        synchronized (monitor) {
            for (Waiter<Boolean> w; (w = waiters.poll()) != null; ) {
                w.complete(Boolean.TRUE);
            }
        }
    }

    /** How many tasklets and threads wait on this condition now; a snapshot. */
    public int waitingCount() {
        synchronized (monitor) {
            return waiters.size();
        }
    }

    /** {@code Condition[of Lock[name, ...], 2 waiting]}: a snapshot. */
    @Override
    public String toString() {
        return "Condition[of " + lockObject + ", " + waitingCount() + " waiting]";
    }

    private void awaitUntil(long deadline) {
        lock.checkHeld("await on condition of");
        Tasklet.checkpoint();
        if (Callers.passed(deadline)) {
            throw new DeadlineExceededException("await on " + this, Duration.ZERO);
        }
        Waiter<Boolean> waiter = Waiter.create();
        synchronized (monitor) {
            waiters.add(waiter); // before releasing the lock, so no signal can slip in between
        }
        int holds = lock.releaseAll("await on condition of");
        DeadlineExceededException timedOut = null;
        TaskletExit killed = null;
        try {
            waiter.await(deadline, "await on", this);
        } catch (DeadlineExceededException e) {
            leave(waiter);
            timedOut = e;
        } catch (TaskletExit e) {
            leave(waiter);
            killed = e;
        }
        TaskletExit lateKill = lock.reacquire(holds, lockObject);
        if (killed != null) {
            throw killed;
        }
        if (lateKill != null) {
            if (timedOut == null) {
                signalFirst(); // we were signalled but will not act on it: pass it on
            }
            throw lateKill;
        }
        if (timedOut != null) {
            throw timedOut;
        }
    }

    private void leave(Waiter<Boolean> waiter) {
        synchronized (monitor) {
            waiters.remove(waiter);
        }
    }

    private void signalFirst() {
        synchronized (monitor) {
            for (Waiter<Boolean> w; (w = waiters.poll()) != null; ) {
                if (w.complete(Boolean.TRUE)) {
                    return;
                }
                // That waiter timed out or was killed meanwhile: the signal goes to the next one.
            }
        }
    }
}
