package org.concurrence.supervision;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.JoinError;
import org.concurrence.core.TaskLocal;
import org.concurrence.core.Tasklet;
import org.concurrence.core.TaskletExit;
import org.concurrence.core.Waiter;

/**
 * A supervisor: a tasklet that starts child tasklets in order, restarts them when they end according to their
 * {@link Restart} policy and its {@link Strategy}, gives up when they need restarting too often, and stops them in
 * reverse order when it stops. This class is the handle to a running supervisor.
 * <pre>{@code
 * Supervisor workers = Supervisor.start(SupervisorSpec.builder("workers")
 *         .intensity(3, Duration.ofSeconds(5))
 *         .child(ChildSpec.of("worker", Worker::serve).withRegisteredName("worker"))
 *         .build());
 * ...
 * workers.stop(Duration.ofSeconds(10));
 * }</pre>
 *
 * <p><b>Starting.</b> Children start one at a time, in spec order; a child counts as <i>started</i> when its body
 * has begun — after it registered its name, if it has one — or, for a child with a
 * {@linkplain ChildSpec#readyTimeout() ready timeout}, when it calls {@link #ready()}. Only then does the next child
 * start. (On one dispatcher a child started this way has also run up to its first blocking call, since a tasklet
 * runs until it blocks.) A child supervisor is ready once all its own children have started.
 *
 * <p><b>Restarting.</b> A restarted child is a new tasklet with the same name, on the same dispatcher, registered
 * under the same registered name, running a fresh body from its spec's factory. At most
 * {@link SupervisorSpec#maxRestarts()} restarts are allowed within {@link SupervisorSpec#period()}, measured on the
 * supervisor's dispatcher clock; one more and the supervisor stops all its children in reverse order and fails with
 * {@link SupervisorGaveUpException}, which its monitors (a parent supervisor) see as a failure.
 *
 * <p><b>Stopping.</b> A child is stopped by killing it and waiting for its end for at most its
 * {@linkplain ChildSpec#shutdown() shutdown time}; children are stopped in reverse start order. The supervisor stops
 * its children whenever it ends: by {@link #stop}, by giving up, or by being killed. Killed again while it stops
 * them, it kills the rest without waiting for their ends (a second kill means "now"), so those may outlive it by the
 * time their exits take. A child still alive after its shutdown time is left to end by itself while the supervisor
 * goes on (a restart then runs beside it: a child with a registered name fails to restart while the old one holds
 * it, which counts against the intensity).
 *
 * <p><b>How it watches.</b> The supervisor <i>monitors</i> each child (it gets a {@link org.concurrence.core.Down}
 * message when the child ends) rather than linking to it: a monitor is one-way, so a child's own links and exit
 * trapping stay the child's business, and the supervisor, not the runtime, decides in which order children are
 * stopped. Children are its tree children; they may run on other dispatchers. The supervisor refuses hot swaps.
 * It traps exits, as an OTP supervisor does: a child that links to it and fails is handled by its policy like any
 * other (the supervisor does not die with it), while a linked tasklet that is not a child and ends abnormally (a
 * parent that linked to it) ends the supervisor, which stops its children first.
 *
 * <p><b>Thread-safety.</b> A handle may be used from any tasklet or thread. {@link #children()} and
 * {@link #restartCount()} read a snapshot the supervisor publishes after each change, without waiting.
 */
public final class Supervisor {
    /** Running supervisors by their tasklet, for {@link #of}. */
    private static final Map<Tasklet<?>, Supervisor> RUNNING = new ConcurrentHashMap<>();

    /** In a child that must call {@link #ready()}: the supervisor to tell. */
    private static final TaskLocal<Tasklet<?>> READY_TO_TELL = TaskLocal.create();

    private final SupervisorSpec spec;
    private volatile Tasklet<?> tasklet;
    /** What the supervisor last published; replaced as a whole, so children and count always agree. */
    private volatile Snapshot snapshot;

    private record Snapshot(List<Child> children, int restarts) {}

    /** The supervisor's own message: stop (the handle then waits for its end). */
    record Stop() {}

