package org.concurrence.channel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.MailboxFullException;
import org.concurrence.core.Tasklet;
import org.concurrence.core.TaskletExit;
import org.concurrence.core.WaitQueue;
import org.concurrence.core.Waiter;

/**
 * A publish–subscribe channel (asyncoro's {@code Channel}): what is sent to it goes to every current subscriber —
 * tasklets, which receive it in their mailbox, and other broadcast channels, which pass it on to theirs.
 * <pre>{@code
 * BroadcastChannel<Quote> quotes = new BroadcastChannel<>("quotes");
 * quotes.subscribe(Tasklet.current());
 * quotes.send(new Quote("ACME", 12.5));
 * Quote q = Mailbox.receive(Quote.class, Duration.ofSeconds(1));
 * }</pre>
 *
 * <p><b>Transform.</b> A channel may be given a transform at creation, applied once to each message sent to it,
 * before fan-out: it returns the message to pass on (the same one or a rewritten one), or null to drop it. A transform
 * that throws fails the {@code send} and nothing is sent. A nested channel applies its own transform to what it
 * receives.
 *
 * <p><b>Nesting.</b> {@link #subscribe(BroadcastChannel)} makes another channel a subscriber; a subscription that
 * would make a cycle is refused. A tasklet subscribed both here and to a nested channel gets a message once per
 * path.
 *
 * <p><b>Order and delivery.</b> Sending puts the message in each live subscriber's mailbox with
 * {@link Tasklet#send}, in the order the subscribers subscribed, and returns how many tasklets it reached (through
 * nested channels too). Messages from one sender reach each subscriber in the order they were sent; messages from
 * concurrent senders may interleave differently at different subscribers. A subscriber is sent what is sent after
 * its subscription has returned, and nothing sent after its unsubscription has returned. Tasklets that have ended
 * are dropped from the subscribers lazily: at the next send, count or listing. A subscriber whose bounded mailbox is
 * full is skipped as its {@link org.concurrence.core.Mailbox.Overflow} policy says (a {@code BLOCK} mailbox makes
 * the sender wait for room under its deadline; if the deadline passes, that subscriber is skipped) and counted in
 * {@link #skipped()}.
 *
 * <p><b>Waiting.</b> Only {@link #deliver(Object, int, Duration)} waits: for enough subscribers.
 *
 * <p><b>Thread-safety.</b> Every method may be called from any tasklet on any dispatcher, or from a plain thread.
 * The subscriber list is copied on write and read without a lock, so sending never waits for a subscription change;
 * the small lock guarding changes is never held while sending or waiting.
 *
 * @param <T> the type of the messages
 */
public final class BroadcastChannel<T> {
    private static final AtomicLong IDS = new AtomicLong();
    /** Guards channel-to-channel subscriptions, so that two of them cannot close a cycle at the same time. */
    private static final Object NESTING = new Object();

    /** A subscriber of a broadcast channel. */
    public sealed interface Subscriber permits TaskletSubscriber, ChannelSubscriber {}

    /** A tasklet that receives the channel's messages in its mailbox. */
    public record TaskletSubscriber(Tasklet<?> tasklet) implements Subscriber {}

    /** A channel that passes the channel's messages on to its own subscribers. */
    public record ChannelSubscriber(BroadcastChannel<?> channel) implements Subscriber {}

    private final String name;
    private final Function<? super T, ? extends T> transform;
    private final Object lock = new Object();
    /** The subscribers in subscription order; immutable, replaced under {@link #lock}. */
    private volatile List<Subscriber> subscribers = List.of();
    /** Callers of {@code deliver} waiting for subscribers; guarded by {@link #lock}. */
    private final WaitQueue<Object> waiting = new WaitQueue<>();
    private final LongAdder skipped = new LongAdder();

    /** A channel named {@code name} (null: {@code broadcast-N}) that passes every message on unchanged. */
    public BroadcastChannel(String name) {
        this(name, null);
    }

    /**
     * A channel named {@code name} (null: {@code broadcast-N}) that passes on what {@code transform} makes of each
     * message; null from the transform drops the message. A null transform passes messages on unchanged.
     */
    public BroadcastChannel(String name, Function<? super T, ? extends T> transform) {
        this.name = name != null ? name : "broadcast-" + IDS.incrementAndGet();
        this.transform = transform;
    }

