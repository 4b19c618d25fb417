package org.concurrence.sync;

import java.time.Duration;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Tasklet;
import org.concurrence.core.TaskletExit;

/**
 * Mutual exclusion for tasklets: at most one owner at a time, a tasklet (or a plain thread), which must be the one
 * to {@link #unlock()} it. Not reentrant: acquiring a lock one already holds throws instead of waiting forever (see
 * {@link RLock} for a reentrant one).
 *
 * <pre>{@code
 * try (var _ = accounts.acquire()) {          // waits under the current deadline
 *     balance += amount;
 * }
 * }</pre>
 *
 * <p><b>Waiting.</b> A tasklet that finds the lock held waits in a first-in, first-out line; waiting parks only that
 * tasklet, never its dispatcher. {@link #unlock()} hands ownership straight to the first in line: nobody can barge
 * in between, not even the unlocker, so tasklets acquire in the order they asked. The woken tasklet runs when its
 * dispatcher gets to it (behind the tasklets already runnable there).
 *
 * <p><b>Deadlines and kills.</b> {@link #lock()} waits under the tasklet's current deadline ({@link
 * org.concurrence.core.Timeout} scopes); {@link #lock(Duration)} also for at most the given time. When the deadline
 * passes first the call throws {@link DeadlineExceededException} and holds nothing; a deadline that had already
 * passed fails at once, unless the lock is free, which is taken without waiting. A kill while waiting throws
 * {@link TaskletExit} and the tasklet holds nothing. Either way the tasklet leaves the line, and a later unlock goes
 * to the next waiter. If ownership was handed over in the same instant as the deadline or kill, handing over wins:
 * the call returns holding the lock and a kill is delivered at the next blocking call.
 *
 * <p>A lock stays held until its owner unlocks it, even if the owner ends or is killed: release it in a {@code
 * finally} block or with try-with-resources, which a kill runs like any other exit.
 *
 * <p><b>Plain threads</b> may use a lock too (they park on {@link System#nanoTime()}; an interrupt counts as a
 * kill and keeps the interrupt status), so tasklets and threads can share one.
 *
 * <p><b>Memory visibility.</b> Actions of an owner before {@code unlock()} happen-before actions of the next owner
 * after its acquire returns, on any dispatcher or thread.
 *
 * <p><b>Thread-safety.</b> Every method may be called from any tasklet on any dispatcher, or from any thread. The
 * internal state is guarded by a small private lock that is never held while waiting.
 */
public final class Lock {
    private final Ownership core;

    /** A free lock named {@code lock-N}. */
    public Lock() {
        this(null);
    }

    /** A free lock with {@code name}, used in messages and {@link #toString()}. */
    public Lock(String name) {
        this.core = new Ownership("Lock", Callers.nameOr(name, "lock"), false);
    }

    /** The name given at creation, or {@code lock-N}. */
    public String name() {
        return core.name();
    }

    /**
     * Takes the lock if it is free and nobody is waiting for it; never waits.
     *
     * @return true if the caller now owns the lock
     * @throws IllegalStateException if the caller already owns it (the lock is not reentrant)
     */
    public boolean tryLock() {
        return core.tryAcquire();
    }

    /**
     * Takes the lock, waiting in line for it under the current deadline.
     *
     * @throws DeadlineExceededException if the deadline passed first; the caller holds nothing
     * @throws TaskletExit               if the tasklet is killed, before or while waiting; the caller holds nothing
     * @throws IllegalStateException     if the caller already owns the lock (it is not reentrant)
     */
    public void lock() {
        core.acquire(Tasklet.deadline(null), this);
    }

    /**
     * Takes the lock, waiting in line for at most {@code timeout} and never past the current deadline.
     *
     * @see #lock()
     */
    public void lock(Duration timeout) {
        core.acquire(Tasklet.deadline(timeout), this);
    }

    /**
     * Takes the lock like {@link #lock()} and returns a handle whose {@link Held#close()} unlocks it, for
     * try-with-resources.
     */
    public Held acquire() {
        lock();
        return new Held(this);
    }

    /** Takes the lock like {@link #lock(Duration)} and returns a handle that unlocks it when closed. */
    public Held acquire(Duration timeout) {
        lock(timeout);
        return new Held(this);
    }

    /**
     * Releases the lock; if tasklets wait, ownership passes to the first of them at once. Never waits.
     *
     * @throws IllegalStateException if the caller does not own the lock (the message names owner and caller)
     */
    public void unlock() {
        core.release("unlock of");
    }

    /** A condition bound to this lock: wait on it while owning the lock. See {@link Condition}. */
    public Condition newCondition() {
        return new Condition(core, this);
    }

    /** True if some tasklet or thread owns the lock now; a snapshot. */
    public boolean isLocked() {
        return core.isHeld();
    }

    /** True if the calling tasklet (or thread) owns the lock. */
    public boolean isHeldByCurrent() {
        return core.isHeldByCurrent();
    }

    /** How many tasklets and threads wait for the lock now; a snapshot. */
    public int queueLength() {
        return core.queueLength();
    }

    /** {@code Lock[name, held by tasklet w1, 2 waiting]}: a snapshot. */
    @Override
    public String toString() {
        return core.toString();
    }

    /**
     * A hold on a {@link Lock} from {@link Lock#acquire()}: closing it unlocks the lock. Closing twice does nothing.
     * Belongs to the owner: close it from the tasklet (or thread) that acquired it.
     */
    public static final class Held implements AutoCloseable {
        private final Lock lock;
        private boolean closed;

        private Held(Lock lock) {
            this.lock = lock;
        }

        /**
         * Unlocks the lock, the first time only.
         *
         * @throws IllegalStateException if the caller does not own the lock
         */
        @Override
        public void close() {
            if (!closed) {
                lock.unlock();
                closed = true;
            }
        }
    }
}
