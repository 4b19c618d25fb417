package org.concurrence.sync;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Tasklet;
import org.concurrence.core.TaskletExit;
import org.concurrence.core.WaitQueue;
import org.concurrence.core.Waiter;

/*
 * Implementation notes. Two lines of waiters: takers (waiting to pop, only while the deque is empty) and adders
 * (waiting to add, only while it is full). An item added while takers wait goes straight to the first taker that is
 * still waiting (Waiter.complete(item) returns true); a taker that timed out or was killed is skipped, so no item is
 * lost. Each removal of an item admits adders into the room it made, first come first served: an adder's item is
 * stored only if its waiter is completed, so the item of an adder that timed out never enters the deque. Invariants,
 * under the monitor: takers non-empty => items empty; adders non-empty => items full.
 */
/**
 * A double-ended queue that tasklets wait on: {@link #pop()} waits while it is empty, and if it has a capacity,
 * {@link #append} and {@link #push} wait while it is full. The counterpart of the original Concurrence's
 * {@code Deque} with its blocking {@code pop(timeout)}.
 *
 * <p>The ends: {@link #append} adds at the back and {@link #push} at the front; {@link #pop} takes from the front and
 * {@link #popLast} from the back. So {@code append} + {@code pop} is a first-in, first-out queue, {@code push} +
 * {@code pop} a stack (the same names as {@link java.util.Deque}). Each operation comes in three forms: {@code tryX}
 * never waits, {@code x()} waits under the current deadline, {@code x(Duration)} also for at most the given time.
 * Null items are not allowed ({@code tryPop} returns null when empty).
 *
 * <p><b>Waiting.</b> Waiters of each kind are served in the order they began to wait. An item added while tasklets
 * wait to pop is handed straight to the first of them (whichever end it was added at, and whichever end it waits
 * at: an empty deque has one end). Room made by a pop goes straight to the first waiting adder, whose item is then
 * in the deque. Nobody barges: while adders wait, a new add waits behind them even if it is a {@code tryAppend}
 * (which then returns false). Waiting parks only the tasklet.
 *
 * <p><b>Deadlines and kills.</b> When the deadline passes first, a call throws {@link DeadlineExceededException}; a
 * kill while waiting throws {@link TaskletExit}. Either way nothing happened: a timed-out pop took no item (the next
 * item goes to the next taker or stays in the deque), a timed-out append added nothing. A deadline that had already
 * passed fails at once unless the operation can be done without waiting. If an item (or room) was handed over in the
 * same instant as the deadline or kill, the hand-over wins and the call succeeds.
 *
 * <p><b>Memory visibility.</b> Actions before adding an item happen-before actions after the pop that returns it.
 *
 * <p><b>Thread-safety.</b> Every method may be called from any tasklet on any dispatcher, or from any thread (plain
 * threads park on {@link System#nanoTime()}; an interrupt counts as a kill). The state is guarded by a small
 * private lock that is never held while waiting.
 *
 * @param <E> the type of the items
 */
public final class TaskletDeque<E> {
    private static final int UNBOUNDED = Integer.MAX_VALUE;

    private final Object monitor = new Object();
    private final String name;
    private final int capacity;
    private final ArrayDeque<E> items = new ArrayDeque<>();
    private final WaitQueue<E> takers = new WaitQueue<>();
    private final WaitQueue<Boolean> adders = new WaitQueue<>();

    /** An item waiting to be added, with the end it goes to: an adder's {@link Waiter#attachment}. */
    private record Pending<E>(E item, boolean atFront) {}

    /** An unbounded deque named {@code deque-N}: adding never waits. */
    public TaskletDeque() {
        this(null, UNBOUNDED);
    }

    /**
     * A deque named {@code deque-N} that holds at most {@code capacity} items.
     *
     * @throws IllegalArgumentException if {@code capacity} is less than 1
     */
    public TaskletDeque(int capacity) {
        this(null, capacity);
    }

