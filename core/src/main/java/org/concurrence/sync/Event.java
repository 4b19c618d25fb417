package org.concurrence.sync;

import java.time.Duration;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Tasklet;
import org.concurrence.core.TaskletExit;
import org.concurrence.core.WaitQueue;
import org.concurrence.core.Waiter;

/**
 * A flag that tasklets wait on until it is set: "the configuration is loaded", "shutdown has begun".
 *
 * <pre>{@code
 * Event ready = new Event("ready");
 * Tasklet.spawn(() -> { load(); ready.set(); });
 * ready.await(Duration.ofSeconds(5));      // or DeadlineExceededException
 * }</pre>
 *
 * <p><b>Waiting.</b> {@link #await()} returns at once if the event is set; otherwise it parks the tasklet until
 * {@link #set()} wakes it. {@code set()} wakes every waiter, in the order they began to wait, and the event stays set
 * (later calls to {@code await} return at once) until {@link #clear()}. A waiter woken by {@code set()} returns even
 * if the event was cleared again before it ran.
 *
 * <p><b>Deadlines and kills.</b> {@code await()} waits under the current deadline, {@link #await(Duration)} also for
 * at most the given time; like every blocking call in Concurrence it throws {@link DeadlineExceededException} when
 * the deadline passes first (there is no boolean form: {@link #isSet()} is the form that never waits). A deadline
 * that had already passed fails at once unless the event is set. A kill while waiting throws {@link TaskletExit}.
 * Either way the waiter leaves the queue.
 *
 * <p><b>Memory visibility.</b> Actions before {@code set()} happen-before the return of an {@code await} that it
 * ended or that found the event set.
 *
 * <p><b>Thread-safety.</b> Every method may be called from any tasklet on any dispatcher, or from any thread (plain
 * threads park on {@link System#nanoTime()}; an interrupt counts as a kill). The state is guarded by a small private
 * lock that is never held while waiting.
 */
public final class Event {
    private final Object monitor = new Object();
    private final String name;
    private final WaitQueue<Boolean> waiters = new WaitQueue<>();
    private boolean set;

    /** A clear event named {@code event-N}. */
    public Event() {
        this(null);
    }

    /** A clear event with {@code name}, used in messages. */
    public Event(String name) {
        this.name = Callers.nameOr(name, "event");
    }

    /** The name given at creation, or {@code event-N}. */
    public String name() {
        return name;
    }

    /** Sets the event and wakes every waiter, first come first woken. Setting a set event does nothing. */
    public void set() {
        synchronized (monitor) {
            if (set) {
                return;
            }
            set = true;
            for (Waiter<Boolean> w; (w = waiters.poll()) != null; ) {
                w.complete(Boolean.TRUE); // false for a waiter that timed out or was killed meanwhile: nothing lost
            }
        }
    }

    /** Clears the event, so that later calls to {@code await} wait again. Clearing a clear event does nothing. */
    public void clear() {
        synchronized (monitor) {
            set = false;
        }
    }

    /** True if the event is set now; never waits. */
    public boolean isSet() {
        synchronized (monitor) {
            return set;
        }
    }

    /**
     * Returns once the event is set, waiting under the current deadline.
     *
     * @throws DeadlineExceededException if the deadline passed first
     * @throws TaskletExit               if the tasklet is killed, before or while waiting
     */
    public void await() {
        awaitUntil(Tasklet.deadline(null));
    }

    /**
     * Returns once the event is set, waiting for at most {@code timeout} and never past the current deadline.
     *
     * @see #await()
     */
    public void await(Duration timeout) {
        awaitUntil(Tasklet.deadline(timeout));
    }

    /** How many tasklets and threads wait now; a snapshot. */
    public int waitingCount() {
        synchronized (monitor) {
            return waiters.size();
        }
    }

    /** {@code Event[name, clear, 2 waiting]}: a snapshot. */
    @Override
    public String toString() {
        synchronized (monitor) {
            return "Event[" + name + ", " + (set ? "set" : "clear") + ", " + waiters.size() + " waiting]";
        }
    }

    private void awaitUntil(long deadline) {
        Tasklet.checkpoint(); // a pending kill is raised here even if no wait is needed, as channels do
        Waiter<Boolean> waiter;
        synchronized (monitor) {
            if (set) {
                return;
            }
            waiter = Waiter.create();
            waiters.add(waiter);
        }
        try {
            waiter.await(deadline, "await of", this);
        } catch (DeadlineExceededException | TaskletExit cancelled) {
            synchronized (monitor) {
                waiters.remove(waiter);
            }
            throw cancelled;
        }
    }
}
