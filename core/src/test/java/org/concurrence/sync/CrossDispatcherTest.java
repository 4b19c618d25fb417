package org.concurrence.sync;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import org.concurrence.core.Concurrence;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.DispatcherGroup;
import org.concurrence.core.Tasklet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The primitives shared by tasklets on two dispatchers running in parallel (real time), and under seeded random
 * orders on virtual time. Plain {@code int} counters are guarded only by the primitive under test, so a lost update
 * or a broken happens-before shows up as a wrong total.
 */
@Timeout(60)
class CrossDispatcherTest {
    private static final int TASKLETS = 64;
    private static final int ROUNDS = 200;

    @Test
    void aLockKeepsAPlainCounterExactAcrossTwoDispatchers() {
        int[] counter = {0};
        Lock lock = new Lock("counter");
        onTwoDispatchers(round -> {
            lock.lock();
            try {
                int read = counter[0];
                if (round % 8 == 0) {
                    Tasklet.yield(); // hold the lock across a switch now and then
                }
                counter[0] = read + 1;
            } finally {
                lock.unlock();
            }
        });
        assertEquals(TASKLETS * ROUNDS, counter[0]);
        assertFalse(lock.isLocked());
        assertEquals(0, lock.queueLength());
    }

    @Test
    void anRLockKeepsAPlainCounterExactAcrossTwoDispatchers() {
        int[] counter = {0};
        RLock lock = new RLock("counter");
        onTwoDispatchers(round -> {
            try (var _ = lock.acquire(); var _ = lock.acquire()) {
                int read = counter[0];
                if (round % 8 == 0) {
                    Tasklet.yield();
                }
                counter[0] = read + 1;
            }
        });
        assertEquals(TASKLETS * ROUNDS, counter[0]);
        assertFalse(lock.isLocked());
    }

    @Test
    void aSemaphoreOfOneKeepsAPlainCounterExactAndOneOfThreeNeverAdmitsAFourth() {
        int[] counter = {0};
        Semaphore mutex = new Semaphore("mutex", 1);
        Semaphore three = new Semaphore("three", 3);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger mostInside = new AtomicInteger();
        onTwoDispatchers(round -> {
            three.acquire();
            try {
                mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                mutex.acquire();
                int read = counter[0];
                if (round % 8 == 0) {
                    Tasklet.yield();
                }
                counter[0] = read + 1;
                mutex.release();
                inside.decrementAndGet();
            } finally {
                three.release();
            }
        });
        assertEquals(TASKLETS * ROUNDS, counter[0]);
        assertTrue(mostInside.get() <= 3, "at most 3 inside, saw " + mostInside.get());
        assertEquals(1, mutex.availablePermits());
        assertEquals(3, three.availablePermits());
    }

    @Test
    void timeoutsRacingWithReleasesLoseNoPermitAndNoOwnership() {
        int[] counter = {0};
        AtomicInteger successes = new AtomicInteger();
        AtomicInteger timeouts = new AtomicInteger();
        Semaphore semaphore = new Semaphore("racy", 2);
        Lock lock = new Lock("racy");
        onTwoDispatchers(round -> {
            Duration patience = Duration.ofNanos(1_000 * (1 + round % 50)); // 1 to 50 µs: many time out
            try {
                semaphore.acquire(1 + round % 2, patience);
            } catch (DeadlineExceededException e) {
                timeouts.incrementAndGet();
                return;
            }
            try {
                lock.lock(patience);
                try {
                    counter[0]++;
                    successes.incrementAndGet();
                } finally {
                    lock.unlock();
                }
            } catch (DeadlineExceededException e) {
                timeouts.incrementAndGet();
            } finally {
                semaphore.release(1 + round % 2);
            }
        });
        assertEquals(successes.get(), counter[0]);
        assertEquals(TASKLETS * ROUNDS, successes.get() + timeouts.get());
        assertEquals(2, semaphore.availablePermits(), "no permit lost or made up");
        assertEquals(0, semaphore.queueLength());
        assertFalse(lock.isLocked(), "no ownership left stranded");
        assertEquals(0, lock.queueLength());
    }

