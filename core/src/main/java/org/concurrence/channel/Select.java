package org.concurrence.channel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Tasklet;
import org.concurrence.core.TaskletExit;
import org.concurrence.core.Timeout;

/**
 * A choice among several channel operations: receive from any of several channels, send to any of several, and the
 * first that can happen happens, exactly once; the others do not take effect.
 *
 * <pre>{@code
 * Select select = Select.of(Select.receive(jobs), Select.receive(control), Select.send(results, last));
 * switch (select.await(Duration.ofSeconds(5))) {
 *     case Select.Received<?> r when r.index() == 0 -> run((Job) r.value());
 *     case Select.Received<?> r -> handle((Command) r.value());
 *     case Select.Sent<?> s -> last = null;
 *     case Select.Closed c -> System.out.println(c.channel() + " is closed");
 * }
 * }</pre>
 *
 * <p><b>Which case.</b> If several cases are ready when {@link #await} or {@link #poll} is called, the first listed
 * wins: the order is the priority, and it is deterministic. (A loop that must not starve later cases can rotate the
 * list between calls.) Otherwise the select waits in every case's queue at once, and the first counterpart to arrive
 * wins; the channels' {@linkplain Channel#preference(int) preferences} then apply as for a plain send or receive.
 * A case on a closed channel is always ready and fires as {@link Closed} (for a receive, once the channel is drained).
 * An exception sent with {@link Channel#sendException} to a receive case is thrown from {@code await} or
 * {@code poll}.
 *
 * <p><b>Deadline and kill.</b> {@link #await()} honours the current deadline; {@link #await(Duration)} the earlier of
 * that and its timeout. When the deadline passes it throws {@link DeadlineExceededException}; if the tasklet is
 * killed (before or while it waits), {@link TaskletExit}. Either way no case took effect and the select has left every
 * queue (balances are exact). If a case fired in the same instant, completion wins: the result is returned and a kill
 * waits for the next blocking call. {@link #poll()} never raises a kill.
 *
 * <p><b>Threads.</b> A select is an immutable description, reusable and shareable; each call of {@code await} or
 * {@code poll} is a separate choice for the calling thread. While it checks and queues its cases it holds the locks
 * of all its channels (in a global order, so it cannot deadlock), which makes the choice atomic. Several cases may name
 * the same channel; a select never matches itself (a send and a receive case on one channel wait for others).
 */
public final class Select {
    private final List<Case<?>> cases;
    /** Per case: an earlier case has the same channel and direction (so waits in the same queue). */
    private final boolean[] repeats;
    /** The distinct channels of the cases, in lock order. */
    private final Channel<?>[] lockOrder;
    /** What a timeout message names, e.g. {@code "[receive on channel jobs, send on channel results]"}. */
    private final String description;

