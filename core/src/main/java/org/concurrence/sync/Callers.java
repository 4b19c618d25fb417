package org.concurrence.sync;

import java.util.concurrent.atomic.AtomicLong;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.Tasklet;

/**
 * Small helpers shared by the primitives of this package: who is calling, how to name them, and whether a deadline
 * has passed. Stateless apart from a counter for default names; safe from any thread.
 */
final class Callers {
    /** No deadline, as {@link Tasklet#deadline} and {@link org.concurrence.core.Waiter#await} spell it. */
    static final long NO_DEADLINE = org.concurrence.core.Waiter.NO_DEADLINE;

    private static final AtomicLong NAMES = new AtomicLong();

    private Callers() {}

    /** The identity that owns a lock: the current tasklet, or the current thread if it is not a tasklet. */
    static Object current() {
        Tasklet<?> tasklet = Tasklet.currentOrNull();
        return tasklet != null ? tasklet : Thread.currentThread();
    }

    /** An identity from {@link #current()} for people: {@code tasklet worker-3} or {@code thread main}. */
    static String describe(Object identity) {
        if (identity instanceof Tasklet<?> tasklet) {
            return "tasklet " + tasklet.name();
        }
        Thread thread = (Thread) identity;
        return "thread " + (thread.getName().isEmpty() ? "#" + thread.threadId() : thread.getName());
    }

    /** {@code name} if given, else {@code kind-N} with N unique in this JVM. */
    static String nameOr(String name, String kind) {
        return name != null ? name : kind + "-" + NAMES.incrementAndGet();
    }

    /**
     * True if {@code deadline} (from {@link Tasklet#deadline}) has passed on the caller's clock: its dispatcher's
     * inside a tasklet (virtual time included), {@link System#nanoTime()} elsewhere.
     */
    static boolean passed(long deadline) {
        if (deadline == NO_DEADLINE) {
            return false;
        }
        Dispatcher dispatcher = Dispatcher.current();
        long now = dispatcher != null ? dispatcher.nanoTime() : System.nanoTime();
        return now >= deadline;
    }
}
