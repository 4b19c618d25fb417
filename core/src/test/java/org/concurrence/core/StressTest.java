package org.concurrence.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Many tasklets, random kills, wake-ups across carriers: nothing lost, nothing left waiting. */
@Timeout(120)
class StressTest {
    private static final int TASKLETS = 100_000;

    @Test
    void hundredThousandTaskletsWithRandomKillsAllEndAndAreAccountedFor() {
        AtomicInteger finished = new AtomicInteger();
        AtomicInteger killedWhileRunning = new AtomicInteger();
        AtomicInteger joinedAsKilled = new AtomicInteger();
        Concurrence.run(Concurrence.Options.defaults().withDispatchers(2), () -> {
            DispatcherGroup group = Dispatcher.current().group();
            SplittableRandom random = new SplittableRandom(1);
            List<Tasklet<Void>> all = new ArrayList<>(TASKLETS);
            for (int i = 0; i < TASKLETS; i++) {
                long micros = random.nextLong(2_000);
                all.add(Tasklet.builder().on(group.next()).spawn(() -> {
                    try {
                        Tasklet.sleep(Duration.ofNanos(micros * 1_000));
                        finished.incrementAndGet();
                    } catch (TaskletExit exit) {
                        killedWhileRunning.incrementAndGet();
                        throw exit;
                    }
                }));
            }
            for (int i = 0; i < TASKLETS / 10; i++) {
                all.get(random.nextInt(TASKLETS)).kill();
            }
            for (Tasklet<Void> t : all) {
                try {
                    t.join(Duration.ofSeconds(60));
                } catch (JoinError e) {
                    assertTrue(e.wasKilled(), e.toString());
                    joinedAsKilled.incrementAndGet();
                }
            }
            for (Dispatcher d : group.dispatchers()) {
                int stillAlive = d == Dispatcher.current() ? 1 : 0; // main itself
                assertEquals(stillAlive, d.taskletCount(), d.toString());
            }
        });
        assertTrue(joinedAsKilled.get() > 0, "no kill took effect");
        // A tasklet killed before it started never ran its body; every other kill was seen inside the body.
        assertTrue(killedWhileRunning.get() <= joinedAsKilled.get());
        assertEquals(TASKLETS, finished.get() + joinedAsKilled.get());
    }

    @Test
    void wakeUpsAcrossDispatchersAreNeverLost() {
        int pairs = 200;
        int rounds = 500;
        AtomicLong handed = new AtomicLong();
        Concurrence.run(Concurrence.Options.defaults().withDispatchers(2), () -> {
            DispatcherGroup group = Dispatcher.current().group();
            List<Tasklet<Void>> workers = new ArrayList<>();
            for (int p = 0; p < pairs; p++) {
                Mailslot ping = new Mailslot();
                Mailslot pong = new Mailslot();
                workers.add(Tasklet.builder().on(group.dispatcher(0)).spawn(() -> {
                    for (int r = 0; r < rounds; r++) {
                        ping.put(r);
                        assertEquals(r, pong.take());
                    }
                }));
                workers.add(Tasklet.builder().on(group.dispatcher(1)).spawn(() -> {
                    for (int r = 0; r < rounds; r++) {
                        pong.put(ping.take());
                        handed.incrementAndGet();
                    }
                }));
            }
            for (Tasklet<Void> w : workers) {
                w.join(Duration.ofSeconds(60));
            }
        });
        assertEquals((long) pairs * rounds, handed.get());
    }

    @Test
    void onVirtualTimeEveryTimedWaitEndsExactlyOnce() {
        AtomicInteger timedOut = new AtomicInteger();
        AtomicInteger completed = new AtomicInteger();
        Concurrence.run(Concurrence.Options.deterministic(3), () -> {
            SplittableRandom random = new SplittableRandom(3);
            List<Mailslot> slots = new ArrayList<>();
            List<Tasklet<Void>> waiters = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                Mailslot slot = new Mailslot();
                slots.add(slot);
                long timeoutMs = 1 + random.nextInt(100);
                waiters.add(Tasklet.spawn(() -> {
                    try {
                        slot.take(Duration.ofMillis(timeoutMs));
                        completed.incrementAndGet();
                    } catch (DeadlineExceededException e) {
                        timedOut.incrementAndGet();
                    }
                }));
            }
            Tasklet.yield();
            int offered = 0;
            for (int ms = 0; ms < 100; ms++) {
                for (int k = 0; k < 200; k++) {
                    if (slots.get(random.nextInt(slots.size())).offer(ms)) {
                        offered++;
                    }
                }
                Tasklet.sleep(Duration.ofMillis(1));
            }
            Tasklet.joinAll(waiters);
            assertEquals(offered, completed.get());
        });
        assertEquals(20_000, timedOut.get() + completed.get());
    }

    /** A one-place hand-over built on Waiter, as primitives are: at most one waiting taker. */
    private static final class Mailslot {
        private final Object lock = new Object();
        private final WaitQueue<Object> takers = new WaitQueue<>();
        private final java.util.ArrayDeque<Object> items = new java.util.ArrayDeque<>();

        void put(Object item) {
            synchronized (lock) {
                for (Waiter<Object> w; (w = takers.poll()) != null; ) {
                    if (w.complete(item)) {
                        return;
                    }
                }
                items.add(item);
            }
        }

        /** Hands {@code item} to a waiting taker only; false if none was waiting. */
        boolean offer(Object item) {
            synchronized (lock) {
                for (Waiter<Object> w; (w = takers.poll()) != null; ) {
                    if (w.complete(item)) {
                        return true;
                    }
                }
                return false;
            }
        }

        Object take() {
            return take(null);
        }

        Object take(Duration timeout) {
            Waiter<Object> w = Waiter.create();
            synchronized (lock) {
                if (!items.isEmpty()) {
                    return items.poll();
                }
                takers.add(w);
            }
            try {
                return w.await(Tasklet.deadline(timeout), "take from", "mailslot");
            } catch (DeadlineExceededException | TaskletExit cancelled) {
                synchronized (lock) {
                    takers.remove(w);
                }
                throw cancelled;
            }
        }
    }
}