    /** The channel's name, used in messages. */
    public String name() {
        return name;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Subscriptions.

    /**
     * Subscribes {@code tasklet}: it receives in its mailbox every message sent from now on, until it unsubscribes or
     * ends. Wakes the callers of {@link #deliver} waiting for subscribers.
     *
     * @return true if it was added; false if it was subscribed already or has ended
     */
    public boolean subscribe(Tasklet<?> tasklet) {
        Objects.requireNonNull(tasklet, "tasklet");
        if (!tasklet.isAlive()) {
            return false;
        }
        return add(new TaskletSubscriber(tasklet));
    }

    /** Unsubscribes {@code tasklet}; returns whether it was subscribed. */
    public boolean unsubscribe(Tasklet<?> tasklet) {
        return remove(new TaskletSubscriber(Objects.requireNonNull(tasklet, "tasklet")));
    }

    /**
     * Subscribes another channel: every message sent here from now on (after this channel's transform) is sent on
     * {@code channel} as well.
     *
     * @return true if it was added; false if it was subscribed already
     * @throws IllegalArgumentException if {@code channel} is this channel or already passes messages on to it,
     *                                  directly or through others: the subscription would make a cycle
     */
    public boolean subscribe(BroadcastChannel<? super T> channel) {
        Objects.requireNonNull(channel, "channel");
        synchronized (NESTING) {
            List<BroadcastChannel<?>> path = pathFrom(channel, this);
            if (path != null) {
                StringBuilder cycle = new StringBuilder(name).append(" → ").append(channel.name);
                for (BroadcastChannel<?> step : path) {
                    cycle.append(" → ").append(step.name);
                }
                throw new IllegalArgumentException("subscribing broadcast channel " + channel.name + " to " + name
                        + " would make a cycle: " + cycle);
            }
            return add(new ChannelSubscriber(channel));
        }
    }

    /** Unsubscribes a nested channel; returns whether it was subscribed. */
    public boolean unsubscribe(BroadcastChannel<?> channel) {
        return remove(new ChannelSubscriber(Objects.requireNonNull(channel, "channel")));
    }

    /** The current subscribers in subscription order, without tasklets that have ended; a snapshot. */
    public List<Subscriber> subscribers() {
        synchronized (lock) {
            return pruneLocked();
        }
    }

    /** How many subscribers there are now, not counting tasklets that have ended. */
    public int subscriberCount() {
        return subscribers().size();
    }

    /** How many times a message was not put in a live subscriber's mailbox because it was full. */
    public long skipped() {
        return skipped.sum();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Sending.

    /**
     * Sends {@code message} to every current subscriber, after the transform. Never waits, except for room in a
     * subscriber's bounded mailbox with the {@code BLOCK} policy (under the current deadline; see the class comment).
     *
     * @return how many tasklets it reached, directly or through nested channels; 0 if the transform dropped it
     * @throws TaskletExit if the sender is killed while waiting for room in a subscriber's mailbox; the subscribers
     *                     after that one did not get the message
     */
    public int send(T message) {
        Objects.requireNonNull(message, "message");
        T out = transformed(message);
        return out == null ? 0 : fanOut(out, subscribers);
    }

    /**
     * Waits until the channel has at least {@code atLeast} subscribers (tasklets and nested channels, not counting
     * tasklets that have ended), then sends {@code message} as {@link #send} does. A subscription wakes the wait;
     * with enough subscribers already it does not wait. The transform is applied first: a dropped message returns 0
     * at once.
     *
     * @param timeout how long to wait at most, never past the current deadline; null for the current deadline alone
     * @return how many tasklets it reached; fewer than {@code atLeast} if some ended or unsubscribed meanwhile, or a
     *         nested channel reached fewer
     * @throws DeadlineExceededException if there were still too few subscribers at the deadline; nothing was sent.
     *                                   The message names the channel and both counts
     * @throws TaskletExit               if the caller is killed while waiting; nothing was sent
     * @throws IllegalArgumentException  if {@code atLeast} is negative
     */
    public int deliver(T message, int atLeast, Duration timeout) {
        Objects.requireNonNull(message, "message");
        if (atLeast < 0) {
            throw new IllegalArgumentException("deliver on broadcast channel " + name + ": atLeast must not be "
                    + "negative: " + atLeast);
        }
        long deadline = Tasklet.deadline(timeout);
        T out = transformed(message);
        if (out == null) {
            return 0;
        }
        return fanOut(out, awaitSubscribers(atLeast, deadline, message));
    }

    /** {@link #deliver(Object, int, Duration)} under the current deadline alone. */
    public int deliver(T message, int atLeast) {
        return deliver(message, atLeast, null);
    }

    /** {@code BroadcastChannel[quotes, 3 subscribers]}: a snapshot. */
    @Override
    public String toString() {
        int count = subscribers.size();
        return "BroadcastChannel[" + name + ", " + count + (count == 1 ? " subscriber]" : " subscribers]");
    }

    // ---------------------------------------------------------------------------------------------------------

    private T transformed(T message) {
        return transform == null ? message : transform.apply(message);
    }

    /** Sends {@code message} (already transformed) to {@code targets}; returns how many tasklets it reached. */
    private int fanOut(T message, List<Subscriber> targets) {
        int reached = 0;
        boolean sawEnded = false;
        for (Subscriber subscriber : targets) {
            switch (subscriber) {
                case TaskletSubscriber(Tasklet<?> tasklet) -> {
                    if (!tasklet.isAlive()) {
                        sawEnded = true;
                    } else if (post(tasklet, message)) {
                        reached++;
                    }
                }
                case ChannelSubscriber(BroadcastChannel<?> channel) -> reached += passOn(channel, message);
            }
        }
        if (sawEnded) {
            synchronized (lock) {
                pruneLocked();
            }
        }
        return reached;
    }

    private boolean post(Tasklet<?> tasklet, T message) {
        try {
            tasklet.send(message);
            return true;
        } catch (MailboxFullException | DeadlineExceededException full) {
            skipped.increment();
            return false;
        }
    }

    /** Sends on a nested channel; only channels of {@code ? super T} are ever subscribed, so the cast is safe. */
    @SuppressWarnings("unchecked")
    private static <T> int passOn(BroadcastChannel<?> channel, T message) {
        return ((BroadcastChannel<? super T>) channel).send(message);
    }

    private List<Subscriber> awaitSubscribers(int atLeast, long deadline, T message) {
        while (true) {
            Waiter<Object> waiter;
            synchronized (lock) {
                List<Subscriber> now = pruneLocked();
                if (now.size() >= atLeast) {
                    return now;
                }
                waiter = Waiter.create();
                waiting.add(waiter);
            }
            try {
                waiter.await(deadline, "deliver to at least " + atLeast + " subscribers of broadcast channel", name);
            } catch (DeadlineExceededException late) {
                synchronized (lock) {
                    waiting.remove(waiter);
                }
                throw new DeadlineExceededException("deliver of a " + message.getClass().getSimpleName() + " to at "
                        + "least " + atLeast + " subscribers of broadcast channel " + name + " (it has "
                        + subscriberCount() + ")", late.waited());
            } catch (TaskletExit killed) {
                synchronized (lock) {
                    waiting.remove(waiter);
                }
                throw killed;
            }
        }
    }

    // PROTOTYPE: amortised O(1) subscribe. The published list is a view of the first `size` slots of `slots`;
    // appending writes past every published view's end, so views never change; removal copies.
    private Subscriber[] slots = new Subscriber[16];
    private int size;
    private final java.util.HashSet<Subscriber> members = new java.util.HashSet<>();

    private record View(Subscriber[] slots, int size) implements java.util.RandomAccess {}

    private static List<Subscriber> view(Subscriber[] slots, int size) {
        return new java.util.AbstractList<>() {
            @Override public Subscriber get(int i) { java.util.Objects.checkIndex(i, size); return slots[i]; }
            @Override public int size() { return size; }
        };
    }

    private boolean add(Subscriber subscriber) {
        Waiter<Object> wake;
        synchronized (lock) {
            if (!members.add(subscriber)) {
                return false;
            }
            if (size == slots.length) {
                slots = java.util.Arrays.copyOf(slots, size * 2);
            }
            slots[size++] = subscriber;
            subscribers = view(slots, size);
            while ((wake = waiting.poll()) != null) {
                wake.complete(null);
            }
        }
        return true;
    }

    private boolean remove(Subscriber subscriber) {
        synchronized (lock) {
            if (!members.remove(subscriber)) {
                return false;
            }
            Subscriber[] next = new Subscriber[Math.max(16, slots.length)];
            int n = 0;
            for (int i = 0; i < size; i++) {
                if (!slots[i].equals(subscriber)) {
                    next[n++] = slots[i];
                }
            }
            slots = next;
            size = n;
            subscribers = view(slots, size);
            return true;
        }
    }

    /** Drops tasklets that have ended; returns the subscribers left. Under {@link #lock}. */
    private List<Subscriber> pruneLocked() {
        boolean anyEnded = false;
        for (int i = 0; i < size && !anyEnded; i++) {
            anyEnded = slots[i] instanceof TaskletSubscriber(Tasklet<?> t) && !t.isAlive();
        }
        if (!anyEnded) {
            return subscribers;
        }
        Subscriber[] next = new Subscriber[Math.max(16, slots.length)];
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (slots[i] instanceof TaskletSubscriber(Tasklet<?> t) && !t.isAlive()) {
                members.remove(slots[i]);
            } else {
                next[n++] = slots[i];
            }
        }
        slots = next;
        size = n;
        subscribers = view(slots, size);
        return subscribers;
    }

    /**
     * The channels through which messages flow from {@code from} to {@code target} (ending with {@code target}), or
     * null if they never reach it; an empty path if {@code from} is {@code target}. Under {@link #NESTING}, so the
     * channel graph does not grow meanwhile.
     */
    private static List<BroadcastChannel<?>> pathFrom(BroadcastChannel<?> from, BroadcastChannel<?> target) {
        if (from == target) {
            return new ArrayList<>();
        }
        for (Subscriber s : from.subscribers) {
            if (s instanceof ChannelSubscriber(BroadcastChannel<?> next)) {
                List<BroadcastChannel<?>> rest = pathFrom(next, target);
                if (rest != null) {
                    rest.addFirst(next);
                    return rest;
                }
            }
        }
        return null;
    }
}