    /**
     * One child as its supervisor sees it, in a snapshot.
     *
     * @param name     the child's name (and tasklet name)
     * @param tasklet  the running incarnation, or null if the child is not running (not started yet, retired, or
     *                 stopped)
     * @param restart  its restart policy
     * @param restarts how many times it has been started again
     */
    public record Child(String name, Tasklet<?> tasklet, Restart restart, int restarts) {
        /** True if an incarnation was running when the snapshot was taken. */
        public boolean isRunning() {
            return tasklet != null;
        }
    }

    Supervisor(SupervisorSpec spec) {
        this.spec = spec;
        this.snapshot = new Snapshot(spec.children().stream().map(c -> new Child(c.name(), null, c.restart(), 0))
                .toList(), 0);
    }

    /**
     * Starts a supervisor running {@code spec} in a new tasklet and waits until it has started all its children
     * (see the class comment for what "started" means), under the current deadline. The supervisor is a child of the
     * calling tasklet (unless {@linkplain SupervisorSpec#daemon() daemon}), placed on {@link SupervisorSpec#dispatcher()}
     * or the caller's dispatcher; as a non-daemon tasklet it keeps {@link org.concurrence.core.Concurrence#run}
     * waiting until it is stopped.
     *
     * @throws ChildStartException       if a child could not be started; the children started before it have been
     *                                   stopped and the supervisor has failed with the same exception
     * @throws DeadlineExceededException if the children had not all started in time; the supervisor is then killed
     *                                   (and stops what it had started)
     * @throws TaskletExit               if the caller is killed meanwhile; the supervisor is killed too
     * @throws IllegalStateException     if called outside a tasklet without a dispatcher in the spec; or if the
     *                                   supervisor itself was killed (or failed with an error) while starting its
     *                                   children, with that as the cause
     */
    public static Supervisor start(SupervisorSpec spec) {
        return start(spec, null);
    }

    /** {@link #start(SupervisorSpec)}, waiting at most {@code timeout} (null: the current deadline alone). */
    public static Supervisor start(SupervisorSpec spec, Duration timeout) {
        Objects.requireNonNull(spec, "spec");
        Supervisor handle = new Supervisor(spec);
        Waiter<Object> started = Waiter.create();
        Tasklet.Builder builder = Tasklet.builder().name(spec.name()).daemon(spec.daemon());
        if (spec.dispatcher() != null) {
            builder.on(spec.dispatcher());
        }
        Tasklet<Void> supervisor = builder.spawn(() -> new SupervisorLoop(spec, handle, started).run());
        handle.attach(supervisor);
        try {
            started.await(Tasklet.deadline(timeout), "start of the children of supervisor", spec.name());
        } catch (DeadlineExceededException | TaskletExit cancelled) {
            supervisor.kill();
            throw cancelled;
        }
        return handle;
    }

    /**
     * Runs a supervisor for {@code spec} in the current tasklet, which becomes the supervisor: it starts the
     * children, then supervises them until {@link #stop} (then returns) or until it gives up (then throws). This is
     * the body of a {@linkplain ChildSpec#supervisor(SupervisorSpec) child supervisor}; the spec's dispatcher and
     * daemon settings do not apply. If the current tasklet is a supervised child waiting to be ready, it calls
     * {@link #ready()} once all children have started. {@link #of} finds the handle meanwhile.
     *
     * @throws ChildStartException        if a child could not be started at first
     * @throws SupervisorGaveUpException  if the children needed more restarts than the intensity allows
     * @throws TaskletExit                if the tasklet is killed; the children are stopped first
     */
    public static void supervise(SupervisorSpec spec) {
        Objects.requireNonNull(spec, "spec");
        new SupervisorLoop(spec, new Supervisor(spec), null).run();
    }

    /** The handle of the supervisor running in {@code tasklet}, if it is one and still running. */
    public static Optional<Supervisor> of(Tasklet<?> tasklet) {
        return Optional.ofNullable(RUNNING.get(tasklet));
    }

