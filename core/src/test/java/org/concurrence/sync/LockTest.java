package org.concurrence.sync;

import static org.concurrence.sync.VirtualTime.millis;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.concurrence.core.Blocking;
import org.concurrence.core.Concurrence;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.JoinError;
import org.concurrence.core.Tasklet;
import org.concurrence.core.Timeout;
import org.junit.jupiter.api.Test;

class LockTest {
    @Test
    void waitersAcquireTheLockInTheOrderTheyAskedForIt() {
        List<String> log = new ArrayList<>();
        VirtualTime.run(() -> {
            Lock lock = new Lock("fifo");
            lock.lock();
            List<Tasklet<Void>> waiters = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String me = "w" + i;
                waiters.add(Tasklet.spawn(me, () -> {
                    log.add(me + " asks");
                    lock.lock();
                    log.add(me + " holds");
                    Tasklet.yield();
                    lock.unlock();
                }));
            }
            Tasklet.yield(); // every waiter runs until it waits for the lock
            assertEquals(4, lock.queueLength());
            log.add("main unlocks");
            lock.unlock();
            waiters.forEach(Tasklet::join);
        });
        assertEquals(List.of("w0 asks", "w1 asks", "w2 asks", "w3 asks", "main unlocks",
                "w0 holds", "w1 holds", "w2 holds", "w3 holds"), log);
    }

    @Test
    void unlockHandsOwnershipToTheFirstWaiterSoNobodyCanBargeIn() {
        VirtualTime.run(() -> {
            Lock lock = new Lock("fair");
            lock.lock();
            Tasklet<Void> waiter = Tasklet.spawn("waiter", () -> {
                lock.lock();
                lock.unlock();
            });
            Tasklet.yield();
            lock.unlock();
            assertTrue(lock.isLocked(), "the waiter owns the lock before it even runs");
            assertFalse(lock.tryLock(), "not even the unlocker can take it back");
            assertTrue(lock.toString().contains("held by tasklet waiter"), lock.toString());
            waiter.join();
            assertFalse(lock.isLocked());
        });
    }

    @Test
    void tryLockNeverWaitsAndDoesNotJumpTheLine() {
        VirtualTime.run(() -> {
            Lock lock = new Lock();
            assertTrue(lock.tryLock());
            Tasklet<Boolean> other = Tasklet.spawn(lock::tryLock);
            assertFalse(other.join());
            lock.unlock();
            assertTrue(Tasklet.spawn(lock::tryLock).join());
        });
    }

    @Test
    void unlockByATaskletThatDoesNotOwnTheLockFailsNamingOwnerAndCaller() {
        VirtualTime.run(() -> {
            Lock lock = new Lock("accounts");
            lock.lock();
            Tasklet<String> intruder = Tasklet.builder().name("intruder")
                    .spawn(() -> assertThrows(IllegalStateException.class, lock::unlock).getMessage());
            assertEquals("unlock of Lock accounts by tasklet intruder, but it is held by tasklet main",
                    intruder.join());
            assertTrue(lock.isHeldByCurrent(), "the failed unlock changed nothing");
            lock.unlock();
        });
    }

    @Test
    void unlockOfAFreeLockFails() {
        VirtualTime.run(() -> {
            Lock lock = new Lock("accounts");
            IllegalStateException e = assertThrows(IllegalStateException.class, lock::unlock);
            assertEquals("unlock of Lock accounts by tasklet main, but it is not held", e.getMessage());
        });
    }

    @Test
    void lockingAgainByTheOwnerFailsInsteadOfWaitingForever() {
        VirtualTime.run(() -> {
            Lock lock = new Lock("once");
            lock.lock();
            IllegalStateException e = assertThrows(IllegalStateException.class, lock::lock);
            assertTrue(e.getMessage().contains("not reentrant"), e.getMessage());
            assertThrows(IllegalStateException.class, lock::tryLock);
            lock.unlock();
            assertFalse(lock.isLocked(), "one unlock frees it: the failed attempts added no hold");
        });
    }

    @Test
    void aTimedOutWaiterLeavesTheLineAndTheNextUnlockGoesToTheNextWaiter() {
        List<String> log = new ArrayList<>();
        VirtualTime.run(() -> {
            Lock lock = new Lock("l");
            lock.lock();
            Tasklet<Void> impatient = Tasklet.spawn(() -> {
                DeadlineExceededException e = assertThrows(DeadlineExceededException.class,
                        () -> lock.lock(Duration.ofSeconds(1)));
                log.add("impatient gave up at " + millis());
                assertEquals("acquire of Lock[l, held by tasklet main, 2 waiting] timed out after 1.000 s",
                        e.getMessage());
                assertFalse(lock.isHeldByCurrent());
            });
            Tasklet<Void> patient = Tasklet.spawn(() -> {
                lock.lock();
                log.add("patient holds at " + millis());
                lock.unlock();
            });
            Tasklet.sleep(Duration.ofSeconds(2));
            assertEquals(1, lock.queueLength(), "the impatient waiter left the line");
            log.add("main unlocks at " + millis());
            lock.unlock();
            impatient.join();
            patient.join();
            assertFalse(lock.isLocked());
        });
        assertEquals(List.of("impatient gave up at 1000", "main unlocks at 2000", "patient holds at 2000"), log);
    }

    @Test
    void aKilledWaiterLeavesTheLineAndTheNextUnlockGoesToTheNextWaiter() {
        List<String> log = new ArrayList<>();
        VirtualTime.run(() -> {
            Lock lock = new Lock("l");
            lock.lock();
            Tasklet<Void> victim = Tasklet.spawn(() -> {
                lock.lock();
                log.add("victim holds");
            });
            Tasklet<Void> survivor = Tasklet.spawn(() -> {
                lock.lock();
                log.add("survivor holds at " + millis());
                lock.unlock();
            });
            Tasklet.sleep(Duration.ofSeconds(1));
            victim.kill();
            assertTrue(assertThrows(JoinError.class, victim::join).wasKilled());
            assertEquals(1, lock.queueLength());
            log.add("main unlocks");
            lock.unlock();
            survivor.join();
            assertFalse(lock.isLocked());
        });
        assertEquals(List.of("main unlocks", "survivor holds at 1000"), log);
    }

    @Test
    void anExpiredDeadlineFailsLockAtOnceButAFreeLockIsStillTaken() {
        VirtualTime.run(() -> {
            Lock busy = new Lock("busy");
            Lock free = new Lock("free");
            Tasklet<Void> holder = Tasklet.spawn(() -> {
                busy.lock();
                Tasklet.sleep(Duration.ofHours(1));
                busy.unlock();
            });
            Tasklet.yield();
            try (var _ = Timeout.after(Duration.ofSeconds(1))) {
                Tasklet.sleep(Duration.ofSeconds(2)); // sleep ignores the deadline: now it has passed
                try (var _ = Timeout.after(Duration.ofMinutes(10))) { // cannot extend the outer deadline
                    long before = millis();
                    DeadlineExceededException e = assertThrows(DeadlineExceededException.class, busy::lock);
                    assertEquals(Duration.ZERO, e.waited());
                    assertTrue(e.getMessage().endsWith("failed at once: the deadline had already passed"),
                            e.getMessage());
                    assertEquals(before, millis(), "no time passed");
                    assertEquals(0, busy.queueLength());
                    free.lock(); // needs no wait, so the deadline does not stop it
                    free.unlock();
                }
            }
            holder.kill();
        });
    }

    @Test
    void lockWithATimeoutNeverWaitsPastTheEnclosingDeadline() {
        VirtualTime.run(() -> {
            Lock lock = new Lock();
            lock.lock();
            Tasklet<Long> waiter = Tasklet.spawn(() -> {
                try (var _ = Timeout.after(Duration.ofSeconds(1))) {
                    assertThrows(DeadlineExceededException.class, () -> lock.lock(Duration.ofMinutes(1)));
                }
                return millis();
            });
            assertEquals(1000, waiter.join());
            lock.unlock();
        });
    }

    @Test
    void acquireReturnsAHoldThatUnlocksWhenClosedEvenOnAnException() {
        VirtualTime.run(() -> {
            Lock lock = new Lock();
            assertThrows(ArithmeticException.class, () -> {
                try (var _ = lock.acquire()) {
                    assertTrue(lock.isHeldByCurrent());
                    throw new ArithmeticException("boom");
                }
            });
            assertFalse(lock.isLocked());
            Lock.Held held = lock.acquire(Duration.ofSeconds(1));
            held.close();
            held.close(); // a second close does nothing, even after someone else took the lock
            assertFalse(lock.isLocked());
        });
    }

    @Test
    void aPlainThreadAndATaskletExcludeEachOther() throws Exception {
        int rounds = 500;
        int[] counter = {0};
        Concurrence.run(Concurrence.Options.defaults().withDispatchers(1), () -> {
            Lock lock = new Lock("shared");
            Thread plain = Thread.ofPlatform().name("plain").start(() -> {
                for (int i = 0; i < rounds; i++) {
                    lock.lock();
                    counter[0]++;
                    lock.unlock();
                }
            });
            for (int i = 0; i < rounds; i++) {
                lock.lock();
                int read = counter[0];
                Tasklet.yield(); // let the plain thread try while we hold the lock
                counter[0] = read + 1;
                lock.unlock();
            }
            Blocking.call(() -> {
                plain.join();
                return null;
            });
            return null;
        });
        assertEquals(2 * rounds, counter[0]);
    }

    @Test
    void aPlainThreadThatDoesNotOwnTheLockCannotUnlockIt() throws Exception {
        Lock lock = new Lock("threads");
        lock.lock(); // the test thread, not a tasklet
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread other = Thread.ofPlatform().name("other").start(() -> {
            failure.set(assertThrows(IllegalStateException.class, lock::unlock));
            assertThrows(DeadlineExceededException.class, () -> lock.lock(Duration.ofMillis(1)));
        });
        other.join();
        String message = failure.get().getMessage();
        assertTrue(message.startsWith("unlock of Lock threads by thread other, but it is held by thread"), message);
        assertEquals(0, lock.queueLength());
        lock.unlock();
    }
}
