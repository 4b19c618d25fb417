package org.concurrence.channel;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The state of one {@link Channel} and the exchanges on it that need no wait: the buffer, the queues of waiting
 * senders and receivers, and whether it is closed.
 *
 * <p>The queues of waiting senders and receivers are embedded here: each is a doubly-linked list of {@link Entry}s
 * whose head's {@code prev} is the tail, so a waiting operation costs its entry alone and a channel no queue objects.
 * Entries of selects that fired elsewhere, or of operations cancelled but not yet removed, are unlinked by
 * {@link #claimFirst} when it meets them and skipped by {@link #liveCount}.
 *
 * <p>Thread-safety: guarded by the core's own monitor, which nothing outside this package can reach; methods named
 * {@code ...Locked} must be called holding it. Nothing blocks while holding it: waking a waiter only makes it
 * runnable. {@link Select} holds the monitors of several cores at once, always in {@link #id} order; no other code
 * holds two.
 */
final class ChannelCore {
    private static final AtomicLong IDS = new AtomicLong();

    /** Unique, increasing: the order in which a {@link Select} takes several cores' monitors. */
    final long id = IDS.incrementAndGet();
    /** The buffer of a buffered channel, which also knows the capacity; null for a rendezvous channel. */
    private final Buffer buffer;
    /** The first waiting sender and receiver (null: none); see the class comment. */
    private Entry senders;
    private Entry receivers;
    private int queuedSenders;
    private int queuedReceivers;
    /** Entries of selects in either queue: only those can be stale for long. */
    private int queuedCases;
    private boolean closed;
    /** Read under the monitor, written without it: a switch decided just before a change is harmless. */
    volatile byte preference = -1;

    /** The name given at creation, or null: then the channel is called "#" + id. */
    private final String givenName;

    ChannelCore(String givenName, int capacity) {
        this.givenName = givenName;
        this.buffer = capacity > 0 ? new Buffer(capacity) : null;
    }

    /**
     * The items of a buffered channel and its capacity: the capacity rides in the deque's spare four bytes, so that a
     * rendezvous channel (no buffer) is 48 bytes.
     */
    @SuppressWarnings("serial") // never serialised
    private static final class Buffer extends ArrayDeque<Object> {
        final int capacity;

        Buffer(int capacity) {
            super(Math.min(capacity, 1024));
            this.capacity = capacity;
        }
    }

    /** How many items the buffer holds at most; 0 for a rendezvous channel. */
    int capacity() {
        return buffer == null ? 0 : buffer.capacity;
    }

    /**
     * Hands {@code value} to the first live waiting receiver, or buffers it.
     *
     * @return what happened ({@link Exchange#CLOSED} if the channel is closed), or null if the sender must wait
     */
    Exchange offerLocked(Object value) {
        if (closed) {
            return Exchange.CLOSED;
        }
        boolean switching = preference == -1;
        for (Entry receiver; (receiver = claimFirst(false)) != null; ) {
            if (receiver.wake(value, switching)) {
                return switching ? new Exchange(Signal.SENT, receiver.waiter) : Exchange.SENT;
            }
            // That receiver timed out or was killed meanwhile: the value goes to the next one.
        }
        if (buffer != null && buffer.size() < buffer.capacity) {
            buffer.addLast(value);
            return Exchange.SENT;
        }
        return null;
    }

    /**
     * Takes the first buffered item (refilling the buffer from a waiting sender), or the first live waiting sender's
     * offer.
     *
     * @return what was taken ({@link Exchange#CLOSED} if the channel is closed and drained), or null if the receiver
     *         must wait
     */
    Exchange pollLocked() {
        if (buffer != null && !buffer.isEmpty()) {
            Object value = buffer.pollFirst();
            Entry sender = claimLiveSenderLocked();
            if (sender == null) {
                return new Exchange(value, null);
            }
            buffer.addLast(sender.offer);
            return new Exchange(value, preference == 1 ? sender.waiter : null);
        }
        Entry sender = claimLiveSenderLocked();
        if (sender != null) {
            return new Exchange(sender.offer, preference == 1 ? sender.waiter : null);
        }
        return closed ? Exchange.CLOSED : null;
    }

    /** Claims and wakes the first waiting sender that is still live; its offer is then the caller's. */
    private Entry claimLiveSenderLocked() {
        boolean switching = preference == 1;
        for (Entry sender; (sender = claimFirst(true)) != null; ) {
            if (sender.wake(Signal.SENT, switching)) {
                return sender;
            }
            // That sender timed out or was killed meanwhile: its send did not happen; try the next one.
        }
        return null;
    }

    /** Queues a waiting sender (an entry with an offer) or receiver (an entry without) at the back. */
    void enqueueLocked(Entry entry) {
        if (entry.isQueued()) {
            throw new IllegalStateException("entry is already queued");
        }
        boolean send = entry.isSend();
        Entry head = send ? senders : receivers;
        entry.next = null;
        if (head == null) {
            entry.prev = entry;
            if (send) {
                senders = entry;
            } else {
                receivers = entry;
            }
        } else {
            Entry tail = head.prev;
            tail.next = entry;
            entry.prev = tail;
            head.prev = entry;
        }
        count(entry, 1);
    }

    /**
     * Takes a waiting entry of this channel out of its queue if it is still there (after a timeout, a kill or a
     * select's end).
     */
    synchronized void dequeue(Entry entry) {
        if (entry.isQueued()) {
            unlink(entry);
        }
    }

    /**
     * Unlinks entries from the front of the senders' or receivers' queue until one that this call claims, and returns
     * that one; null if none is left. Entries whose claim fails are stale (their select fired elsewhere) and are
     * dropped on the way.
     */
    private Entry claimFirst(boolean send) {
        for (Entry e; (e = send ? senders : receivers) != null; ) {
            unlink(e);
            if (e.claim()) {
                return e;
            }
        }
        return null;
    }

    private void unlink(Entry entry) {
        boolean send = entry.isSend();
        Entry head = send ? senders : receivers;
        Entry next = entry.next;
        if (entry == head) {
            if (send) {
                senders = next;
            } else {
                receivers = next;
            }
            if (next != null) {
                next.prev = entry.prev; // the tail
            }
        } else {
            entry.prev.next = next;
            if (next != null) {
                next.prev = entry.prev;
            } else {
                head.prev = entry.prev; // it was the tail
            }
        }
        entry.prev = null;
        entry.next = entry;
        count(entry, -1);
    }

    private void count(Entry entry, int delta) {
        if (entry.isSend()) {
            queuedSenders += delta;
        } else {
            queuedReceivers += delta;
        }
        if (entry instanceof Entry.Case) {
            queuedCases += delta;
        }
    }

    /**
     * How many operations waiting in a queue can still be matched: a select with several cases in the queue counts
     * once, as it fires once. Constant time unless selects are queued.
     */
    private int liveCount(boolean send) {
        if (queuedCases == 0) {
            return send ? queuedSenders : queuedReceivers;
        }
        int live = 0;
        for (Entry e = send ? senders : receivers; e != null; e = e.next) {
            // A live select has all its entries still queued, so its first one here is counted.
            if (e.isLive() && !(e instanceof Entry.Case c && c.repeat)) {
                live++;
            }
        }
        return live;
    }

    /**
     * Closes: wakes every waiting sender and receiver with {@link Signal#CLOSED}. (Receivers wait only while the
     * buffer is empty, so none of them misses an item.)
     *
     * @return false if it was closed already
     */
    boolean closeLocked() {
        if (closed) {
            return false;
        }
        closed = true;
        for (Entry e; (e = claimFirst(true)) != null; ) {
            e.wake(Signal.CLOSED, false);
        }
        for (Entry e; (e = claimFirst(false)) != null; ) {
            e.wake(Signal.CLOSED, false);
        }
        return true;
    }

    boolean isClosedLocked() {
        return closed;
    }

    int sizeLocked() {
        return buffer == null ? 0 : buffer.size();
    }

    int waitingSendersLocked() {
        return liveCount(true);
    }

    int waitingReceiversLocked() {
        return liveCount(false);
    }

    String name() {
        return givenName != null ? givenName : "#" + id;
    }

    /** "channel NAME": how errors and timeouts name the channel, built only when one is reported. */
    @Override
    public String toString() {
        return "channel " + name();
    }
}
