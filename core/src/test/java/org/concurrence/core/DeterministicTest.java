package org.concurrence.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The deterministic dispatcher: virtual time, seeded orders, deadlock reports. */
class DeterministicTest {

    private static List<String> interleaving(Concurrence.Options options) {
        List<String> log = new ArrayList<>();
        Concurrence.run(options, () -> {
            for (String name : List.of("a", "b", "c", "d")) {
                Tasklet.spawn(() -> {
                    for (int i = 0; i < 5; i++) {
                        log.add(name + i);
                        Tasklet.yield();
                    }
                });
            }
        });
        return log;
    }

    @Test
    void theSameSeedGivesTheSameInterleaving() {
        assertEquals(interleaving(Concurrence.Options.deterministic(42)),
                interleaving(Concurrence.Options.deterministic(42)));
    }

    @Test
    void differentSeedsExploreDifferentInterleavings() {
        List<String> fifo = interleaving(Concurrence.Options.deterministic());
        long distinct = java.util.stream.LongStream.range(0, 8)
                .mapToObj(seed -> interleaving(Concurrence.Options.deterministic(seed)))
                .distinct().count();
        assertTrue(distinct > 1, "eight seeds gave one order");
        assertNotEquals(fifo, interleaving(Concurrence.Options.deterministic(7)));
    }

    @Test
    void virtualTimeSleepsAnHourInstantly() {
        long virtualElapsed = Concurrence.run(Concurrence.Options.deterministic(), () -> {
            long start = Dispatcher.current().nanoTime();
            for (int i = 0; i < 60; i++) {
                Tasklet.sleep(Duration.ofMinutes(1));
            }
            return Dispatcher.current().nanoTime() - start;
        });
        assertEquals(Duration.ofHours(1).toNanos(), virtualElapsed); // and the test did not take an hour
    }

    /**
     * A tasklet blocked outside the runtime (here on a JDK monitor a platform thread holds; in the wild, a logging
     * handler's lock) is woken by that thread in real time: virtual time must not jump to the next timer meanwhile.
     */
    @Test
    void virtualTimeWaitsForATaskletBlockedOutsideTheRuntime() throws InterruptedException {
        Object monitor = new Object();
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<Thread> blocked = new java.util.concurrent.atomic.AtomicReference<>();
        Thread holder = Thread.ofPlatform().start(() -> {
            synchronized (monitor) {
                held.countDown();
                // Holds the monitor until the tasklet is blocked on it (a state, not a time), then lets go.
                while (blocked.get() == null || blocked.get().getState() != Thread.State.BLOCKED) {
                    Thread.onSpinWait();
                }
            }
        });
        held.await();
        long acquiredAt = Concurrence.run(Concurrence.Options.deterministic(), () -> {
            Tasklet<Void> sleeper = Tasklet.spawn(() -> Tasklet.sleep(Duration.ofSeconds(10))); // a timer to jump to
            Tasklet<Long> taker = Tasklet.spawn(() -> {
                blocked.set(Thread.currentThread());
                synchronized (monitor) {
                    return Dispatcher.current().nanoTime();
                }
            });
            long at = taker.join();
            sleeper.join();
            assertEquals(Duration.ofSeconds(10).toNanos(), Dispatcher.current().nanoTime());
            return at;
        });
        holder.join();
        assertEquals(0, acquiredAt, "the clock jumped while a tasklet waited for a lock held outside");
    }

    @Test
    void aDeadlockOnVirtualTimeIsReportedWithTheTree() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Concurrence.run(Concurrence.Options.deterministic(), () -> {
                    Tasklet<Void> a = Tasklet.builder().name("waits-forever").spawn(() -> {
                        Waiter<Object> nobodyCompletesThis = Waiter.create();
                        nobodyCompletesThis.await(Long.MAX_VALUE, "wait for nothing", null);
                    });
                    a.join();
                }));
        assertTrue(e.getMessage().startsWith("deadlock on virtual time"), e.getMessage());
        assertTrue(e.getMessage().contains("waits-forever [waiting]"), e.getMessage());
    }

    @Test
    void virtualTimeNeedsOneDispatcher() {
        assertThrows(IllegalArgumentException.class,
                () -> Concurrence.Options.deterministic().withDispatchers(2));
    }
}
