package org.concurrence.core;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/*
 * Implementation notes. A call creates a Job whose Waiter belongs to the calling tasklet, counts the job as external
 * work of the tasklet's dispatcher (so that virtual time does not jump while it runs), and submits it to a
 * ThreadPoolExecutor with core = max threads, an unbounded queue and core threads that time out: threads are made up
 * to the cap, then calls queue, and idle threads expire. The pool thread stores the outcome, completes the waiter,
 * and only then drops the external-work count: in that order the dispatcher sees the wake-up before it sees the count
 * fall, so it can never jump virtual time in between. If the caller gives up (deadline or kill), it cancels the
 * future (interrupting the work, or keeping it from starting) and drops the count itself; an AtomicBoolean makes
 * sure the count drops exactly once. An abandoned job still occupies its pool thread until the work ends.
 */
/**
 * A pool of platform threads for genuinely blocking work, which parks only the calling tasklet. Most code uses the
 * {@linkplain #shared() shared pool} through {@link Blocking#call}; a separate pool (from {@link #create}) keeps one
 * kind of work (say, DNS lookups) from starving another.
 *
 * <p><b>What a call does.</b> {@link #call(Blocking.Work)}, called from a tasklet, runs the work on a pool thread
 * and parks the tasklet until it ends; its dispatcher runs other tasklets meanwhile. It returns the work's result,
 * or rethrows what the work threw as the same object (checked exceptions included), with the caller's stack added as
 * a {@linkplain Throwable#getSuppressed() suppressed} exception so that both traces show. Called from a thread that
 * is not a tasklet, the work runs inline in that thread, with no deadline: such a thread may block anyway.
 *
 * <p><b>Deadlines and kills.</b> {@code call(work)} waits under the tasklet's current deadline,
 * {@link #call(Duration, Blocking.Work)} also for at most the given time. If the deadline passes first the caller
 * gets {@link DeadlineExceededException}; if it is killed, {@link TaskletExit}. Either way the work is
 * <em>abandoned</em>: its thread is interrupted (or the work never starts, if it was still queued) and its outcome is
 * dropped. Work that ignores interrupts runs on to its end and keeps its pool thread meanwhile: prefer work that
 * responds to interrupts or has its own timeout. A deadline already passed, or a kill already pending, fails the
 * call at once without running the work. If the work ended in the same instant as the deadline or kill, its outcome
 * wins.
 *
 * <p><b>Virtual time.</b> While a tasklet waits for blocking work, its dispatcher does not advance virtual time
 * (see {@link Concurrence.Options#virtualTime()}): 50 ms of real file I/O inside a one-second {@link Timeout} on
 * virtual time succeeds, and takes no virtual time at all. Abandoned work no longer holds the clock.
 *
 * <p><b>Pool.</b> Daemon threads named {@code <name>-N} ({@code concurrence-blocking-N} for the shared pool), at most
 * {@link #maxThreads()} of them; further calls queue in arrival order. Idle threads expire after the keep-alive. The
 * shared pool has {@value #DEFAULT_MAX_THREADS} threads unless the system property {@value #MAX_THREADS_PROPERTY}
 * says otherwise, and a keep-alive of 60 s.
 *
 * <p><b>Memory visibility.</b> Actions of the caller before {@code call} happen-before the work; actions of the work
 * happen-before the caller's return from {@code call}.
 *
 * <p><b>Thread-safety.</b> Every method may be called from any tasklet on any dispatcher and from any thread.
 */
public final class BlockingPool implements AutoCloseable {
    /** The system property that sets the shared pool's maximum number of threads. */
    public static final String MAX_THREADS_PROPERTY = "org.concurrence.blocking.maxThreads";
    /** The shared pool's maximum number of threads unless {@value #MAX_THREADS_PROPERTY} is set. */
    public static final int DEFAULT_MAX_THREADS = 64;
    private static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(60);

    private final String name;
    private final int maxThreads;
    private final boolean shared;
    private final ThreadPoolExecutor executor;

    private static final class Shared {
        static final BlockingPool POOL = new BlockingPool("concurrence-blocking",
                Integer.getInteger(MAX_THREADS_PROPERTY, DEFAULT_MAX_THREADS), DEFAULT_KEEP_ALIVE, true);
    }

