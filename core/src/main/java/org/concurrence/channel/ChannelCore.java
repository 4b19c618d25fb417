package org.concurrence.channel;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The state of one {@link Channel} and the exchanges on it that need no wait: the buffer, the queues of waiting
 * senders and receivers, and whether it is closed.
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
    final int capacity;
    private final ArrayDeque<Object> buffer;
    private final EntryQueue senders = new EntryQueue();
    private final EntryQueue receivers = new EntryQueue();
    private boolean closed;
    /** Read under the monitor, written without it: a switch decided just before a change is harmless. */
    volatile int preference = -1;

    /** The name given at creation, or null: then the channel is called "#" + id. */
    private final String givenName;

    ChannelCore(String givenName, int capacity) {
        this.givenName = givenName;
        this.capacity = capacity;
        this.buffer = capacity > 0 ? new ArrayDeque<>(Math.min(capacity, 1024)) : null;
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
        for (Entry receiver; (receiver = receivers.claimFirst()) != null; ) {
            if (receiver.party.wake(value, switching)) {
                return switching ? new Exchange(Signal.SENT, receiver.party.waiter) : Exchange.SENT;
            }
            // That receiver timed out or was killed meanwhile: the value goes to the next one.
        }
        if (buffer != null && buffer.size() < capacity) {
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
            return new Exchange(value, preference == 1 ? sender.party.waiter : null);
        }
        Entry sender = claimLiveSenderLocked();
        if (sender != null) {
            return new Exchange(sender.offer, preference == 1 ? sender.party.waiter : null);
        }
        return closed ? Exchange.CLOSED : null;
    }

    /** Claims and wakes the first waiting sender that is still live; its offer is then the caller's. */
    private Entry claimLiveSenderLocked() {
        boolean switching = preference == 1;
        for (Entry sender; (sender = senders.claimFirst()) != null; ) {
            if (sender.party.wake(Signal.SENT, switching)) {
                return sender;
            }
            // That sender timed out or was killed meanwhile: its send did not happen; try the next one.
        }
        return null;
    }

    /** Queues a waiting sender (with its offer) or receiver. */
    void enqueueLocked(Entry entry, boolean send) {
        (send ? senders : receivers).add(entry);
    }

    /** Takes a waiting entry out of its queue if it is still there (after a timeout, a kill or a select's end). */
    synchronized void dequeue(Entry entry) {
        if (!senders.remove(entry)) {
            receivers.remove(entry);
        }
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
        for (Entry e; (e = senders.claimFirst()) != null; ) {
            e.party.wake(Signal.CLOSED, false);
        }
        for (Entry e; (e = receivers.claimFirst()) != null; ) {
            e.party.wake(Signal.CLOSED, false);
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
        return senders.liveCount();
    }

    int waitingReceiversLocked() {
        return receivers.liveCount();
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
