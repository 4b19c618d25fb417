package org.concurrence.sync;

import java.time.Duration;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Tasklet;
import org.concurrence.core.TaskletExit;
import org.concurrence.core.WaitQueue;
import org.concurrence.core.Waiter;

/*
 * Implementation notes. Each waiter's attachment is the number of permits it wants. grant() serves the head of the
 * queue while enough permits are left: it takes the permits out of the count and completes the waiter; if complete
 * returns false the waiter had timed out or been killed, and its permits go back to the count for the next one.
 * A cancelled waiter that is still queued removes itself and calls grant(), because a large request at the head may
 * have held back smaller ones behind it.
 */
/**
 * A counting semaphore for tasklets: a number of permits that tasklets (or threads) acquire and release, to bound
 * how many do something at once.
 *
 * <pre>{@code
 * Semaphore connections = new Semaphore("db", 10);
 * connections.acquire();                    // waits under the current deadline
 * try {
 *     query();
 * } finally {
 *     connections.release();
 * }
 * }</pre>
 *
 * <p><b>Waiting.</b> A request that cannot be served at once waits in a first-in, first-out line and parks only its
 * tasklet. {@link #release()} hands permits straight to the waiters at the head of the line: a permit released
 * while someone waits is never up for grabs, so requests are served strictly in arrival order (a request for many
 * permits at the head holds back smaller ones behind it until it is served, times out or is killed). A request made
 * while others wait joins the line even if permits are free.
 *
 * <p><b>Deadlines and kills.</b> {@link #acquire()} waits under the tasklet's current deadline, {@link
 * #acquire(Duration)} also for at most the given time. When the deadline passes first the call throws {@link
 * DeadlineExceededException} and takes nothing; a deadline that had already passed fails at once unless the permits
 * can be had without waiting. A kill while waiting throws {@link TaskletExit} and takes nothing. Either way the
 * waiter leaves the line and no permit is lost: a release goes to the next waiter. If permits were handed over in the
 * same instant as the deadline or kill, the hand-over wins and the call returns with them.
 *
 * <p>Permits are not owned: any tasklet or thread may release, and releases may raise the count above the initial
 * number (up to {@link Integer#MAX_VALUE}).
 *
 * <p><b>Memory visibility.</b> Actions before {@code release()} happen-before actions after an acquire that the
 * released permits served (or that came later), on any dispatcher or thread.
 *
 * <p><b>Thread-safety.</b> Every method may be called from any tasklet on any dispatcher, or from any thread
 * (plain threads park on {@link System#nanoTime()}; an interrupt counts as a kill). The state is guarded by a small
 * private lock that is never held while waiting.
 */
public final class Semaphore {
    private final Object monitor = new Object();
    private final String name;
    private final WaitQueue<Boolean> waiters = new WaitQueue<>();
    private int permits;

    /**
     * A semaphore named {@code semaphore-N} with {@code permits} available.
     *
     * @throws IllegalArgumentException if {@code permits} is negative
     */
    public Semaphore(int permits) {
        this(null, permits);
    }

    /**
     * A semaphore with {@code name} (used in messages) and {@code permits} available.
     *
     * @throws IllegalArgumentException if {@code permits} is negative
     */
    public Semaphore(String name, int permits) {
        this.name = Callers.nameOr(name, "semaphore");
        if (permits < 0) {
            throw new IllegalArgumentException("semaphore " + this.name + ": permits must be at least 0, not "
                    + permits);
        }
        this.permits = permits;
    }

    /** The name given at creation, or {@code semaphore-N}. */
    public String name() {
        return name;
    }

    /** Takes one permit if one is available and nobody waits; never waits. */
    public boolean tryAcquire() {
        return tryAcquire(1);
    }

    /**
     * Takes {@code n} permits if that many are available and nobody waits; never waits.
     *
     * @throws IllegalArgumentException if {@code n} is less than 1
     */
    public boolean tryAcquire(int n) {
        checkCount(n, "acquire");
        synchronized (monitor) {
            if (waiters.isEmpty() && permits >= n) {
                permits -= n;
                return true;
            }
            return false;
        }
    }