    /**
     * Tells the supervisor of the current tasklet that it has started, for a child with a
     * {@linkplain ChildSpec#readyTimeout() ready timeout}: its supervisor starts the next child only after this.
     * Never waits.
     *
     * @return true if a supervisor was waiting for it; false if none was (not a supervised child, a child that counts
     *         as started when its body begins, or one that was ready already)
     * @throws IllegalStateException if not called from a tasklet
     */
    public static boolean ready() {
        Tasklet<?> supervisor = READY_TO_TELL.get();
        if (supervisor == null) {
            return false;
        }
        READY_TO_TELL.remove();
        supervisor.send(new SupervisorLoop.Started(Tasklet.current()));
        return true;
    }

    /** Makes the current tasklet, a child just started, tell {@code supervisor} when it calls {@link #ready()}. */
    static void awaitReady(Tasklet<?> supervisor) {
        READY_TO_TELL.set(supervisor);
    }

    // ---------------------------------------------------------------------------------------------------------

    /** The spec this supervisor runs. */
    public SupervisorSpec spec() {
        return spec;
    }

    /** The supervisor's name, also its tasklet's. */
    public String name() {
        return spec.name();
    }

    /** The supervisor's tasklet: monitor or join it to learn how it ended. */
    public Tasklet<?> tasklet() {
        return tasklet;
    }

    /** The children in spec order as the supervisor last published them; never waits. */
    public List<Child> children() {
        return snapshot.children();
    }

    /**
     * The running incarnation of the child named {@code name}, if it is running; never waits.
     *
     * @throws IllegalArgumentException if the supervisor has no child of that name
     */
    public Optional<Tasklet<?>> child(String name) {
        List<Child> children = snapshot.children();
        for (Child c : children) {
            if (c.name().equals(name)) {
                return Optional.ofNullable(c.tasklet());
            }
        }
        throw new IllegalArgumentException("supervisor " + name() + " has no child named '" + name + "'; it has "
                + children.stream().map(Child::name).toList());
    }

    /**
     * How many restarts the supervisor has made, each counted against the intensity once: a one-for-all restart
     * of three children counts once. {@link Child#restarts()} counts per child.
     */
    public int restartCount() {
        return snapshot.restarts();
    }

    /** {@link #stop(Duration)} under the current deadline alone. */
    public void stop() {
        stop(null);
    }

    /**
     * Asks the supervisor to stop and waits until it has ended: it first stops its children in reverse start order,
     * each within its shutdown time, then ends normally (so a parent supervisor does not restart a
     * {@link Restart#TRANSIENT} child supervisor stopped this way). The request waits behind any restart in
     * progress. Stopping a supervisor that has ended returns at once, whatever its ending.
     *
     * @throws DeadlineExceededException if it had not ended within {@code timeout} (and the current deadline); it goes
     *                                   on stopping
     * @throws TaskletExit               if the caller is killed while waiting
     * @throws IllegalStateException     if called by the supervisor itself
     */
    public void stop(Duration timeout) {
        Tasklet<?> self = tasklet;
        self.send(new Stop());
        try {
            self.join(timeout);
        } catch (JoinError ended) {
            // It ended abnormally before or while stopping (gave up, or was killed): stopped all the same.
        }
    }

    @Override
    public String toString() {
        Snapshot now = snapshot;
        long running = now.children().stream().filter(Child::isRunning).count();
        Tasklet<?> t = tasklet;
        return "Supervisor[" + name() + ", " + spec.strategy() + ", " + running + " of " + now.children().size()
                + " children running, " + now.restarts() + " restarts" + (t != null && !t.isAlive() ? ", ended" : "")
                + "]";
    }

    // Used by SupervisorLoop, on the supervisor's tasklet.

    void attach(Tasklet<?> supervisor) {
        this.tasklet = supervisor;
    }

    void running(Tasklet<?> supervisor) {
        attach(supervisor);
        RUNNING.put(supervisor, this);
    }

    void ended(Tasklet<?> supervisor) {
        RUNNING.remove(supervisor, this);
    }

    void publish(List<Child> children, int restarts) {
        this.snapshot = new Snapshot(children, restarts);
    }
}
