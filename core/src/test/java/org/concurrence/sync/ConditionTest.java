package org.concurrence.sync;

import static org.concurrence.sync.VirtualTime.millis;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.JoinError;
import org.concurrence.core.Tasklet;
import org.concurrence.core.TaskletExit;
import org.concurrence.core.Timeout;
import org.junit.jupiter.api.Test;

class ConditionTest {
    @Test
    void signalWakesOneWaiterAtATimeInTheOrderTheyBeganToWait() {
        List<String> log = new ArrayList<>();
        VirtualTime.run(() -> {
            Lock lock = new Lock("l");
            Condition changed = lock.newCondition();
            List<Tasklet<Void>> waiters = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String me = "w" + i;
                waiters.add(Tasklet.spawn(() -> {
                    try (var _ = lock.acquire()) {
                        log.add(me + " waits");
                        changed.await();
                        assertTrue(lock.isHeldByCurrent());
                        log.add(me + " woken");
                    }
                }));
            }
            Tasklet.yield();
            assertEquals(3, changed.waitingCount());
            assertFalse(lock.isLocked(), "every waiter released the lock while waiting");
            for (int i = 0; i < 3; i++) {
                try (var _ = lock.acquire()) {
                    log.add("signal");
                    changed.signal();
                }
                Tasklet.yield();
            }
            waiters.forEach(Tasklet::join);
        });
        assertEquals(List.of("w0 waits", "w1 waits", "w2 waits",
                "signal", "w0 woken", "signal", "w1 woken", "signal", "w2 woken"), log);
    }

    @Test
    void signalAllWakesEveryWaiterInOrderAndEachGetsTheLockInTurn() {
        List<String> log = new ArrayList<>();
        VirtualTime.run(() -> {
            Lock lock = new Lock();
            Condition changed = lock.newCondition();
            List<Tasklet<Void>> waiters = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String me = "w" + i;
                waiters.add(Tasklet.spawn(() -> {
                    try (var _ = lock.acquire()) {
                        changed.await();
                        log.add(me + " woken");
                        Tasklet.yield(); // still holding the lock: the others must wait their turn
                        log.add(me + " done");
                    }
                }));
            }
            Tasklet.yield();
            try (var _ = lock.acquire()) {
                changed.signalAll();
                assertEquals(0, changed.waitingCount());
            }
            waiters.forEach(Tasklet::join);
        });
        assertEquals(List.of("w0 woken", "w0 done", "w1 woken", "w1 done", "w2 woken", "w2 done"), log);
    }

    @Test
    void awaitAndSignalWithoutHoldingTheLockFail() {
        VirtualTime.run(() -> {
            Lock lock = new Lock("l");
            Condition condition = lock.newCondition();
            IllegalStateException e = assertThrows(IllegalStateException.class, condition::await);
            assertEquals("await on condition of Lock l by tasklet main, but it is not held", e.getMessage());
            assertThrows(IllegalStateException.class, condition::signal);
            assertThrows(IllegalStateException.class, condition::signalAll);
            lock.lock();
            String message = Tasklet.builder().name("other")
                    .spawn(() -> assertThrows(IllegalStateException.class, condition::signal).getMessage()).join();
            assertEquals("signal of condition of Lock l by tasklet other, but it is held by tasklet main", message);
            lock.unlock();
        });
    }

    @Test
    void aTimedOutAwaitHoldsTheLockAgainBeforeItThrows() {
        List<String> log = new ArrayList<>();
        VirtualTime.run(() -> {
            Lock lock = new Lock("l");
            Condition condition = lock.newCondition();
            Tasklet<Void> waiter = Tasklet.spawn(() -> {
                lock.lock();
                try {
                    DeadlineExceededException e = assertThrows(DeadlineExceededException.class,
                            () -> condition.await(Duration.ofSeconds(1)));
                    assertEquals(Duration.ofSeconds(1), e.waited());
                    log.add("timed out at " + millis() + ", holding the lock: " + lock.isHeldByCurrent());
                } finally {
                    lock.unlock();
                }
            });
            Tasklet.sleep(Duration.ofMillis(500));
            lock.lock(); // held when the waiter times out at 1000: it must wait for it
            Tasklet.sleep(Duration.ofMillis(2500));
            assertEquals(0, condition.waitingCount());
            assertEquals(1, lock.queueLength());
            log.add("main unlocks at " + millis());
            lock.unlock();
            waiter.join();
        });
        assertEquals(List.of("main unlocks at 3000", "timed out at 3000, holding the lock: true"), log);
    }

    @Test
    void aKilledAwaitHoldsTheLockAgainBeforeTheExitGoesOn() {
        List<String> log = new ArrayList<>();
        VirtualTime.run(() -> {
            Lock lock = new Lock("l");
            Condition condition = lock.newCondition();
            Tasklet<Void> waiter = Tasklet.spawn(() -> {
                lock.lock();
                try {
                    condition.await();
                    log.add("woken");
                } catch (TaskletExit e) {
                    log.add("killed, holding the lock: " + lock.isHeldByCurrent());
                    throw e;
                } finally {
                    lock.unlock();
                }
            });
            Tasklet.yield();
            lock.lock();
            waiter.kill(); // the waiter runs at once, leaves the condition and waits for the lock we hold
            assertTrue(waiter.isAlive());
            assertEquals(0, condition.waitingCount());
            assertEquals(1, lock.queueLength());
            lock.unlock();
            assertTrue(assertThrows(JoinError.class, waiter::join).wasKilled());
            assertFalse(lock.isLocked());
        });
        assertEquals(List.of("killed, holding the lock: true"), log);
    }

    @Test
    void aSignalIsNotWastedOnAWaiterThatTimedOut() {
        List<String> log = new ArrayList<>();
        VirtualTime.run(() -> {
            Lock lock = new Lock();
            Condition condition = lock.newCondition();
            Tasklet<Void> impatient = Tasklet.spawn(() -> {
                try (var _ = lock.acquire()) {
                    assertThrows(DeadlineExceededException.class, () -> condition.await(Duration.ofSeconds(1)));
                    log.add("impatient timed out at " + millis());
                }
            });
            Tasklet<Void> patient = Tasklet.spawn(() -> {
                try (var _ = lock.acquire()) {
                    condition.await();
                    log.add("patient signalled at " + millis());
                }
            });
            Tasklet.sleep(Duration.ofMillis(500));
            lock.lock(); // the impatient waiter times out at 1000 while we hold the lock
            Tasklet.sleep(Duration.ofMillis(1500));
            assertEquals(1, condition.waitingCount(), "only the patient waiter is left");
            condition.signal();
            lock.unlock();
            impatient.join();
            patient.join();
        });
        assertEquals(List.of("impatient timed out at 2000", "patient signalled at 2000"), log);
    }

    @Test
    void aSignalledWaiterThatIsKilledBeforeItHasTheLockPassesTheSignalOn() {
        List<String> log = new ArrayList<>();
        VirtualTime.run(() -> {
            Lock lock = new Lock();
            Condition condition = lock.newCondition();
            Tasklet<Void> first = Tasklet.spawn(() -> {
                lock.lock();
                try {
                    condition.await();
                    log.add("first woken");
                } catch (TaskletExit e) {
                    log.add("first killed, holding the lock: " + lock.isHeldByCurrent());
                    throw e;
                } finally {
                    lock.unlock();
                }
            });
            Tasklet<Void> second = Tasklet.spawn(() -> {
                try (var _ = lock.acquire()) {
                    condition.await();
                    log.add("second woken");
                }
            });
            Tasklet.yield();
            lock.lock();
            condition.signal(); // goes to first, which must take the lock back before returning
            first.kill(); // first now waits for the lock, with the kill deferred
            lock.unlock();
            assertTrue(assertThrows(JoinError.class, first::join).wasKilled());
            second.join();
        });
        assertEquals(List.of("first killed, holding the lock: true", "second woken"), log);
    }

    @Test
    void anExpiredDeadlineFailsAwaitAtOnceWithoutReleasingTheLock() {
        VirtualTime.run(() -> {
            Lock lock = new Lock();
            Condition condition = lock.newCondition();
            lock.lock();
            Tasklet<Void> other = Tasklet.spawn(() -> {
                lock.lock();
                lock.unlock();
            });
            Tasklet.yield();
            try (var _ = Timeout.after(Duration.ZERO)) {
                DeadlineExceededException e = assertThrows(DeadlineExceededException.class, condition::await);
                assertEquals(Duration.ZERO, e.waited());
            }
            assertThrows(DeadlineExceededException.class, () -> condition.await(Duration.ZERO));
            assertTrue(lock.isHeldByCurrent());
            assertEquals(1, lock.queueLength(), "the other tasklet never got the lock in between");
            assertEquals(0, millis());
            lock.unlock();
            other.join();
        });
    }

    @Test
    void aConditionOfAnRLockReleasesEveryHoldAndRestoresThem() {
        VirtualTime.run(() -> {
            RLock lock = new RLock();
            Condition condition = lock.newCondition();
            Tasklet<Integer> waiter = Tasklet.spawn(() -> {
                lock.lock();
                lock.lock();
                condition.await();
                int holds = lock.holdCount();
                lock.unlock();
                lock.unlock();
                return holds;
            });
            Tasklet.yield();
            assertFalse(lock.isLocked(), "both holds were released while waiting");
            try (var _ = lock.acquire()) {
                condition.signal();
            }
            assertEquals(2, waiter.join());
            assertFalse(lock.isLocked());
        });
    }
}
