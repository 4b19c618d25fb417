package org.concurrence.supervision;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Down;
import org.concurrence.core.Ending;
import org.concurrence.core.Envelope;
import org.concurrence.core.Exit;
import org.concurrence.core.HotSwap;
import org.concurrence.core.Mailbox;
import org.concurrence.core.Tasklet;
import org.concurrence.core.TaskletExit;
import org.concurrence.core.Timeout;
import org.concurrence.core.Waiter;

/**
 * The body of a supervisor's tasklet: start the children, then handle one message at a time until stopped.
 *
 * <p>Everything here runs in the supervisor's tasklet and is confined to it; the {@link Supervisor} handle gets
 * immutable snapshots. The supervisor learns of a child's end from the {@link Down} message of its monitor; a
 * {@code Down} whose tasklet is no longer the child's current incarnation (one that did not stop in time, or that
 * ended while the supervisor was busy stopping it) is stale and ignored, so identity — not name — decides.
 *
 * <p>While it starts or stops a child the supervisor waits for that child's message alone (a selective receive);
 * other children's {@code Down}s and stop requests stay queued in arrival order and are handled next.
 */
final class SupervisorLoop {
    private static final System.Logger LOG = System.getLogger(Supervisor.class.getName());

    /** A child's message to its supervisor: its body has begun, or it called {@link Supervisor#ready()}. */
    record Started(Tasklet<?> tasklet) {}

    /** A start that failed during a restart: handled next, like the child ending with {@code cause}. */
    private record StartFailed(ChildState child, ChildStartException cause) {}

    /** One child, as the supervisor tracks it. */
    private static final class ChildState {
        final ChildSpec spec;
        /** The running incarnation, or null. */
        Tasklet<?> tasklet;
        /** Ended without a restart (by its policy), or a temporary child stopped in a group restart. */
        boolean retired;
        int restarts;

        ChildState(ChildSpec spec) {
            this.spec = spec;
        }
    }

    private final SupervisorSpec spec;
    private final Supervisor handle;
    /** Completed once the children have started, for {@link Supervisor#start}; null in {@link Supervisor#supervise}. */
    private final Waiter<Object> starter;
    private final List<ChildState> children;
    private final long windowNanos;
    /** When the restarts in the current window were made, on the supervisor's clock, oldest first. */
    private final ArrayDeque<Long> restartTimes = new ArrayDeque<>();
    private final ArrayDeque<StartFailed> pending = new ArrayDeque<>();
    /**
     * The last incarnations that stopped being current (ended, stopped or replaced): a child linked to the supervisor
     * sends its {@link Exit} right after its {@code Down}, when it may no longer be the current incarnation.
     */
    private final ArrayDeque<Tasklet<?>> recentlyEnded = new ArrayDeque<>();
    /** How many {@link #recentlyEnded} keeps: enough for a whole group restart's Exits. */
    private final int recentlyEndedMax;
    private Tasklet<?> self;
    private int restartCount;

    SupervisorLoop(SupervisorSpec spec, Supervisor handle, Waiter<Object> starter) {
        this.spec = spec;
        this.handle = handle;
        this.starter = starter;
        this.children = spec.children().stream().map(ChildState::new).toList();
        this.windowNanos = saturatedNanos(spec.period());
        this.recentlyEndedMax = Math.max(32, 2 * children.size());
    }

    Void run() {
        self = Tasklet.current();
        // As an OTP supervisor, it traps exits: a child that links to it and fails is restarted (its Down says so)
        // instead of taking the whole tree down; a linked tasklet that is not a child still ends it (see serve).
        Tasklet.trapExits(true);
        handle.running(self);
        Throwable ending = null;
        try {
            for (ChildState child : children) {
                ChildStartException failure = start(child);
                if (failure != null) {
                    throw failure;
                }
            }
            started();
            serve();
            return null;
        } catch (Throwable e) {
            ending = e;
            throw e;
        } finally {
            try {
                stopAll();
            } finally {
                publish();
                handle.ended(self);
                if (starter != null && ending != null) {
                    starter.fail(ending instanceof RuntimeException r ? r : new IllegalStateException("supervisor "
                            + spec.name() + " ended while starting its children: " + ending, ending));
                }
            }
        }
    }

    private void started() {
        if (starter != null) {
            starter.complete(null);
        } else {
            Supervisor.ready();
        }
    }