    @Test
    void aBoundedDequeBetweenTwoDispatchersDeliversEveryItemExactlyOnce() {
        int producers = 8;
        int perProducer = 500;
        AtomicLong sum = new AtomicLong();
        AtomicInteger received = new AtomicInteger();
        TaskletDeque<Integer> deque = new TaskletDeque<>("pipe", 4);
        Concurrence.run(Concurrence.Options.defaults().withDispatchers(2), () -> {
            DispatcherGroup group = Dispatcher.current().group();
            List<Tasklet<?>> all = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int base = p * perProducer;
                all.add(Tasklet.builder().on(group.dispatcher(0)).spawn(() -> {
                    for (int i = 1; i <= perProducer; i++) {
                        if (i % 2 == 0) {
                            deque.append(base + i);
                        } else {
                            deque.push(base + i);
                        }
                    }
                }));
            }
            for (int c = 0; c < producers; c++) {
                all.add(Tasklet.builder().on(group.dispatcher(1)).spawn(() -> {
                    while (received.get() < producers * perProducer) {
                        Integer item;
                        try {
                            item = deque.pop(Duration.ofNanos(20_000)); // short: timeouts race with hand-overs
                        } catch (DeadlineExceededException e) {
                            continue;
                        }
                        sum.addAndGet(item);
                        received.incrementAndGet();
                    }
                }));
            }
            all.forEach(Tasklet::join);
        });
        int n = producers * perProducer;
        assertEquals(n, received.get());
        assertEquals((long) n * (n + 1) / 2, sum.get(), "every item once: none lost, none twice");
        assertTrue(deque.isEmpty());
    }

    @Test
    void anEventSetOnOneDispatcherWakesWaitersOnTheOther() {
        Event go = new Event("go");
        AtomicInteger woken = new AtomicInteger();
        Concurrence.run(Concurrence.Options.defaults().withDispatchers(2), () -> {
            Dispatcher other = Dispatcher.current().group().dispatcher(1);
            List<Tasklet<Void>> waiters = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                waiters.add(Tasklet.builder().on(other).spawn(() -> {
                    go.await();
                    woken.incrementAndGet();
                }));
            }
            go.set();
            waiters.forEach(Tasklet::join);
        });
        assertEquals(20, woken.get());
    }

    @Test
    void aLockAndItsConditionsMakeABoundedBufferAcrossTwoDispatchers() {
        Lock lock = new Lock("buffer");
        Condition notFull = lock.newCondition();
        Condition notEmpty = lock.newCondition();
        java.util.ArrayDeque<Integer> buffer = new java.util.ArrayDeque<>();
        int items = 2_000;
        long[] sum = {0};
        Concurrence.run(Concurrence.Options.defaults().withDispatchers(2), () -> {
            DispatcherGroup group = Dispatcher.current().group();
            Tasklet<Void> producer = Tasklet.builder().on(group.dispatcher(0)).spawn(() -> {
                for (int i = 1; i <= items; i++) {
                    try (var _ = lock.acquire()) {
                        while (buffer.size() == 3) {
                            notFull.await();
                        }
                        buffer.addLast(i);
                        notEmpty.signal();
                    }
                }
            });
            Tasklet<Void> consumer = Tasklet.builder().on(group.dispatcher(1)).spawn(() -> {
                for (int i = 1; i <= items; i++) {
                    try (var _ = lock.acquire()) {
                        while (buffer.isEmpty()) {
                            notEmpty.await();
                        }
                        int item = buffer.removeFirst();
                        assertEquals(i, item, "first in, first out");
                        sum[0] += item;
                        notFull.signal();
                    }
                }
            });
            producer.join();
            consumer.join();
        });
        assertEquals((long) items * (items + 1) / 2, sum[0]);
    }

    @Test
    void underManySeededRandomOrdersALockedCounterStaysExact() {
        for (long seed = 1; seed <= 20; seed++) {
            int[] counter = {0};
            Lock lock = new Lock();
            Semaphore semaphore = new Semaphore(2);
            Concurrence.run(Concurrence.Options.deterministic(seed), () -> {
                List<Tasklet<Void>> all = new ArrayList<>();
                for (int t = 0; t < 10; t++) {
                    all.add(Tasklet.spawn(() -> {
                        for (int r = 0; r < 20; r++) {
                            semaphore.acquire();
                            try (var _ = lock.acquire()) {
                                int read = counter[0];
                                Tasklet.yield();
                                counter[0] = read + 1;
                            } finally {
                                semaphore.release();
                            }
                        }
                    }));
                }
                all.forEach(Tasklet::join);
            });
            assertEquals(200, counter[0], "seed " + seed);
            assertEquals(2, semaphore.availablePermits(), "seed " + seed);
        }
    }

    @Test
    void underSeededOrdersTimeoutsAndKillsLeaveEveryPrimitiveAsTheyFoundIt() {
        // Workers take and give back a semaphore, a lock, an RLock and their conditions, and use a bounded deque, with
        // timeouts of 0-3 ms and kills landing in every kind of wait (including a condition's reacquire). Afterwards
        // nothing is held or queued, no permit is lost or made up, and every item added is popped or still there.
        for (long seed = 1; seed <= 100; seed++) {
            Semaphore semaphore = new Semaphore("s", 3);
            Lock lock = new Lock("l");
            Condition condition = lock.newCondition();
            RLock rlock = new RLock("r");
            Condition rcondition = rlock.newCondition();
            TaskletDeque<Integer> deque = new TaskletDeque<>("d", 2);
            AtomicInteger added = new AtomicInteger();
            AtomicInteger popped = new AtomicInteger();
            int[] holders = {0};
            long s = seed;
            Concurrence.run(Concurrence.Options.deterministic(seed), () -> {
                java.util.SplittableRandom random = new java.util.SplittableRandom(s);
                List<Tasklet<Void>> workers = new ArrayList<>();
                for (int w = 0; w < 8; w++) {
                    java.util.SplittableRandom own = random.split();
                    workers.add(Tasklet.spawn(() -> {
                        for (int i = 0; i < 30; i++) {
                            Duration patience = Duration.ofMillis(own.nextInt(4));
                            try {
                                switch (own.nextInt(6)) {
                                    case 0 -> {
                                        int n = 1 + own.nextInt(3);
                                        semaphore.acquire(n, patience);
                                        try {
                                            Tasklet.sleep(Duration.ofMillis(own.nextInt(3)));
                                        } finally {
                                            semaphore.release(n);
                                        }
                                    }
                                    case 1 -> {
                                        lock.lock(patience);
                                        holders[0]++;
                                        try {
                                            assertEquals(1, holders[0], "one holder at a time");
                                            Tasklet.sleep(Duration.ofMillis(own.nextInt(3)));
                                        } finally {
                                            holders[0]--;
                                            lock.unlock();
                                        }
                                    }
                                    case 2 -> {
                                        try (var _ = lock.acquire(patience)) {
                                            if (own.nextBoolean()) {
                                                condition.await(Duration.ofMillis(own.nextInt(4)));
                                            } else {
                                                condition.signal();
                                            }
                                            assertTrue(lock.isHeldByCurrent());
                                        }
                                    }
                                    case 3 -> {
                                        try (var _ = rlock.acquire(patience); var _ = rlock.acquire()) {
                                            if (own.nextBoolean()) {
                                                rcondition.await(Duration.ofMillis(own.nextInt(4)));
                                            } else {
                                                rcondition.signalAll();
                                            }
                                            assertEquals(2, rlock.holdCount());
                                        }
                                    }
                                    case 4 -> {
                                        deque.append(i, patience);
                                        added.incrementAndGet();
                                    }
                                    default -> {
                                        deque.pop(patience);
                                        popped.incrementAndGet();
                                    }
                                }
                            } catch (DeadlineExceededException timedOut) {
                                // took nothing; the next round goes on
                            }
                        }
                    }));
                }
                for (int k = 0; k < 6; k++) {
                    Tasklet.sleep(Duration.ofMillis(1 + random.nextInt(5)));
                    workers.get(random.nextInt(workers.size())).kill();
                }
                for (Tasklet<Void> worker : workers) {
                    try {
                        worker.join();
                    } catch (org.concurrence.core.JoinError ended) {
                        assertTrue(ended.wasKilled(), ended::toString);
                    }
                }
            });
            String where = "seed " + seed;
            assertEquals(3, semaphore.availablePermits(), where);
            assertEquals(0, semaphore.queueLength(), where);
            assertFalse(lock.isLocked(), where);
            assertEquals(0, lock.queueLength(), where);
            assertFalse(rlock.isLocked(), where);
            assertEquals(0, condition.waitingCount(), where);
            assertEquals(0, rcondition.waitingCount(), where);
            assertEquals(added.get() - popped.get(), deque.size(), where);
            assertTrue(deque.toString().endsWith("0 waiting to pop, 0 waiting to add]"), where + ": " + deque);
        }
    }

    /** Runs {@code body(round)} ROUNDS times in each of TASKLETS tasklets spread over two real-time dispatchers. */
    private static void onTwoDispatchers(IntConsumer body) {
        Concurrence.run(Concurrence.Options.defaults().withDispatchers(2), () -> {
            DispatcherGroup group = Dispatcher.current().group();
            List<Tasklet<Void>> all = new ArrayList<>();
            for (int t = 0; t < TASKLETS; t++) {
                all.add(Tasklet.builder().on(group.dispatcher(t % 2)).spawn(() -> {
                    for (int round = 0; round < ROUNDS; round++) {
                        body.accept(round);
                    }
                }));
            }
            all.forEach(Tasklet::join);
        });
    }

    @Test
    void aPendingKillIsRaisedByABlockingCallEvenWhenItNeedNotWait() {
        // A kill from another dispatcher reaches a running tasklet as a pending request: its next blocking call raises
        // it, whether or not that call would have waited (as channel operations always did).
        Lock free = new Lock("free");
        Semaphore open = new Semaphore("open", 1);
        Event set = new Event();
        set.set();
        TaskletDeque<String> full = new TaskletDeque<>();
        full.append("item");
        List<Runnable> calls = List.of(free::lock, open::acquire, set::await, full::pop,
                () -> org.concurrence.core.Mailbox.receive());
        Concurrence.run(Concurrence.Options.defaults().withDispatchers(2), () -> {
            Dispatcher other = Dispatcher.current().group().dispatcher(1);
            for (Runnable call : calls) {
                java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();
                java.util.concurrent.atomic.AtomicBoolean killed = new java.util.concurrent.atomic.AtomicBoolean();
                AtomicInteger reached = new AtomicInteger();
                Tasklet<Void> victim = other.spawn(() -> {
                    started.set(true);
                    while (!killed.get()) {
                        Thread.onSpinWait(); // running, not blocked: the kill stays pending
                    }
                    reached.set(1);
                    call.run();
                    reached.set(2);
                });
                victim.send("a message for the mailbox case");
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!started.get() && System.nanoTime() < deadline) {
                    Tasklet.yield();
                }
                victim.kill();
                killed.set(true);
                assertTrue(assertThrows(org.concurrence.core.JoinError.class, victim::join).wasKilled());
                assertEquals(1, reached.get(), "the call raised the kill instead of returning");
            }
        });
    }
}