    private Select(List<Case<?>> cases) {
        if (cases.isEmpty()) {
            throw new IllegalArgumentException("a select needs at least one case");
        }
        for (int i = 0; i < cases.size(); i++) {
            if (cases.get(i) == null) {
                throw new NullPointerException("case " + i + " of a select is null");
            }
        }
        this.cases = List.copyOf(cases);
        this.repeats = new boolean[this.cases.size()];
        for (int i = 0; i < repeats.length; i++) {
            Case<?> c = this.cases.get(i);
            for (int j = 0; j < i && !repeats[i]; j++) {
                repeats[i] = this.cases.get(j).channel == c.channel && this.cases.get(j).isSend() == c.isSend();
            }
        }
        IdentityHashMap<Channel<?>, Boolean> distinct = new IdentityHashMap<>();
        for (Case<?> c : this.cases) {
            distinct.put(c.channel, Boolean.TRUE);
        }
        this.lockOrder = distinct.keySet().toArray(new Channel<?>[0]);
        Arrays.sort(lockOrder, Comparator.comparingLong(ch -> ch.core.id));
        this.description = this.cases.toString();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Building.

    /** A case that receives an item from {@code channel}. */
    public static <T> Case<T> receive(Channel<T> channel) {
        return new Case<>(Objects.requireNonNull(channel, "channel"), null);
    }

    /**
     * A case that sends {@code item} to {@code channel}.
     *
     * @throws NullPointerException if {@code item} is null
     */
    public static <T> Case<T> send(Channel<T> channel, T item) {
        Objects.requireNonNull(channel, "channel");
        if (item == null) {
            throw new NullPointerException("items of " + channel.label() + " must not be null");
        }
        return new Case<>(channel, item);
    }

    /**
     * A select among {@code cases}, in priority order.
     *
     * @throws IllegalArgumentException if there are no cases
     */
    public static Select of(Case<?>... cases) {
        return new Select(Arrays.asList(cases));
    }

    /** A select among {@code cases}, in priority order; see {@link #of(Case[])}. */
    public static Select of(List<? extends Case<?>> cases) {
        return new Select(new ArrayList<>(cases));
    }

    /** The cases, in priority order. */
    public List<Case<?>> cases() {
        return cases;
    }

    /**
     * One operation a select may perform: a receive from a channel ({@link Select#receive}) or a send of an item to
     * one ({@link Select#send}). Immutable.
     *
     * @param <T> the channel's item type
     */
    public static final class Case<T> {
        final Channel<T> channel;
        /** The item to send; null for a receive case. */
        final T item;

        private Case(Channel<T> channel, T item) {
            this.channel = channel;
            this.item = item;
        }

        /** The channel this case receives from or sends to. */
        public Channel<T> channel() {
            return channel;
        }

        /** True for a send case. */
        public boolean isSend() {
            return item != null;
        }

        @Override
        public String toString() {
            return (isSend() ? "send on " : "receive on ") + channel.label();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Results.

    /** Which case fired and how; use it in a pattern-matching {@code switch}. */
    public sealed interface Result permits Received, Sent, Closed {
        /** The position of the case that fired, from 0, in the order given to {@link Select#of}. */
        int index();

        /** The channel of the case that fired. */
        Channel<?> channel();
    }

    /**
     * A receive case fired.
     *
     * @param index   the case's position
     * @param channel the channel it received from
     * @param value   the item received
     * @param <T>     the channel's item type
     */
    public record Received<T>(int index, Channel<T> channel, T value) implements Result {}

    /**
     * A send case fired: a receiver took the item, or it was buffered.
     *
     * @param index   the case's position
     * @param channel the channel it sent to
     * @param item    the item sent
     * @param <T>     the channel's item type
     */
    public record Sent<T>(int index, Channel<T> channel, T item) implements Result {}

    /**
     * The case's channel is closed (for a receive case: closed and drained); nothing was sent or received.
     *
     * @param index   the case's position
     * @param channel the closed channel
     */
    public record Closed(int index, Channel<?> channel) implements Result {}

    // ---------------------------------------------------------------------------------------------------------
    // Choosing.

    /**
     * Performs the first ready case, or else waits until one can be performed, under the current deadline.
     *
     * @return which case fired
     * @throws DeadlineExceededException if the deadline passes first; no case took effect
     * @throws TaskletExit               if the tasklet is killed while waiting; no case took effect
     * @throws RuntimeException          the exception a sender sent with {@link Channel#sendException} to a receive
     *                                   case that fired
     */
    public Result await() {
        return await(null);
    }

    /**
     * {@link #await()} waiting at most {@code timeout}, and never past the current deadline (see {@link Timeout}).
     *
     * @param timeout how long to wait; null for the current deadline alone; zero or negative fails at once if no case
     *                is ready
     */
    public Result await(Duration timeout) {
        Tasklet.checkpoint();
        long deadline = Tasklet.deadline(timeout);
        Entry.Case[] entries = new Entry.Case[cases.size()];
        Fired ready = lockAndChoose(0, entries);
        if (ready != null) {
            return finish(ready);
        }
        Party party = entries[0].party;
        Object value;
        try {
            value = party.waiter.await(deadline, "select", description);
        } finally {
            leaveQueues(entries); // the cases that lost, or all of them after a timeout or kill
        }
        return result(party.firedCase(), value);
    }

    /**
     * Performs the first ready case, if any; never waits for an event (it may switch to a tasklet it wakes, per the
     * channel's preference).
     *
     * @return which case fired, or empty if none was ready
     * @throws RuntimeException the exception a sender sent with {@link Channel#sendException} to the receive case
     */
    public Optional<Result> poll() {
        Fired ready = lockAndChoose(0, null);
        return ready == null ? Optional.empty() : Optional.of(finish(ready));
    }

    @Override
    public String toString() {
        return "select " + description;
    }

    /** A case that fired at once, and the tasklet it woke and prefers to switch to. */
    private record Fired(int index, Exchange outcome) {}

    /**
     * Holds the locks of {@code lockOrder[depth..]} (in order), then tries every case and, if none is ready and
     * {@code entries} is not null, queues one entry per case: all atomic with respect to every channel involved.
     */
    private Fired lockAndChoose(int depth, Entry.Case[] entries) {
        if (depth < lockOrder.length) {
            synchronized (lockOrder[depth].core) {
                return lockAndChoose(depth + 1, entries);
            }
        }
        for (int i = 0; i < cases.size(); i++) {
            Case<?> c = cases.get(i);
            Exchange done = c.isSend() ? c.channel.core.offerLocked(c.item) : c.channel.core.pollLocked();
            if (done != null) {
                return new Fired(i, done);
            }
        }
        if (entries != null) {
            Party party = new Party();
            for (int i = 0; i < entries.length; i++) {
                Case<?> c = cases.get(i);
                entries[i] = new Entry.Case(party, i, c.item, repeats[i]);
                c.channel.core.enqueueLocked(entries[i]);
            }
        }
        return null;
    }

    private Result finish(Fired ready) {
        Channel.switchTo(ready.outcome().switchTo());
        return result(ready.index(), ready.outcome().value());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Result result(int index, Object value) {
        Case<?> c = cases.get(index);
        if (value == Signal.CLOSED) {
            return new Closed(index, c.channel);
        }
        if (value instanceof Signal.Thrown thrown) {
            throw thrown.exception();
        }
        return c.isSend() ? new Sent(index, c.channel, c.item) : new Received(index, c.channel, value);
    }

    /** Takes the select's entries out of the queues they are still in, each under its channel's lock. */
    private void leaveQueues(Entry.Case[] entries) {
        for (int i = 0; i < entries.length; i++) {
            cases.get(i).channel.core.dequeue(entries[i]);
        }
    }
}