    private BlockingPool(String name, int maxThreads, Duration keepAlive, boolean shared) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(keepAlive, "keepAlive");
        if (maxThreads < 1) {
            throw new IllegalArgumentException("blocking pool " + name + ": maxThreads must be at least 1, not "
                    + maxThreads);
        }
        if (keepAlive.isNegative() || keepAlive.isZero()) {
            throw new IllegalArgumentException("blocking pool " + name + ": keepAlive must be positive, not "
                    + keepAlive);
        }
        this.name = name;
        this.maxThreads = maxThreads;
        this.shared = shared;
        this.executor = new ThreadPoolExecutor(maxThreads, maxThreads, keepAlive.toNanos(), TimeUnit.NANOSECONDS,
                new LinkedBlockingQueue<>(), Thread.ofPlatform().name(name + "-", 1).daemon(true).factory());
        this.executor.allowCoreThreadTimeOut(true);
    }

    /** The pool behind {@link Blocking#call}: created on first use, never closed. */
    public static BlockingPool shared() {
        return Shared.POOL;
    }

    /**
     * A pool of its own: at most {@code maxThreads} daemon threads named {@code name-N}, each ending after
     * {@code keepAlive} idle. Close it when done with it.
     *
     * @throws IllegalArgumentException if {@code maxThreads} is less than 1 or {@code keepAlive} is not positive
     */
    public static BlockingPool create(String name, int maxThreads, Duration keepAlive) {
        return new BlockingPool(name, maxThreads, keepAlive, false);
    }

    /**
     * Runs {@code work} on a pool thread, parking the calling tasklet under its current deadline, and returns the
     * result; from a thread that is not a tasklet, runs it inline.
     *
     * @return what the work returned
     * @throws X                         what the work threw, as the same object, with the caller's stack suppressed
     * @throws DeadlineExceededException if the deadline passed first (or had passed); the work is interrupted and
     *                                   abandoned
     * @throws TaskletExit               if the caller was killed first; the work is interrupted and abandoned
     * @throws IllegalStateException     if the pool is closed
     */
    public <T, X extends Exception> T call(Blocking.Work<T, X> work) throws X {
        return callUntil(null, work);
    }

    /**
     * Runs {@code work} like {@link #call(Blocking.Work)}, waiting for at most {@code timeout} and never past the
     * current deadline; a null {@code timeout} means the current deadline alone, as everywhere else.
     */
    public <T, X extends Exception> T call(Duration timeout, Blocking.Work<T, X> work) throws X {
        return callUntil(timeout, work);
    }

    /** The name, also the prefix of the threads' names. */
    public String name() {
        return name;
    }

    /** The most threads the pool runs at once. */
    public int maxThreads() {
        return maxThreads;
    }

    /** How many threads the pool has now, busy or idle; a snapshot. */
    public int threadCount() {
        return executor.getPoolSize();
    }

    /** How many threads run work now (abandoned work included); an approximate snapshot. */
    public int activeCount() {
        return executor.getActiveCount();
    }

    /**
     * Stops taking calls: later calls from tasklets throw {@link IllegalStateException}; work already submitted runs
     * to its end and its callers get their outcome. Idempotent; never waits.
     *
     * @throws IllegalStateException on the shared pool, which is never closed
     */
    @Override
    public void close() {
        if (shared) {
            throw new IllegalStateException("blocking pool " + name + " is the shared pool and cannot be closed");
        }
        executor.shutdown();
    }

    /** {@code BlockingPool[name, 3 of 64 threads, 2 busy, 0 queued]}: a snapshot. */
    @Override
    public String toString() {
        return "BlockingPool[" + name + ", " + executor.getPoolSize() + " of " + maxThreads + " threads, "
                + executor.getActiveCount() + " busy, " + executor.getQueue().size() + " queued]";
    }

    private <T, X extends Exception> T callUntil(Duration timeout, Blocking.Work<T, X> work) throws X {
        Objects.requireNonNull(work, "work");
        Tasklet<?> caller = Tasklet.currentOrNull();
        if (caller == null) {
            return work.run();
        }
        Tasklet.checkpoint();
        long deadline = Tasklet.deadline(timeout);
        Dispatcher dispatcher = caller.dispatcher();
        if (deadline != Deadlines.NONE && dispatcher.nanoTime() >= deadline) {
            throw new DeadlineExceededException("blocking call on pool " + name, Duration.ZERO);
        }
        Job<T, X> job = new Job<>(work, dispatcher);
        Future<?> future = submit(job);
        try {
            job.waiter.await(deadline, "blocking call on pool", name);
        } catch (DeadlineExceededException | TaskletExit cancelled) {
            future.cancel(true); // interrupts the work if it runs, keeps it from starting if it does not yet
            job.accountDone(); // the tasklet no longer waits: its dispatcher's virtual time may move again
            throw cancelled;
        }
        return job.outcome(caller);
    }

    private Future<?> submit(Job<?, ?> job) {
        job.dispatcher.externalWorkStarted();
        try {
            return executor.submit(job);
        } catch (RejectedExecutionException e) {
            job.accountDone();
            throw new IllegalStateException("blocking pool " + name + " is closed", e);
        }
    }

    /** One call: the work, the caller's waiter, and the outcome, handed from the pool thread to the caller. */
    private static final class Job<T, X extends Exception> implements Runnable {
        final Blocking.Work<T, X> work;
        final Dispatcher dispatcher;
        final Waiter<Boolean> waiter = Waiter.create(); // created by, and belonging to, the calling tasklet
        private final AtomicBoolean accounted = new AtomicBoolean();
        // Written by the pool thread before waiter.complete, read by the caller after await: the waiter orders them.
        private T value;
        private Throwable failure;

        Job(Blocking.Work<T, X> work, Dispatcher dispatcher) {
            this.work = work;
            this.dispatcher = dispatcher;
        }

        @Override
        public void run() {
            try {
                value = work.run();
            } catch (Throwable e) {
                failure = e;
            }
            waiter.complete(Boolean.TRUE); // false if the caller gave up: the outcome is dropped
            accountDone(); // after the wake-up is queued, so virtual time cannot jump in between
        }

        /** Ends the dispatcher's count of this external work, once, whoever gets here first. */
        void accountDone() {
            if (accounted.compareAndSet(false, true)) {
                dispatcher.externalWorkDone();
            }
        }

        /** In the caller, after the waiter completed: the result, or the work's failure rethrown. */
        @SuppressWarnings("unchecked")
        T outcome(Tasklet<?> caller) throws X {
            Throwable f = failure;
            if (f == null) {
                return value;
            }
            f.addSuppressed(new CallerStack("the blocking call was made here, by tasklet " + caller.name()
                    + " on " + dispatcher.name()));
            if (f instanceof RuntimeException e) {
                throw e;
            }
            if (f instanceof Error e) {
                throw e;
            }
            throw (X) f; // Work.run declares only X, so any other checked exception is an X
        }
    }

    /** The caller's stack, attached to a failure of blocking work as a suppressed exception. */
    private static final class CallerStack extends Exception {
        private static final long serialVersionUID = 1L;

        CallerStack(String message) {
            super(message);
        }
    }
}
