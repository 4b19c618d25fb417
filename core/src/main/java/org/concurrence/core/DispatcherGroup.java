package org.concurrence.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A group of dispatchers, by default one per core: one program spread over all cores, shard-per-core. A server
 * spreads its connections over the group with {@link #next()}; tasklets on different dispatchers talk through
 * channels and messages, which are safe across dispatchers.
 *
 * <p>Thread-safety: every method may be called from any thread. {@link #run} and {@link #awaitQuit} block the
 * calling thread (which should not be one of the group's own tasklets).
 */
public final class DispatcherGroup implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DispatcherGroup.class.getName());
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(5);

    private final Concurrence.Options options;
    private final Dispatcher[] dispatchers;
    private final AtomicInteger nextIndex = new AtomicInteger();
    private final AtomicInteger nonDaemonAlive = new AtomicInteger();
    private final Object signal = new Object();
    private final Registry registry = new Registry();
    private volatile Integer exitCode;
    private volatile IllegalStateException deadlock;
    private volatile boolean closed;
    /** The main tasklet of {@link #run}: if it fails, run stops waiting for the others. */
    private volatile Tasklet<?> main;
    private volatile boolean mainFailed;

    private DispatcherGroup(Concurrence.Options options) {
        this.options = options;
        this.dispatchers = new Dispatcher[options.dispatchers()];
        for (int i = 0; i < dispatchers.length; i++) {
            dispatchers[i] = new Dispatcher(this, i, options);
        }
    }

    /** Starts a group: its carrier threads run until {@link #close()}. */
    public static DispatcherGroup start(Concurrence.Options options) {
        DispatcherGroup group = new DispatcherGroup(options);
        for (Dispatcher d : group.dispatchers) {
            d.start();
        }
        return group;
    }

    public Concurrence.Options options() {
        return options;
    }

    public int size() {
        return dispatchers.length;
    }

    /** The names of this group's tasklets. */
    public Registry registry() {
        return registry;
    }

    /** The dispatcher at {@code index}, from 0. */
    public Dispatcher dispatcher(int index) {
        return dispatchers[index];
    }

    public List<Dispatcher> dispatchers() {
        return List.of(dispatchers);
    }

    /** The next dispatcher in round-robin order: how a server spreads its connections. */
    public Dispatcher next() {
        return dispatchers[Math.floorMod(nextIndex.getAndIncrement(), dispatchers.length)];
    }

    /**
     * Runs {@code main} as a tasklet on the first dispatcher and blocks the calling thread until no non-daemon
     * tasklet is left (main and everything it spawned that is not a daemon), main fails, or {@link #quit} is called.
     * Then the group is closed by the caller ({@link Concurrence#run} does it): whatever is left is killed.
     *
     * @return main's result
     * @throws JoinError             if main failed with a checked exception or was killed
     * @throws RuntimeException      main's own unchecked failure, as it is (so a test's assertion error shows as such)
     * @throws IllegalStateException on virtual time, if every tasklet ended up waiting with no timer left (deadlock)
     */
    public <T> T run(Callable<T> main) {
        Tasklet<T> mainTasklet = Tasklet.builder().name("main").on(dispatchers[0]).spawn(main);
        this.main = mainTasklet;
        awaitQuiet(mainTasklet);
        if (deadlock != null) {
            throw deadlock;
        }
        if (mainTasklet.isAlive()) {
            mainTasklet.kill();
            mainTasklet.awaitEnd(Deadlines.after(System.nanoTime(), SHUTDOWN_GRACE));
        }
        Throwable failure = mainTasklet.failure();
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e && !(e instanceof TaskletExit)) {
            throw e;
        }
        return mainTasklet.join(Duration.ZERO);
    }

    /** Blocks until {@link #quit} is called; returns its exit code. */
    public int awaitQuit() throws InterruptedException {
        synchronized (signal) {
            while (exitCode == null) {
                signal.wait();
            }
            return exitCode;
        }
    }

    /** Ends {@link #run} or {@link #awaitQuit} with {@code code}; the first code wins. */
    public void quit(int code) {
        synchronized (signal) {
            if (exitCode == null) {
                exitCode = code;
            }
            signal.notifyAll();
        }
    }

    /** Every live tasklet of the group as a tree: roots (daemons, main, orphans) in spawn order, children indented. */
    public String dumpTree() {
        List<Tasklet<?>> roots = new ArrayList<>();
        for (Dispatcher d : dispatchers) {
            for (Tasklet<?> t : d.tasklets()) {
                if (t.parent() == null) {
                    roots.add(t);
                }
            }
        }
        roots.sort(Comparator.comparingLong(Tasklet::id));
        StringBuilder out = new StringBuilder();
        for (Tasklet<?> root : roots) {
            root.appendTree(out, 0);
        }
        return out.toString();
    }

    /** Counters of every dispatcher. */
    public List<Dispatcher.Statistics> statistics() {
        List<Dispatcher.Statistics> all = new ArrayList<>();
        for (Dispatcher d : dispatchers) {
            all.add(d.statistics());
        }
        return all;
    }

    /**
     * Kills every tasklet, waits up to five seconds for them to end, and stops the carrier threads. Tasklets that
     * catch {@link TaskletExit} and keep blocking are given up on (the carriers are daemon threads). Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        long deadline = System.nanoTime() + SHUTDOWN_GRACE.toNanos();
        for (Dispatcher d : dispatchers) {
            d.stop();
        }
        try {
            for (Dispatcher d : dispatchers) {
                while (!d.awaitTermination(Duration.ofMillis(20))) {
                    for (Tasklet<?> t : d.tasklets()) {
                        t.kill();
                    }
                    if (System.nanoTime() > deadline) {
                        LOG.log(System.Logger.Level.WARNING, "dispatcher " + d.name()
                                + " did not stop within " + SHUTDOWN_GRACE + "; still alive:\n" + dumpTree());
                        break;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        quit(0);
    }

    // ---------------------------------------------------------------------------------------------------------

    void taskletStarted(Tasklet<?> tasklet) {
        if (closed && !tasklet.isDaemon()) {
            // Still counted, so that a spawn during shutdown is killed and waited for like the others.
            LOG.log(System.Logger.Level.DEBUG, "tasklet " + tasklet.name() + " spawned while the group is closing");
        }
        if (!tasklet.isDaemon()) {
            nonDaemonAlive.incrementAndGet();
        }
    }

    void taskletEnded(Tasklet<?> tasklet) {
        boolean failedMain = tasklet == main && tasklet.failure() != null;
        if ((!tasklet.isDaemon() && nonDaemonAlive.decrementAndGet() == 0) || failedMain) {
            synchronized (signal) {
                mainFailed |= failedMain;
                signal.notifyAll();
            }
        }
    }

    void deadlocked(Dispatcher dispatcher) {
        if (deadlock != null || nonDaemonAlive.get() == 0) {
            return;
        }
        synchronized (signal) {
            deadlock = new IllegalStateException("deadlock on virtual time: every tasklet of " + dispatcher.name()
                    + " is waiting and no timer is armed, so none can ever wake:\n" + dumpTree());
            signal.notifyAll();
        }
    }

    /**
     * Waits until no non-daemon tasklet is left, {@link #quit} is called, a deadlock is found, or {@code main} fails.
     * Main's failure is also checked here, not only signalled by {@link #taskletEnded}: main may fail before the
     * field that lets {@code taskletEnded} recognise it is set.
     */
    private void awaitQuiet(Tasklet<?> mainTasklet) {
        synchronized (signal) {
            while (nonDaemonAlive.get() > 0 && exitCode == null && deadlock == null && !mainFailed
                    && (mainTasklet.isAlive() || mainTasklet.failure() == null)) {
                try {
                    signal.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new TaskletExit("interrupted while waiting for the group's tasklets");
                }
            }
        }
    }
}
