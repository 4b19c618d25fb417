package org.concurrence.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.concurrence.core.Blocking;
import org.concurrence.core.Concurrence;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.DispatcherGroup;
import org.concurrence.core.Mailbox;
import org.concurrence.core.Outcome;
import org.concurrence.core.Tasklet;
import org.concurrence.core.Timeout;
import org.junit.jupiter.api.Test;

/**
 * Broadcast channels whose subscribers are many on another dispatcher, so that a send hands them to a relay there:
 * exact counts, order, bounded mailboxes, nesting, and a relay its dispatcher cannot start.
 */
class BroadcastRelayTest {
    private static final Duration LONG = Duration.ofSeconds(30);
    /** Enough subscribers on one dispatcher for a relay. */
    private static final int MANY = BroadcastChannel.RELAY_MIN + 10;

    record Go() {}

    record Msg(int sender, int seq) {}

    /** Runs {@code body} as the main tasklet (on dispatcher 0) of two dispatchers, under a deadline. */
    private static void twoDispatchers(Runnable body) {
        Concurrence.run(Concurrence.Options.defaults().withDispatchers(2), () -> {
            try {
                Timeout.run(Duration.ofSeconds(60), body);
            } catch (Throwable failure) {
                Concurrence.quit(1);
                throw failure;
            }
        });
    }

    private static Dispatcher other() {
        return Dispatcher.current().group().dispatcher(1);
    }

    /** A daemon on {@code dispatcher} that keeps its messages until it receives {@link Go}. */
    private static Tasklet<Object> holder(Dispatcher dispatcher) {
        return Tasklet.builder().on(dispatcher).daemon(true).spawn(() -> Mailbox.receive(Go.class, LONG));
    }

