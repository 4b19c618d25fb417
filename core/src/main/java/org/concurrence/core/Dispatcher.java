package org.concurrence.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A dispatcher owns one carrier thread and runs its tasklets on it one at a time, switching only where a tasklet
 * blocks or yields. Code whose tasklets share a dispatcher needs no locks among them and runs in a deterministic
 * order: first in, first out, as in the original Concurrence.
 *
 * <p>Tasklets are virtual threads whose scheduler is this dispatcher. A wake-up from this dispatcher's own carrier
 * (a tasklet here unparking another, a timer firing) goes straight onto the run queue; a wake-up from any other
 * thread (another dispatcher, the JDK's I/O poller, a blocking-pool worker) goes through a lock-free queue that the
 * carrier drains once per pass, and wakes the carrier if it was idle.
 *
 * <p>The loop: run every tasklet that was runnable when the pass began (in order), move in what other threads
 * submitted, poll the {@link #poller} if one is installed (see there for how often), fire the timers that are due,
 * and if nothing is runnable then sleep until the next timer or a wake-up (blocking in the poller, if there is one;
 * in a group of several dispatchers, after spinning briefly for work from the others). On virtual time
 * ({@link Concurrence.Options#virtualTime()}) the sleep is a jump of the clock to the next timer.
 *
 * <p>Thread-safety: {@link #spawn}, {@link #execute} and the accessors may be called from any thread. Everything
 * marked carrier-confined below is touched only by the carrier thread.
 *
 * <p>Implementation notes: the carrier is a platform daemon thread named after the dispatcher. Timers live in an
 * indexed heap so that cancelling a timed wait removes its timer at once. Virtual time advances only when no tasklet
 * is runnable, nothing was submitted from outside and no blocking-pool work is in flight; if then no timer is left
 * either, every remaining tasklet waits for something that can never happen, and the group reports a deadlock.
 */
public final class Dispatcher implements Executor {
    private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());
    /**
     * The longest a carrier spins for work from other threads before it parks, in microseconds (system property
     * {@code org.concurrence.spinMicros}, default 20; 0 turns spinning off). Parking and waking a carrier costs tens
     * of microseconds of kernel time, which dominates a message hop between dispatchers.
     */
    static final long MAX_SPIN_NANOS =
            Long.getLong("org.concurrence.spinMicros", 20) * 1_000;
    private static final long MIN_SPIN_NANOS = Math.min(MAX_SPIN_NANOS, 1_000);

    private final DispatcherGroup group;
    private final int index;
    private final String name;
    private final boolean virtualTime;
    private final Thread.Builder.OfVirtual threads;
    private final Thread carrier;
    private final CountDownLatch terminated = new CountDownLatch(1);

    // Carrier-confined.
    private final RunQueue runQueue;
    private final TimerQueue timers = new TimerQueue();
    private boolean nextSubmissionFirst;
    private long virtualNanos;
    private long switches;
    private long timersFired;
    /** Adaptive spin budget: doubled when a spin found work, halved when it did not; see waitForWork. */
    private long spinNanos;
    private final boolean spinAllowed;

    /** I/O readiness polled in this loop, installed on first use; see {@link #poller}. Carrier-confined writes. */
    private volatile Poller poller;
    private long lastPollNanos;
    private int passesSincePoll;

    // Shared with other threads.
    private final ConcurrentLinkedQueue<Runnable> remote = new ConcurrentLinkedQueue<>();
    private volatile boolean idle;
    private volatile boolean stopping;
    private final AtomicInteger externalWork = new AtomicInteger();
    private final AtomicInteger spawned = new AtomicInteger();

    // Live tasklets of this dispatcher: an intrusive list guarded by liveLock, and their count (which a tasklet
    // leaves last, after every step of its ending that can block).
    private final Object liveLock = new Object();
    private Tasklet<?> liveHead;
    private final AtomicInteger liveCount = new AtomicInteger();

    Dispatcher(DispatcherGroup group, int index, Concurrence.Options options) {
        this.group = group;
        this.index = index;
        this.name = options.name() + "-" + index;
        this.virtualTime = options.virtualTime();
        this.runQueue = RunQueue.create(options.seed());
        this.spinAllowed = !options.virtualTime() && options.dispatchers() > 1 && MAX_SPIN_NANOS > 0
                && Runtime.getRuntime().availableProcessors() >= options.dispatchers();
        this.spinNanos = spinAllowed ? MAX_SPIN_NANOS : 0;
        this.threads = SchedulerHook.virtualThreadBuilder(new Scheduler());
        this.carrier = Thread.ofPlatform().name(name).daemon(true).unstarted(this::runLoop);
    }

    void start() {
        carrier.start();
    }

    /** The dispatcher the current tasklet runs on, or null when not called from a tasklet. */
    public static Dispatcher current() {
        Tasklet<?> tasklet = Tasklet.currentOrNull();
        return tasklet == null ? null : tasklet.dispatcher();
    }

    /** The group this dispatcher belongs to. */
    public DispatcherGroup group() {
        return group;
    }

    /** This dispatcher's position in its group, from 0. */
    public int index() {
        return index;
    }

    /** The dispatcher's name, also its carrier thread's name. */
    public String name() {
        return name;
    }

    /**
     * The dispatcher's clock in nanoseconds: {@link System#nanoTime()}, or on virtual time a clock that starts at 0
     * and jumps to the next timer whenever every tasklet is blocked. Deadlines are measured on this clock.
     */
    public long nanoTime() {
        return virtualTime ? virtualNanos : System.nanoTime();
    }

    /** True if this dispatcher runs on virtual time (deterministic testing). */
    public boolean isVirtualTime() {
        return virtualTime;
    }

    /**
     * Spawns a tasklet running {@code body} on this dispatcher. See {@link Tasklet#spawn(java.util.concurrent.Callable)}
     * for what spawning means; this form chooses the dispatcher. Callable from any thread.
     */
    public <T> Tasklet<T> spawn(java.util.concurrent.Callable<T> body) {
        return Tasklet.builder().on(this).spawn(body);
    }

    /** Spawns a tasklet running {@code body} on this dispatcher; callable from any thread. */
    public Tasklet<Void> spawn(Runnable body) {
        return Tasklet.builder().on(this).spawn(body);
    }

    /** Runs {@code command} in a new tasklet on this dispatcher (the {@link Executor} contract). */
    @Override
    public void execute(Runnable command) {
        spawn(command);
    }

    /** How many tasklets are alive on this dispatcher. */
    public int taskletCount() {
        return liveCount.get();
    }

    /** A snapshot of the tasklets alive on this dispatcher, in no particular order. */
    public List<Tasklet<?>> tasklets() {
        synchronized (liveLock) {
            List<Tasklet<?>> all = new ArrayList<>();
            for (Tasklet<?> t = liveHead; t != null; t = t.nextLive) {
                all.add(t);
            }
            return all;
        }
    }

    /**
     * This dispatcher's poller, installing the one {@code create} makes if there is none yet. Must be called from one
     * of this dispatcher's tasklets (or its carrier). While a poller is installed the loop polls it at least every 64
     * passes or 100 microseconds while busy, and blocks in it instead of parking when idle.
     *
     * @throws IllegalStateException if called from another thread
     */
    public Poller poller(java.util.function.Supplier<? extends Poller> create) {
        Poller installed = poller;
        if (installed != null) {
            return installed;
        }
        if (!isOnThisDispatcher()) {
            throw new IllegalStateException("the poller of " + name + " can only be installed from one of its tasklets");
        }
        installed = create.get();
        poller = installed;
        return installed;
    }

    /** Counters of this dispatcher's work so far. Read without synchronisation: values may lag slightly. */
    public Statistics statistics() {
        return new Statistics(name, switches, spawned.get(), taskletCount(), timersFired, timers.size());
    }

    /**
     * Counters of one dispatcher.
     *
     * @param switches      tasklet continuations run (each resume of a tasklet counts once)
     * @param spawned       tasklets spawned on this dispatcher
     * @param alive         tasklets alive now
     * @param timersFired   timers that fired (sleeps, timeouts, intervals)
     * @param timersPending timers armed now
     */
    public record Statistics(String dispatcher, long switches, long spawned, int alive, long timersFired,
                             int timersPending) {}

    @Override
    public String toString() {
        return "Dispatcher[" + name + (virtualTime ? ", virtual time" : "") + "]";
    }

    // ---------------------------------------------------------------------------------------------------------
    // Used by tasklets and primitives of this package.

    Thread newThread(Runnable entry) {
        spawned.incrementAndGet();
        return threads.unstarted(entry);
    }

    boolean isCarrierThread() {
        return Thread.currentThread() == carrier;
    }

    /**
     * True when running on this dispatcher's carrier: the carrier itself, or one of this dispatcher's tasklets (whose
     * virtual thread is then the current thread). The JDK makes the submission of an unpark synchronously on the
     * carrier, so the run-next flag set here is the one the scheduler consumes.
     */
    boolean isOnThisDispatcher() {
        if (isCarrierThread()) {
            return true;
        }
        Tasklet<?> current = Tasklet.currentOrNull();
        return current != null && current.dispatcher() == this;
    }

    /**
     * Arms a timer; must be called on this dispatcher's carrier (from one of its tasklets or its loop).
     *
     * @param due    the time on this dispatcher's clock
     * @param action runs on the carrier, must not block
     */
    Timer schedule(long due, Runnable action) {
        return timers.schedule(due, action);
    }

    /** Arms a timer that unparks {@code thread} (a sleep or a timed wait); see {@link #schedule(long, Runnable)}. */
    Timer scheduleUnpark(long due, Thread thread) {
        return timers.schedule(due, thread);
    }

    /** Disarms a timer armed by {@link #schedule}; must be called on this dispatcher's carrier. */
    void cancel(Timer timer) {
        timers.cancel(timer);
    }

    /**
     * Unparks {@code thread} so that it runs before everything already runnable here: the hand-over that makes a
     * channel with preference -1 switch to the receiver at once. Only meaningful on this dispatcher's carrier; from
     * elsewhere it is a plain unpark.
     */
    void unparkFirst(Thread thread) {
        if (isOnThisDispatcher() && !(runQueue instanceof RunQueue.Seeded)) {
            nextSubmissionFirst = true;
            try {
                LockSupport.unpark(thread);
            } finally {
                nextSubmissionFirst = false;
            }
        } else {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Interrupts {@code thread} (a tasklet of this dispatcher being killed) so that it runs next when the caller is on
     * this dispatcher's carrier.
     */
    void unparkFirstByInterrupt(Thread thread) {
        nextSubmissionFirst = isOnThisDispatcher() && !(runQueue instanceof RunQueue.Seeded);
        try {
            thread.interrupt();
        } finally {
            nextSubmissionFirst = false;
        }
    }

    /**
     * Marks the start of work done outside this dispatcher on behalf of one of its tasklets (a blocking-pool call),
     * so that virtual time does not jump past it. Pair with {@link #externalWorkDone()}.
     */
    void externalWorkStarted() {
        externalWork.incrementAndGet();
    }

    void externalWorkDone() {
        externalWork.decrementAndGet();
        wake();
    }

    void registerLive(Tasklet<?> tasklet) {
        synchronized (liveLock) {
            tasklet.nextLive = liveHead;
            if (liveHead != null) {
                liveHead.prevLive = tasklet;
            }
            liveHead = tasklet;
        }
        liveCount.incrementAndGet();
    }

    /** Takes an ending tasklet off the list; it still counts until {@link #taskletGone}. */
    void unlinkLive(Tasklet<?> tasklet) {
        synchronized (liveLock) {
            if (tasklet.prevLive != null) {
                tasklet.prevLive.nextLive = tasklet.nextLive;
            } else if (liveHead == tasklet) {
                liveHead = tasklet.nextLive;
            }
            if (tasklet.nextLive != null) {
                tasklet.nextLive.prevLive = tasklet.prevLive;
            }
            tasklet.prevLive = null;
            tasklet.nextLive = null;
        }
    }

    /** The last step of a tasklet's ending: it no longer counts as alive here. */
    void taskletGone() {
        liveCount.decrementAndGet();
    }

    /** Asks the loop to stop once its tasklets are gone; the group kills them first. */
    void stop() {
        stopping = true;
        wake();
    }

    boolean awaitTermination(Duration timeout) throws InterruptedException {
        return terminated.await(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The carrier loop.

    /** The scheduler the JDK hands our virtual threads' continuations to. */
    private final class Scheduler implements Executor {
        @Override
        public void execute(Runnable continuation) {
            if (onThisCarrier()) {
                if (nextSubmissionFirst) {
                    nextSubmissionFirst = false;
                    runQueue.addFirst(continuation);
                } else {
                    runQueue.addLast(continuation);
                }
            } else {
                remote.offer(continuation);
                if (idle) {
                    wakeCarrier();
                }
            }
        }

        /**
         * The JDK switches to the carrier thread before submitting a wake-up or a yield, so the common case is an
         * identity check; {@code Thread.start()} from a tasklet submits while the tasklet is still current.
         */
        private boolean onThisCarrier() {
            Thread thread = Thread.currentThread();
            if (thread == carrier) {
                return true;
            }
            Tasklet<?> tasklet = thread.isVirtual() ? Tasklet.of(thread) : null;
            return tasklet != null && tasklet.dispatcher() == Dispatcher.this;
        }
    }

    private void wake() {
        if (idle) {
            wakeCarrier();
        }
    }

    private void wakeCarrier() {
        Poller p = poller;
        if (p != null) {
            p.wakeup();
        }
        LockSupport.unpark(carrier);
    }

    private void runLoop() {
        try {
            while (true) {
                runPass();
                moveRemoteSubmissions();
                pollIoWhileBusy();
                fireDueTimers();
                if (runQueue.size() == 0) {
                    if (stopping && taskletCount() == 0) {
                        break;
                    }
                    waitForWork();
                }
            }
        } catch (Throwable fatal) {
            LOG.log(System.Logger.Level.ERROR, "dispatcher " + name + " stopped by an internal error", fatal);
        } finally {
            Poller p = poller;
            if (p != null) {
                p.close();
            }
            terminated.countDown();
        }
    }

    private void runPass() {
        for (int n = runQueue.size(); n > 0; n--) {
            Runnable continuation = runQueue.poll();
            if (continuation == null) {
                return;
            }
            switches++;
            try {
                continuation.run();
            } catch (Throwable e) {
                LOG.log(System.Logger.Level.ERROR, "dispatcher " + name + ": a continuation failed", e);
            }
        }
    }

    /**
     * While tasklets keep the loop busy, I/O readiness is still polled every 64 passes or 100 microseconds, so that
     * connections waiting for the network are not starved by tasklets that never wait for it.
     */
    private void pollIoWhileBusy() {
        Poller p = poller;
        if (p == null) {
            return;
        }
        if (runQueue.size() == 0 || ++passesSincePoll >= 64 || System.nanoTime() - lastPollNanos >= 100_000) {
            passesSincePoll = 0;
            lastPollNanos = System.nanoTime();
            p.pollNow();
        }
    }

    private void moveRemoteSubmissions() {
        Runnable continuation = remote.poll();
        if (continuation == null) {
            return;
        }
        do {
            runQueue.addLast(continuation);
        } while ((continuation = remote.poll()) != null);
        if (spinAllowed && spinNanos == 0) {
            spinNanos = MIN_SPIN_NANOS; // work comes from other carriers again: worth spinning a little
        }
    }

    private void fireDueTimers() {
        if (timers.size() == 0) {
            return;
        }
        long now = nanoTime();
        Timer timer;
        while ((timer = timers.pollDue(now)) != null) {
            timersFired++;
            try {
                timer.fire();
            } catch (Throwable e) {
                LOG.log(System.Logger.Level.ERROR, "dispatcher " + name + ": a timer action failed", e);
            }
        }
    }

    private void waitForWork() {
        Timer next = timers.peek();
        // The live count is read first: a spawn from another thread raises externalWork before it registers the
        // tasklet and lowers it only after queueing its continuation, so a count that includes a spawn in flight
        // comes with externalWork > 0 or a non-empty remote queue, never with both clear.
        int live = virtualTime ? taskletCount() : 0;
        if (virtualTime && externalWork.get() == 0 && remote.isEmpty() && !stopping && !anyBlockedElsewhere()) {
            if (next != null) {
                virtualNanos = Math.max(virtualNanos, next.due());
                return;
            }
            if (live > 0) {
                group.deadlocked(this);
            }
        }
        if (spinNanos > 0 && spinForRemoteWork(next)) {
            return;
        }
        idle = true;
        try {
            if (!remote.isEmpty() || (stopping && taskletCount() == 0)) {
                return;
            }
            Poller p = poller;
            if (p != null && !virtualTime) {
                long wait = next == null ? 0 : next.due() - System.nanoTime();
                if (next == null || wait > 0) {
                    lastPollNanos = System.nanoTime();
                    p.poll(wait);
                }
            } else if (next == null || virtualTime) {
                LockSupport.park(this);
            } else {
                long wait = next.due() - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(this, wait);
                }
            }
        } finally {
            idle = false;
        }
    }

    /**
     * On virtual time, whether a live tasklet waits outside the runtime's own waits (a {@link Waiter}, a sleep's
     * {@link Timer}): blocked on a JDK monitor or lock another thread holds (a logging handler's, say), in a JDK
     * sleep, or on its way back to the run queue. Another thread wakes it in real time, so the clock must not jump
     * meanwhile: a jump would fire timers early. Looked up from the threads' states and park blockers when the clock
     * is about to jump, rather than counted on every park, because a count in the parking frame costs every parked
     * tasklet stack memory (~90 bytes measured).
     */
    private boolean anyBlockedElsewhere() {
        for (Tasklet<?> tasklet : tasklets()) {
            Thread thread = tasklet.thread();
            if (thread == null) {
                continue;
            }
            switch (thread.getState()) {
                case NEW, TERMINATED -> { }
                case WAITING, TIMED_WAITING -> {
                    Object blocker = LockSupport.getBlocker(thread);
                    if (!(blocker instanceof Waiter<?>) && !(blocker instanceof Timer)) {
                        return true;
                    }
                }
                case BLOCKED, RUNNABLE -> {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Spins for up to the current budget (never past the next timer) waiting for a submission from another thread.
     * A hit doubles the budget (up to the maximum), a miss halves it, so a carrier that keeps missing — an idle
     * program, or a machine whose cores are busy with other work — soon parks at once again.
     */
    private boolean spinForRemoteWork(Timer next) {
        long start = System.nanoTime();
        long limit = start + spinNanos;
        if (next != null && next.due() < limit) {
            limit = next.due();
        }
        for (int i = 0; ; i++) {
            if (!remote.isEmpty() || stopping) {
                spinNanos = Math.min(MAX_SPIN_NANOS, spinNanos * 2);
                return true;
            }
            if ((i & 63) == 63 && System.nanoTime() >= limit) {
                spinNanos /= 2;
                if (spinNanos < MIN_SPIN_NANOS / 2) {
                    spinNanos = 0;
                }
                return false;
            }
            Thread.onSpinWait();
        }
    }
}
