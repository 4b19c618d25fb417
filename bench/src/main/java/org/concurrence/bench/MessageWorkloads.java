package org.concurrence.bench;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.concurrence.channel.BroadcastChannel;
import org.concurrence.core.DispatcherGroup;
import org.concurrence.core.Mailbox;
import org.concurrence.core.Tasklet;

/**
 * The mailbox workloads of {@link MessagesBench}, each run on tasklets of a {@link DispatcherGroup} and timed by
 * itself (see {@link Measure.Workload}). Every message is the same constant object, so that what a run allocates is
 * the framework's own cost per message, not the message's.
 */
final class MessageWorkloads {
    /** The one message sent; a constant, so that sending allocates nothing of the benchmark's own. */
    static final Object MESSAGE = PingPong.BALL;
    /** The timeout of the timed {@link Tasklet#call(Object, Duration)}s: long enough never to fire. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private MessageWorkloads() {}

    /**
     * One-way messages: the group's main tasklet (on the first dispatcher) sends {@code n} messages to a receiver on
     * the dispatcher at {@code receiverIndex}, which receives them all, yielding after every {@code batch} sends. Timed
     * from the first send to the last receipt, as the receiver sees it.
     *
     * <p>A tasklet runs until it blocks, and a send never blocks, so without the yields a sender on the receiver's
     * dispatcher would queue the whole round (millions of messages) before the receiver runs: that measures the
     * growth of one huge mailbox and the garbage collector's handling of its arrays, not a message. With a batch of
     * {@value OneWay#BATCH} the receiver is woken once per batch and drains it (as an Erlang sender is preempted
     * after a few thousand reductions); with a batch of 1 every message wakes the receiver, a switch there and back
     * per message.
     */
    static long send(DispatcherGroup group, int receiverIndex, int n, int batch) {
        return group.run(() -> {
            Tasklet<Long> receiver = Tasklet.builder().name("receiver").on(group.dispatcher(receiverIndex))
                    .spawn(() -> {
                        for (int i = 0; i < n; i++) {
                            Mailbox.receive();
                        }
                        return System.nanoTime();
                    });
            long start = System.nanoTime();
            for (int i = 1; i <= n; i++) {
                receiver.send(MESSAGE);
                if (i % batch == 0) {
                    Tasklet.yield();
                }
            }
            return receiver.join() - start;
        });
    }

    /**
     * Call round trips: the main tasklet calls a server on the dispatcher at {@code serverIndex} {@code n} times; the
     * server receives each call and replies with {@link Mailbox#reply}. Timed by the caller, first call to last reply.
     *
     * @param timeout the timeout of each call (it arms and disarms a timer per call), or null for none
     */
    static long call(DispatcherGroup group, int serverIndex, int n, Duration timeout) {
        return group.run(() -> {
            Tasklet<Void> server = Tasklet.builder().name("server").on(group.dispatcher(serverIndex)).spawn(() -> {
                for (int i = 0; i < n; i++) {
                    Mailbox.receive();
                    Mailbox.reply(MESSAGE);
                }
            });
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                server.call(MESSAGE, timeout);
            }
            long nanos = System.nanoTime() - start;
            server.join();
            return nanos;
        });
    }

    /**
     * A {@link BroadcastChannel} with daemon subscriber tasklets that live across rounds, spread round-robin over the
     * group's first {@code dispatchers} dispatchers. Each subscriber receives every message; the last message of a
     * round is an end marker, and the subscriber that receives it last tells the publisher.
     */
    static final class FanOut {
        private static final Object END = "end";
        private static final Object DONE = "done";

        private final DispatcherGroup group;
        private final int subscribers;
        private final BroadcastChannel<Object> channel = new BroadcastChannel<>("fan-out");
        /** Subscribers that have not yet received this round's end marker. */
        private final AtomicInteger pending = new AtomicInteger();
        /** The publisher of the current round, told when every subscriber has received the end marker. */
        private volatile Tasklet<?> publisher;

        /** How long spawning and subscribing the subscribers took, in nanoseconds. */
        private final long setupNanos;

        FanOut(DispatcherGroup group, int subscribers, int dispatchers) {
            this.group = group;
            this.subscribers = subscribers;
            this.setupNanos = group.run(() -> {
                long start = System.nanoTime();
                Tasklet.Builder builder = Tasklet.builder().daemon(true);
                for (int i = 0; i < subscribers; i++) {
                    channel.subscribe(builder.on(group.dispatcher(i % dispatchers)).spawn(this::subscriber));
                }
                return System.nanoTime() - start;
            });
            if (channel.subscriberCount() != subscribers) {
                throw new IllegalStateException("fan-out: " + channel.subscriberCount() + " subscribers, not "
                        + subscribers);
            }
        }

        int subscribers() {
            return subscribers;
        }

        /** The nanoseconds it took to spawn the subscribers and subscribe them one by one. */
        long setupNanos() {
            return setupNanos;
        }

        private void subscriber() {
            while (true) {
                if (Mailbox.receive() == END && pending.decrementAndGet() == 0) {
                    publisher.send(DONE);
                }
            }
        }

        /**
         * Publishes {@code messages} messages (the last is the end marker) and waits until every subscriber has
         * received them all; returns the nanoseconds from the first send to the last receipt (and the wake-up of the
         * publisher). Each message is {@link #subscribers()} deliveries.
         *
         * @param yieldEach false: the publisher sends them all before it blocks; true: it yields after each one, so
         *                  every message wakes every subscriber
         */
        long round(int messages, boolean yieldEach) {
            return group.run(() -> {
                publisher = Tasklet.current();
                pending.set(subscribers);
                long start = System.nanoTime();
                for (int i = 1; i < messages; i++) {
                    channel.send(MESSAGE);
                    if (yieldEach) {
                        Tasklet.yield();
                    }
                }
                channel.send(END);
                Object done = Mailbox.receive(Duration.ofMinutes(1));
                if (done != DONE) {
                    throw new IllegalStateException("fan-out: the publisher received " + done);
                }
                return System.nanoTime() - start;
            });
        }
    }
}
