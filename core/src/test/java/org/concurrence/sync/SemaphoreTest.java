package org.concurrence.sync;

import static org.concurrence.sync.VirtualTime.millis;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.JoinError;
import org.concurrence.core.Tasklet;
import org.concurrence.core.Timeout;
import org.junit.jupiter.api.Test;

class SemaphoreTest {
    @Test
    void permitsAreGrantedInArrivalOrderAsTheyAreReleased() {
        List<String> log = new ArrayList<>();
        VirtualTime.run(() -> {
            Semaphore semaphore = new Semaphore("two", 2);
            List<Tasklet<Void>> workers = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                String me = "t" + i;
                workers.add(Tasklet.spawn(() -> {
                    semaphore.acquire();
                    log.add(me + " at " + millis());
                    Tasklet.sleep(Duration.ofSeconds(1));
                    semaphore.release();
                }));
            }
            workers.forEach(Tasklet::join);
            assertEquals(2, semaphore.availablePermits());
        });
        assertEquals(List.of("t0 at 0", "t1 at 0", "t2 at 1000", "t3 at 1000", "t4 at 2000"), log);
    }

    @Test
    void releaseHandsThePermitStraightToTheFirstWaiter() {
        VirtualTime.run(() -> {
            Semaphore semaphore = new Semaphore(1);
            semaphore.acquire();
            Tasklet<Void> waiter = Tasklet.spawn(() -> {
                semaphore.acquire();
                semaphore.release();
            });
            Tasklet.yield();
            assertEquals(1, semaphore.queueLength());
            semaphore.release();
            assertEquals(0, semaphore.availablePermits(), "the permit went to the waiter, not back to the pool");
            assertFalse(semaphore.tryAcquire(), "nobody barges in ahead of the woken waiter");
            waiter.join();
            assertEquals(1, semaphore.availablePermits());
        });
    }

    @Test
    void tryAcquireNeverWaitsAndDoesNotJumpTheLine() {
        VirtualTime.run(() -> {
            Semaphore semaphore = new Semaphore(1);
            Tasklet<Void> big = Tasklet.spawn(() -> {
                semaphore.acquire(2);
                semaphore.release(2);
            });
            Tasklet.yield();
            assertEquals(1, semaphore.availablePermits());
            assertFalse(semaphore.tryAcquire(), "a permit is free, but a waiter came first");
            semaphore.release();
            big.join();
            assertTrue(semaphore.tryAcquire(2));
            assertFalse(semaphore.tryAcquire());
        });
    }

    @Test
    void aTimedOutWaiterLeavesTheLineAndNoPermitIsLost() {
        List<String> log = new ArrayList<>();
        VirtualTime.run(() -> {
            Semaphore semaphore = new Semaphore("s", 1);
            semaphore.acquire();
            Tasklet<Void> impatient = Tasklet.spawn(() -> {
                DeadlineExceededException e = assertThrows(DeadlineExceededException.class,
                        () -> semaphore.acquire(Duration.ofSeconds(1)));
                assertEquals("acquire of 1 permit from Semaphore[s, 0 available, 2 waiting] timed out after 1.000 s",
                        e.getMessage());
                log.add("impatient gave up at " + millis());
            });
            Tasklet<Void> patient = Tasklet.spawn(() -> {
                semaphore.acquire();
                log.add("patient acquired at " + millis());
                semaphore.release();
            });
            Tasklet.sleep(Duration.ofSeconds(2));
            assertEquals(1, semaphore.queueLength());
            semaphore.release();
            impatient.join();
            patient.join();
            assertEquals(1, semaphore.availablePermits());
        });
        assertEquals(List.of("impatient gave up at 1000", "patient acquired at 2000"), log);
    }

    @Test
    void aKilledWaiterLeavesTheLineAndNoPermitIsLost() {
        VirtualTime.run(() -> {
            Semaphore semaphore = new Semaphore(0);
            Tasklet<Void> victim = Tasklet.spawn(() -> semaphore.acquire());
            Tasklet<Long> survivor = Tasklet.spawn(() -> {
                semaphore.acquire();
                return millis();
            });
            Tasklet.sleep(Duration.ofSeconds(1));
            victim.kill();
            assertTrue(assertThrows(JoinError.class, victim::join).wasKilled());
            assertEquals(1, semaphore.queueLength());
            Tasklet.sleep(Duration.ofSeconds(1));
            semaphore.release();
            assertEquals(2000, survivor.join());
            assertEquals(0, semaphore.availablePermits());
        });
    }

    @Test
    void aLargeRequestThatTimesOutAtTheHeadLetsSmallerOnesBehindItThrough() {
        List<String> log = new ArrayList<>();
        VirtualTime.run(() -> {
            Semaphore semaphore = new Semaphore(0);
            Tasklet<Void> big = Tasklet.spawn(() -> {
                assertThrows(DeadlineExceededException.class, () -> semaphore.acquire(3, Duration.ofSeconds(1)));
                log.add("big gave up at " + millis());
            });
            Tasklet<Void> small = Tasklet.spawn(() -> {
                semaphore.acquire();
                log.add("small acquired at " + millis());
            });
            Tasklet.yield();
            semaphore.release(2); // not enough for the head of the line, so the small request waits behind it
            assertEquals(2, semaphore.availablePermits());
            big.join();
            small.join();
            assertEquals(1, semaphore.availablePermits());
        });
        assertEquals(List.of("big gave up at 1000", "small acquired at 1000"), log);
    }

    @Test
    void releaseServesSeveralWaitersAtOnceInLineOrder() {
        List<String> log = new ArrayList<>();
        VirtualTime.run(() -> {
            Semaphore semaphore = new Semaphore(0);
            int[] wants = {2, 1, 3, 1};
            List<Tasklet<Void>> waiters = new ArrayList<>();
            for (int n : wants) {
                waiters.add(Tasklet.spawn(() -> {
                    semaphore.acquire(n);
                    log.add("got " + n);
                }));
            }
            Tasklet.yield();
            semaphore.release(4); // 2 and 1 are served; 3 does not fit, so the last 1 waits behind it
            assertEquals(1, semaphore.availablePermits());
            assertEquals(2, semaphore.queueLength());
            semaphore.release(3);
            waiters.forEach(Tasklet::join);
            assertEquals(0, semaphore.availablePermits());
        });
        assertEquals(List.of("got 2", "got 1", "got 3", "got 1"), log);
    }

    @Test
    void anExpiredDeadlineFailsAcquireAtOnceButFreePermitsAreStillTaken() {
        VirtualTime.run(() -> {
            Semaphore semaphore = new Semaphore(1);
            try (var _ = Timeout.after(Duration.ofSeconds(1))) {
                Tasklet.sleep(Duration.ofSeconds(5));
                try (var _ = Timeout.after(Duration.ofHours(1))) {
                    semaphore.acquire(); // a free permit needs no wait
                    DeadlineExceededException e = assertThrows(DeadlineExceededException.class, semaphore::acquire);
                    assertEquals(Duration.ZERO, e.waited());
                    assertEquals(5000, millis());
                    assertEquals(0, semaphore.queueLength());
                }
            }
            semaphore.release();
            assertEquals(1, semaphore.availablePermits());
        });
    }

    @Test
    void releasesMayRaiseTheCountButNotPastTheLargestInt() {
        Semaphore semaphore = new Semaphore("s", 0);
        semaphore.release(5);
        assertEquals(5, semaphore.availablePermits());
        semaphore.release(Integer.MAX_VALUE - 5);
        IllegalStateException e = assertThrows(IllegalStateException.class, semaphore::release);
        assertEquals("semaphore s: releasing 1 permits to the 2147483647 available would exceed 2147483647",
                e.getMessage());
    }

    @Test
    void invalidCountsAreRejectedWithTheNumbers() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Semaphore("s", -1));
        assertEquals("semaphore s: permits must be at least 0, not -1", e.getMessage());
        Semaphore semaphore = new Semaphore("s", 1);
        e = assertThrows(IllegalArgumentException.class, () -> semaphore.acquire(0));
        assertEquals("semaphore s: cannot acquire 0 permits, at least 1", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> semaphore.release(-2));
        assertThrows(IllegalArgumentException.class, () -> semaphore.tryAcquire(0));
    }

    @Test
    void aPlainThreadCanWaitForAPermitWithATimeout() {
        Semaphore semaphore = new Semaphore(0);
        assertThrows(DeadlineExceededException.class, () -> semaphore.acquire(Duration.ofMillis(1)));
        assertEquals(0, semaphore.queueLength());
        semaphore.release();
        semaphore.acquire(Duration.ofMillis(1));
    }
}
