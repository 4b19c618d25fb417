package org.concurrence.core;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(60)
class BlockingTest {
    private static final Concurrence.Options VIRTUAL = Concurrence.Options.deterministic();
    private static final Concurrence.Options REAL = Concurrence.Options.defaults().withDispatchers(1);

    @Test
    void aCallFromATaskletReturnsTheResultOfWorkRunOnAPoolThread() {
        String thread = Concurrence.run(VIRTUAL, () -> Blocking.call(() -> {
            Thread current = Thread.currentThread();
            assertTrue(current.isDaemon());
            assertFalse(current.isVirtual());
            return current.getName();
        }));
        assertTrue(thread.startsWith("concurrence-blocking-"), thread);
    }

    @Test
    void aCheckedExceptionIsRethrownAsTheSameObjectWithTheCallersStackSuppressed() {
        AtomicReference<IOException> thrown = new AtomicReference<>();
        Concurrence.run(VIRTUAL, () -> {
            IOException caught = assertThrows(IOException.class, () -> Blocking.call(() -> {
                thrown.set(new IOException("disk on fire"));
                throw thrown.get();
            }));
            assertSame(thrown.get(), caught);
            Throwable callerStack = caught.getSuppressed()[0];
            assertTrue(callerStack.getMessage().startsWith("the blocking call was made here, by tasklet main"),
                    callerStack.getMessage());
            assertTrue(Arrays.stream(callerStack.getStackTrace())
                    .anyMatch(frame -> frame.getClassName().startsWith(BlockingTest.class.getName())),
                    "the suppressed exception carries the caller's stack");
            assertTrue(Arrays.stream(caught.getStackTrace())
                    .anyMatch(frame -> frame.getClassName().contains("ThreadPoolExecutor")),
                    "the exception keeps the pool thread's own stack");
        });
    }

    @Test
    void aNullTimeoutMeansTheCurrentDeadlineAloneAsEverywhereElse() {
        String result = Concurrence.run(VIRTUAL, () -> Blocking.call((Duration) null, () -> "done"));
        assertEquals("done", result);
    }

    @Test
    void anUncheckedExceptionIsRethrownAsItIs() {
        Concurrence.run(VIRTUAL, () -> {
            IllegalArgumentException thrown = new IllegalArgumentException("bad path");
            assertSame(thrown, assertThrows(IllegalArgumentException.class, () -> Blocking.call(() -> {
                throw thrown;
            })));
        });
    }

    @Test
    void virtualTimeDoesNotMoveWhileBlockingWorkIsInFlight() {
        List<String> log = new ArrayList<>();
        Concurrence.run(VIRTUAL, () -> {
            Dispatcher dispatcher = Dispatcher.current();
            Tasklet<Void> sleeper = Tasklet.spawn(() -> {
                Tasklet.sleep(Duration.ofMillis(10));
                log.add("sleeper woke at " + dispatcher.nanoTime() / 1_000_000);
            });
            try (var _ = Timeout.after(Duration.ofSeconds(1))) {
                String result = Blocking.call(() -> {
                    Thread.sleep(50); // real time, far longer than the sleeper's 10 ms of virtual time
                    return "done";
                });
                log.add("blocking call returned " + result + " at " + dispatcher.nanoTime() / 1_000_000);
            }
            sleeper.join();
            return null;
        });
        assertEquals(List.of("blocking call returned done at 0", "sleeper woke at 10"), log);
    }

    @Test
    void theDeadlineInterruptsAndAbandonsTheWorkAndLeavesTheCallerFree() throws InterruptedException {
        CountDownLatch interrupted = new CountDownLatch(1);
        Concurrence.run(REAL, () -> {
            DeadlineExceededException e = assertThrows(DeadlineExceededException.class,
                    () -> Blocking.call(Duration.ofMillis(50), () -> {
                        try {
                            new CountDownLatch(1).await(); // never counted down: only an interrupt ends it
                        } catch (InterruptedException expected) {
                            interrupted.countDown();
                            throw expected;
                        }
                        return "never";
                    }));
            assertTrue(e.getMessage().startsWith("blocking call on pool concurrence-blocking timed out after"),
                    e.getMessage());
            assertEquals("free", Blocking.call(() -> "free"), "the caller goes on at once");
        });
        assertTrue(interrupted.await(10, TimeUnit.SECONDS), "the abandoned work was interrupted");
    }