    /** Handles messages until a stop request; throws {@link SupervisorGaveUpException} when the intensity runs out. */
    private void serve() {
        while (true) {
            StartFailed failed = pending.pollFirst();
            if (failed != null) {
                ended(failed.child(), new Ending.Failed(failed.cause()));
                continue;
            }
            Envelope envelope = receiveEnvelope();
            switch (envelope.body()) {
                case Down down -> {
                    ChildState child = incarnationOf(down.tasklet());
                    if (child != null) {
                        setIncarnation(child, null);
                        ended(child, down.ending());
                    }
                }
                case Exit exit -> linkedExit(exit);
                case Supervisor.Stop ignored -> {
                    return;
                }
                case Started ignored -> {
                    // From an incarnation the supervisor already gave up on: nothing to do.
                }
                default -> unexpected(envelope);
            }
        }
    }

    /**
     * A linked tasklet ended. A child's exit changes nothing (its monitor's {@code Down}, always sent first, has
     * done or will do what its policy says); another tasklet's abnormal end ends the supervisor, stopping its
     * children, as it would had it not trapped exits (OTP: a supervisor linked to its parent dies with it).
     */
    private void linkedExit(Exit exit) {
        Tasklet<?> tasklet = exit.tasklet();
        if (!exit.ending().isAbnormal() || incarnationOf(tasklet) != null || recentlyEnded.contains(tasklet)) {
            return;
        }
        throw new TaskletExit("supervisor " + spec.name() + " ends: linked tasklet " + tasklet.name() + " "
                + SupervisorGaveUpException.describe(exit.ending()));
    }

    /** Makes {@code incarnation} (or none) the child's current one, remembering the one it replaces. */
    private void setIncarnation(ChildState child, Tasklet<?> incarnation) {
        Tasklet<?> previous = child.tasklet;
        if (previous != null && previous != incarnation) {
            if (recentlyEnded.size() == recentlyEndedMax) {
                recentlyEnded.pollFirst();
            }
            recentlyEnded.addLast(previous);
        }
        child.tasklet = incarnation;
    }

    /** The child whose current incarnation is {@code tasklet}, or null for a stale one. */
    private ChildState incarnationOf(Tasklet<?> tasklet) {
        for (ChildState child : children) {
            if (child.tasklet == tasklet) {
                return child;
            }
        }
        return null;
    }

    /** A child ended by itself (or failed to start): retire it or restart it, within the intensity. */
    private void ended(ChildState child, Ending ending) {
        // The runtime logs a monitored tasklet's failure at DEBUG only (its monitor is told): a failure is reported
        // here, with its cause, or a child that keeps crashing and being restarted would never be seen.
        Throwable failure = ending instanceof Ending.Failed failed ? failed.cause() : null;
        System.Logger.Level level = failure != null ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG;
        if (!child.spec.restart().restartsAfter(ending)) {
            LOG.log(level, () -> "supervisor " + spec.name() + ": child " + child.spec.name()
                    + " " + SupervisorGaveUpException.describe(ending) + " and is retired (" + child.spec.restart()
                    + ")", failure);
            child.retired = true;
            publish();
            return;
        }
        countRestart(child, ending);
        LOG.log(level, () -> "supervisor " + spec.name() + ": child " + child.spec.name() + " "
                + SupervisorGaveUpException.describe(ending) + "; restart " + restartCount + " (" + spec.strategy()
                + ")", failure);
        restart(child);
    }

    private void countRestart(ChildState child, Ending ending) {
        long now = self.dispatcher().nanoTime();
        // A restart exactly one period old no longer counts (OTP, counting in whole seconds, still counts it; on a
        // nanosecond clock the difference shows only on virtual time). Documented on SupervisorSpec.period.
        while (!restartTimes.isEmpty() && now - restartTimes.peekFirst() >= windowNanos) {
            restartTimes.pollFirst();
        }
        if (restartTimes.size() >= spec.maxRestarts()) {
            throw new SupervisorGaveUpException(spec.name(), child.spec.name(), ending, spec.maxRestarts(),
                    spec.period());
        }
        restartTimes.addLast(now);
        restartCount++;
    }

    /** Stops the children the strategy takes along (reverse order), then starts them and the ended one in order. */
    private void restart(ChildState ended) {
        List<ChildState> scope = switch (spec.strategy()) {
            case ONE_FOR_ONE -> List.of(ended);
            case ONE_FOR_ALL -> children;
            case REST_FOR_ONE -> children.subList(children.indexOf(ended), children.size());
        };
        for (ChildState other : scope.reversed()) {
            if (other.tasklet != null) {
                stop(other);
                if (other.spec.restart() == Restart.TEMPORARY) {
                    other.retired = true;
                }
            }
        }
        for (ChildState child : scope) {
            if (child.retired || child.tasklet != null) {
                continue;
            }
            child.restarts++;
            ChildStartException failure = start(child);
            if (failure != null) {
                // Handled next as an abnormal end of this child; the rest of the scope starts with that restart.
                pending.addLast(new StartFailed(child, failure));
                break;
            }
        }
        publish();
    }

