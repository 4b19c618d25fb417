package org.concurrence.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * Every tasklet's mailbox: messages sent to it with {@link Tasklet#send}, {@link Tasklet#call} and
 * {@link Tasklet#deliver} queue here in arrival order until the tasklet receives them.
 *
 * <p>Messages are plain Java values — records and sealed interfaces — matched with a pattern-matching
 * {@code switch}:
 * <pre>{@code
 * sealed interface Command permits Put, Get {}
 * record Put(String key, String value) implements Command {}
 * record Get(String key) implements Command {}
 *
 * while (true) {
 *     switch (Mailbox.receive()) {
 *         case Put(var k, var v) -> store.put(k, v);
 *         case Get(var k) -> Mailbox.reply(store.get(k));
 *         default -> {}
 *     }
 * }
 * }</pre>
 *
 * <p><b>Receiving</b> (static methods, acting on the current tasklet's mailbox): {@link #receive()} takes the oldest
 * message; the selective forms ({@link #receive(Class)}, {@link #receive(Predicate, Duration)}) take the oldest
 * message that matches and leave the others where they are, in arrival order. Each waits under the tasklet's deadline
 * (or the given {@code Duration}, whichever is sooner) and throws {@link DeadlineExceededException} if nothing
 * (matching) arrives in time; a kill raises {@link TaskletExit}. Only the owning tasklet receives.
 *
 * <p><b>Sending</b> never blocks in an unbounded mailbox (the default). A bounded one ({@link
 * Tasklet.Builder#mailbox(int, Overflow)}) applies its {@link Overflow} policy when full. A message sent to a tasklet
 * that has ended is dropped and counted ({@link #dropped()}). The runtime's own notices, {@link Down} and {@link Exit},
 * are exempt from the bound: they are queued even in a full mailbox (like Erlang's, they are never lost), so a
 * tasklet that ends is never held up or failed by a monitor's or a linked tasklet's full mailbox.
 *
 * <p>Thread-safety: sending is safe from any thread and any dispatcher; messages from one sender arrive in the order
 * they were sent. Memory visibility: actions before a send happen-before the receipt of that message.
 *
 * <p>Implementation: an unbounded mailbox has two queues. A send from a tasklet on the owner's own dispatcher, while
 * the shared queue is empty, appends to a local queue that takes no lock: only that dispatcher's carrier runs those
 * tasklets, one at a time, and the owner is one of them. Every other send takes the mailbox's small lock and appends
 * to the shared queue. Because a local send is made only while the shared queue is empty, every local message
 * arrived before every shared one, and the owner receives from the local queue first: arrival order is kept. A
 * bounded mailbox uses the shared queue alone, so its bound is exact.
 */
public final class Mailbox {
    /** What a bounded mailbox does with a message that does not fit. */
    public enum Overflow {
        /** The sender waits (under its deadline) until there is room. */
        BLOCK,
        /** The new message is dropped and counted. */
        DROP_NEWEST,
        /** The send fails with {@link MailboxFullException}. */
        FAIL
    }

    static final LongAdder LATE_REPLIES = new LongAdder();
    /** A {@link #post} deadline: the sender's current one, looked up only if it has to wait for room. */
    static final long SENDERS_DEADLINE = Long.MIN_VALUE;

    /** {@link #sharedState}: the shared queue is empty (local sends may use the local queue). */
    private static final int SHARED_EMPTY = 0;
    /** {@link #sharedState}: the shared queue holds messages (every send appends there). */
    private static final int SHARED_BUSY = 1;
    /** {@link #sharedState}: the mailbox is closed (every send takes the lock and is dropped). */
    private static final int SHARED_CLOSED = 2;
    private static final VarHandle SHARED_STATE;
    private static final VarHandle LOCAL_SIZE;
    private static final VarHandle RECEIVER;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            SHARED_STATE = lookup.findVarHandle(Mailbox.class, "sharedState", int.class);
            LOCAL_SIZE = lookup.findVarHandle(Mailbox.class, "localSize", int.class);
            RECEIVER = lookup.findVarHandle(Mailbox.class, "receiver", Waiter.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Tasklet<?> owner;
    private final int capacity;
    private final Overflow overflow;
    private final Object lock = new Object();

    // Guarded by lock.
    /**
     * The shared queue: messages from other dispatchers and threads, and all messages of a bounded mailbox. Made on
     * the first such send, so that a tasklet waiting in an empty mailbox (or fed only locally) does not hold one.
     */
    private ArrayDeque<Object> messages;
    /**
     * The owner's waiter while it waits for a message. Written under lock; a local sender reads it without the lock
     * to see whether the owner waits (acquire; the owner published it before it parked on the same carrier).
     */
    private Waiter<Object> receiver;
    private WaitQueue<Object> blockedSenders;
    private boolean closed;
    private long dropped;
    /** How far the current selective receive has checked {@link #messages}; lowered by {@link #withdraw}. */
    private int sharedScanned;
    /**
     * {@link #SHARED_EMPTY}, {@link #SHARED_BUSY} or {@link #SHARED_CLOSED}: written under lock (release), read by
     * local senders without it (acquire).
     */
    private int sharedState;

    // Confined to the owner's dispatcher (its carrier runs the owner and every local sender, one at a time).
    /** The local queue, created on the first local send; every message in it arrived before those in the shared one. */
    private ArrayDeque<Object> local;
    /** How far the current selective receive has checked {@link #local}; lowered by {@link #withdraw}. */
    private int localScanned;
    /** The local queue's size, published (release) for {@link #size()} on other threads. */
    private int localSize;

    /** The last call received with {@link #receive()}, answered by {@link #reply}; owner-confined. */
    private Envelope lastCall;
    /** The owner's waiter, re-armed for every wait; owner-confined (published in {@link #receiver} under lock). */
    private Waiter<Object> ownWaiter;

    Mailbox(Tasklet<?> owner, int capacity, Overflow overflow) {
        if (capacity < 1) {
            throw new IllegalArgumentException("mailbox capacity must be at least 1: " + capacity);
        }
        this.owner = owner;
        this.capacity = capacity;
        this.overflow = Objects.requireNonNull(overflow, "overflow");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Receiving, in the current tasklet.

    /** Waits for the oldest message and returns it; see the class comment for deadline and kill behaviour. */
    public static Object receive() {
        return own().take(null, null);
    }

    /** {@link #receive()}, waiting at most {@code timeout}. */
    public static Object receive(Duration timeout) {
        return own().take(null, timeout);
    }

    /** Waits for the oldest message of {@code type}, leaving other messages in place. */
    public static <M> M receive(Class<M> type) {
        return type.cast(own().take(type::isInstance, null));
    }

    /** {@link #receive(Class)}, waiting at most {@code timeout}. */
    public static <M> M receive(Class<M> type, Duration timeout) {
        return type.cast(own().take(type::isInstance, timeout));
    }

    /** Waits for the oldest message that {@code match} accepts, leaving other messages in place. */
    public static Object receive(Predicate<Object> match, Duration timeout) {
        return own().take(Objects.requireNonNull(match, "match"), timeout);
    }

    /**
     * The oldest message if there is one; never waits, and (like {@code Channel.tryReceive}) never raises a pending
     * kill, which waits for the next blocking call, nor a pending hot swap, which waits for the next receive that
     * waits (the safe point).
     */
    public static Optional<Object> tryReceive() {
        Mailbox mailbox = own();
        Object entry = mailbox.poll();
        return entry == null ? Optional.empty() : Optional.of(mailbox.opened(entry));
    }

    /**
     * Waits for the oldest message and returns it in its envelope, to reply later or forward; unlike
     * {@link #receive()} it does not become the call that {@link #reply} answers.
     */
    public static Envelope receiveEnvelope(Duration timeout) {
        return own().takeEnvelope(null, timeout);
    }

    /**
     * The messages as they arrive: each step of the iteration is a {@link #receive()}. It never ends by itself; a
     * deadline or a kill ends it with an exception, as the original's did.
     */
    public static Iterable<Object> messages() {
        Mailbox mailbox = own();
        return () -> new Iterator<>() {
            @Override public boolean hasNext() { return true; }
            @Override public Object next() { return mailbox.take(null, null); }
        };
    }

    /**
     * Replies to the last message received with {@link #receive()} (in any form), which must have been sent with
     * {@link Tasklet#call}.
     *
     * @return true if the caller got the reply; false if it had given up (the reply is dropped and counted)
     * @throws IllegalStateException if the last message was not a call, or was answered already
     */
    public static boolean reply(Object value) {
        return own().lastCall("reply").reply(value);
    }

    /** Replies to the last call received with a failure that the caller's {@link Tasklet#call} throws. */
    public static boolean replyFailure(RuntimeException failure) {
        return own().lastCall("reply").fail(failure);
    }

    /** Replies that came after their caller had given up, in this JVM since it started. */
    public static long lateReplies() {
        return LATE_REPLIES.sum();
    }

    // ---------------------------------------------------------------------------------------------------------
    // State, from any thread.

    /**
     * The number of messages waiting. Exact when called on the owner's dispatcher; from another thread a snapshot
     * that may miss messages sent meanwhile.
     */
    public int size() {
        int sharedSize;
        synchronized (lock) {
            sharedSize = messages == null ? 0 : messages.size();
        }
        return sharedSize + (int) LOCAL_SIZE.getAcquire(this);
    }

    /** Messages dropped: by a full mailbox with {@link Overflow#DROP_NEWEST}, or sent after the owner ended. */
    public long dropped() {
        synchronized (lock) {
            return dropped;
        }
    }

    /** The bound, or {@link Integer#MAX_VALUE} for an unbounded mailbox. */
    public int capacity() {
        return capacity;
    }

    /**
     * What a send to this mailbox does when it is full: {@link Overflow#BLOCK} for an unbounded mailbox too (which is
     * never full). Fixed when the mailbox is made; callable from any thread.
     */
    public Overflow overflow() {
        return overflow;
    }

    public Tasklet<?> owner() {
        return owner;
    }

    @Override
    public String toString() {
        return "Mailbox[" + owner.name() + ", " + size() + " waiting]";
    }

    // ---------------------------------------------------------------------------------------------------------
    // Used by Tasklet.

    /**
     * Queues {@code message} (a body, or an {@link Envelope}); applies the overflow policy; wakes the owner. A send
     * from a tasklet on the owner's dispatcher to an unbounded mailbox whose shared queue is empty takes the local
     * path: no lock, and a lock only to wake the owner if it waits.
     *
     * @param deadline until when a {@link Overflow#BLOCK} send waits for room, from {@link Tasklet#deadline}; or
     *                 {@link #SENDERS_DEADLINE}. A call or delivery passes the deadline of its whole wait, so that
     *                 waiting for room and then for the reply together last at most its timeout
     * @return true if it was queued; false if it was dropped (the mailbox is closed, or full with {@link
     *         Overflow#DROP_NEWEST}), in which case a call or delivery has been failed already
     */
    boolean post(Object message, long deadline) {
        if (capacity == Integer.MAX_VALUE && (int) SHARED_STATE.getAcquire(this) == SHARED_EMPTY
                && onOwnersDispatcher()) {
            postLocal(message);
            return true;
        }
        return postShared(message, deadline);
    }

    /**
     * Queues a notice from the runtime ({@link Down}, {@link Exit}) even if a bounded mailbox is full: it never waits,
     * fails or is dropped for want of room, so an ending tasklet's announcement cannot block or throw. False if the
     * mailbox is closed (dropped and counted).
     */
    boolean postNotice(Object notice) {
        if (capacity == Integer.MAX_VALUE) {
            return post(notice, SENDERS_DEADLINE); // never waits, never full
        }
        Waiter<Object> wake;
        synchronized (lock) {
            if (closed) {
                dropped++;
                return false;
            }
            wake = appendLocked(sharedQueueLocked(), notice);
        }
        if (wake != null) {
            wake.complete(null);
        }
        return true;
    }

    /** The shared queue, made on first use; call holding the lock. */
    private ArrayDeque<Object> sharedQueueLocked() {
        ArrayDeque<Object> queue = messages;
        return queue != null ? queue : (messages = new ArrayDeque<>(Math.min(capacity, 7)));
    }

    /**
     * Appends {@code message} to the shared queue (marking it busy if it was empty) and takes the owner's waiter, if it
     * waits, for the caller to wake once the lock is released; call holding the lock.
     */
    private Waiter<Object> appendLocked(ArrayDeque<Object> queue, Object message) {
        queue.addLast(message);
        if (queue.size() == 1) {
            SHARED_STATE.setRelease(this, SHARED_BUSY);
        }
        Waiter<Object> wake = receiver;
        receiver = null;
        return wake;
    }

    /**
     * The locked path: appends to the shared queue, applying the overflow policy; false if the message was dropped
     * (the mailbox is closed, or full with {@link Overflow#DROP_NEWEST}).
     */
    private boolean postShared(Object message, long deadline) {
        Waiter<Object> wake;
        while (true) {
            Waiter<Object> blocked = null;
            synchronized (lock) {
                if (closed) {
                    dropped++;
                    if (message instanceof Envelope envelope) {
                        envelope.abandon(owner);
                    }
                    return false;
                }
                ArrayDeque<Object> queue = sharedQueueLocked();
                if (queue.size() < capacity) {
                    wake = appendLocked(queue, message);
                    break;
                }
                switch (overflow) {
                    case DROP_NEWEST -> {
                        dropped++;
                        if (message instanceof Envelope envelope) {
                            envelope.refuse(new MailboxFullException("mailbox of tasklet " + owner.name()
                                    + " is full (" + capacity + " messages, DROP_NEWEST); "
                                    + envelope.describeBody() + " was dropped"));
                        }
                        return false;
                    }
                    case FAIL -> throw new MailboxFullException("mailbox of tasklet " + owner.name() + " is full ("
                            + capacity + " messages); " + describe(message) + " was not sent");
                    case BLOCK -> {
                        blocked = Waiter.create();
                        if (blockedSenders == null) {
                            blockedSenders = new WaitQueue<>();
                        }
                        blockedSenders.add(blocked);
                    }
                }
            }
            awaitRoom(blocked, deadline, message);
        }
        if (wake != null) {
            wake.complete(null);
        }
        return true;
    }

    /**
     * The local path: the caller runs on the owner's dispatcher, so the owner is not running and neither is any other
     * local sender; the shared queue was empty when the caller looked, so this message is later than none of its
     * messages. The mailbox cannot close meanwhile: the owner closes it on this dispatcher.
     */
    private void postLocal(Object message) {
        ArrayDeque<Object> queue = local;
        if (queue == null) {
            queue = local = new ArrayDeque<>();
        }
        queue.addLast(message);
        LOCAL_SIZE.setRelease(this, queue.size());
        if (RECEIVER.getAcquire(this) != null) {
            wakeReceiver();
        }
    }

    /**
     * The owner ended: later messages are dropped, and callers still waiting in the queue fail at once. Called on the
     * owner's dispatcher (by the owner as it ends), or on a mailbox nobody has sent to yet.
     */
    void close() {
        ArrayDeque<Object> left;
        WaitQueue<Object> senders;
        synchronized (lock) {
            closed = true;
            SHARED_STATE.setRelease(this, SHARED_CLOSED);
            // The owner closes its mailbox on its own dispatcher (when it ends, or before anyone saw it): the local
            // queue is ours to read, and its messages came first.
            left = local == null ? new ArrayDeque<>() : local;
            local = null;
            LOCAL_SIZE.setRelease(this, 0);
            if (messages != null) {
                left.addAll(messages);
                messages.clear();
            }
            senders = blockedSenders;
            blockedSenders = null;
        }
        for (Object m : left) {
            if (m instanceof Envelope envelope) {
                envelope.abandon(owner);
            }
        }
        if (lastCall != null) {
            lastCall.abandon(owner);
            lastCall = null;
        }
        if (senders != null) {
            for (Waiter<Object> w; (w = senders.poll()) != null; ) {
                w.complete(null);
            }
        }
    }

    /** Wakes the owner if it waits for a message, so that it looks at its safe-point requests (hot swap). */
    void wakeReceiver() {
        Waiter<Object> wake;
        synchronized (lock) {
            wake = receiver;
            receiver = null;
        }
        if (wake != null) {
            wake.complete(null);
        }
    }

    /** Takes a message out again if it is still waiting (a {@link Tasklet#deliver} that timed out). */
    boolean withdraw(Object message) {
        // A message in the local queue was sent from the owner's dispatcher, and is withdrawn from there too.
        if (onOwnersDispatcher() && local != null) {
            int index = indexOf(local, message);
            if (index >= 0) {
                local.removeFirstOccurrence(message);
                LOCAL_SIZE.setRelease(this, local.size());
                if (index < localScanned) {
                    localScanned--;
                }
                return true;
            }
        }
        Waiter<Object> unblock;
        synchronized (lock) {
            int index = messages == null ? -1 : indexOf(messages, message);
            if (index < 0) {
                return false;
            }
            messages.removeFirstOccurrence(message);
            if (messages.isEmpty()) {
                SHARED_STATE.setRelease(this, SHARED_EMPTY);
            }
            if (index < sharedScanned) {
                sharedScanned--;
            }
            unblock = blockedSenders == null ? null : blockedSenders.poll(); // it made room
        }
        wakeBlockedSender(unblock);
        return true;
    }

    /**
     * Room was made: wakes {@code first}, polled from {@link #blockedSenders}; if it had given up already (its
     * deadline passed before it could leave the queue), the next one, so that the room is not left unused.
     */
    private void wakeBlockedSender(Waiter<Object> first) {
        for (Waiter<Object> w = first; w != null && !w.complete(null); ) {
            synchronized (lock) {
                w = blockedSenders == null ? null : blockedSenders.poll();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    /** True when called from a tasklet on the owner's dispatcher (the owner itself included). */
    private boolean onOwnersDispatcher() {
        Tasklet<?> current = Tasklet.currentOrNull();
        return current != null && current.dispatcher() == owner.dispatcher();
    }

    private static Mailbox own() {
        return Tasklet.current().mailbox();
    }

    private Object take(Predicate<Object> match, Duration timeout) {
        return opened(takeEntry(match, timeout));
    }

    /** A taken entry's message; an envelope's call becomes the one {@link #reply} answers. */
    private Object opened(Object entry) {
        if (entry instanceof Envelope envelope) {
            envelope.received();
            lastCall = envelope.isCall() ? envelope : null;
            return envelope.body();
        }
        lastCall = null;
        return entry;
    }

    private Envelope takeEnvelope(Predicate<Object> match, Duration timeout) {
        Object entry = takeEntry(match, timeout);
        if (entry instanceof Envelope envelope) {
            envelope.received();
            return envelope;
        }
        return Envelope.of(entry);
    }

    /**
     * The oldest message, without waiting: never publishes the owner as waiting, so a message withdrawn meanwhile
     * (a {@link Tasklet#deliver} from another thread that timed out) leaves nothing to wait for.
     */
    private Object poll() {
        localScanned = 0;
        Object found = takeLocal(null);
        return found != null ? found : pollShared();
    }

    /** Takes the oldest message (that {@code match} accepts), waiting for it until {@code timeout}. */
    private Object takeEntry(Predicate<Object> match, Duration timeout) {
        Tasklet.checkpoint(); // a pending kill is raised here even if a message is waiting, as channels do
        long deadline = Tasklet.deadline(timeout);
        localScanned = 0;
        boolean firstLook = true;
        while (true) {
            HotSwap swap = owner.takeHotSwap();
            if (swap != null) {
                throw swap;
            }
            Object found = takeLocal(match);
            if (found == null) {
                found = takeShared(match, firstLook);
                firstLook = false;
            }
            if (found != null) {
                return found;
            }
            Waiter<Object> waiter = ownWaiter; // published as the receiver by takeShared
            if (localSize > localScanned) {
                // A local sender ran while this tasklet waited for the lock, before it was published as waiting.
                retract(waiter);
                continue;
            }
            if (owner.hasPendingHotSwap()) {
                // Requested after the check above but before this tasklet was published as waiting, so the
                // requester's wake-up found no one: look again rather than sleep through it.
                retract(waiter);
                continue;
            }
            try {
                Tasklet.awaitTimed(waiter, deadline, "receive in mailbox of tasklet", owner);
            } catch (DeadlineExceededException | TaskletExit cancelled) {
                retract(waiter);
                throw cancelled;
            }
        }
    }

    /**
     * The first message of the shared queue (that {@code match} accepts, past those checked already); or null, and
     * then the owner's waiter, re-armed, is published as the receiver under the lock.
     */
    private Object takeShared(Predicate<Object> match, boolean firstLook) {
        Object found;
        Waiter<Object> unblock;
        synchronized (lock) {
            if (firstLook) {
                sharedScanned = 0;
            }
            ArrayDeque<Object> queue = messages;
            found = queue == null ? null
                    : match == null ? queue.pollFirst() : removeFirstMatch(queue, match, sharedScanned);
            if (found == null) {
                sharedScanned = queue == null ? 0 : queue.size();
                Waiter<Object> waiter = ownWaiter;
                if (waiter == null) {
                    waiter = ownWaiter = Waiter.create();
                } else {
                    waiter.rearm();
                }
                receiver = waiter;
                return null;
            }
            unblock = tookLocked(found);
        }
        wakeBlockedSender(unblock);
        return found;
    }

    /** The first message of the shared queue, or null; never publishes the owner as waiting (see {@link #poll}). */
    private Object pollShared() {
        Object found;
        Waiter<Object> unblock;
        synchronized (lock) {
            found = messages == null ? null : messages.pollFirst();
            if (found == null) {
                return null;
            }
            unblock = tookLocked(found);
        }
        wakeBlockedSender(unblock);
        return found;
    }

    /**
     * After {@code found} was taken out of the shared queue: marks it taken and the queue empty if it is, and returns
     * a blocked sender to wake for the room made (after the lock is released), or null; call holding the lock.
     */
    private Waiter<Object> tookLocked(Object found) {
        if (found instanceof Envelope envelope) {
            envelope.markTaken(); // under the lock: a deliver that fails to withdraw it then sees it taken
        }
        if (messages.isEmpty()) {
            SHARED_STATE.setRelease(this, SHARED_EMPTY);
        }
        return blockedSenders == null ? null : blockedSenders.poll();
    }

    /** The first message of the local queue (that {@code match} accepts, past those checked already), or null. */
    private Object takeLocal(Predicate<Object> match) {
        ArrayDeque<Object> queue = local;
        if (queue == null || queue.size() <= localScanned) {
            return null;
        }
        Object found = match == null ? queue.pollFirst() : removeFirstMatch(queue, match, localScanned);
        if (found == null) {
            localScanned = queue.size();
        } else {
            if (found instanceof Envelope envelope) {
                envelope.markTaken();
            }
            LOCAL_SIZE.setRelease(this, queue.size());
        }
        return found;
    }

    /** Stops publishing {@code waiter} as the owner's: it no longer waits. */
    private void retract(Waiter<Object> waiter) {
        synchronized (lock) {
            if (receiver == waiter) {
                receiver = null;
            }
        }
    }

    /** Removes the first entry at or after {@code from} whose body matches; entries before were already checked. */
    private static Object removeFirstMatch(ArrayDeque<Object> queue, Predicate<Object> match, int from) {
        int index = 0;
        for (Iterator<Object> it = queue.iterator(); it.hasNext(); index++) {
            Object entry = it.next();
            if (index < from) {
                continue;
            }
            Object body = entry instanceof Envelope envelope ? envelope.body() : entry;
            if (match.test(body)) {
                it.remove();
                return entry;
            }
        }
        return null;
    }

    /** The position of {@code entry} (by identity) in {@code queue}, or -1. */
    private static int indexOf(ArrayDeque<Object> queue, Object entry) {
        int index = 0;
        for (Object e : queue) {
            if (e == entry) {
                return index;
            }
            index++;
        }
        return -1;
    }

    private void awaitRoom(Waiter<Object> blocked, long deadline, Object message) {
        try {
            long until = deadline == SENDERS_DEADLINE ? Tasklet.deadline(null) : deadline;
            blocked.await(until, "send of " + describe(message) + " to full mailbox of tasklet", owner.name());
        } catch (DeadlineExceededException | TaskletExit cancelled) {
            synchronized (lock) {
                if (blockedSenders != null) {
                    blockedSenders.remove(blocked);
                }
            }
            throw cancelled;
        }
    }

    private Envelope lastCall(String what) {
        Envelope call = lastCall;
        if (call == null) {
            throw new IllegalStateException(what + ": the last message received by tasklet " + owner.name()
                    + " was not a call (or was answered already)");
        }
        lastCall = null;
        return call;
    }

    private static String describe(Object message) {
        return message instanceof Envelope envelope ? envelope.describeBody()
                : message == null ? "null" : message.getClass().getSimpleName();
    }
}