    /**
     * Takes one permit, waiting in line for it under the current deadline.
     *
     * @throws DeadlineExceededException if the deadline passed first; nothing was taken
     * @throws TaskletExit               if the tasklet is killed, before or while waiting; nothing was taken
     */
    public void acquire() {
        acquireUntil(1, Tasklet.deadline(null));
    }

    /** Takes one permit, waiting for at most {@code timeout}, never past the deadline; see {@link #acquire()}. */
    public void acquire(Duration timeout) {
        acquireUntil(1, Tasklet.deadline(timeout));
    }

    /**
     * Takes {@code n} permits at once, waiting in line under the current deadline; see {@link #acquire()}.
     *
     * @throws IllegalArgumentException if {@code n} is less than 1
     */
    public void acquire(int n) {
        checkCount(n, "acquire");
        acquireUntil(n, Tasklet.deadline(null));
    }

    /** Takes {@code n} permits at once, waiting for at most {@code timeout}; see {@link #acquire(int)}. */
    public void acquire(int n, Duration timeout) {
        checkCount(n, "acquire");
        acquireUntil(n, Tasklet.deadline(timeout));
    }

    /** Returns one permit, handing it to the first waiter if it is enough for it. Never waits. */
    public void release() {
        release(1);
    }

    /**
     * Returns {@code n} permits, handing them to waiters in line order as far as they go. Never waits.
     *
     * @throws IllegalArgumentException if {@code n} is less than 1
     * @throws IllegalStateException    if the count would exceed {@link Integer#MAX_VALUE}
     */
    public void release(int n) {
        checkCount(n, "release");
        synchronized (monitor) {
            if (permits > Integer.MAX_VALUE - n) {
                throw new IllegalStateException("semaphore " + name + ": releasing " + n + " permits to the "
                        + permits + " available would exceed " + Integer.MAX_VALUE);
            }
            permits += n;
            grant();
        }
    }

    /** How many permits are available now (not counting those already handed to waiters); a snapshot. */
    public int availablePermits() {
        synchronized (monitor) {
            return permits;
        }
    }

    /** How many tasklets and threads wait now; a snapshot. */
    public int queueLength() {
        synchronized (monitor) {
            return waiters.size();
        }
    }

    /** {@code Semaphore[name, 0 available, 3 waiting]}: a snapshot. */
    @Override
    public String toString() {
        synchronized (monitor) {
            return "Semaphore[" + name + ", " + permits + " available, " + waiters.size() + " waiting]";
        }
    }

    private void acquireUntil(int n, long deadline) {
        Tasklet.checkpoint(); // a pending kill is raised here even if no wait is needed, as channels do
        Waiter<Boolean> waiter;
        synchronized (monitor) {
            if (waiters.isEmpty() && permits >= n) {
                permits -= n;
                return;
            }
            waiter = Waiter.create();
            waiter.attachment = n;
            waiters.add(waiter);
        }
        try {
            waiter.await(deadline, n == 1 ? "acquire of 1 permit from" : "acquire of " + n + " permits from", this);
            // Completed: grant() took our permits out of the count before completing us.
        } catch (DeadlineExceededException | TaskletExit cancelled) {
            synchronized (monitor) {
                if (waiters.remove(waiter)) {
                    grant(); // we may have been the head holding back smaller requests
                }
            }
            throw cancelled;
        }
    }

    /** Under monitor: serves waiters from the head of the line while the permits suffice. */
    private void grant() {
        for (Waiter<Boolean> head; (head = waiters.peek()) != null; ) {
            int wanted = (Integer) head.attachment;
            if (permits < wanted) {
                return;
            }
            waiters.poll();
            permits -= wanted;
            if (!head.complete(Boolean.TRUE)) {
                permits += wanted; // that waiter timed out or was killed meanwhile: the permits stay for the next
            }
        }
    }

    private void checkCount(int n, String operation) {
        if (n < 1) {
            throw new IllegalArgumentException("semaphore " + name + ": cannot " + operation + " " + n
                    + " permits, at least 1");
        }
    }
}
