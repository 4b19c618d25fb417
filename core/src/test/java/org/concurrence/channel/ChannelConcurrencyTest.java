package org.concurrence.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.concurrence.core.Concurrence;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.DispatcherGroup;
import org.concurrence.core.JoinError;
import org.concurrence.core.Outcome;
import org.concurrence.core.Tasklet;
import org.concurrence.core.TaskletExit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Channels shared by tasklets on two dispatchers, and a stress test in which every item must arrive exactly once
 * while extra waiters time out and are killed at random. The same stress also runs on one dispatcher in seeded random
 * orders on virtual time, where a failure is reproducible from its seed.
 */
@Timeout(60) // a bug that loses a wake-up on real time would otherwise hang the build
class ChannelConcurrencyTest {
    @Test
    void pingPongAcrossTwoDispatchersDeliversEveryMessageInOrder() {
        Concurrence.run(Concurrence.Options.defaults().withDispatchers(2), () -> {
            DispatcherGroup group = Dispatcher.current().group();
            Channel<Integer> ping = Channel.create("ping");
            Channel<Integer> pong = Channel.create("pong");
            Tasklet<Void> echo = Tasklet.builder().on(group.dispatcher(1)).spawn(() -> {
                for (int x : ping) {
                    pong.send(x + 1);
                }
            });
            assertNotSame(Dispatcher.current(), echo.dispatcher());
            for (int i = 0; i < 2_000; i++) {
                ping.send(2 * i);
                assertEquals(2 * i + 1, pong.receive());
            }
            ping.close();
            echo.join();
            assertEquals(0, ping.balance());
            assertEquals(0, pong.balance());
        });
    }

    @Test
    void aSelectOnOneDispatcherIsWokenBySendersOnAnother() {
        Concurrence.run(Concurrence.Options.defaults().withDispatchers(2), () -> {
            DispatcherGroup group = Dispatcher.current().group();
            Channel<Integer> a = Channel.create("a");
            Channel<Integer> b = Channel.create("b");
            int rounds = 1_000;
            List<Tasklet<Void>> senders = List.of(
                    Tasklet.builder().on(group.dispatcher(1)).spawn(() -> sendRange(a, 0, rounds)),
                    Tasklet.builder().on(group.dispatcher(1)).spawn(() -> sendRange(b, rounds, 2 * rounds)));
            Set<Integer> seen = new HashSet<>();
            Select select = Select.of(Select.receive(a), Select.receive(b));
            for (int i = 0; i < 2 * rounds; i++) {
                Select.Received<?> received = (Select.Received<?>) select.await();
                assertTrue(seen.add((Integer) received.value()), "duplicate " + received);
            }
            Tasklet.joinAll(senders).forEach(Outcome::get);
            assertEquals(2 * rounds, seen.size());
            assertEquals(0, a.balance());
            assertEquals(0, b.balance());
        });
    }

    private static void sendRange(Channel<Integer> channel, int from, int to) {
        for (int i = from; i < to; i++) {
            channel.send(i);
        }
    }

