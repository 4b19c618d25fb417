package org.concurrence.core;

/**
 * A first-in, first-out queue of {@link Waiter}s with constant-time removal from anywhere, so that a waiter that
 * timed out or was killed leaves the queue at once and counts such as a channel's balance stay exact.
 *
 * <p>Not thread-safe: guarded by the lock of the primitive that owns it. A waiter is in at most one queue.
 *
 * @param <W> the waiter's value type
 */
public final class WaitQueue<W> {
    private Waiter<?> head;
    private Waiter<?> tail;
    private int size;

    /** Appends {@code waiter}. */
    public void add(Waiter<? extends W> waiter) {
        if (waiter.queue != null) {
            throw new IllegalStateException("waiter is already queued");
        }
        waiter.queue = this;
        waiter.prev = tail;
        waiter.next = null;
        if (tail == null) {
            head = waiter;
        } else {
            tail.next = waiter;
        }
        tail = waiter;
        size++;
    }

    /** Removes and returns the first waiter, or null if the queue is empty. */
    @SuppressWarnings("unchecked")
    public Waiter<W> poll() {
        Waiter<?> first = head;
        if (first != null) {
            unlink(first);
        }
        return (Waiter<W>) first;
    }

    /** The first waiter, left in place, or null. */
    @SuppressWarnings("unchecked")
    public Waiter<W> peek() {
        return (Waiter<W>) head;
    }

    /** Removes {@code waiter} if it is in this queue; returns whether it was. */
    public boolean remove(Waiter<?> waiter) {
        if (waiter.queue != this) {
            return false;
        }
        unlink(waiter);
        return true;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    private void unlink(Waiter<?> waiter) {
        if (waiter.prev == null) {
            head = waiter.next;
        } else {
            waiter.prev.next = waiter.next;
        }
        if (waiter.next == null) {
            tail = waiter.prev;
        } else {
            waiter.next.prev = waiter.prev;
        }
        waiter.prev = null;
        waiter.next = null;
        waiter.queue = null;
        size--;
    }
}
