package org.concurrence.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * One wait of one thread for one event: the building block of every blocking call in Concurrence (channels, locks,
 * joins, mailboxes, sockets), in the way {@code LockSupport} is for {@code java.util.concurrent}.
 *
 * <p>A waiter is completed at most once, with a value ({@link #complete}) or a failure ({@link #fail}), or cancelled
 * by its own thread when its deadline passes or its tasklet is killed. Completion wins every race: a waiter that was
 * completed returns its value even if its deadline has passed or a kill arrived meanwhile (the kill is then delivered
 * at the next blocking call). So a value handed to a waiter is never lost.
 *
 * <p>The pattern for a primitive with a queue of waiters, all under the primitive's own lock:
 * <pre>{@code
 * Waiter<E> w = Waiter.create();
 * synchronized (lock) { if (available) return take(); queue.add(w); }
 * try {
 *     return w.await(deadline, "receive on", this);
 * } catch (DeadlineExceededException | TaskletExit cancelled) {
 *     synchronized (lock) { queue.remove(w); }   // the waiter was cancelled: take it out, restore counts
 *     throw cancelled;
 * }
 * }</pre>
 * and whoever takes a waiter out of the queue (under the lock) completes it; if {@code complete} returns false the
 * waiter was cancelled meanwhile and the value must go to the next one.
 *
 * <p>Threads: a waiter belongs to the thread that created it, which must be the one that calls {@code await}.
 * Inside a tasklet, waiting parks only the tasklet and the deadline is measured on its dispatcher's clock (so it
 * follows virtual time); on any other thread it parks that thread on {@link System#nanoTime()}. {@code complete},
 * {@code fail} and {@code isWaiting} may be called from any thread.
 *
 * <p>Memory visibility: actions of the completing thread before {@code complete(v)} happen-before the waiter's
 * return from {@code await}.
 *
 * @param <T> the type of the value the wait ends with
 */
public final class Waiter<T> {
    /** "No deadline" for {@link #await}, as {@link Tasklet#deadline} returns it. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;

    private static final int WAITING = 0;
    private static final int COMPLETED = 1;
    private static final int CANCELLED = 2;
    /** A completer has won and is storing its value; lasts a few instructions. */
    private static final int COMPLETING = 3;
    private static final VarHandle STATE;
    /** The wait's clock reading is stale (it woke up): read the dispatcher's clock before the next deadline check. */
    private static final long CLOCK_UNREAD = Long.MIN_VALUE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Waiter.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Thread thread;
    private final Tasklet<?> tasklet;
    private volatile int state;
    /** The value, or a {@link Failure} holding what {@link #await} throws: one field, so a waiter is 40 bytes. */
    private Object outcome;
    /** Free for the owning primitive: e.g. the item a waiting sender offers. Guarded by the primitive's lock. */
    public Object attachment;

    // Links of the WaitQueue this waiter is in, guarded by the primitive's lock.
    Waiter<?> prev;
    Waiter<?> next;
    WaitQueue<?> queue;

    private Waiter(Thread thread, Tasklet<?> tasklet) {
        this.thread = thread;
        this.tasklet = tasklet;
    }

    /** A waiter for the current thread (a tasklet, or any other thread). */
    public static <T> Waiter<T> create() {
        Thread current = Thread.currentThread();
        return new Waiter<>(current, current.isVirtual() ? Tasklet.of(current) : null);
    }

    /** The tasklet that waits, or null if the waiter is a plain thread. */
    public Tasklet<?> tasklet() {
        return tasklet;
    }

    /** True until the waiter is completed, failed or cancelled. */
    public boolean isWaiting() {
        return state == WAITING;
    }

    /**
     * Ends the wait with {@code value} and makes the waiting thread runnable (behind the tasklets already runnable
     * on its dispatcher).
     *
     * @return false if the waiter had already ended (completed, failed or cancelled); the value was not taken
     */
    public boolean complete(T value) {
        if (!claim(value)) {
            return false;
        }
        LockSupport.unpark(thread);
        return true;
    }

    /**
     * Wins the waiter for this completion, then stores the outcome: a completer that loses never touches it. The
     * waiting thread treats COMPLETING as "about to be completed" and spins the few instructions until COMPLETED.
     */
    private boolean claim(Object outcome) {
        if (!STATE.compareAndSet(this, WAITING, COMPLETING)) {
            return false;
        }
        this.outcome = outcome;
        state = COMPLETED;
        return true;
    }

    /** A failure given to {@link #fail}, as the waiter's outcome. */
    private record Failure(Throwable failure) {}

    /**
     * Like {@link #complete}, but when called on the waiter's own dispatcher the waiter runs next, before the
     * tasklets already runnable there: a hand-over that switches at once.
     */
    public boolean completeFirst(T value) {
        if (!claim(value)) {
            return false;
        }
        if (tasklet != null) {
            tasklet.dispatcher().unparkFirst(thread);
        } else {
            LockSupport.unpark(thread);
        }
        return true;
    }

    /**
     * Ends the wait with a failure that {@link #await} throws in the waiting thread (unchecked exceptions and errors
     * as they are).
     *
     * @return false if the waiter had already ended
     */
    public boolean fail(RuntimeException failure) {
        return failWith(failure);
    }

    /** Ends the wait with an {@link Error} that {@link #await} throws. */
    public boolean fail(Error failure) {
        return failWith(failure);
    }

    private boolean failWith(Throwable failure) {
        if (!claim(new Failure(failure))) {
            return false;
        }
        LockSupport.unpark(thread);
        return true;
    }

    /**
     * Waits until the waiter is completed, its deadline passes, or its tasklet is killed.
     *
     * @param deadline  the absolute deadline on the waiting tasklet's dispatcher clock, from
     *                  {@link Tasklet#deadline(Duration)}; {@code Long.MAX_VALUE} for none
     * @param operation what is waited for, for the timeout message, e.g. {@code "receive on"}
     * @param target    the object waited on, named after {@code operation} in the message; may be null
     * @return the value given to {@link #complete}
     * @throws DeadlineExceededException if the deadline passed first; the waiter is then cancelled
     * @throws TaskletExit               if the tasklet was killed first; the waiter is then cancelled
     * @throws RuntimeException          the failure given to {@link #fail}, as it is
     */
    public T await(long deadline, String operation, Object target) {
        return await(deadline, operation, target, true);
    }

    /**
     * {@link #await(long, String, Object)}; with {@code armTimer} false, the caller guarantees a {@link #wakeUp} at
     * or before the deadline (a {@link WaitTimer}) and no timer is armed here.
     */
    T await(long deadline, String operation, Object target, boolean armTimer) {
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("a waiter must be awaited by the thread that created it ("
                    + thread + "), not " + Thread.currentThread());
        }
        if (tasklet == null) {
            return awaitOnThread(deadline, operation, target);
        }
        // The tasklet path stays in this frame: every parked tasklet's stack holds it, and each frame costs memory, as
        // does every value live across the park (so the clock is read again after it, and the dispatcher is read
        // from the tasklet rather than kept in a local).
        long start = deadline == Deadlines.NONE ? 0 : tasklet.dispatcher().nanoTime();
        long now = start;
        Timer timer = null;
        try {
            while (true) {
                int s = state;
                if (s == COMPLETED) {
                    return result();
                }
                if (s == COMPLETING) {
                    Thread.onSpinWait();
                    continue;
                }
                if (tasklet.takeKillRequest()) {
                    if (cancel()) {
                        throw tasklet.exitSignal();
                    }
                    tasklet.requestKill(); // completed meanwhile: keep the kill for the next blocking call
                    continue;
                }
                if (deadline != Deadlines.NONE) {
                    if (now == CLOCK_UNREAD) {
                        now = tasklet.dispatcher().nanoTime();
                    }
                    if (now >= deadline) {
                        if (cancel()) {
                            throw new DeadlineExceededException(describe(operation, target), waited(start, now, deadline));
                        }
                        continue;
                    }
                    if (timer == null && armTimer) {
                        timer = tasklet.dispatcher().scheduleUnpark(deadline, thread);
                    }
                }
                LockSupport.park(this);
                now = CLOCK_UNREAD;
            }
        } finally {
            if (timer != null) {
                tasklet.dispatcher().cancel(timer);
            }
        }
    }

    private T awaitOnThread(long deadline, String operation, Object target) {
        long start = System.nanoTime();
        while (true) {
            int s = state;
            if (s == COMPLETED) {
                return result();
            }
            if (s == COMPLETING) {
                Thread.onSpinWait();
                continue;
            }
            if (Thread.interrupted()) {
                if (cancel()) {
                    Thread.currentThread().interrupt();
                    throw new TaskletExit(describe(operation, target) + " was interrupted");
                }
                Thread.currentThread().interrupt();
                continue;
            }
            long now = System.nanoTime();
            if (now >= deadline) {
                if (cancel()) {
                    throw new DeadlineExceededException(describe(operation, target), waited(start, now, deadline));
                }
                continue;
            }
            if (deadline == Deadlines.NONE) {
                LockSupport.park(this);
            } else {
                LockSupport.parkNanos(this, deadline - now);
            }
        }
    }

    /** How long a wait lasted; zero when the deadline had passed before it began. */
    private static Duration waited(long start, long now, long deadline) {
        return deadline <= start ? Duration.ZERO : Duration.ofNanos(now - start);
    }

    void wakeUp() {
        LockSupport.unpark(thread);
    }

    private boolean cancel() {
        return STATE.compareAndSet(this, WAITING, CANCELLED);
    }

    @SuppressWarnings("unchecked")
    private T result() {
        Object o = outcome;
        if (!(o instanceof Failure(Throwable f))) {
            return (T) o;
        }
        if (f instanceof RuntimeException e) {
            throw e;
        }
        throw (Error) f;
    }

    /** A tasklet target is named by its name alone, built here (on failure) rather than by every caller. */
    private static String describe(String operation, Object target) {
        if (target instanceof Tasklet<?> t) {
            return operation + " " + t.name();
        }
        return target == null ? operation : operation + " " + target;
    }

    /**
     * Makes a waiter that has ended (completed or cancelled) wait again, for a primitive that keeps one waiter per
     * owner and re-checks its own state after every wake-up (a mailbox). Only the owning thread calls it, under the
     * primitive's lock, before publishing the waiter again. A completer that took the waiter before it ended and
     * completes it late causes one spurious wake-up, which such a primitive tolerates.
     */
    void rearm() {
        outcome = null;
        state = WAITING;
    }
}