    @ParameterizedTest(name = "capacity {0}")
    @ValueSource(ints = {0, 1, 8})
    void everyItemArrivesExactlyOnceAcrossTwoDispatchersDespiteKillsAndTimeouts(int capacity) {
        Ledger ledger = new Ledger();
        Concurrence.run(Concurrence.Options.defaults().withDispatchers(2),
                () -> new Stress(ledger, capacity, 42 + capacity, 2_000, Duration.ofMillis(1)).run());
        ledger.assertEverySentItemReceivedOnce();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void everyItemArrivesExactlyOnceInSeededInterleavingsOnVirtualTime(long seed) {
        for (int capacity : new int[] {0, 1, 4}) {
            Ledger ledger = new Ledger();
            Concurrence.run(Concurrence.Options.deterministic(seed),
                    () -> new Stress(ledger, capacity, seed, 300, Duration.ofMillis(1)).run());
            ledger.assertEverySentItemReceivedOnce();
        }
    }

    /** What was sent (a send returned) and what was received, by item; and the first failure of a stress tasklet. */
    private static final class Ledger {
        final Set<Integer> sent = ConcurrentHashMap.newKeySet();
        final Map<Integer, AtomicInteger> received = new ConcurrentHashMap<>();
        final AtomicLong timeouts = new AtomicLong();
        final AtomicLong kills = new AtomicLong();
        final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();

        void sent(int item) {
            if (!sent.add(item)) {
                fail("item " + item + " was sent twice");
            }
        }

        void received(Object item) {
            received.computeIfAbsent((Integer) item, k -> new AtomicInteger()).incrementAndGet();
        }

        void rethrowFirstFailure() {
            Throwable first = failures.peek();
            if (first != null) {
                throw new AssertionError("a stress tasklet failed first (" + failures.size() + " failures)", first);
            }
        }

        void assertEverySentItemReceivedOnce() {
            rethrowFirstFailure();
            assertTrue(sent.size() > 0, "nothing was sent");
            for (var entry : received.entrySet()) {
                assertTrue(sent.contains(entry.getKey()), "item " + entry.getKey() + " was received but never sent");
                assertEquals(1, entry.getValue().get(), "item " + entry.getKey() + " was received more than once");
            }
            assertEquals(sent.size(), received.size(), "items sent but never received");
            assertTrue(timeouts.get() > 0, "the stress should have seen timeouts");
            assertTrue(kills.get() > 0, "the stress should have seen kills");
        }
    }

    /**
     * Producers send their own range of items with plain sends and with two-way select sends, pausing now and then;
     * consumers iterate or select until both channels close. Flaky senders and receivers use short timeouts and are
     * killed and replaced at random. A send that returned counts as sent; a send that timed out or was killed must
     * deliver nothing; whatever a receive returned is recorded at once.
     */
    private static final class Stress {
        private static final int FLAKY_BASE = 1_000_000;
        private final Ledger ledger;
        private final int itemsPerProducer;
        private final Duration shortTimeout;
        private final SplittableRandom random;
        private final DispatcherGroup group = Dispatcher.current().group();
        private final Channel<Integer> main;
        private final Channel<Integer> side = Channel.<Integer>buffered("side", 2).preference(0);
        private final AtomicInteger nextFlakyItem = new AtomicInteger(FLAKY_BASE);
        /** Touched only by the main tasklet and the killer, both on dispatcher 0. */
        private final List<Tasklet<Void>> flaky = new ArrayList<>();

        Stress(Ledger ledger, int capacity, long seed, int itemsPerProducer, Duration shortTimeout) {
            this.ledger = ledger;
            this.itemsPerProducer = itemsPerProducer;
            this.shortTimeout = shortTimeout;
            this.random = new SplittableRandom(seed);
            this.main = capacity == 0 ? Channel.create("main") : Channel.buffered("main", capacity);
        }

        void run() {
            List<Tasklet<Void>> producers = new ArrayList<>();
            for (int p = 0; p < 4; p++) {
                int first = p * itemsPerProducer;
                boolean selecting = p % 2 == 1;
                long seed = random.nextLong();
                producers.add(on(p, "producer-" + p, () -> produce(first, first + itemsPerProducer, selecting, seed)));
            }
            List<Tasklet<Void>> consumers = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                Runnable body = c % 2 == 0 ? this::consumeByIteration : this::consumeBySelect;
                consumers.add(on(c + 1, "consumer-" + c, body));
            }
            for (int f = 0; f < 4; f++) {
                flaky.add(spawnFlaky(f));
            }
            Tasklet<Void> killer = on(0, "killer", () -> killAtRandom(producers));
            List<Outcome<Void>> produced = Tasklet.joinAll(producers);
            killer.join();
            for (Tasklet<Void> f : flaky) {
                f.kill();
            }
            for (Tasklet<Void> f : flaky) {
                awaitEndOfFlaky(f);
            }
            main.close();
            side.close();
            List<Outcome<Void>> consumed = Tasklet.joinAll(consumers);
            ledger.rethrowFirstFailure();
            produced.forEach(Outcome::get);
            consumed.forEach(Outcome::get);
            assertEquals(0, main.balance());
            assertEquals(0, side.balance());
        }

        /**
         * Spawns {@code body} on dispatcher {@code index} (modulo their number). If it fails, the failure is recorded
         * and both channels are closed, so that every other tasklet unwinds instead of waiting for ever.
         */
        private Tasklet<Void> on(int index, String name, Runnable body) {
            return Tasklet.builder().name(name).on(group.dispatcher(index % group.size())).spawn(() -> {
                try {
                    body.run();
                } catch (TaskletExit exit) {
                    throw exit;
                } catch (Throwable failure) {
                    ledger.failures.add(failure);
                    main.close();
                    side.close();
                    throw failure;
                }
            });
        }

        private void produce(int from, int to, boolean selecting, long seed) {
            SplittableRandom own = new SplittableRandom(seed);
            for (int item = from; item < to; item++) {
                if (item % 16 == 0) { // pause now and then: time passes, waiting receivers time out, kills interleave
                    Tasklet.sleep(Duration.ofNanos(own.nextLong(1, 2 * shortTimeout.toNanos())));
                }
                if (selecting) {
                    selectSend(item, true);
                } else {
                    main.send(item);
                    ledger.sent(item);
                }
            }
        }

        /** Sends {@code item} to main or side, retrying after timeouts if {@code retry}; true if it was sent. */
        private boolean selectSend(int item, boolean retry) {
            Select select = Select.of(Select.send(main, item), Select.send(side, item));
            while (true) {
                try {
                    Select.Result result = select.await(shortTimeout);
                    if (!(result instanceof Select.Sent<?>)) {
                        fail("a channel closed under a producer: " + result);
                    }
                    ledger.sent(item);
                    return true;
                } catch (DeadlineExceededException e) {
                    ledger.timeouts.incrementAndGet();
                    if (!retry) {
                        return false;
                    }
                }
            }
        }

        private void consumeByIteration() {
            for (int item : main) {
                ledger.received(item);
            }
            for (int item : side) {
                ledger.received(item);
            }
        }

        private void consumeBySelect() {
            List<Channel<Integer>> open = new ArrayList<>(List.of(main, side));
            while (!open.isEmpty()) {
                Select select = Select.of(open.stream().map(Select::receive).toList());
                try {
                    switch (select.await(shortTimeout)) {
                        case Select.Received<?> r -> ledger.received(r.value());
                        case Select.Closed c -> open.remove(c.channel());
                        case Select.Sent<?> s -> fail("no send case here: " + s);
                    }
                } catch (DeadlineExceededException e) {
                    ledger.timeouts.incrementAndGet();
                }
            }
        }

        private Tasklet<Void> spawnFlaky(int index) {
            long seed = random.nextLong();
            return on(index, "flaky-" + index, switch (index % 4) {
                case 0 -> () -> flakyReceive(false);
                case 1 -> () -> flakyReceive(true);
                case 2 -> () -> flakySend(seed, false);
                default -> () -> flakySend(seed, true);
            });
        }

        /** Receives with very short timeouts until killed. */
        private void flakyReceive(boolean selecting) {
            Select select = Select.of(Select.receive(main), Select.receive(side));
            Duration timeout = shortTimeout.dividedBy(4);
            while (true) {
                try {
                    if (selecting) {
                        if (select.await(timeout) instanceof Select.Received<?> r) {
                            ledger.received(r.value());
                        }
                    } else {
                        ledger.received(main.receive(timeout));
                    }
                } catch (DeadlineExceededException e) {
                    ledger.timeouts.incrementAndGet();
                }
            }
        }

        /** Sends fresh items with short random timeouts until killed. */
        private void flakySend(long seed, boolean selecting) {
            SplittableRandom own = new SplittableRandom(seed);
            while (true) {
                int item = nextFlakyItem.getAndIncrement();
                Duration timeout = Duration.ofNanos(own.nextLong(1, shortTimeout.toNanos() / 2));
                try {
                    if (selecting) {
                        selectSend(item, false);
                    } else {
                        main.send(item, timeout);
                        ledger.sent(item);
                    }
                } catch (DeadlineExceededException e) {
                    ledger.timeouts.incrementAndGet(); // not sent; the item is never used again
                }
                // An endless source must pause: on virtual time the clock moves only when every tasklet waits.
                Tasklet.sleep(Duration.ofNanos(own.nextLong(1, shortTimeout.toNanos())));
            }
        }

        /** While producers run: kills a random flaky tasklet, starts a fresh one in its place, pauses, repeats. */
        private void killAtRandom(List<Tasklet<Void>> producers) {
            while (producers.stream().anyMatch(Tasklet::isAlive)) {
                int victim = random.nextInt(flaky.size());
                Tasklet<Void> old = flaky.get(victim);
                old.kill();
                awaitEndOfFlaky(old);
                flaky.set(victim, spawnFlaky(victim));
                Tasklet.sleep(Duration.ofNanos(random.nextLong(1, shortTimeout.toNanos())));
            }
        }

        private void awaitEndOfFlaky(Tasklet<Void> tasklet) {
            try {
                tasklet.join();
                fail("flaky tasklet " + tasklet.name() + " ended by itself");
            } catch (JoinError e) {
                if (!e.wasKilled()) {
                    throw e;
                }
                ledger.kills.incrementAndGet();
            }
        }
    }
}