    /**
     * A deque with {@code name} (used in messages) that holds at most {@code capacity} items
     * ({@link Integer#MAX_VALUE} for unbounded).
     *
     * @throws IllegalArgumentException if {@code capacity} is less than 1
     */
    public TaskletDeque(String name, int capacity) {
        this.name = Callers.nameOr(name, "deque");
        if (capacity < 1) {
            throw new IllegalArgumentException("deque " + this.name + ": capacity must be at least 1, not "
                    + capacity);
        }
        this.capacity = capacity;
    }

    /** The name given at creation, or {@code deque-N}. */
    public String name() {
        return name;
    }

    // Adding. -------------------------------------------------------------------------------------------------

    /**
     * Adds {@code item} at the back, waiting under the current deadline while the deque is full.
     *
     * @throws DeadlineExceededException if the deadline passed first; nothing was added
     * @throws TaskletExit               if the tasklet is killed, before or while waiting; nothing was added
     */
    public void append(E item) {
        add(item, false, Tasklet.deadline(null));
    }

    /** Adds {@code item} at the back, waiting for at most {@code timeout} while full; see {@link #append(Object)}. */
    public void append(E item, Duration timeout) {
        add(item, false, Tasklet.deadline(timeout));
    }

    /** Adds {@code item} at the back if there is room and no adder waits; never waits. */
    public boolean tryAppend(E item) {
        requireItem(item, false);
        synchronized (monitor) {
            return offer(item, false);
        }
    }

    /**
     * Adds {@code item} at the front, waiting under the current deadline while the deque is full.
     *
     * @throws DeadlineExceededException if the deadline passed first; nothing was added
     * @throws TaskletExit               if the tasklet is killed, before or while waiting; nothing was added
     */
    public void push(E item) {
        add(item, true, Tasklet.deadline(null));
    }

    /** Adds {@code item} at the front, waiting for at most {@code timeout} while full; see {@link #push(Object)}. */
    public void push(E item, Duration timeout) {
        add(item, true, Tasklet.deadline(timeout));
    }

    /** Adds {@code item} at the front if there is room and no adder waits; never waits. */
    public boolean tryPush(E item) {
        requireItem(item, true);
        synchronized (monitor) {
            return offer(item, true);
        }
    }

    // Taking. -------------------------------------------------------------------------------------------------

    /**
     * Removes and returns the item at the front, waiting under the current deadline while the deque is empty.
     *
     * @throws DeadlineExceededException if the deadline passed first; no item was taken
     * @throws TaskletExit               if the tasklet is killed, before or while waiting; no item was taken
     */
    public E pop() {
        return take(false, Tasklet.deadline(null));
    }

    /** Removes the front item, waiting for at most {@code timeout} while empty; see {@link #pop()}. */
    public E pop(Duration timeout) {
        return take(false, Tasklet.deadline(timeout));
    }

    /** Removes and returns the front item, or returns null if the deque is empty; never waits. */
    public E tryPop() {
        synchronized (monitor) {
            return poll(false);
        }
    }

    /**
     * Removes and returns the item at the back, waiting under the current deadline while the deque is empty.
     *
     * @throws DeadlineExceededException if the deadline passed first; no item was taken
     * @throws TaskletExit               if the tasklet is killed, before or while waiting; no item was taken
     */
    public E popLast() {
        return take(true, Tasklet.deadline(null));
    }

    /** Removes the back item, waiting for at most {@code timeout} while empty; see {@link #popLast()}. */
    public E popLast(Duration timeout) {
        return take(true, Tasklet.deadline(timeout));
    }

    /** Removes and returns the back item, or returns null if the deque is empty; never waits. */
    public E tryPopLast() {
        synchronized (monitor) {
            return poll(true);
        }
    }

    // State. --------------------------------------------------------------------------------------------------

    /** How many items the deque holds now (not counting those of waiting adders); a snapshot. */
    public int size() {
        synchronized (monitor) {
            return items.size();
        }
    }

    /** True if the deque holds no item now; a snapshot. */
    public boolean isEmpty() {
        return size() == 0;
    }

