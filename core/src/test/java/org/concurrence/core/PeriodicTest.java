package org.concurrence.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** later, loop, interval and rate, counted exactly on virtual time. */
class PeriodicTest {

    private static void deterministic(Runnable body) {
        Concurrence.run(Concurrence.Options.deterministic(), body);
    }

    private static long millisSinceStart(long start) {
        return Duration.ofNanos(Dispatcher.current().nanoTime() - start).toMillis();
    }

    @Test
    void laterRunsOnceAfterTheDelay() {
        List<Long> at = new ArrayList<>();
        deterministic(() -> {
            long start = Dispatcher.current().nanoTime();
            Tasklet.later(Duration.ofMillis(300), () -> at.add(millisSinceStart(start))).join();
        });
        assertEquals(List.of(300L), at);
    }

    @Test
    void laterIsCancelledByKillingIt() {
        AtomicInteger calls = new AtomicInteger();
        deterministic(() -> {
            Tasklet<Void> pending = Tasklet.later(Duration.ofSeconds(1), calls::incrementAndGet);
            Tasklet.sleep(Duration.ofMillis(500));
            pending.kill();
            Tasklet.sleep(Duration.ofSeconds(2));
        });
        assertEquals(0, calls.get());
    }

    @Test
    void intervalCountsTicksExactly() {
        List<Long> at = new ArrayList<>();
        deterministic(() -> {
            long start = Dispatcher.current().nanoTime();
            Tasklet<Void> ticker = Tasklet.interval(Duration.ofMillis(100), () -> at.add(millisSinceStart(start)), false);
            Tasklet.sleep(Duration.ofMillis(1050));
            ticker.kill();
        });
        assertEquals(List.of(100L, 200L, 300L, 400L, 500L, 600L, 700L, 800L, 900L, 1000L), at);
    }

    @Test
    void intervalImmediateTicksAtOnce() {
        List<Long> at = new ArrayList<>();
        deterministic(() -> {
            long start = Dispatcher.current().nanoTime();
            Tasklet<Void> ticker = Tasklet.interval(Duration.ofSeconds(1), () -> at.add(millisSinceStart(start)), true);
            Tasklet.sleep(Duration.ofMillis(2500));
            ticker.kill();
        });
        assertEquals(List.of(0L, 1000L, 2000L), at);
    }

    @Test
    void intervalKeepsToItsScheduleWhenACallTakesTime() {
        List<Long> at = new ArrayList<>();
        deterministic(() -> {
            long start = Dispatcher.current().nanoTime();
            Tasklet<Void> ticker = Tasklet.interval(Duration.ofMillis(100), () -> {
                at.add(millisSinceStart(start));
                Tasklet.sleep(Duration.ofMillis(30));
            }, false);
            Tasklet.sleep(Duration.ofMillis(350));
            ticker.kill();
        });
        assertEquals(List.of(100L, 200L, 300L), at);
    }

    @Test
    void intervalSkipsTicksMissedByAnOverrunningCall() {
        List<Long> at = new ArrayList<>();
        deterministic(() -> {
            long start = Dispatcher.current().nanoTime();
            Tasklet<Void> ticker = Tasklet.interval(Duration.ofMillis(100), () -> {
                at.add(millisSinceStart(start));
                if (at.size() == 1) {
                    Tasklet.sleep(Duration.ofMillis(350));
                }
            }, false);
            Tasklet.sleep(Duration.ofMillis(650));
            ticker.kill();
        });
        assertEquals(List.of(100L, 500L, 600L), at);
    }

    @Test
    void rateSpacesCallsEvenly() {
        AtomicInteger calls = new AtomicInteger();
        deterministic(() -> {
            Tasklet<Void> r = Tasklet.rate(50, calls::incrementAndGet);
            Tasklet.sleep(Duration.ofMillis(1010));
            r.kill();
        });
        assertEquals(51, calls.get()); // at 0, 20, 40, ... 1000 ms
    }

    @Test
    void loopSurvivesExceptionsAndEndsWhenKilled() {
        AtomicInteger calls = new AtomicInteger();
        deterministic(() -> {
            Tasklet<Void> looping = Tasklet.loop(() -> {
                int n = calls.incrementAndGet();
                if (n % 2 == 1) {
                    throw new IllegalStateException("expected failure " + n + ", logged");
                }
                Tasklet.sleep(Duration.ofMillis(500));
            });
            Tasklet.sleep(Duration.ofMillis(4000));
            looping.kill();
        });
        // failure (pause 1 s), ok (500 ms): 1.5 s per two calls; by 4 s: calls at 0, 1000, 1500, 2500, 3000, 4000?
        // t=0 fail, 1000 ok, 1500 fail, 2500 ok, 3000 fail, 4000 would be next: killed at 4000 first.
        assertEquals(5, calls.get());
    }

    @Test
    void aHotSwapReachesALoopThatReceivesInsteadOfBeingLoggedAsAFailure() {
        List<Object> got = new ArrayList<>();
        deterministic(() -> {
            Tasklet<Void> server = Tasklet.loop(() -> got.add(Mailbox.receive()));
            server.send("before");
            Tasklet.yield();
            long start = Dispatcher.current().nanoTime();
            // The swap is raised in the receive inside the loop's action; the loop must let it through, not log it as
            // a failed call and pause, leaving the requester to wait for its timeout.
            assertTrue(server.hotSwap(() -> {
                got.add("swapped");
                got.add(Mailbox.receive());
                return null;
            }, Duration.ofSeconds(5)));
            assertEquals(0, millisSinceStart(start));
            server.send("after");
            server.join();
        });
        assertEquals(List.of("before", "swapped", "after"), got);
    }
}
