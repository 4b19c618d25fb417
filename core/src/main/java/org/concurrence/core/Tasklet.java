package org.concurrence.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/**
 * A lightweight task: a virtual thread that runs on a {@link Dispatcher} of ours, cooperatively, switching only where
 * it blocks or yields.
 *
 * <p><b>Spawning.</b> {@link #spawn(Callable)} creates a tasklet on the current dispatcher and puts it at the back of
 * the run queue; it does not run until the spawner blocks or yields, so "start done." prints before the children
 * run, as in the original. A non-daemon tasklet is a child of the tasklet that spawned it; a daemon tasklet has no
 * parent and does not keep {@link Concurrence#run} waiting. A finished tasklet leaves its parent; its own living
 * children become roots.
 *
 * <p><b>Deadlines.</b> Each tasklet has a current deadline, none at first (deadlines are not inherited by children).
 * {@link Timeout} scopes narrow it; every blocking call in Concurrence honours it, or the {@code Duration} given to
 * the call, whichever comes first. {@link #sleep} is the exception: it sleeps for exactly what it is asked.
 *
 * <p><b>Killing.</b> {@link #kill()} delivers a {@link TaskletExit} at the tasklet's current or next blocking call
 * (or before it starts, if it has not). The waiter it was in is left, and any count it held (a channel's balance) is
 * restored. An interrupt of a tasklet's thread counts as a kill.
 *
 * <p><b>Threads.</b> The static methods act on the current tasklet. Those that need one ({@link #current()}, the
 * static spawning forms, {@link #joinChildren}, {@link #trapExits}) throw {@link IllegalStateException} on a plain
 * thread; {@link #sleep}, {@link #yield()}, {@link #checkpoint()}, {@link #deadline}, {@link #joinAll} and
 * {@link #currentOrNull()} also work there (a sleep then sleeps the thread, an interrupt counting as a kill). The
 * instance methods may be called from any thread, except those that act for the current tasklet ({@link #monitor()},
 * {@link #link()} and their inverses). A tasklet's own deadline is confined to it. Joining, killing and the tree are
 * safe across dispatchers.
 *
 * @param <T> the type of the tasklet's result
 */
public final class Tasklet<T> implements Thread.UncaughtExceptionHandler {
    private static final System.Logger LOG = System.getLogger(Tasklet.class.getName());

    private static final byte NEW = 0;
    private static final byte STARTED = 1;
    private static final byte DONE = 2;

    /*
     * Memory: every parked tasklet holds one of these, so only what nearly every tasklet needs is a field here (48
     * bytes with compact headers); the rest lives in an Extras created on first use. The id is the thread's, and a
     * given name is kept as the thread's name. A tasklet's own children hang off its Extras: most tasklets have none.
     */
    private final Dispatcher dispatcher;
    private Thread thread;
    private final boolean daemon;
    /** True once a name was given: the thread's name is then the tasklet's. */
    private volatile boolean named;

    // The tree: guarded by the parent's monitor (a tasklet's own children list, Extras.firstChild, by its own).
    private volatile Tasklet<?> parent;
    private Tasklet<?> prevSibling;
    private Tasklet<?> nextSibling;

    // The dispatcher's list of live tasklets, guarded by the dispatcher.
    Tasklet<?> prevLive;
    Tasklet<?> nextLive;

    private volatile byte state = NEW;
    private volatile boolean killRequested;

    /** Created on first use (or at spawn, when bounded); see {@link #mailbox()}. */
    private volatile Mailbox mailbox;

    /** What few tasklets need, created on first use (see {@link #extras()}); null for most. */
    private volatile Extras extras;

    /**
     * The parts of a tasklet that most tasklets never use: a deadline scope, task-locals, a result or failure, joiners,
     * a kill's reason, relations, a pending hot swap, children.
     */
    private static final class Extras {
        /** The current deadline on the dispatcher's clock; touched only by the tasklet. */
        long deadline = Deadlines.NONE;
        /** The innermost open {@link Timeout} scope; touched only by the tasklet. */
        Timeout timeoutScope;
        /** Values of {@link TaskLocal}s; touched only by the tasklet (and its spawner before it starts). */
        TaskLocal.Values locals;
        // Guarded by the tasklet's monitor. The outcome is written before the state becomes DONE (null, null: a
        // normal end with a null result, for which no Extras is made).
        Object result;
        Throwable failure;
        WaitQueue<Object> joiners;
        /** The reason of the pending kill (the first of those merged into it), and of the kill taken last. */
        String killReason;
        String takenKillReason;
        /** Monitors, links, exit trapping and the registered name. */
        Relations relations;
        /** A hot swap waiting for the next safe point (a mailbox receive). */
        volatile HotSwap pendingSwap;
        /** The most recently spawned living child; the others follow through their sibling links. */
        Tasklet<?> firstChild;
        /** The timer of this tasklet's timed receives, calls and deliveries (see {@link #awaitTimed}). */
        WaitTimer waitTimer;
    }

    private Tasklet(Dispatcher dispatcher, boolean daemon) {
        this.dispatcher = dispatcher;
        this.daemon = daemon;
    }

