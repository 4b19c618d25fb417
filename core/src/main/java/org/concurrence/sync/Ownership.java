package org.concurrence.sync;

import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Tasklet;
import org.concurrence.core.TaskletExit;
import org.concurrence.core.WaitQueue;
import org.concurrence.core.Waiter;

/*
 * Implementation notes. Invariant: owner == null implies an empty queue, because a release polls waiters until one
 * accepts ownership (Waiter.complete returns true) and frees the lock only when none is left. A waiter that timed out
 * or was killed is cancelled first (Waiter semantics: completion wins every race), so a release that meets it gets
 * false from complete and moves on to the next one; the cancelled waiter then removes itself from the queue if it is
 * still there. Ownership is therefore never lost and never given to two waiters.
 */
/**
 * The engine of {@link Lock} and {@link RLock}: an owner (a tasklet, or a plain thread), a hold count, and a
 * first-in, first-out queue of waiters to which a release hands ownership directly.
 *
 * <p>Thread-safety: every field is guarded by {@code monitor}, which is never held while waiting.
 */
final class Ownership {
    private final Object monitor = new Object();
    private final String kind;
    private final String name;
    private final boolean reentrant;
    private final WaitQueue<Boolean> waiters = new WaitQueue<>();
    private Object owner;
    private int holds;

    Ownership(String kind, String name, boolean reentrant) {
        this.kind = kind;
        this.name = name;
        this.reentrant = reentrant;
    }

    String name() {
        return name;
    }

    /** Takes ownership if it is free and nobody waits (no barging), or re-enters; never waits. */
    boolean tryAcquire() {
        Object me = Callers.current();
        synchronized (monitor) {
            if (owner == null) {
                take(me);
                return true;
            }
            if (owner == me) {
                reenter(me);
                return true;
            }
            return false;
        }
    }

    /**
     * Takes ownership, waiting in line until {@code deadline} if it is held.
     *
     * @param target the object named in a timeout's message (the public lock)
     */
    void acquire(long deadline, Object target) {
        Tasklet.checkpoint(); // a pending kill is raised here even if no wait is needed, as channels do
        Object me = Callers.current();
        Waiter<Boolean> waiter;
        synchronized (monitor) {
            if (owner == null) {
                take(me);
                return;
            }
            if (owner == me) {
                reenter(me);
                return;
            }
            waiter = Waiter.create();
            waiter.attachment = me;
            waiters.add(waiter);
        }
        try {
            waiter.await(deadline, "acquire of", target);
            // Completed: the releaser made us the owner before completing the waiter.
        } catch (DeadlineExceededException | TaskletExit cancelled) {
            synchronized (monitor) {
                waiters.remove(waiter);
            }
            throw cancelled;
        }
    }

    /** Gives up one hold; the last one hands ownership to the first waiter. */
    void release(String operation) {
        Object me = Callers.current();
        synchronized (monitor) {
            checkOwner(me, operation);
            if (--holds == 0) {
                handOff();
            }
        }
    }

    /** For a condition wait: checks the caller owns this lock, else throws naming {@code operation}. */
    void checkHeld(String operation) {
        Object me = Callers.current();
        synchronized (monitor) {
            checkOwner(me, operation);
        }
    }

    /** For a condition wait: gives up every hold at once and returns how many there were. */
    int releaseAll(String operation) {
        Object me = Callers.current();
        synchronized (monitor) {
            checkOwner(me, operation);
            int released = holds;
            handOff();
            return released;
        }
    }

    /**
     * For the end of a condition wait: takes ownership back with {@code savedHolds} holds, waiting as long as it
     * takes. Neither the deadline nor a kill stops it: a kill that arrives meanwhile is returned (the first one, if
     * several) for the caller to throw once the lock is held again. On a plain thread an interrupt is treated the
     * same way and the interrupt status is set again before returning.
     *
     * @return the kill that arrived while waiting for the lock, or null
     */
    TaskletExit reacquire(int savedHolds, Object target) {
        boolean plainThread = Tasklet.currentOrNull() == null;
        TaskletExit deferred = null;
        boolean interrupted = false;
        while (true) {
            try {
                acquire(Callers.NO_DEADLINE, target);
                break;
            } catch (TaskletExit exit) {
                if (deferred == null) {
                    deferred = exit;
                }
                if (plainThread) {
                    interrupted |= Thread.interrupted(); // else the next wait would fail at once, forever
                }
            }
        }
        synchronized (monitor) {
            holds = savedHolds;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return deferred;
    }

    boolean isHeld() {
        synchronized (monitor) {
            return owner != null;
        }
    }

    boolean isHeldByCurrent() {
        Object me = Callers.current();
        synchronized (monitor) {
            return owner == me;
        }
    }

    /** The current caller's holds: 0 if it does not own the lock. */
    int holdsOfCurrent() {
        Object me = Callers.current();
        synchronized (monitor) {
            return owner == me ? holds : 0;
        }
    }

    int queueLength() {
        synchronized (monitor) {
            return waiters.size();
        }
    }

    /** {@code Lock[accounts, held by tasklet w1, 2 waiting]}: a snapshot for messages and logs. */
    @Override
    public String toString() {
        synchronized (monitor) {
            StringBuilder s = new StringBuilder(kind).append('[').append(name).append(", ");
            if (owner == null) {
                s.append("free");
            } else {
                s.append("held by ").append(Callers.describe(owner));
                if (reentrant && holds > 1) {
                    s.append(' ').append(holds).append(" times");
                }
            }
            if (!waiters.isEmpty()) {
                s.append(", ").append(waiters.size()).append(" waiting");
            }
            return s.append(']').toString();
        }
    }

    // Under monitor.

    private void take(Object me) {
        owner = me;
        holds = 1;
    }

    private void reenter(Object me) {
        if (!reentrant) {
            throw new IllegalStateException(kind + " " + name + " is already held by " + Callers.describe(me)
                    + ", which is acquiring it again: a " + kind + " is not reentrant and this would wait forever"
                    + " (use RLock to re-enter)");
        }
        if (holds == Integer.MAX_VALUE) {
            throw new IllegalStateException(kind + " " + name + " is held " + holds + " times by "
                    + Callers.describe(me) + ": no more holds can be counted");
        }
        holds++;
    }

    private void handOff() {
        for (Waiter<Boolean> next; (next = waiters.poll()) != null; ) {
            take(next.attachment);
            if (next.complete(Boolean.TRUE)) {
                return; // ownership handed over: that waiter returns from acquire as the owner
            }
            // That waiter timed out or was killed meanwhile: ownership goes to the next one.
        }
        owner = null;
        holds = 0;
    }

    private void checkOwner(Object me, String operation) {
        if (owner != me) {
            throw new IllegalStateException(operation + " " + kind + " " + name + " by " + Callers.describe(me)
                    + ", but " + (owner == null ? "it is not held" : "it is held by " + Callers.describe(owner)));
        }
    }
}
