package org.concurrence.channel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.Mailbox;
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
 * {@link Tasklet#send} and returns how many tasklets it reached (through nested channels too). When it returns, the
 * message is in the mailbox of every tasklet it counted. Messages from one sender reach each subscriber in the order
 * they were sent, and after whatever that sender sent the subscriber before; messages from concurrent senders may
 * interleave differently at different subscribers. A subscriber is sent what is sent after its subscription has
 * returned, and nothing sent after its unsubscription has returned. Tasklets that have ended are dropped from the
 * subscribers lazily: at the next send, count or listing. A subscriber whose bounded mailbox is full is skipped as
 * its {@link Mailbox.Overflow} policy says (a {@code BLOCK} mailbox makes the sender wait for room under its
 * deadline; if the deadline passes, that subscriber is skipped) and counted in {@link #skipped()}.
 *
 * <p><b>Fan-out across dispatchers.</b> A channel with few subscribers puts the message in their mailboxes one after
 * the other, in the order they subscribed. When at least {@value #RELAY_MIN} of the subscribers live on one
 * dispatcher other than the sender's, the sender does not reach into that dispatcher's mailboxes one by one (each
 * would be another core's memory): it hands one relay tasklet to that dispatcher, which puts the message in those
 * subscribers' mailboxes there, without locks, while the sender serves the rest. The sender then waits for its
 * relays (so the count it returns is exact, and the order above holds), and serves itself any relay its dispatcher
 * has not started yet. With relays, each dispatcher's subscribers get the message in the order they subscribed, and
 * different dispatchers' subscribers get it at the same time. A relay never waits: tasklets whose bounded mailbox
 * has the {@code BLOCK} policy, and nested channels, are always served by the sender itself, under its deadline.
 *
 * <p><b>Waiting.</b> {@link #deliver(Object, int, Duration)} waits for enough subscribers. Either form of sending
 * waits for room in a subscriber's {@code BLOCK} mailbox (under the deadline), and for its relays to finish (they
 * never wait, so this wait has no deadline; a kill ends it with {@link TaskletExit}, and the relays still deliver).
 *
 * <p><b>Thread-safety.</b> Every method may be called from any tasklet on any dispatcher, or from a plain thread.
 * Each change of the subscriber list publishes an immutable snapshot that senders read without a lock (subscribing
 * appends in amortised constant time; unsubscribing copies), so sending never waits for a subscription change; the
 * small lock guarding changes is never held while sending or waiting.
 *
 * @param <T> the type of the messages
 */
public final class BroadcastChannel<T> {
    private static final AtomicLong IDS = new AtomicLong();
    /**
     * The fewest subscribers on another dispatcher that are handed to a relay there; fewer are served by the sender
     * directly. Measured with {@code bench messages}: a relay (a tasklet spawned there, and a wait for it) costs
     * about as much as serving a few hundred subscribers across cores.
     */
    static final int RELAY_MIN = 256;
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
    /** How the current subscriber list fans out; recomputed when the list changes. Immutable, published racily. */
    private volatile Plan plan;

    // Guarded by lock. The published list is a view of the first `size` slots of `slots`; subscribing writes past
    // every published view's end, so views never change; removing copies.
    private Subscriber[] slots = new Subscriber[16];
    private int size;
    private final Set<Subscriber> members = new HashSet<>();

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
     * Sends {@code message} to every current subscriber, after the transform. Waits only for room in a
     * subscriber's bounded mailbox with the {@code BLOCK} policy (under the current deadline) and for its relays to
     * other dispatchers (see the class comment).
     *
     * @return how many tasklets it reached, directly or through nested channels; 0 if the transform dropped it
     * @throws TaskletExit if the sender is killed while waiting for room in a subscriber's mailbox (the subscribers
     *                     it had not served yet did not get the message) or for its relays (they still deliver it)
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
     * @throws TaskletExit               if the caller is killed while waiting for subscribers (nothing was sent), or
     *                                   while sending, as {@link #send} says
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
        if (targets.size() >= RELAY_MIN) {
            Plan p = plan;
            if (p == null || p.list != targets) {
                plan = p = Plan.of(targets);
            }
            Dispatcher here = Dispatcher.current();
            if (p.relaysFrom(here)) {
                return fanOutRelayed(message, p, here);
            }
        }
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
            prune();
        }
        return reached;
    }

    /**
     * The fan-out with relays: starts one relay on each dispatcher (but the sender's) with at least {@link #RELAY_MIN}
     * subscribers, serves the other subscribers, serves the relays that have not started, and waits for the others.
     */
    private int fanOutRelayed(T message, Plan p, Dispatcher here) {
        Round round = new Round();
        List<Relay<T>> relays = new ArrayList<>();
        for (Group group : p.groups) {
            if (group.relayedFrom(here)) {
                Relay<T> relay = new Relay<>(this, message, group, round);
                relays.add(relay);
                round.pending++;
            }
        }
        round.done = Waiter.create();
        for (Relay<T> relay : relays) {
            start(relay);
        }
        int reached = 0;
        boolean sawEnded = false;
        for (Group group : p.groups) {
            if (!group.relayedFrom(here)) {
                for (Tasklet<?> tasklet : group.tasklets) {
                    if (!tasklet.isAlive()) {
                        sawEnded = true;
                    } else if (post(tasklet, message)) {
                        reached++;
                    }
                }
            }
        }
        for (Subscriber subscriber : p.others) {
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
        for (Relay<T> relay : relays) {
            relay.run(); // serves it here if its dispatcher has not started it yet; otherwise returns at once
        }
        round.done.await(Waiter.NO_DEADLINE, "relays of broadcast channel", name);
        for (Relay<T> relay : relays) {
            reached += relay.reached;
            sawEnded |= relay.sawEnded;
        }
        if (sawEnded) {
            prune();
        }
        return reached;
    }

    /** Spawns {@code relay} on its group's dispatcher; if that fails, the sender serves it itself. */
    private static void start(Relay<?> relay) {
        try {
            Tasklet.builder().daemon(true).on(relay.group.dispatcher).spawn(relay);
        } catch (RuntimeException notStarted) {
            // The relay stays unclaimed and the sender serves it (its dispatcher is stopping, for example).
        }
    }

    private void prune() {
        synchronized (lock) {
            pruneLocked();
        }
    }

    private boolean post(Tasklet<?> tasklet, T message) {
        try {
            if (tasklet.send(message)) {
                return true;
            }
            if (tasklet.isAlive()) {
                skipped.increment(); // a full DROP_NEWEST mailbox dropped it (one that ended is pruned instead)
            }
            return false;
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

    private static List<Subscriber> view(Subscriber[] slots, int size) {
        return new Snapshot(slots, size);
    }

    private boolean add(Subscriber subscriber) {
        Waiter<Object> wake;
        synchronized (lock) {
            if (!members.add(subscriber)) {
                return false;
            }
            if (size == slots.length) {
                slots = Arrays.copyOf(slots, size * 2);
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

    /** The first {@code size} subscribers of {@code slots}: an immutable list, since no one writes those slots again. */
    private static final class Snapshot extends AbstractList<Subscriber> implements RandomAccess {
        private final Subscriber[] slots;
        private final int size;

        Snapshot(Subscriber[] slots, int size) {
            this.slots = slots;
            this.size = size;
        }

        @Override
        public Subscriber get(int index) {
            Objects.checkIndex(index, size);
            return slots[index];
        }

        @Override
        public int size() {
            return size;
        }
    }

    /**
     * One dispatcher's tasklet subscribers whose mailboxes never make a sender wait (unbounded, or bounded with
     * {@code DROP_NEWEST} or {@code FAIL}), in subscription order.
     */
    private record Group(Dispatcher dispatcher, Tasklet<?>[] tasklets) {
        /** True if a sender on {@code here} (null: not a tasklet) hands this group to a relay. */
        boolean relayedFrom(Dispatcher here) {
            return dispatcher != here && tasklets.length >= RELAY_MIN;
        }
    }

    /**
     * How one subscriber list fans out: its relayable tasklets grouped by dispatcher, and the subscribers the sender
     * always serves itself (nested channels, tasklets with a {@code BLOCK} bounded mailbox), in subscription order.
     */
    private record Plan(List<Subscriber> list, Group[] groups, Subscriber[] others) {
        static Plan of(List<Subscriber> list) {
            Map<Dispatcher, List<Tasklet<?>>> byDispatcher = new LinkedHashMap<>();
            List<Subscriber> others = new ArrayList<>();
            for (Subscriber subscriber : list) {
                if (subscriber instanceof TaskletSubscriber(Tasklet<?> tasklet) && neverBlocksSender(tasklet)) {
                    byDispatcher.computeIfAbsent(tasklet.dispatcher(), d -> new ArrayList<>()).add(tasklet);
                } else {
                    others.add(subscriber);
                }
            }
            Group[] groups = new Group[byDispatcher.size()];
            int i = 0;
            for (Map.Entry<Dispatcher, List<Tasklet<?>>> e : byDispatcher.entrySet()) {
                groups[i++] = new Group(e.getKey(), e.getValue().toArray(new Tasklet<?>[0]));
            }
            return new Plan(list, groups, others.toArray(new Subscriber[0]));
        }

        private static boolean neverBlocksSender(Tasklet<?> tasklet) {
            Mailbox mailbox = tasklet.mailbox();
            return mailbox.capacity() == Integer.MAX_VALUE || mailbox.overflow() != Mailbox.Overflow.BLOCK;
        }

        /** True if a sender on {@code here} hands at least one group to a relay. */
        boolean relaysFrom(Dispatcher here) {
            for (Group group : groups) {
                if (group.relayedFrom(here)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The relays of one send: how many have not finished, and the sender's wait for them. */
    private static final class Round {
        private static final VarHandle PENDING;

        static {
            try {
                PENDING = MethodHandles.lookup().findVarHandle(Round.class, "pending", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        /** Relays not finished; set by the sender before it starts any, then counted down by each. */
        int pending;
        /** The sender's wait, completed by the last relay to finish. */
        Waiter<Object> done;

        void relayFinished() {
            if ((int) PENDING.getAndAdd(this, -1) == 1) {
                done.complete(null);
            }
        }
    }

    /**
     * Puts one message in one dispatcher's subscribers' mailboxes. Run by a tasklet on that dispatcher (so the
     * mailboxes are local there), or by the sender if that tasklet has not started when the sender has served the
     * rest: whoever claims it first. It never waits.
     */
    private static final class Relay<T> implements Runnable {
        private static final VarHandle CLAIMED;

        static {
            try {
                CLAIMED = MethodHandles.lookup().findVarHandle(Relay.class, "claimed", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final BroadcastChannel<T> channel;
        private final T message;
        final Group group;
        private final Round round;
        private volatile boolean claimed;
        /** Written by whoever claimed the relay; read by the sender after the round (ordered by the round's count). */
        int reached;
        boolean sawEnded;

        Relay(BroadcastChannel<T> channel, T message, Group group, Round round) {
            this.channel = channel;
            this.message = message;
            this.group = group;
            this.round = round;
        }

        @Override
        public void run() {
            if (!CLAIMED.compareAndSet(this, false, true)) {
                return;
            }
            try {
                for (Tasklet<?> tasklet : group.tasklets) {
                    if (!tasklet.isAlive()) {
                        sawEnded = true;
                    } else if (channel.post(tasklet, message)) {
                        reached++;
                    }
                }
            } finally {
                round.relayFinished();
            }
        }
    }
}