    /** This tasklet's extras, made on first use (under the monitor, so that every thread sees the same one). */
    private Extras extras() {
        Extras x = extras;
        if (x == null) {
            synchronized (this) {
                x = extras;
                if (x == null) {
                    x = new Extras();
                    extras = x;
                }
            }
        }
        return x;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Spawning.

    /** Options for a new tasklet: name, daemon, dispatcher. */
    public static Builder builder() {
        return new Builder();
    }

    /** Spawns a tasklet on the current dispatcher that runs {@code body} and ends with its result. */
    public static <T> Tasklet<T> spawn(Callable<T> body) {
        return builder().spawn(body);
    }

    /** Spawns a tasklet on the current dispatcher that runs {@code body}. */
    public static Tasklet<Void> spawn(Runnable body) {
        return builder().spawn(body);
    }

    /** Spawns a named tasklet on the current dispatcher that runs {@code body}. */
    public static Tasklet<Void> spawn(String name, Runnable body) {
        return builder().name(name).spawn(body);
    }

    /**
     * How a tasklet is spawned. Not thread-safe; a builder may be reused to spawn several tasklets.
     */
    public static final class Builder {
        private String name;
        private boolean daemon;
        private Dispatcher dispatcher;
        private int mailboxCapacity = Integer.MAX_VALUE;
        private Mailbox.Overflow overflow = Mailbox.Overflow.BLOCK;

        private Builder() {}

        /**
         * Bounds the tasklet's mailbox to {@code capacity} messages; {@code overflow} says what a send to a full
         * mailbox does. By default a mailbox is unbounded and a send never blocks.
         */
        public Builder mailbox(int capacity, Mailbox.Overflow overflow) {
            if (capacity < 1) {
                throw new IllegalArgumentException("mailbox capacity must be at least 1: " + capacity);
            }
            this.mailboxCapacity = capacity;
            this.overflow = Objects.requireNonNull(overflow, "overflow");
            return this;
        }

        /** The tasklet's name; by default {@code tasklet-<id>}. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** A daemon tasklet has no parent and does not keep {@link Concurrence#run} waiting. */
        public Builder daemon(boolean daemon) {
            this.daemon = daemon;
            return this;
        }

        /** The dispatcher to run on; by default the current tasklet's. */
        public Builder on(Dispatcher dispatcher) {
            this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
            return this;
        }

        /** Spawns the tasklet; see {@link Tasklet#spawn(Callable)}. */
        public <T> Tasklet<T> spawn(Callable<T> body) {
            Objects.requireNonNull(body, "body");
            return spawnBody(body);
        }

        /** {@code body} is a {@link Callable} or a {@link Runnable}; the entry runs either without an adapter frame. */
        private <T> Tasklet<T> spawnBody(Object body) {
            Tasklet<?> spawner = currentOrNull();
            Dispatcher target = dispatcher;
            if (target == null) {
                if (spawner == null) {
                    throw new IllegalStateException("spawn outside a tasklet needs a dispatcher: use "
                            + "Tasklet.builder().on(dispatcher), Dispatcher.spawn, or start with Concurrence.run");
                }
                target = spawner.dispatcher;
            }
            Tasklet<T> tasklet = new Tasklet<>(target, daemon);
            if (mailboxCapacity != Integer.MAX_VALUE) {
                tasklet.mailbox = new Mailbox(tasklet, mailboxCapacity, overflow);
            }
            tasklet.start(body, name, spawner, daemon ? null : spawner);
            return tasklet;
        }

        /** Spawns the tasklet; see {@link Tasklet#spawn(Callable)}. */
        public Tasklet<Void> spawn(Runnable body) {
            Objects.requireNonNull(body, "body");
            return spawnBody(body);
        }
    }

    private void start(Object body, String name, Tasklet<?> spawner, Tasklet<?> parent) {
        thread = dispatcher.newThread(ENTRY);
        thread.setUncaughtExceptionHandler(new Starting(this, body));
        if (name != null) {
            thread.setName(name);
            named = true;
        }
        if (parent != null) {
            parent.adopt(this);
            TaskLocal.Values inherited = parent.locals();
            if (inherited != null) {
                extras().locals = inherited.inheritedBy();
            }
        }
        // A spawn from another thread is outside work in flight until the continuation is queued: the carrier
        // must not see a live tasklet with nothing runnable and call it a deadlock (on virtual time).
        boolean fromOutside = (spawner == null || spawner.dispatcher != dispatcher) && !dispatcher.isCarrierThread();
        if (fromOutside) {
            dispatcher.externalWorkStarted();
        }
        try {
            dispatcher.registerLive(this);
            dispatcher.group().taskletStarted(this);
            thread.start();
        } finally {
            if (fromOutside) {
                dispatcher.externalWorkDone();
            }
        }
    }

    /*
     * The way from a thread to its tasklet (see of(Thread)) without a thread-local, and without an object per tasklet
     * that outlives its start: the thread's uncaught-exception handler. Until the body starts it is a Starting, which
     * also carries the body; then the tasklet itself. Every tasklet's thread runs the same stateless ENTRY, which the
     * JDK keeps for the thread's life, so a running tasklet holds no entry object of its own.
     */

    /** The body of every tasklet's virtual thread. */
    private static final Runnable ENTRY = Tasklet::runCurrent;

    /** A tasklet's thread's uncaught-exception handler until its body starts: the tasklet and the body to run. */
    private static final class Starting implements Thread.UncaughtExceptionHandler {
        final Tasklet<?> tasklet;
        final Object body;

        Starting(Tasklet<?> tasklet, Object body) {
            this.tasklet = tasklet;
            this.body = body;
        }

        @Override
        public void uncaughtException(Thread thread, Throwable e) {
            tasklet.uncaughtException(thread, e);
        }
    }

    /** Runs the current thread's tasklet: takes its body from the {@link Starting} handler, which it replaces. */
    private static void runCurrent() {
        Thread thread = Thread.currentThread();
        Starting starting = (Starting) thread.getUncaughtExceptionHandler();
        thread.setUncaughtExceptionHandler(starting.tasklet);
        starting.tasklet.run(starting.body);
    }

    /** The tasklet's life, in its own thread: the body (a Callable, or a Runnable whose result is null), then the end. */
    @SuppressWarnings("unchecked")
    private void run(Object body) {
        Object work = body;
        T value = null;
        Throwable thrown = null;
        state = STARTED;
        try {
            if (takeKillRequest()) {
                throw exitSignal();
            }
            while (true) {
                try {
                    if (work instanceof Callable<?> callable) {
                        value = (T) callable.call();
                    } else {
                        ((Runnable) work).run();
                    }
                    break;
                } catch (HotSwap swap) {
                    // Taken at a safe point, so applied even if the requester gave up meanwhile: the old behaviour
                    // has unwound, and the requester was told the swap may still take over.
                    swap.accept();
                    work = swap.behaviour();
                }
            }
        } catch (Throwable e) {
            thrown = e;
        }
        finish(value, thrown);
    }

    /**
     * Not for callers: a tasklet is its thread's uncaught-exception handler, which is how {@link #current()} finds it
     * without a thread-local. Logs a failure that escaped the tasklet's own handling (its body's failures are its
     * outcome, never passed here). Replacing a tasklet thread's handler detaches the thread from its tasklet.
     */
    @Override
    public void uncaughtException(Thread thread, Throwable e) {
        LOG.log(System.Logger.Level.ERROR, "tasklet " + name() + " failed outside its body", e);
    }

    /*
     * The order matters. Everything that can block (the parent's and the dispatcher's monitors, contended when many
     * tasklets end at once on several dispatchers) happens before the tasklet is published as done; after that only
     * lock-free steps remain, so when a joiner wakes, the tasklet has left the tree, the dispatcher's list and its
     * count, and a stopping dispatcher cannot exit its loop under a tasklet that is still finishing.
     */
    private void finish(T value, Throwable thrown) {
        Tasklet<?> p = parent;
        if (p != null) {
            p.release(this);
        }
        orphanChildren();
        dispatcher.unlinkLive(this);
        WaitQueue<Object> waiting = null;
        WaitTimer timer = null;
        Mailbox box;
        synchronized (this) {
            Extras x = value != null || thrown != null ? extras() : extras;
            if (x != null) {
                timer = x.waitTimer;
                x.waitTimer = null;
                x.locals = null;
                x.result = value;
                x.failure = thrown;
                waiting = x.joiners;
                x.joiners = null;
            }
            state = DONE;
            box = mailbox;
        }
        if (box != null) {
            box.close();
        }
        if (timer != null) {
            timer.cancel(); // on this tasklet's carrier: its armed timer leaves the heap now, not at its deadline
        }
        Relations ended = takeRelations();
        boolean told = (waiting != null && !waiting.isEmpty()) || (ended != null && ended.tellsAnyone());
        if (thrown != null && !(thrown instanceof TaskletExit)) {
            // A failure nobody hears about is logged; a joiner, monitor or link that is told handles it.
            LOG.log(told ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING, "tasklet " + name() + " failed",
                    thrown);
        }
        if (ended != null) {
            ended.announce(this, Ending.of(value, thrown));
        }
        dispatcher.taskletGone();
        dispatcher.group().taskletEnded(this);
        if (waiting != null) {
            for (Waiter<Object> w; (w = waiting.poll()) != null; ) {
                w.complete(null);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // The current tasklet.

    /**
     * The tasklet the caller runs in.
     *
     * @throws IllegalStateException if the caller is not a tasklet
     */
    public static Tasklet<?> current() {
        Tasklet<?> current = currentOrNull();
        if (current == null) {
            throw new IllegalStateException("not in a tasklet: " + Thread.currentThread()
                    + " (start tasklets with Concurrence.run or Dispatcher.spawn)");
        }
        return current;
    }

    /** The tasklet the caller runs in, or null if the caller is not a tasklet. */
    public static Tasklet<?> currentOrNull() {
        Thread thread = Thread.currentThread();
        return thread.isVirtual() ? of(thread) : null;
    }

    /** The tasklet of a virtual thread, or null if the thread is not a tasklet's. */
    static Tasklet<?> of(Thread thread) {
        Thread.UncaughtExceptionHandler handler = thread.getUncaughtExceptionHandler();
        if (handler instanceof Tasklet<?> tasklet) {
            return tasklet;
        }
        return handler instanceof Starting starting ? starting.tasklet : null;
    }

    /**
     * Sleeps for {@code duration} on the dispatcher's clock, letting other tasklets run. Ignores the deadline (a
     * sleep is not a wait for something that may fail); a zero or negative duration yields.
     *
     * @throws TaskletExit if the tasklet is killed while sleeping
     */
    public static void sleep(Duration duration) {
        Tasklet<?> self = currentOrNull();
        if (self == null) {
            sleepThread(duration);
            return;
        }
        Dispatcher dispatcher = self.dispatcher;
        long due = Deadlines.after(dispatcher.nanoTime(), duration);
        if (due <= dispatcher.nanoTime()) {
            Tasklet.yield();
            return;
        }
        self.checkKilled();
        Timer timer = dispatcher.scheduleUnpark(due, self.thread);
        // Only the tasklet and its timer are kept across the park (the due time and the dispatcher are read from
        // them again): every value live there is copied into a sleeping tasklet's stack chunk.
        try {
            while (self.dispatcher.nanoTime() < timer.due) {
                LockSupport.park(timer);
                self.checkKilled();
            }
        } finally {
            self.dispatcher.cancel(timer);
        }
    }

    private static void sleepThread(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TaskletExit("sleep was interrupted");
        }
    }

    /**
     * Lets every other runnable tasklet on this dispatcher run once, then continues: the current tasklet goes to the
     * back of the run queue.
     *
     * @throws TaskletExit if the tasklet was killed
     */
    public static void yield() {
        Tasklet<?> self = currentOrNull();
        if (self != null) {
            self.checkKilled();
        }
        Thread.yield();
        if (self != null) {
            self.checkKilled();
        }
    }

    /**
     * The current tasklet's deadline combined with {@code timeout}: the earlier of the two, as an absolute time on
     * the dispatcher's clock ({@code Long.MAX_VALUE} for none). A null {@code timeout} means the current deadline
     * alone. For building blocking primitives with {@link Waiter}.
     */
    public static long deadline(Duration timeout) {
        Tasklet<?> self = currentOrNull();
        if (self == null) {
            return Deadlines.after(System.nanoTime(), timeout);
        }
        long current = self.currentDeadline();
        if (timeout == null) {
            return current;
        }
        return Math.min(current, Deadlines.after(self.dispatcher.nanoTime(), timeout));
    }

    /**
     * {@code waiter.await(deadline, operation, target)} for a wait of a tasklet's own — a mailbox receive, a call's
     * reply, a delivery's receipt — through one {@link WaitTimer} kept for them all: a tasklet that receives or calls
     * in a loop under a timeout arms the dispatcher's timer heap once per timeout period rather than once per wait.
     * The timer is the waiting tasklet's, made on its first timed wait and disarmed when it ends; a waiter of a plain
     * thread waits as usual. Call from the waiter's own thread.
     */
    static <R> R awaitTimed(Waiter<R> waiter, long deadline, String operation, Object target) {
        Tasklet<?> self = waiter.tasklet();
        if (deadline == Deadlines.NONE || self == null) {
            return waiter.await(deadline, operation, target);
        }
        Extras x = self.extras();
        WaitTimer timer = x.waitTimer;
        if (timer == null) {
            timer = x.waitTimer = new WaitTimer(self.dispatcher);
        }
        return timer.await(waiter, deadline, operation, target);
    }

    /** Fails at once with {@link TaskletExit} if the current tasklet has been killed; else does nothing. */
    public static void checkpoint() {
        Tasklet<?> self = currentOrNull();
        if (self != null) {
            self.checkKilled();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Identity and state.

    /**
     * The tasklet's name: the one it was given, or {@code tasklet-<id>}. A given name is kept as the name of the
     * tasklet's thread, so renaming that thread from inside the tasklet renames a named tasklet too.
     */
    public String name() {
        return named ? thread.getName() : "tasklet-" + id();
    }

    /** Renames the tasklet (and its thread). */
    public void name(String newName) {
        thread.setName(Objects.requireNonNull(newName, "name"));
        named = true;
    }

    /** A number unique in this JVM: its thread's id. */
    public long id() {
        return thread.threadId();
    }

    public boolean isDaemon() {
        return daemon;
    }

    public Dispatcher dispatcher() {
        return dispatcher;
    }

    /** True until the tasklet has ended (normally, by failing, or killed). */
    public boolean isAlive() {
        return state != DONE;
    }

    /** The parent, or null for a daemon, a root, or a tasklet whose parent has ended. */
    public Tasklet<?> parent() {
        return parent;
    }

    /** A snapshot of the living children, in the order they were spawned. */
    public List<Tasklet<?>> children() {
        List<Tasklet<?>> list = new ArrayList<>();
        synchronized (this) {
            Extras x = extras;
            for (Tasklet<?> c = x == null ? null : x.firstChild; c != null; c = c.nextSibling) {
                list.add(c);
            }
        }
        return list.reversed();
    }

    /** This tasklet and its descendants, one per line, indented by depth (pre-order). */
    public String tree() {
        StringBuilder out = new StringBuilder();
        appendTree(out, 0);
        return out.toString();
    }

    void appendTree(StringBuilder out, int depth) {
        out.repeat("  ", depth).append(name()).append(" [").append(stateName()).append("]\n");
        for (Tasklet<?> child : children()) {
            child.appendTree(out, depth + 1);
        }
    }

    private String stateName() {
        if (state == DONE) {
            Throwable failure = failure();
            return failure == null ? "done" : failure instanceof TaskletExit ? "killed" : "failed";
        }
        if (state == NEW) {
            return "new";
        }
        return switch (thread.getState()) {
            case RUNNABLE -> "runnable";
            case WAITING, TIMED_WAITING, BLOCKED -> "waiting";
            default -> thread.getState().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    @Override
    public String toString() {
        return "Tasklet[" + name() + ", " + stateName() + ", on " + dispatcher.name() + "]";
    }

    // ---------------------------------------------------------------------------------------------------------
    // Join and kill.

    /**
     * Waits for the tasklet to end, under the current deadline.
     *
     * @return the tasklet's result
     * @throws JoinError                 if it failed or was killed (the cause says how)
     * @throws DeadlineExceededException if the deadline passed first; the tasklet keeps running
     * @throws TaskletExit               if the joining tasklet is killed, before or while waiting (like every
     *                                   blocking call, a join raises a pending kill even if the tasklet has ended)
     */
    public T join() {
        return join(null);
    }

    /**
     * Waits for the tasklet to end, for at most {@code timeout} (and never past the current deadline).
     *
     * @see #join()
     */
    public T join(Duration timeout) {
        checkpoint(); // a blocking call: a pending kill is raised even if the tasklet has ended, as channels do
        awaitEnd(Tasklet.deadline(timeout));
        return outcome();
    }

    /** Ends the wait with the outcome: the result, or a JoinError. */
    private T outcome() {
        Throwable failure = failure();
        if (failure != null) {
            throw new JoinError(this, failure);
        }
        return result();
    }

    /** The result, once ended (null if it failed). */
    @SuppressWarnings("unchecked")
    private T result() {
        Extras x = extras;
        return x == null ? null : (T) x.result;
    }

    void awaitEnd(long deadline) {
        if (state == DONE) {
            return;
        }
        Tasklet<?> self = currentOrNull();
        if (self == this) {
            throw new IllegalStateException("tasklet " + name() + " cannot join itself");
        }
        Waiter<Object> waiter = Waiter.create();
        synchronized (this) {
            if (state == DONE) {
                return;
            }
            Extras x = extras();
            if (x.joiners == null) {
                x.joiners = new WaitQueue<>();
            }
            x.joiners.add(waiter);
        }
        try {
            waiter.await(deadline, "join of tasklet", name());
        } catch (DeadlineExceededException | TaskletExit cancelled) {
            synchronized (this) {
                if (extras.joiners != null) {
                    extras.joiners.remove(waiter);
                }
            }
            throw cancelled;
        }
    }

    /**
     * Waits for every tasklet in {@code tasklets} under one deadline ({@code timeout} from now, and never past the
     * current deadline) and returns their outcomes in the same order: a failed or killed tasklet's outcome is a
     * {@link Outcome.Failed} holding its {@link JoinError}.
     *
     * @throws DeadlineExceededException if the deadline passed before all ended; they keep running
     * @throws TaskletExit               if the joining tasklet is killed, before or while waiting
     */
    public static <T> List<Outcome<T>> joinAll(List<? extends Tasklet<? extends T>> tasklets, Duration timeout) {
        checkpoint();
        long deadline = Tasklet.deadline(timeout);
        List<Outcome<T>> outcomes = new ArrayList<>(tasklets.size());
        for (Tasklet<? extends T> t : tasklets) {
            t.awaitEnd(deadline);
        }
        for (Tasklet<? extends T> t : tasklets) {
            Throwable failure = t.failure();
            outcomes.add(failure == null ? new Outcome.Succeeded<>(t.result())
                    : new Outcome.Failed<>(new JoinError(t, failure)));
        }
        return outcomes;
    }

    /** {@link #joinAll(List, Duration)} under the current deadline alone. */
    public static <T> List<Outcome<T>> joinAll(List<? extends Tasklet<? extends T>> tasklets) {
        return joinAll(tasklets, null);
    }

    /**
     * Waits until every child of the current tasklet has ended, including children spawned meanwhile, for at most
     * {@code timeout} (null: the current deadline alone).
     *
     * @throws DeadlineExceededException if the deadline passed before all ended; they keep running
     * @throws TaskletExit               if the tasklet is killed, before or while waiting (even without children)
     */
    public static void joinChildren(Duration timeout) {
        Tasklet<?> self = current();
        self.checkKilled();
        long deadline = Tasklet.deadline(timeout);
        List<Tasklet<?>> children;
        while (!(children = self.children()).isEmpty()) {
            for (Tasklet<?> child : children) {
                child.awaitEnd(deadline);
            }
        }
    }

    /**
     * Kills the tasklet: a {@link TaskletExit} is raised in it at its current or next blocking call, or before it
     * starts. Killing an ended tasklet does nothing. Killing oneself throws at once.
     *
     * <p>Each kill is delivered once. Kills that reach the tasklet before it has taken a pending one (and an interrupt
     * of its thread, which counts as a kill) are delivered as one exit, with the first kill's reason; a kill that
     * comes after the tasklet took the previous one is delivered again, even if it caught that exit.
     *
     * <p>Called from a tasklet on the same dispatcher, the killed tasklet runs next (if it was blocked; if it was
     * runnable already, in its turn) and the caller goes to the back of the run queue, so when {@code kill} returns
     * the target has ended, or caught the exit and blocked again.
     * From elsewhere it is asynchronous: {@link #join} to wait for the end. On a dispatcher with a seeded run order
     * ({@link Concurrence.Options#deterministic(long)}) it is asynchronous too: the victim is one of the runnable
     * tasklets the seed draws from, so that what runs between the kill and the end is one of the interleavings
     * explored.
     */
    public void kill() {
        kill("killed by " + describeCaller(), true);
    }

    /**
     * @param switchNow on the caller's own dispatcher, run the victim next and yield (the public contract); false
     *                  for kills sent from inside the runtime (a link's exit), which must not yield
     */
    void kill(String reason, boolean switchNow) {
        if (state == DONE) {
            return;
        }
        Tasklet<?> caller = currentOrNull();
        boolean self = caller == this;
        boolean runNext = switchNow && !self && caller != null && caller.dispatcher == dispatcher && state != NEW;
        // The request and its interrupt are raised in one step under the monitor, which takeKillRequest also takes
        // to clear them: the tasklet never takes the request without the interrupt, so an interrupt landing late
        // cannot raise a second exit for this kill at the next blocking call.
        synchronized (this) {
            Extras x = extras();
            if (x.killReason == null) {
                x.killReason = reason;
            }
            killRequested = true;
            if (!self) {
                // A tasklet's own interrupt wakes it from a park of ours or a blocking call of the JDK's.
                if (runNext) {
                    dispatcher.unparkFirstByInterrupt(thread);
                } else {
                    thread.interrupt();
                }
            }
        }
        if (self) {
            checkKilled();
        } else if (runNext) {
            Thread.yield();
            caller.checkKilled();
        }
    }

    private static String describeCaller() {
        Tasklet<?> caller = currentOrNull();
        return caller != null ? caller.name() : Thread.currentThread().getName();
    }

    /**
     * Records a kill request without an interrupt; used by the tasklet itself when a kill was consumed but must be
     * delivered later (at its next blocking call). Coalesces with any kill arriving meanwhile, like kills do.
     */
    synchronized void requestKill() {
        Extras x = extras;
        if (x != null && x.takenKillReason != null) {
            x.killReason = x.takenKillReason; // the first kill's reason, as for kills merged before they were taken
            x.takenKillReason = null;
        }
        killRequested = true;
    }

    /**
     * Consumes a pending kill request and the interrupt that came with it (an interrupt alone counts as one); called
     * by the tasklet itself. The check is two volatile reads; only a pending kill takes the monitor, under which
     * {@link #kill(String, boolean)} raises the two, so that both are cleared together. The request outlives an
     * interrupt that plain code cleared (by catching an {@link InterruptedException}), so the kill is not lost.
     */
    boolean takeKillRequest() {
        if (!killRequested && !thread.isInterrupted()) {
            return false;
        }
        synchronized (this) {
            boolean interrupted = Thread.interrupted();
            boolean requested = killRequested;
            killRequested = false;
            Extras x = extras;
            if (x != null) {
                // Taken with the request, so that a kill arriving before exitSignal() keeps its own reason
                x.takenKillReason = x.killReason;
                x.killReason = null;
            }
            return requested || interrupted;
        }
    }

    /** The exit for the kill {@link #takeKillRequest()} took last, with its reason. */
    TaskletExit exitSignal() {
        String reason = null;
        synchronized (this) {
            Extras x = extras;
            if (x != null) {
                reason = x.takenKillReason;
                x.takenKillReason = null;
            }
        }
        return new TaskletExit("tasklet " + name() + " " + (reason != null ? reason : "was interrupted"));
    }

    private void checkKilled() {
        if (takeKillRequest()) {
            throw exitSignal();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // The tree.

    private synchronized void adopt(Tasklet<?> child) {
        Extras x = extras();
        child.parent = this;
        child.nextSibling = x.firstChild;
        if (x.firstChild != null) {
            x.firstChild.prevSibling = child;
        }
        x.firstChild = child;
    }

    private synchronized void release(Tasklet<?> child) {
        if (child.parent != this) {
            return;
        }
        if (child.prevSibling != null) {
            child.prevSibling.nextSibling = child.nextSibling;
        } else {
            extras.firstChild = child.nextSibling; // a parent has extras: adopt made them
        }
        if (child.nextSibling != null) {
            child.nextSibling.prevSibling = child.prevSibling;
        }
        child.prevSibling = null;
        child.nextSibling = null;
        child.parent = null;
    }

    private void orphanChildren() {
        List<Tasklet<?>> orphans = children();
        for (Tasklet<?> child : orphans) {
            release(child);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Messages.

    /**
     * This tasklet's mailbox, created on first use. Receiving is for the tasklet itself ({@link Mailbox#receive()});
     * anyone may look at its size and counters.
     */
    public Mailbox mailbox() {
        Mailbox box = mailbox;
        if (box == null) {
            synchronized (this) {
                box = mailbox;
                if (box == null) {
                    box = new Mailbox(this, Integer.MAX_VALUE, Mailbox.Overflow.BLOCK);
                    if (state == DONE) {
                        box.close();
                    }
                    mailbox = box;
                }
            }
        }
        return box;
    }

    /**
     * Sends {@code message} to this tasklet's mailbox. Never blocks in an unbounded mailbox; a bounded one applies
     * its overflow policy (waiting under the sender's deadline for {@link Mailbox.Overflow#BLOCK}). A message to an
     * ended tasklet is dropped and counted. Callable from any thread; messages from one sender arrive in order.
     *
     * @return true if the message was queued; false if it was dropped: this tasklet has ended, or its mailbox is
     *         bounded with {@link Mailbox.Overflow#DROP_NEWEST} and full
     * @throws MailboxFullException if the mailbox is bounded with {@link Mailbox.Overflow#FAIL} and full
     */
    public boolean send(Object message) {
        Objects.requireNonNull(message, "message");
        // Even to a tasklet that ended without a mailbox: the (closed) mailbox is what counts the dropped message.
        return mailbox().post(message, Mailbox.SENDERS_DEADLINE);
    }

    /**
     * Sends {@code request} and waits for the reply, under the current deadline.
     *
     * @return what the receiver passed to {@link Mailbox#reply} or {@link Envelope#reply}
     * @throws DeadlineExceededException if no reply came in time; the message names this tasklet and the request's
     *                                   type; a reply that comes later is dropped (never blocking the replier). A
     *                                   deadline that had already passed fails the call at once, sending nothing
     * @throws TaskletExit               if the caller is killed, before (then nothing is sent) or while waiting
     * @throws IllegalStateException     if this tasklet ended before replying (at once, not at the deadline)
     * @throws MailboxFullException      if its bounded mailbox was full and the call was dropped ({@link
     *                                   Mailbox.Overflow#DROP_NEWEST}) or refused ({@link Mailbox.Overflow#FAIL})
     * @throws RuntimeException          the failure the receiver replied with ({@link Mailbox#replyFailure})
     */
    public Object call(Object request) {
        return call(request, (Duration) null);
    }

    /**
     * {@link #call(Object)}, waiting at most {@code timeout} in all: for room in a full bounded mailbox, then for the
     * reply.
     */
    public Object call(Object request, Duration timeout) {
        Objects.requireNonNull(request, "request");
        Tasklet<?> caller = currentOrNull();
        if (caller == this) {
            throw new IllegalStateException("tasklet " + name() + " cannot call itself: it would wait for its own reply");
        }
        checkpoint(); // before the request is sent: a call that fails at once must not reach the receiver
        Waiter<Object> replyTo = Waiter.create();
        Envelope envelope = new Envelope(request, caller, replyTo, null);
        long deadline = Tasklet.deadline(timeout); // one deadline for the room in a full mailbox and the reply
        if (hasPassed(deadline)) {
            throw callTimedOut(envelope, Duration.ZERO); // no reply can come in time: nothing is sent
        }
        mailbox().post(envelope, deadline);
        try {
            return awaitTimed(replyTo, deadline, "call to tasklet", this);
        } catch (DeadlineExceededException late) {
            throw callTimedOut(envelope, late.waited());
        }
    }

    /** The timeout of a call, naming the request: built here, on the rare path, instead of for every call. */
    private DeadlineExceededException callTimedOut(Envelope envelope, Duration waited) {
        return new DeadlineExceededException("call with " + envelope.describeBody() + " to tasklet " + name(), waited);
    }

    /** True if {@code deadline}, from {@link #deadline(Duration)}, has passed on the caller's clock. */
    private static boolean hasPassed(long deadline) {
        if (deadline == Deadlines.NONE) {
            return false;
        }
        Tasklet<?> self = currentOrNull();
        return (self == null ? System.nanoTime() : self.dispatcher.nanoTime()) >= deadline;
    }

    /** {@link #call(Object, Duration)} whose reply must be a {@code replyType}. */
    public <R> R call(Object request, Class<R> replyType, Duration timeout) {
        Object reply = call(request, timeout);
        if (reply != null && !replyType.isInstance(reply)) {
            throw new ClassCastException("tasklet " + name() + " replied to " + request.getClass().getSimpleName()
                    + " with a " + reply.getClass().getName() + ", not a " + replyType.getName());
        }
        return replyType.cast(reply);
    }

    /**
     * Sends {@code message} and waits until this tasklet has received it (asyncoro's deliver): when it returns, the
     * message has been taken out of the mailbox.
     *
     * @throws DeadlineExceededException if it was not received in time; the message is then withdrawn, so it will
     *                                   never be received
     * @throws IllegalStateException     if this tasklet ended (or had ended) before receiving it (at once)
     * @throws MailboxFullException      if its bounded mailbox was full and the message was dropped ({@link
     *                                   Mailbox.Overflow#DROP_NEWEST}) or refused ({@link Mailbox.Overflow#FAIL})
     */
    public void deliver(Object message, Duration timeout) {
        Objects.requireNonNull(message, "message");
        Waiter<Object> receipt = Waiter.create();
        Envelope envelope = new Envelope(message, currentOrNull(), null, receipt);
        Mailbox box = mailbox();
        long deadline = Tasklet.deadline(timeout); // one deadline for the room in a full mailbox and the receipt
        box.post(envelope, deadline);
        try {
            awaitTimed(receipt, deadline, "delivery of " + envelope.describeBody() + " to tasklet", name());
        } catch (DeadlineExceededException | TaskletExit cancelled) {
            if (box.withdraw(envelope) || cancelled instanceof TaskletExit) {
                throw cancelled;
            }
            if (!envelope.wasTaken()) {
                // Neither in the mailbox nor received: the mailbox was closed with it inside.
                throw envelope.endedBeforeReceiving(this);
            }
            // Received just as the deadline passed: it was delivered.
        }
    }

    /** Sends a notice of the runtime ({@link Down}, {@link Exit}): never waits or fails, even in a full mailbox. */
    boolean sendNotice(Object notice) {
        return mailbox().postNotice(notice);
    }

    /** Passes a received envelope on to this tasklet, which then replies to the original caller. */
    public void forward(Envelope envelope) {
        mailbox().post(Objects.requireNonNull(envelope, "envelope"), Mailbox.SENDERS_DEADLINE);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Monitors, links, names, hot swap.

    /**
     * Makes the current tasklet a monitor of this one: when this tasklet ends, the monitor receives a {@link Down}
     * message saying how (normal with its result, failed with the cause, killed). Monitoring a tasklet that has
     * already ended sends the message at once. Monitoring twice sends two messages. The message is queued even if
     * the monitor's bounded mailbox is full (see {@link Mailbox}).
     */
    public void monitor() {
        Tasklet<?> watcher = current();
        // The watcher notes it first, so that this tasklet's end, once it lists the watcher, finds the note to remove.
        synchronized (watcher) {
            watcher.relations().watch(this);
        }
        Ending ending = null;
        synchronized (this) {
            if (state == DONE) {
                ending = Ending.of(result(), failure());
            } else {
                relations().monitors.add(watcher);
            }
        }
        if (ending != null) {
            synchronized (watcher) {
                watcher.relations().unwatch(this);
            }
            watcher.sendNotice(new Down(this, ending));
        }
    }

    /** Stops the current tasklet monitoring this one (once, if it monitored it several times). */
    public void demonitor() {
        Tasklet<?> watcher = current();
        boolean removed = false;
        synchronized (this) {
            Relations relations = relationsOrNull();
            if (relations != null) {
                removed = relations.monitors.remove(watcher);
            }
        }
        if (removed) {
            synchronized (watcher) {
                watcher.relations().unwatch(this);
            }
        }
    }

    /**
     * Links the current tasklet and this one, both ways, as in Erlang: when either ends abnormally (failed or
     * killed), the other is killed too, unless it {@linkplain #trapExits traps exits}, in which case it receives an
     * {@link Exit} message instead. A normal end reaches only a trapping partner, as a message. Linking to a tasklet
     * that has already ended acts as if it ended now. Linking twice makes one link (unlike monitoring): one
     * {@link #unlink()} breaks it, and an end sends one {@link Exit}.
     */
    public void link() {
        Tasklet<?> self = current();
        if (self == this) {
            throw new IllegalStateException("tasklet " + name() + " cannot link to itself");
        }
        Ending ending = null;
        synchronized (this) {
            if (state == DONE) {
                ending = Ending.of(result(), failure());
            } else {
                Relations.addLink(relations(), self);
            }
        }
        if (ending != null) {
            Relations.signalExit(self, this, ending);
            return;
        }
        synchronized (self) {
            Relations.addLink(self.relations(), this);
        }
    }

    /** Removes the link between the current tasklet and this one. */
    public void unlink() {
        Tasklet<?> self = current();
        synchronized (this) {
            Relations relations = relationsOrNull();
            if (relations != null) {
                relations.links.remove(self);
            }
        }
        synchronized (self) {
            Relations relations = self.relationsOrNull();
            if (relations != null) {
                relations.links.remove(this);
            }
        }
    }

    /**
     * Sets whether the current tasklet traps exits: when trapping, the abnormal end of a linked tasklet arrives as an
     * {@link Exit} message instead of killing it.
     */
    public static void trapExits(boolean trap) {
        Tasklet<?> self = current();
        synchronized (self) {
            self.relations().trapExits = trap;
        }
    }

    boolean trapsExits() {
        synchronized (this) {
            Relations relations = relationsOrNull();
            return relations != null && relations.trapExits;
        }
    }

    /** Registers this tasklet under {@code name} in its group's {@link Registry}; the name is freed when it ends. */
    public Tasklet<T> register(String name) {
        dispatcher.group().registry().register(name, this);
        return this;
    }

    /** The name this tasklet is registered under, if any. */
    public java.util.Optional<String> registeredName() {
        synchronized (this) {
            Relations relations = relationsOrNull();
            return java.util.Optional.ofNullable(relations == null ? null : relations.registeredName);
        }
    }

    void registeredAs(String name, Registry registry) {
        synchronized (this) {
            if (name != null) {
                if (state == DONE) {
                    throw new IllegalStateException("tasklet " + name() + " has ended and cannot be registered");
                }
                Relations r = relations();
                if (r.registeredName != null && !r.registeredName.equals(name)) {
                    throw new IllegalStateException("tasklet " + name() + " is registered as '" + r.registeredName
                            + "' already");
                }
                r.registeredName = name;
                r.registry = registry;
            } else if (relationsOrNull() != null) {
                Relations relations = relationsOrNull();
                relations.registeredName = null;
                relations.registry = null;
            }
        }
    }

    /**
     * Asks this tasklet to replace its behaviour with {@code behaviour}, keeping its identity, name, relations and
     * unread messages (asyncoro's hot swap). The request is raised as a {@link HotSwap} inside the tasklet at its
     * next safe point — a wait in {@link Mailbox#receive()} — where the tasklet may refuse it.
     *
     * @return true if the new behaviour took over; false if the tasklet refused or ended first
     * @throws DeadlineExceededException if the tasklet reached no safe point in time: the request is withdrawn; or if
     *                                   it took the request at a safe point but had not decided by the deadline (it
     *                                   was still leaving its old behaviour): the message says so, and the swap may
     *                                   still take over
     * @throws TaskletExit               if the requester is killed while waiting: the request is withdrawn, unless
     *                                   the tasklet took it already
     */
    public boolean hotSwap(Callable<? extends T> behaviour, Duration timeout) {
        Objects.requireNonNull(behaviour, "behaviour");
        if (currentOrNull() == this) {
            throw new IllegalStateException("tasklet " + name() + " cannot hot-swap itself; return the new behaviour's "
                    + "work instead");
        }
        Waiter<Boolean> decision = Waiter.create();
        HotSwap swap = new HotSwap(behaviour, decision);
        synchronized (this) {
            if (state == DONE) {
                return false;
            }
            Extras x = extras();
            if (x.pendingSwap != null) {
                throw new IllegalStateException("tasklet " + name() + " has a hot swap pending already");
            }
            x.pendingSwap = swap;
        }
        mailbox().wakeReceiver();
        try {
            return decision.await(Tasklet.deadline(timeout), "hot swap of tasklet", name());
        } catch (DeadlineExceededException | TaskletExit cancelled) {
            boolean taken;
            synchronized (this) {
                if (extras.pendingSwap == swap) {
                    extras.pendingSwap = null; // withdrawn: it will never be raised
                }
                taken = swap.wasTaken();
            }
            if (taken && cancelled instanceof DeadlineExceededException late) {
                throw new DeadlineExceededException("hot swap of tasklet " + name() + " (taken at its safe point, not "
                        + "decided yet: it may still take over)", late.waited());
            }
            throw cancelled;
        }
    }

    /** True if a hot swap waits for this tasklet's next safe point; any thread. */
    boolean hasPendingHotSwap() {
        Extras x = extras;
        return x != null && x.pendingSwap != null;
    }

    /** Called at a safe point: the hot swap to raise here, if one is pending. */
    HotSwap takeHotSwap() {
        Extras x = extras;
        if (x == null || x.pendingSwap == null) {
            return null;
        }
        synchronized (this) {
            HotSwap swap = x.pendingSwap;
            x.pendingSwap = null;
            if (swap != null) {
                swap.markTaken(); // under the monitor, so that a requester giving up sees it taken or withdraws it
            }
            return swap;
        }
    }

    /** Monitors, links, exit trapping and the registered name, made on first use; call holding this monitor. */
    private Relations relations() {
        Extras x = extras();
        if (x.relations == null) {
            x.relations = new Relations();
        }
        return x.relations;
    }

    /** The relations if there are any; call holding this monitor. */
    Relations relationsOrNull() {
        Extras x = extras;
        return x == null ? null : x.relations;
    }

    private Relations takeRelations() {
        HotSwap unanswered = null;
        Relations taken = null;
        synchronized (this) {
            Extras x = extras;
            if (x != null) {
                taken = x.relations;
                x.relations = null;
                unanswered = x.pendingSwap;
                x.pendingSwap = null;
            }
        }
        if (unanswered != null) {
            unanswered.refuse();
        }
        return taken;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Periodic tasklets.

    /** Spawns a tasklet that runs {@code action} once after {@code delay}; kill it to cancel. */
    public static Tasklet<Void> later(Duration delay, Runnable action) {
        return spawn(() -> {
            sleep(delay);
            action.run();
        });
    }

    /**
     * Spawns a tasklet that calls {@code action} over and over. A failure is logged and followed by a pause of one
     * second, then the loop goes on; only killing the tasklet ends it.
     */
    public static Tasklet<Void> loop(Runnable action) {
        return spawn(() -> Periodic.loop(action));
    }

    /**
     * Spawns a tasklet that calls {@code action} every {@code period}, first at once if {@code immediate}, else after
     * one period. Ticks keep to the schedule (no drift); if a call overruns, missed ticks are skipped. A failure is
     * logged and the schedule goes on.
     */
    public static Tasklet<Void> interval(Duration period, Runnable action, boolean immediate) {
        return spawn(() -> Periodic.interval(period, action, immediate));
    }

    /** Spawns a tasklet that calls {@code action} {@code perSecond} times a second, evenly spaced. */
    public static Tasklet<Void> rate(double perSecond, Runnable action) {
        if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("rate must be a positive number of calls per second: " + perSecond);
        }
        return interval(Duration.ofNanos(Math.max(1, Math.round(1e9 / perSecond))), action, true);
    }

    // Used by the package.

    Thread thread() {
        return thread;
    }

    /** The failure, once ended (null if it ended normally). */
    Throwable failure() {
        Extras x = extras;
        return x == null ? null : x.failure;
    }

    /** The current deadline on the dispatcher's clock; for this tasklet only. */
    long currentDeadline() {
        Extras x = extras;
        return x == null ? Deadlines.NONE : x.deadline;
    }

    /** The innermost open {@link Timeout} scope, or null; for this tasklet only. */
    Timeout timeoutScope() {
        Extras x = extras;
        return x == null ? null : x.timeoutScope;
    }

    /** Sets the deadline and the scope that set it (or restores the enclosing ones); for this tasklet only. */
    void deadlineScope(long deadline, Timeout scope) {
        Extras x = extras();
        x.deadline = deadline;
        x.timeoutScope = scope;
    }

    /** The task-local values, or null if none was set; for this tasklet (or its spawner before it starts). */
    TaskLocal.Values locals() {
        Extras x = extras;
        return x == null ? null : x.locals;
    }

    /** The task-local values, made on first use; for this tasklet only. */
    TaskLocal.Values localsForUpdate() {
        Extras x = extras();
        if (x.locals == null) {
            x.locals = new TaskLocal.Values();
        }
        return x.locals;
    }
}
