package org.concurrence.channel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Tasklet;
import org.concurrence.core.TaskletExit;
import org.concurrence.core.Timeout;
import org.concurrence.core.Waiter;

/**
 * A channel between tasklets, as in Stackless Python: a rendezvous where a sender hands an item to a receiver
 * ({@link #create()}), or a bounded buffer where a sender waits only when the buffer is full ({@link #buffered}).
 *
 * <pre>{@code
 * Channel<Job> jobs = Channel.create("jobs");
 * Tasklet.spawn(() -> { for (Job job : jobs) job.run(); });   // ends when jobs is closed
 * jobs.send(new Job(...));                                      // waits until the worker takes it
 * jobs.close();
 * }</pre>
 *
 * <p><b>Waiting.</b> {@link #send} waits until a receiver takes the item (rendezvous) or the buffer has room;
 * {@link #receive} waits until an item is buffered or a sender offers one. Senders and receivers are served first in,
 * first out. Without a {@code Duration} a call honours the tasklet's current deadline (see {@link Timeout}); with one,
 * the earlier of the two. When the deadline passes the call fails with a {@link DeadlineExceededException} naming the
 * operation and channel ({@code "receive on channel jobs timed out after 2.000 s"}), and did not take effect. A call that
 * would have to wait after its deadline has passed fails at once; one that can complete at once completes. The
 * {@code try} forms never wait.
 *
 * <p><b>Kill.</b> A tasklet killed while it waits leaves with {@link TaskletExit} and did not take effect. A waiter
 * that times out or is killed leaves the queue at once, so {@link #balance()} is exact. If an item was handed over in
 * the same instant, completion wins: the call returns normally and the kill is delivered at the next blocking call.
 * Every blocking form (send, receive, sendException, receive-n, the iterator's {@code hasNext}) is such a call: made
 * after a kill it fails at once, even when it could complete without waiting. The {@code try} forms never raise a
 * kill.
 *
 * <p><b>Preference</b> ({@link #preference(int)}) decides who runs on when an operation wakes a waiting counterpart,
 * as in Stackless: -1 (the default) prefers the receiver: a sender that hands an item to a waiting receiver switches
 * to it at once and goes to the back of the run queue, while a receiver that takes a waiting sender's item keeps
 * running. +1 prefers the sender, symmetrically. 0 prefers neither: the caller keeps running and the woken tasklet is
 * merely made runnable. A switch happens only between tasklets of one dispatcher; it never raises a pending kill (that
 * waits for the next blocking call). A counterpart that was runnable already (its timeout or a kill had just woken it,
 * and it had not run yet, but the hand-over still reached it) keeps its place in the run queue: the switch then only
 * sends the caller to the back, behind it.
 *
 * <p><b>Closing.</b> {@link #close()} ends the channel: later sends, and sends blocked at the time, fail with
 * {@link ChannelClosedException}; receivers first drain the buffered items, then fail the same way, including those
 * blocked at the time. Iteration ({@link #iterator()}) ends when the channel is closed and drained.
 *
 * <p><b>Items</b> must not be null. {@link #sendException} sends an exception instead: the receiver that takes it
 * throws it from its receive.
 *
 * <p><b>Threads.</b> Every method is thread-safe; tasklets on different dispatchers, and plain threads (which wait
 * with {@link System#nanoTime()} deadlines; an interrupt counts as a kill), may share a channel. Actions of a sender
 * before it sends an item happen-before the receiver's return with that item. Among tasklets of one dispatcher the
 * order of events is deterministic.
 *
 * @param <T> the type of the items
 */
public final class Channel<T> implements Iterable<T> {
    /*
     * Implementation notes. The buffer, the queues of waiting entries and `closed` live in a ChannelCore, guarded by
     * its monitor; nothing blocks while holding it. A waiting operation is a Party (one Waiter) with one Entry per
     * queue it waits in: one for a plain send or receive (with no Party: it is the only claimant), one per case for a
     * Select. Whoever takes an entry from a queue claims it first (a CAS on a select's party), so a select is
     * completed by exactly one channel, and a waiter by exactly one thread; entries that lose are stale and are dropped by the next one to meet them, or by their owner when it
     * wakes. The Waiter's own CAS still decides completion against timeout and kill: when wake() returns false the
     * owner was cancelled and the item goes to the next entry. A Select holds the monitors of all its channels' cores
     * (in id order) while it checks its cases and queues itself, so its registration is atomic; no other path holds
     * two. A preferred switch is Waiter.completeFirst under the monitor, then Thread.yield() after releasing it.
     */

    /** The state and the exchanges that need no wait; also used by {@link Select}. */
    final ChannelCore core;