    /** The most items the deque holds; {@link Integer#MAX_VALUE} if unbounded. */
    public int capacity() {
        return capacity;
    }

    /** The items from front to back, copied; a snapshot. */
    public List<E> toList() {
        synchronized (monitor) {
            return List.copyOf(items);
        }
    }

    /** Removes every item; waiting adders then fill the room made, first come first served. Never waits. */
    public void clear() {
        synchronized (monitor) {
            items.clear();
            admitAdders();
        }
    }

    /** {@code TaskletDeque[name, 3 of 10, 0 waiting to pop, 0 waiting to add]}: a snapshot. */
    @Override
    public String toString() {
        synchronized (monitor) {
            return "TaskletDeque[" + name + ", " + items.size() + (capacity == UNBOUNDED ? "" : " of " + capacity)
                    + ", " + takers.size() + " waiting to pop, " + adders.size() + " waiting to add]";
        }
    }

    // Internals. ----------------------------------------------------------------------------------------------

    private void add(E item, boolean atFront, long deadline) {
        Tasklet.checkpoint(); // a pending kill is raised here even if no wait is needed, as channels do
        requireItem(item, atFront);
        Waiter<Boolean> waiter;
        synchronized (monitor) {
            if (offer(item, atFront)) {
                return;
            }
            waiter = Waiter.create();
            waiter.attachment = new Pending<>(item, atFront);
            adders.add(waiter);
        }
        try {
            waiter.await(deadline, atFront ? "push to" : "append to", this);
            // Completed: admitAdders() stored our item before completing us.
        } catch (DeadlineExceededException | TaskletExit cancelled) {
            synchronized (monitor) {
                adders.remove(waiter);
            }
            throw cancelled;
        }
    }

    private E take(boolean last, long deadline) {
        Tasklet.checkpoint(); // a pending kill is raised here even if no wait is needed, as channels do
        Waiter<E> waiter;
        synchronized (monitor) {
            E item = poll(last);
            if (item != null) {
                return item;
            }
            waiter = Waiter.create();
            takers.add(waiter);
        }
        try {
            return waiter.await(deadline, last ? "popLast from" : "pop from", this);
        } catch (DeadlineExceededException | TaskletExit cancelled) {
            synchronized (monitor) {
                takers.remove(waiter);
            }
            throw cancelled;
        }
    }

    /** Under monitor: hands {@code item} to a waiting taker or stores it, unless adders wait or there is no room. */
    private boolean offer(E item, boolean atFront) {
        if (!adders.isEmpty()) {
            return false; // full, and earlier adders come first
        }
        for (Waiter<E> taker; (taker = takers.poll()) != null; ) {
            if (taker.complete(item)) {
                return true; // the item is that taker's now
            }
            // That taker timed out or was killed meanwhile: try the next one.
        }
        if (items.size() >= capacity) {
            return false;
        }
        store(item, atFront);
        return true;
    }

    /** Under monitor: removes an item from one end, or returns null; room made goes to waiting adders. */
    private E poll(boolean last) {
        E item = last ? items.pollLast() : items.pollFirst();
        if (item != null) {
            admitAdders();
        }
        return item;
    }

    @SuppressWarnings("unchecked")
    private void admitAdders() {
        while (items.size() < capacity) {
            Waiter<Boolean> adder = adders.poll();
            if (adder == null) {
                return;
            }
            if (adder.complete(Boolean.TRUE)) {
                Pending<E> pending = (Pending<E>) adder.attachment;
                store(pending.item(), pending.atFront());
            }
            // Else that adder timed out or was killed meanwhile: its item never enters the deque.
        }
    }

    /** Rejects a null item with a message that names the operation and the deque. */
    private void requireItem(E item, boolean atFront) {
        if (item == null) {
            throw new NullPointerException((atFront ? "push to" : "append to") + " deque " + name
                    + ": items must not be null");
        }
    }

    private void store(E item, boolean atFront) {
        if (atFront) {
            items.addFirst(item);
        } else {
            items.addLast(item);
        }
    }
}