    @Test
    void aKilledCallerAbandonsTheWork() {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        Concurrence.run(VIRTUAL, () -> {
            Tasklet<String> caller = Tasklet.spawn(() -> Blocking.call(() -> {
                started.countDown();
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException expected) {
                    interrupted.countDown();
                    throw expected;
                }
                return "never";
            }));
            Blocking.call(() -> {
                started.await(); // parks main only, until the caller's work runs
                return null;
            });
            caller.kill();
            assertTrue(assertThrows(JoinError.class, caller::join).wasKilled());
            assertTrue(Blocking.call(() -> interrupted.await(10, TimeUnit.SECONDS)), "the work was interrupted");
            return null;
        });
    }

    @Test
    void anExpiredDeadlineFailsAtOnceWithoutRunningTheWork() {
        AtomicBoolean ran = new AtomicBoolean();
        Concurrence.run(VIRTUAL, () -> {
            try (var _ = Timeout.after(Duration.ZERO)) {
                DeadlineExceededException e = assertThrows(DeadlineExceededException.class,
                        () -> Blocking.call(() -> ran.getAndSet(true)));
                assertEquals(Duration.ZERO, e.waited());
            }
        });
        assertFalse(ran.get());
    }

    @Test
    void fromAThreadThatIsNotATaskletTheWorkRunsInline() throws Exception {
        Thread test = Thread.currentThread();
        assertSame(test, Blocking.call(Thread::currentThread));
        assertSame(test, Blocking.call(Duration.ofMillis(1), Thread::currentThread));
    }

    @Test
    void aPoolOfItsOwnRunsAtMostItsMaximumAtOnceAndQueuesTheRest() {
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger mostInside = new AtomicInteger();
        CyclicBarrier pairs = new CyclicBarrier(2); // passes only if two calls run at the same time
        List<String> threads = new ArrayList<>();
        try (BlockingPool pool = BlockingPool.create("mine", 2, Duration.ofSeconds(1))) {
            Concurrence.run(REAL, () -> {
                List<Tasklet<String>> calls = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    calls.add(Tasklet.spawn(() -> pool.call(() -> {
                        mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        pairs.await(10, TimeUnit.SECONDS);
                        inside.decrementAndGet();
                        return Thread.currentThread().getName();
                    })));
                }
                calls.forEach(call -> threads.add(call.join()));
            });
            assertEquals(2, pool.maxThreads());
            assertTrue(pool.threadCount() <= 2, pool.toString());
        }
        assertEquals(2, mostInside.get());
        assertTrue(threads.stream().allMatch(name -> name.equals("mine-1") || name.equals("mine-2")),
                threads.toString());
    }

    @Test
    void aClosedPoolRefusesCallsAndTheSharedPoolCannotBeClosed() {
        BlockingPool pool = BlockingPool.create("closing", 1, Duration.ofSeconds(1));
        pool.close();
        pool.close();
        Concurrence.run(VIRTUAL, () -> {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.call(() -> "late"));
            assertEquals("blocking pool closing is closed", e.getMessage());
        });
        assertThrows(IllegalStateException.class, () -> BlockingPool.shared().close());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> BlockingPool.create("bad", 0, Duration.ofSeconds(1)));
        assertEquals("blocking pool bad: maxThreads must be at least 1, not 0", bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BlockingPool.create("bad", 1, Duration.ZERO));
    }

    @Test
    void concurrentCallsFromTwoDispatchersEachGetTheirOwnResult() {
        int calls = 200;
        AtomicInteger correct = new AtomicInteger();
        Concurrence.run(Concurrence.Options.defaults().withDispatchers(2), () -> {
            DispatcherGroup group = Dispatcher.current().group();
            List<Tasklet<Void>> all = new ArrayList<>();
            for (int i = 0; i < calls; i++) {
                int n = i;
                all.add(Tasklet.builder().on(group.dispatcher(i % 2)).spawn(() -> {
                    if (Blocking.call(() -> n * n) == n * n) {
                        correct.incrementAndGet();
                    }
                }));
            }
            all.forEach(Tasklet::join);
        });
        assertEquals(calls, correct.get());
    }
}
