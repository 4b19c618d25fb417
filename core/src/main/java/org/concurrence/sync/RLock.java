package org.concurrence.sync;

import java.time.Duration;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Tasklet;
import org.concurrence.core.TaskletExit;

/**
 * A reentrant lock: like {@link Lock}, but its owner may acquire it again without waiting, and must unlock it as
 * many times as it acquired it before anyone else can take it.
 *
 * <p>Waiting, deadlines, kills, plain threads, memory visibility and thread-safety are exactly as for {@link Lock}:
 * a first-in, first-out line of waiters, ownership handed straight to the first of them when the last hold is
 * released, {@link DeadlineExceededException} or {@link TaskletExit} on timeout or kill with nothing held and the
 * waiter out of the line. A re-entering owner never waits, so its deadline does not matter. A {@link Condition} of
 * an RLock releases every hold while waiting and restores them all before returning.
 */
public final class RLock {
    private final Ownership core;

    /** A free lock named {@code rlock-N}. */
    public RLock() {
        this(null);
    }

    /** A free lock with {@code name}, used in messages and {@link #toString()}. */
    public RLock(String name) {
        this.core = new Ownership("RLock", Callers.nameOr(name, "rlock"), true);
    }

    /** The name given at creation, or {@code rlock-N}. */
    public String name() {
        return core.name();
    }

    /**
     * Takes the lock if it is free and nobody waits for it, or adds a hold if the caller owns it; never waits.
     *
     * @return true if the caller now owns the lock
     */
    public boolean tryLock() {
        return core.tryAcquire();
    }

    /**
     * Takes the lock, or adds a hold if the caller owns it, waiting in line under the current deadline.
     *
     * @throws DeadlineExceededException if the deadline passed first; the caller holds nothing
     * @throws TaskletExit               if the tasklet is killed, before or while waiting; the caller holds nothing
     */
    public void lock() {
        core.acquire(Tasklet.deadline(null), this);
    }

    /**
     * Takes the lock like {@link #lock()}, waiting for at most {@code timeout} and never past the current deadline.
     */
    public void lock(Duration timeout) {
        core.acquire(Tasklet.deadline(timeout), this);
    }

    /** Takes the lock like {@link #lock()} and returns a handle that releases this hold when closed. */
    public Held acquire() {
        lock();
        return new Held(this);
    }

    /** Takes the lock like {@link #lock(Duration)} and returns a handle that releases this hold when closed. */
    public Held acquire(Duration timeout) {
        lock(timeout);
        return new Held(this);
    }

    /**
     * Releases one hold; releasing the last one hands the lock to the first waiter at once. Never waits.
     *
     * @throws IllegalStateException if the caller does not own the lock (the message names owner and caller)
     */
    public void unlock() {
        core.release("unlock of");
    }

    /** A condition bound to this lock; see {@link Condition}. */
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

    /** How many holds the caller has on the lock: 0 if it does not own it. */
    public int holdCount() {
        return core.holdsOfCurrent();
    }

    /** How many tasklets and threads wait for the lock now; a snapshot. */
    public int queueLength() {
        return core.queueLength();
    }

    /** {@code RLock[name, held by tasklet w1 2 times, 1 waiting]}: a snapshot. */
    @Override
    public String toString() {
        return core.toString();
    }

    /**
     * One hold on an {@link RLock} from {@link RLock#acquire()}: closing it releases that hold. Closing twice does
     * nothing. Close it from the tasklet (or thread) that acquired it.
     */
    public static final class Held implements AutoCloseable {
        private final RLock lock;
        private boolean closed;

        private Held(RLock lock) {
            this.lock = lock;
        }

        /**
         * Releases the hold, the first time only.
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
