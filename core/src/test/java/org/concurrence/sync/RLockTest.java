package org.concurrence.sync;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Tasklet;
import org.junit.jupiter.api.Test;

class RLockTest {
    @Test
    void theOwnerReentersWithoutWaitingAndMustUnlockAsOftenAsItLocked() {
        VirtualTime.run(() -> {
            RLock lock = new RLock("r");
            lock.lock();
            lock.lock(Duration.ofSeconds(1));
            assertTrue(lock.tryLock());
            assertEquals(3, lock.holdCount());
            assertFalse(Tasklet.spawn(lock::tryLock).join());
            lock.unlock();
            lock.unlock();
            assertEquals(1, lock.holdCount());
            assertTrue(lock.isLocked());
            lock.unlock();
            assertFalse(lock.isLocked());
            assertEquals(0, lock.holdCount());
        });
    }

    @Test
    void releasingTheLastHoldHandsTheLockToTheFirstWaiter() {
        List<String> log = new ArrayList<>();
        VirtualTime.run(() -> {
            RLock lock = new RLock();
            lock.lock();
            lock.lock();
            List<Tasklet<Void>> waiters = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String me = "w" + i;
                waiters.add(Tasklet.spawn(() -> {
                    try (var _ = lock.acquire(); var _ = lock.acquire()) {
                        log.add(me + " holds " + lock.holdCount());
                    }
                }));
            }
            Tasklet.yield();
            lock.unlock();
            Tasklet.yield();
            assertEquals(3, lock.queueLength(), "one hold left: nobody got in");
            log.add("main releases its last hold");
            lock.unlock();
            waiters.forEach(Tasklet::join);
        });
        assertEquals(List.of("main releases its last hold", "w0 holds 2", "w1 holds 2", "w2 holds 2"), log);
    }

    @Test
    void aTimedOutWaiterHoldsNothingAndTheLockGoesToTheNextWaiter() {
        VirtualTime.run(() -> {
            RLock lock = new RLock("r");
            lock.lock();
            Tasklet<Void> impatient = Tasklet.spawn(() -> {
                assertThrows(DeadlineExceededException.class, () -> lock.lock(Duration.ofSeconds(1)));
                assertEquals(0, lock.holdCount());
            });
            Tasklet<Integer> patient = Tasklet.spawn(() -> {
                lock.lock();
                int holds = lock.holdCount();
                lock.unlock();
                return holds;
            });
            Tasklet.sleep(Duration.ofSeconds(2));
            impatient.join();
            lock.unlock();
            assertEquals(1, patient.join());
        });
    }

    @Test
    void unlockByANonOwnerFailsNamingBoth() {
        VirtualTime.run(() -> {
            RLock lock = new RLock("r");
            lock.lock();
            String message = Tasklet.builder().name("stranger")
                    .spawn(() -> assertThrows(IllegalStateException.class, lock::unlock).getMessage()).join();
            assertEquals("unlock of RLock r by tasklet stranger, but it is held by tasklet main", message);
            lock.unlock();
        });
    }
}