    /**
     * Starts one incarnation of {@code child} and waits until it has started.
     *
     * @return null if it started; otherwise why not (it has ended by then)
     */
    private ChildStartException start(ChildState child) {
        ChildSpec childSpec = child.spec;
        Tasklet.Builder builder = Tasklet.builder().name(childSpec.name()).daemon(self.isDaemon());
        if (childSpec.dispatcher() != null) {
            builder.on(childSpec.dispatcher());
        }
        Tasklet<?> incarnation = builder.spawn(incarnationBody(childSpec));
        setIncarnation(child, incarnation);
        incarnation.monitor();
        publish();
        Object first;
        try {
            first = receive(m -> m instanceof Started started && started.tasklet() == incarnation
                    || m instanceof Down down && down.tasklet() == incarnation, childSpec.readyTimeout());
        } catch (DeadlineExceededException late) {
            stop(child);
            return new ChildStartException(spec.name(), childSpec.name(), "it did not call Supervisor.ready() within "
                    + Durations.format(childSpec.readyTimeout()), null);
        }
        if (first instanceof Down down) {
            setIncarnation(child, null);
            publish();
            return new ChildStartException(spec.name(), childSpec.name(), "it "
                    + SupervisorGaveUpException.describe(down.ending()) + " before it started",
                    SupervisorGaveUpException.causeOf(down.ending()));
        }
        return null;
    }

    /** What an incarnation runs: register, make a fresh body, say it started (or wait to be ready), run it. */
    private Callable<Object> incarnationBody(ChildSpec childSpec) {
        Tasklet<?> supervisor = self;
        return () -> {
            Tasklet<?> me = Tasklet.current();
            if (childSpec.registeredName() != null) {
                me.register(childSpec.registeredName());
            }
            Callable<?> work = Objects.requireNonNull(childSpec.factory().get(),
                    () -> "the factory of child " + childSpec.name() + " made a null body");
            if (childSpec.readyTimeout() == null) {
                supervisor.send(new Started(me));
            } else {
                Supervisor.awaitReady(supervisor);
            }
            return work.call();
        };
    }

    /** Kills a running child and waits for its end, for at most its shutdown time. */
    private void stop(ChildState child) {
        Tasklet<?> incarnation = child.tasklet;
        if (incarnation == null) {
            return;
        }
        incarnation.kill();
        try {
            receive(m -> m instanceof Down down && down.tasklet() == incarnation, child.spec.shutdown());
        } catch (DeadlineExceededException late) {
            LOG.log(System.Logger.Level.WARNING, () -> "supervisor " + spec.name() + ": child " + child.spec.name()
                    + " (" + incarnation + ") did not end within " + Durations.format(child.spec.shutdown())
                    + " of being killed; left running");
        }
        setIncarnation(child, null);
        publish();
    }

    /** Stops every running child in reverse order; if killed meanwhile, kills the rest without waiting. */
    private void stopAll() {
        TaskletExit again = null;
        for (ChildState child : children.reversed()) {
            if (child.tasklet == null) {
                continue;
            }
            if (again == null) {
                try {
                    stop(child);
                    continue;
                } catch (TaskletExit e) {
                    again = e;
                }
            }
            Tasklet<?> incarnation = child.tasklet;
            setIncarnation(child, null);
            try {
                incarnation.kill();
            } catch (TaskletExit e) {
                // Killed yet again: the exit already on its way ends the supervisor.
            }
        }
        if (again != null) {
            throw again;
        }
    }

    private void unexpected(Envelope envelope) {
        String what = envelope.body().getClass().getName();
        if (envelope.isCall()) {
            envelope.fail(new UnsupportedOperationException("supervisor " + spec.name() + " answers no calls; it got a "
                    + what));
        } else {
            LOG.log(System.Logger.Level.DEBUG, () -> "supervisor " + spec.name() + " dropped an unexpected " + what);
        }
    }

    private void publish() {
        handle.publish(children.stream()
                .map(c -> new Supervisor.Child(c.spec.name(), c.tasklet, c.spec.restart(), c.restarts))
                .toList(), restartCount);
    }

    /** The next message in its envelope; the supervisor refuses hot swaps. */
    private static Envelope receiveEnvelope() {
        while (true) {
            try {
                return Mailbox.receiveEnvelope(null);
            } catch (HotSwap swap) {
                swap.refuse();
            }
        }
    }

    /** The oldest message {@code match} accepts, within {@code timeout} (null: none); refuses hot swaps. */
    private static Object receive(Predicate<Object> match, Duration timeout) {
        try (Timeout ignored = timeout == null ? null : Timeout.after(timeout)) {
            while (true) {
                try {
                    return Mailbox.receive(match, null);
                } catch (HotSwap swap) {
                    swap.refuse();
                }
            }
        }
    }

    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }
}
