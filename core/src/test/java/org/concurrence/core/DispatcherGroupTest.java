package org.concurrence.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Groups of real-time dispatchers: placement, wake-ups across carriers, shutdown. */
@Timeout(60)
class DispatcherGroupTest {

    private static final Concurrence.Options TWO = Concurrence.Options.defaults().withDispatchers(2);

    @Test
    void aTaskletRunsOnTheDispatcherItWasPlacedOn() {
        Concurrence.run(TWO, () -> {
            DispatcherGroup group = Dispatcher.current().group();
            assertSame(group.dispatcher(0), Dispatcher.current());
            Tasklet<Dispatcher> there = Tasklet.builder().on(group.dispatcher(1)).spawn(Dispatcher::current);
            assertSame(group.dispatcher(1), there.join());
            Tasklet<String> carrier = Tasklet.builder().on(group.dispatcher(1)).spawn(() -> {
                Tasklet<Dispatcher> grandchild = Tasklet.spawn(Dispatcher::current);
                return grandchild.join().name();
            });
            assertEquals(group.dispatcher(1).name(), carrier.join());
        });
    }

    @Test
    void nextSpreadsRoundRobin() {
        try (DispatcherGroup group = DispatcherGroup.start(Concurrence.Options.defaults().withDispatchers(3))) {
            List<Dispatcher> picked = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                picked.add(group.next());
            }
            assertEquals(List.of(group.dispatcher(0), group.dispatcher(1), group.dispatcher(2),
                    group.dispatcher(0), group.dispatcher(1), group.dispatcher(2)), picked);
        }
    }

    @Test
    void joinAndKillWorkAcrossDispatchers() {
        Concurrence.run(TWO, () -> {
            Dispatcher other = Dispatcher.current().group().dispatcher(1);
            Tasklet<Void> sleeper = Tasklet.builder().on(other).spawn(() -> Tasklet.sleep(Duration.ofDays(1)));
            Tasklet<Integer> worker = Tasklet.builder().on(other).spawn(() -> {
                Tasklet.sleep(Duration.ofMillis(2));
                return 7;
            });
            assertEquals(7, worker.join(Duration.ofSeconds(30)));
            Tasklet.sleep(Duration.ofMillis(1));
            sleeper.kill();
            assertTrue(assertThrows(JoinError.class, () -> sleeper.join(Duration.ofSeconds(30))).wasKilled());
        });
    }

    @Test
    void aPlainThreadCanSpawnJoinAndTimeOut() {
        try (DispatcherGroup group = DispatcherGroup.start(TWO)) {
            Tasklet<String> t = group.dispatcher(1).spawn(() -> "from a tasklet");
            assertEquals("from a tasklet", t.join(Duration.ofSeconds(30)));
            Tasklet<Void> never = group.dispatcher(0).spawn(() -> Tasklet.sleep(Duration.ofDays(1)));
            assertThrows(DeadlineExceededException.class, () -> never.join(Duration.ofMillis(20)));
            assertTrue(never.isAlive());
        }
    }

    @Test
    void theDispatcherIsAnExecutorThatSpawnsTasklets() {
        try (DispatcherGroup group = DispatcherGroup.start(TWO)) {
            Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
            java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(10);
            for (int i = 0; i < 10; i++) {
                group.next().execute(() -> {
                    seen.add(Tasklet.current().dispatcher().name());
                    done.countDown();
                });
            }
            assertTrue(await(done));
            assertEquals(2, seen.size());
        }
    }

    @Test
    void closeKillsEveryTaskletAndStopsTheCarriers() {
        DispatcherGroup group = DispatcherGroup.start(TWO);
        List<Tasklet<Void>> sleepers = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            sleepers.add(group.next().spawn(() -> Tasklet.sleep(Duration.ofDays(1))));
        }
        group.close();
        for (Tasklet<Void> t : sleepers) {
            assertTrue(!t.isAlive());
        }
        assertEquals(0, group.dispatcher(0).taskletCount() + group.dispatcher(1).taskletCount());
    }

    @Test
    void statisticsCountTheWork() {
        Concurrence.run(TWO, () -> {
            for (int i = 0; i < 10; i++) {
                Tasklet.spawn(() -> Tasklet.sleep(Duration.ofMillis(1)));
            }
            Tasklet.joinChildren(Duration.ofSeconds(30));
            Dispatcher.Statistics stats = Dispatcher.current().statistics();
            assertTrue(stats.spawned() >= 11, stats.toString());
            assertTrue(stats.switches() >= 20, stats.toString());
            assertTrue(stats.timersFired() >= 10, stats.toString());
        });
    }

    @Test
    void eachDispatcherHasItsOwnCarrierThread() {
        Set<Dispatcher> seen = new HashSet<>();
        Concurrence.run(TWO, () -> {
            for (Dispatcher d : Dispatcher.current().group().dispatchers()) {
                seen.add(Tasklet.builder().on(d).spawn(Dispatcher::current).join());
            }
        });
        assertEquals(2, seen.size());
        Dispatcher[] both = seen.toArray(Dispatcher[]::new);
        assertNotSame(both[0], both[1]);
    }

    private static boolean await(java.util.concurrent.CountDownLatch latch) {
        try {
            return latch.await(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