    private Channel(String name, int capacity) {
        this.core = new ChannelCore(name, capacity);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Creation and state.

    /** A rendezvous channel: every send waits for a receiver, every receive for a sender. */
    public static <T> Channel<T> create() {
        return new Channel<>(null, 0);
    }

    /** A rendezvous channel named {@code name} in messages and {@link #toString()}. */
    public static <T> Channel<T> create(String name) {
        return new Channel<>(Objects.requireNonNull(name, "name"), 0);
    }

    /**
     * A channel that buffers up to {@code capacity} items: a send waits only while the buffer is full, a receive only
     * while it is empty. A capacity of 0 makes a rendezvous channel.
     *
     * @throws IllegalArgumentException if {@code capacity} is negative
     */
    public static <T> Channel<T> buffered(int capacity) {
        return new Channel<>(null, checkCapacity(capacity, null));
    }

    /** A buffered channel named {@code name}; see {@link #buffered(int)}. */
    public static <T> Channel<T> buffered(String name, int capacity) {
        return new Channel<>(Objects.requireNonNull(name, "name"), checkCapacity(capacity, name));
    }

    private static int checkCapacity(int capacity, String name) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity of channel " + (name != null ? name + " " : "")
                    + "must be 0 (rendezvous) or more, not " + capacity);
        }
        return capacity;
    }

    /** The channel's name: the one it was given, or {@code #<id>}. */
    public String name() {
        return core.name();
    }

    /** How many items the buffer holds at most; 0 for a rendezvous channel. */
    public int capacity() {
        return core.capacity();
    }

    /** How many items (and sent exceptions) are buffered now; always 0 for a rendezvous channel. */
    public int size() {
        synchronized (core) {
            return core.sizeLocked();
        }
    }

    /** True once {@link #close()} has been called. */
    public boolean isClosed() {
        synchronized (core) {
            return core.isClosedLocked();
        }
    }

    /**
     * The balance, as in Stackless: negative, the number of receivers waiting; positive, the number of items a receiver
     * could take without waiting, that is the buffered items plus the senders waiting (for a rendezvous channel just
     * the senders waiting); zero, neither. Waiters that timed out or were killed are not counted.
     */
    public int balance() {
        synchronized (core) {
            return core.sizeLocked() + core.waitingSendersLocked() - core.waitingReceiversLocked();
        }
    }

    /** True if a receiver is waiting, so that a send would not wait. */
    public boolean hasReceiver() {
        synchronized (core) {
            return core.waitingReceiversLocked() > 0;
        }
    }

    /**
     * True if a receive would not wait for a sender: a sender is waiting, or (for a buffered channel) an item is
     * buffered.
     */
    public boolean hasSender() {
        synchronized (core) {
            return core.waitingSendersLocked() > 0 || core.sizeLocked() > 0;
        }
    }

    /** The preference: -1 prefer receiver (the default), 0 neither, +1 prefer sender; see the class comment. */
    public int preference() {
        return core.preference;
    }

    /**
     * Sets who runs on after an operation wakes a waiting counterpart; see the class comment.
     *
     * @param preference -1 prefer receiver (the default), 0 neither, +1 prefer sender
     * @return this channel
     * @throws IllegalArgumentException if {@code preference} is not -1, 0 or +1
     */
    public Channel<T> preference(int preference) {
        if (preference < -1 || preference > 1) {
            throw new IllegalArgumentException("preference of " + label() + " must be -1 (receiver), 0 (neither) or "
                    + "+1 (sender), not " + preference);
        }
        core.preference = (byte) preference;
        return this;
    }

    @Override
    public String toString() {
        synchronized (core) {
            return label() + " (" + (core.capacity() == 0 ? "rendezvous" : "buffered " + core.sizeLocked() + "/"
                    + core.capacity()) + ", balance " + balance() + (core.isClosedLocked() ? ", closed" : "") + ")";
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Sending.

    /**
     * Sends {@code item}: hands it to a waiting receiver, or buffers it, or else waits until a receiver takes it or
     * the buffer has room, under the current deadline.
     *
     * @throws NullPointerException      if {@code item} is null
     * @throws ChannelClosedException    if the channel is closed, or closes while the send waits (nothing was sent)
     * @throws DeadlineExceededException if the deadline passes first (nothing was sent)
     * @throws TaskletExit               if the tasklet is killed while waiting (nothing was sent)
     */
    public void send(T item) {
        send(item, null);
    }

    /**
     * {@link #send(Object)} waiting at most {@code timeout}, and never past the current deadline.
     *
     * @param timeout how long to wait; null for the current deadline alone; zero or negative fails at once if the
     *                send would have to wait
     */
    public void send(T item, Duration timeout) {
        sendValue(requireItem(item), Tasklet.deadline(timeout), "send on");
    }

    /**
     * Sends {@code item} only if that needs no wait: a receiver is waiting or the buffer has room. May switch to the
     * receiver it wakes, per {@link #preference(int)}, but never waits for an event.
     *
     * @return true if the item was handed over or buffered, false if nothing was sent
     * @throws ChannelClosedException if the channel is closed
     */
    public boolean trySend(T item) {
        Object value = requireItem(item);
        Exchange done;
        synchronized (core) {
            done = core.offerLocked(value);
        }
        if (done == null) {
            return false;
        }
        finishSend(done, "send on");
        return true;
    }

    /**
     * Sends an exception instead of an item: the receiver that takes it throws {@code exception} from its receive (or
     * from a {@link Select}, or from the iterator's {@code hasNext}). Waits like {@link #send(Object)}, under the
     * current deadline.
     *
     * @throws ChannelClosedException    if the channel is closed, or closes while waiting
     * @throws DeadlineExceededException if the deadline passes first
     * @throws TaskletExit               if the tasklet is killed while waiting
     */
    public void sendException(RuntimeException exception) {
        sendException(exception, null);
    }

    /** {@link #sendException(RuntimeException)} waiting at most {@code timeout}, never past the current deadline. */
    public void sendException(RuntimeException exception, Duration timeout) {
        Objects.requireNonNull(exception, "exception");
        sendValue(new Signal.Thrown(exception), Tasklet.deadline(timeout), "sendException on");
    }

    private void sendValue(Object value, long deadline, String operation) {
        Tasklet.checkpoint();
        Exchange done;
        Entry entry = null;
        synchronized (core) {
            done = core.offerLocked(value);
            if (done == null) {
                entry = new Entry(Waiter.create(), value);
                core.enqueueLocked(entry);
            }
        }
        if (done == null) {
            Object outcome;
            try {
                outcome = entry.waiter.await(deadline, operation, core);
            } catch (DeadlineExceededException | TaskletExit cancelled) {
                core.dequeue(entry); // cancelled: leave the queue at once so that the balance is exact
                throw cancelled;
            }
            if (outcome == Signal.CLOSED) {
                throw closedFailure(operation);
            }
            return;
        }
        finishSend(done, operation);
    }

    private void finishSend(Exchange done, String operation) {
        if (done.value() == Signal.CLOSED) {
            throw closedFailure(operation);
        }
        switchTo(done.switchTo());
    }

    private Object requireItem(T item) {
        if (item == null) {
            throw new NullPointerException("items of " + label() + " must not be null");
        }
        return item;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Receiving.

    /**
     * Receives an item: takes a buffered one or a waiting sender's, or else waits for a sender, under the current
     * deadline.
     *
     * @return the item
     * @throws ChannelClosedException    if the channel is closed and drained, or closes while the receive waits
     * @throws DeadlineExceededException if the deadline passes first (no item was taken)
     * @throws TaskletExit               if the tasklet is killed while waiting (no item was taken)
     * @throws RuntimeException          the exception a sender sent with {@link #sendException}
     */
    public T receive() {
        return unwrap(receiveValue(Tasklet.deadline(null)));
    }

    /**
     * {@link #receive()} waiting at most {@code timeout}, and never past the current deadline.
     *
     * @param timeout how long to wait; null for the current deadline alone; zero or negative fails at once if the
     *                receive would have to wait
     */
    public T receive(Duration timeout) {
        return unwrap(receiveValue(Tasklet.deadline(timeout)));
    }

    /**
     * Receives an item only if that needs no wait. May switch to the sender it wakes, per {@link #preference(int)},
     * but never waits for an event.
     *
     * @return the item, or empty if none was ready
     * @throws ChannelClosedException if the channel is closed and drained
     * @throws RuntimeException       the exception a sender sent with {@link #sendException}
     */
    public Optional<T> tryReceive() {
        Exchange done;
        synchronized (core) {
            done = core.pollLocked();
        }
        if (done == null) {
            return Optional.empty();
        }
        switchTo(done.switchTo());
        return Optional.of(unwrap(done.value()));
    }

    /**
     * Receives {@code n} items in order, all under the current deadline.
     *
     * <p>If the deadline passes, the tasklet is killed or the channel closes before {@code n} items arrived, the
     * exception is thrown and the items already received are lost to the caller; use
     * {@link #receiveInto(Collection, int, Duration)} to keep them.
     *
     * @throws IllegalArgumentException if {@code n} is negative
     * @see #receive()
     */
    public List<T> receive(int n) {
        return receive(n, null);
    }

    /** {@link #receive(int)} under one deadline, at most {@code timeout} from now and never past the current one. */
    public List<T> receive(int n, Duration timeout) {
        List<T> items = new ArrayList<>(Math.max(0, Math.min(n, 1024)));
        receiveInto(items, n, timeout);
        return items;
    }

    /**
     * Receives {@code n} items under one deadline of at most {@code timeout} from now (null: the current deadline
     * alone), adding each to {@code into} as it arrives: if the call fails part way, {@code into} holds the items
     * received so far.
     *
     * @throws IllegalArgumentException  if {@code n} is negative
     * @throws ChannelClosedException    if the channel closes (and drains) before {@code n} items arrived
     * @throws DeadlineExceededException if the deadline passes first
     * @throws TaskletExit               if the tasklet is killed while waiting
     */
    public void receiveInto(Collection<? super T> into, int n, Duration timeout) {
        if (n < 0) {
            throw new IllegalArgumentException("cannot receive a negative number of items from " + label() + ": " + n);
        }
        Tasklet.checkpoint(); // a blocking form: a pending kill is raised even when there is nothing to receive
        long deadline = Tasklet.deadline(timeout);
        for (int i = 0; i < n; i++) {
            into.add(unwrap(receiveValue(deadline)));
        }
    }

    /**
     * An iterator that receives: {@code hasNext()} waits (under the current deadline) for the next item and returns
     * false once the channel is closed and drained, so {@code for (T item : channel)} ends on {@link #close()}. Its
     * {@code hasNext()} throws what {@link #receive()} throws, except {@link ChannelClosedException}. Each iterator
     * is for one tasklet at a time; several iterators (and receivers) may share the channel, each item going to one.
     */
    @Override
    public Iterator<T> iterator() {
        return new Receiving();
    }

    private Object receiveValue(long deadline) {
        Tasklet.checkpoint();
        Exchange done;
        Entry entry = null;
        synchronized (core) {
            done = core.pollLocked();
            if (done == null) {
                entry = new Entry(Waiter.create(), null);
                core.enqueueLocked(entry);
            }
        }
        if (done == null) {
            // Waits here rather than in a helper: each frame between a tasklet's body and the park is copied into
            // the stack of every tasklet parked on a channel.
            try {
                return entry.waiter.await(deadline, "receive on", core);
            } catch (DeadlineExceededException | TaskletExit cancelled) {
                core.dequeue(entry); // cancelled: leave the queue at once so that the balance is exact
                throw cancelled;
            }
        }
        switchTo(done.switchTo());
        return done.value();
    }

    /** The item in {@code value}, or the failure it stands for thrown. */
    @SuppressWarnings("unchecked")
    private T unwrap(Object value) {
        if (value instanceof Signal.Thrown thrown) {
            throw thrown.exception();
        }
        if (value == Signal.CLOSED) {
            throw closedFailure("receive on");
        }
        return (T) value;
    }

    private final class Receiving implements Iterator<T> {
        private Object next;
        private boolean ended;

        @Override
        public boolean hasNext() {
            if (next != null) {
                return true;
            }
            if (ended) {
                return false;
            }
            Object value = receiveValue(Tasklet.deadline(null));
            if (value == Signal.CLOSED) {
                ended = true;
                return false;
            }
            next = unwrap(value);
            return true;
        }

        @Override
        public T next() {
            if (!hasNext()) {
                throw new NoSuchElementException(label() + " is closed and drained");
            }
            @SuppressWarnings("unchecked")
            T item = (T) next;
            next = null;
            return item;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Closing.

    /**
     * Closes the channel. Senders waiting now fail with {@link ChannelClosedException} (their items are not
     * delivered), and so do later sends. Receivers waiting now (the buffer is then empty) fail too; later receives
     * take the buffered items first, then fail. Closing twice does nothing. Never waits.
     */
    public void close() {
        synchronized (core) {
            core.closeLocked();
        }
    }

    /** The failure of {@code operation} (e.g. {@code "send on"}) on this channel, closed before or during it. */
    private ChannelClosedException closedFailure(String operation) {
        return new ChannelClosedException(operation + " closed " + label(), name());
    }

    // ---------------------------------------------------------------------------------------------------------
    // Waiting and switching; also used by Select.

    /** {@code "channel <name>"}: the target named in timeout and closed messages, built when needed. */
    String label() {
        return core.toString();
    }

    /**
     * After a preferred hand-over (the woken waiter was put first in its dispatcher's run queue): goes to the back
     * of the run queue, so the woken tasklet runs now. Only between tasklets of one dispatcher. Uses
     * {@link Thread#yield()} rather than {@link Tasklet#yield()}: the exchange has happened, so a pending kill must
     * wait for the next blocking call instead of making a completed operation look failed.
     */
    static void switchTo(Waiter<?> woken) {
        if (woken == null) {
            return;
        }
        Tasklet<?> self = Tasklet.currentOrNull();
        Tasklet<?> other = woken.tasklet();
        if (self != null && other != null && self.dispatcher() == other.dispatcher()) {
            Thread.yield();
        }
    }
}