    private static List<Tasklet<Object>> holders(Dispatcher dispatcher, int count) {
        List<Tasklet<Object>> all = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            all.add(holder(dispatcher));
        }
        return all;
    }

    @Test
    void aRelayedSendCountsExactlyAndTheMessageIsThereWhenItReturns() {
        twoDispatchers(() -> {
            BroadcastChannel<String> channel = new BroadcastChannel<>("relayed");
            List<Tasklet<Object>> far = holders(other(), MANY);
            List<Tasklet<Object>> near = holders(Dispatcher.current(), MANY); // served by the sender: no relay
            List<Tasklet<Object>> full = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Tasklet<Object> t = Tasklet.builder().on(other()).daemon(true).mailbox(1, Mailbox.Overflow.FAIL)
                        .spawn(() -> Mailbox.receive(Go.class, LONG));
                t.send("filler"); // not a Go: it stays, and the mailbox is full
                full.add(t);
            }
            far.forEach(channel::subscribe);
            near.forEach(channel::subscribe);
            full.forEach(channel::subscribe);
            List<Tasklet<Object>> ended = far.subList(0, 5);
            ended.forEach(Tasklet::kill);
            Tasklet.joinAll(ended);

            long spawnedThere = other().statistics().spawned();
            long spawnedHere = Dispatcher.current().statistics().spawned();
            assertEquals(2 * MANY - 5, channel.send("one"));
            assertEquals(spawnedThere + 1, other().statistics().spawned(), "one relay on the other dispatcher");
            assertEquals(spawnedHere, Dispatcher.current().statistics().spawned(), "none on the sender's");
            assertEquals(2, channel.skipped());
            for (Tasklet<Object> t : far.subList(5, MANY)) {
                assertEquals(1, t.mailbox().size(), "in the mailbox when send returned");
            }
            assertEquals(2 * MANY - 5 + 2, channel.subscriberCount(), "ended subscribers were pruned");

            assertEquals(2 * MANY - 5, channel.deliver("two", MANY, LONG));
            assertEquals(4, channel.skipped());
            for (Tasklet<Object> t : far.subList(5, MANY)) {
                assertEquals(2, t.mailbox().size());
            }
            killAll(far, near, full);
        });
    }

    @Test
    void blockMailboxesAreServedBySenderUnderItsDeadlineNeverByARelay() {
        twoDispatchers(() -> {
            BroadcastChannel<String> channel = new BroadcastChannel<>("blocking");
            List<Tasklet<Object>> far = holders(other(), MANY);
            Tasklet<Object> stuck = Tasklet.builder().on(other()).daemon(true).mailbox(1, Mailbox.Overflow.BLOCK)
                    .spawn(() -> Mailbox.receive(Go.class, LONG));
            stuck.send("filler");
            Tasklet<List<Object>> slow = Tasklet.builder().on(other()).daemon(true)
                    .mailbox(1, Mailbox.Overflow.BLOCK).spawn(() -> {
                        List<Object> got = new ArrayList<>();
                        Mailbox.receive(Go.class, LONG);
                        got.add(Mailbox.receive(LONG));
                        got.add(Mailbox.receive(LONG));
                        return got;
                    });
            far.forEach(channel::subscribe);
            channel.subscribe(stuck);
            try (Timeout ignored = Timeout.after(Duration.ofMillis(200))) {
                assertEquals(MANY, channel.send("skips the full one"));
            }
            assertEquals(1, channel.skipped());
            for (Tasklet<Object> t : far) {
                assertEquals(1, t.mailbox().size());
            }

            channel.unsubscribe(stuck);
            channel.subscribe(slow);
            slow.send(new Go()); // it takes Go, then waits for messages
            assertEquals(MANY + 1, channel.send("first"));
            assertEquals(MANY + 1, channel.send("second")); // waits for room in slow's mailbox, without a deadline
            assertEquals(List.of("first", "second"), slow.join(LONG));
            assertEquals(1, channel.skipped());
            killAll(far, List.of(stuck));
        });
    }

    @Test
    void manySendersOnBothDispatchersAndAThreadReachEverySubscriberOnceInOrder() {
        int senders = 5; // two tasklets on each dispatcher, and a plain thread
        int perSender = 100;
        int total = senders * perSender;
        twoDispatchers(() -> {
            DispatcherGroup group = Dispatcher.current().group();
            BroadcastChannel<Msg> channel = new BroadcastChannel<>("stress");
            BroadcastChannel<Msg> nested = new BroadcastChannel<>("stress-nested");
            channel.subscribe(nested);
            List<Tasklet<String>> subscribers = new ArrayList<>();
            for (int i = 0; i < 2 * MANY + 20; i++) {
                Tasklet<String> s = Tasklet.builder().on(group.dispatcher(i % 2)).daemon(true)
                        .spawn(() -> checkEverything(senders, total));
                subscribers.add(s);
                if (i < 2 * MANY) {
                    channel.subscribe(s);
                } else {
                    nested.subscribe(s);
                }
            }
            AtomicInteger reached = new AtomicInteger();
            List<Tasklet<Void>> sending = new ArrayList<>();
            for (int sender = 0; sender < senders; sender++) {
                int id = sender;
                Runnable body = () -> {
                    for (int seq = 0; seq < perSender; seq++) {
                        reached.addAndGet(channel.send(new Msg(id, seq)));
                        if (Tasklet.currentOrNull() != null) {
                            Tasklet.yield(); // let the subscribers on this dispatcher keep up
                        }
                    }
                };
                if (id < senders - 1) {
                    sending.add(Tasklet.builder().on(group.dispatcher(id % 2)).spawn(body));
                } else {
                    sending.add(Tasklet.spawn(() -> Blocking.call(() -> { // a plain thread of the blocking pool
                        body.run();
                        return null;
                    })));
                }
            }
            Tasklet.joinAll(sending).forEach(o -> assertTrue(o instanceof Outcome.Succeeded, o::toString));
            for (Tasklet<String> s : subscribers) {
                assertEquals("ok", s.join(LONG));
            }
            assertEquals(subscribers.size() * total, reached.get());
        });
    }

    /** Receives {@code total} messages; checks that each sender's arrive once each, in order. */
    private static String checkEverything(int senders, int total) {
        int[] next = new int[senders];
        for (int i = 0; i < total; i++) {
            Msg m = Mailbox.receive(Msg.class, LONG);
            if (m.seq() != next[m.sender()]) {
                return "from sender " + m.sender() + " expected " + next[m.sender()] + " but got " + m.seq();
            }
            next[m.sender()]++;
        }
        Optional<Object> extra = Mailbox.tryReceive();
        return extra.isEmpty() ? "ok" : "an extra message: " + extra.get();
    }

    @Test
    void nestedChannelsAndTransformsWorkThroughRelays() {
        twoDispatchers(() -> {
            BroadcastChannel<Integer> outer = new BroadcastChannel<>("outer", n -> n * 10);
            BroadcastChannel<Integer> evenOnly = new BroadcastChannel<>("even-only", n -> n % 20 == 0 ? n : null);
            outer.subscribe(evenOnly);
            List<Tasklet<Object>> outerFar = holders(other(), MANY);
            List<Tasklet<Object>> nestedFar = holders(other(), MANY);
            outerFar.forEach(outer::subscribe);
            nestedFar.forEach(evenOnly::subscribe);
            assertEquals(2 * MANY, outer.send(2));
            assertEquals(MANY, outer.send(1), "the nested channel's transform dropped 10");
            for (Tasklet<Object> t : outerFar) {
                assertEquals(2, t.mailbox().size());
            }
            for (Tasklet<Object> t : nestedFar) {
                assertEquals(1, t.mailbox().size());
            }
            killAll(outerFar, nestedFar);
        });
    }

    @Test
    void aRelayWhoseDispatcherIsBusyIsServedByTheSender() {
        twoDispatchers(() -> {
            BroadcastChannel<String> channel = new BroadcastChannel<>("busy");
            List<Tasklet<Object>> far = holders(other(), MANY);
            far.forEach(channel::subscribe);
            Tasklet<?> main = Tasklet.current();
            AtomicBoolean release = new AtomicBoolean();
            Tasklet<Void> hog = Tasklet.builder().on(other()).spawn(() -> {
                main.send("hogging");
                long until = System.nanoTime() + LONG.toNanos();
                while (!release.get() && System.nanoTime() < until) {
                    Thread.onSpinWait(); // never yields: nothing else runs on this dispatcher meanwhile
                }
            });
            assertEquals("hogging", Mailbox.receive(LONG));
            assertEquals(MANY, channel.send("served by the sender"));
            for (Tasklet<Object> t : far) {
                assertEquals(1, t.mailbox().size());
            }
            release.set(true);
            hog.join(LONG);
            killAll(far);
        });
    }

    /** Ends the daemons of a test, and waits until they have. */
    @SafeVarargs
    private static void killAll(List<? extends Tasklet<?>>... groups) {
        for (List<? extends Tasklet<?>> group : groups) {
            group.forEach(Tasklet::kill);
        }
        for (List<? extends Tasklet<?>> group : groups) {
            Tasklet.joinAll(group, LONG);
        }
    }
}
