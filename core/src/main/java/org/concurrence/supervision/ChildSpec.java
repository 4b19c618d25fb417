package org.concurrence.supervision;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.concurrence.core.Dispatcher;

/**
 * How a supervisor runs one child: its name, how to make a fresh body for each incarnation, when to restart it, and
 * how to start and stop it. Immutable; build one with {@link #of(String, Callable)} and the {@code with} methods:
 * <pre>{@code
 * ChildSpec cache = ChildSpec.of("cache", Cache::serve)
 *         .withRestart(Restart.TRANSIENT)
 *         .withRegisteredName("cache")
 *         .withShutdown(Duration.ofSeconds(1));
 * }</pre>
 *
 * @param name           the child's tasklet name, kept across restarts; unique within its supervisor
 * @param factory        makes the body of each incarnation; called in the new tasklet, once per start, so a restart
 *                       never reuses the state of a body that failed. A factory that throws fails that start
 * @param restart        when the child is restarted after it ends by itself
 * @param registeredName the name each incarnation registers under in its group's
 *                       {@link org.concurrence.core.Registry} before its body runs, or null for none
 * @param dispatcher     the dispatcher the child runs on, or null for its supervisor's
 * @param shutdown       how long the supervisor waits for the child to end after killing it (a stop, or a group
 *                       restart) before it gives up waiting, logs a warning and goes on; {@link #UNLIMITED} waits for
 *                       ever (the default for a child supervisor)
 * @param readyTimeout   null if the child counts as started as soon as its body begins (the default); otherwise the
 *                       child must call {@link Supervisor#ready()} within this time, and until then the supervisor
 *                       starts no further child. A child that is not ready in time is killed and its start failed
 */
public record ChildSpec(String name, Supplier<? extends Callable<?>> factory, Restart restart, String registeredName,
                        Dispatcher dispatcher, Duration shutdown, Duration readyTimeout) {

    /** How long a supervisor waits by default for a killed child to end: 5 s, as in Erlang/OTP. */
    public static final Duration DEFAULT_SHUTDOWN = Duration.ofSeconds(5);

    /** A duration that never runs out, for {@link #withShutdown} and {@link #withReadyTimeout}. */
    public static final Duration UNLIMITED = ChronoUnit.FOREVER.getDuration();

    public ChildSpec {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a child's name must not be blank: '" + name + "'");
        }
        Objects.requireNonNull(factory, "factory of child " + name);
        Objects.requireNonNull(restart, "restart of child " + name);
        if (registeredName != null && registeredName.isBlank()) {
            throw new IllegalArgumentException("child " + name + ": a registered name must not be blank: '"
                    + registeredName + "'");
        }
        Durations.requireNonNegative(shutdown, "shutdown of child " + name);
        if (readyTimeout != null) {
            Durations.requireNonNegative(readyTimeout, "ready timeout of child " + name);
        }
    }

    /**
     * A {@link Restart#PERMANENT} child named {@code name} that runs {@code body}; each incarnation calls
     * {@code body} anew. Use {@link #fromFactory} when a body object keeps state that must start fresh.
     */
    public static ChildSpec of(String name, Callable<?> body) {
        Objects.requireNonNull(body, "body of child " + name);
        return fromFactory(name, () -> body);
    }

    /** {@link #of(String, Callable)} for a body without a result. */
    public static ChildSpec of(String name, Runnable body) {
        Objects.requireNonNull(body, "body of child " + name);
        return of(name, () -> {
            body.run();
            return null;
        });
    }

    /** A {@link Restart#PERMANENT} child whose body for each incarnation is made by {@code factory}. */
    public static ChildSpec fromFactory(String name, Supplier<? extends Callable<?>> factory) {
        return new ChildSpec(name, factory, Restart.PERMANENT, null, null, DEFAULT_SHUTDOWN, null);
    }

    /**
     * A child that is itself a supervisor running {@code spec} ({@link Supervisor#supervise}), named after it, placed
     * on its dispatcher, {@link Restart#PERMANENT}, and waited for without limit both to start (it is ready once it
     * has started all its own children) and to stop (it stops its own children first).
     */
    public static ChildSpec supervisor(SupervisorSpec spec) {
        Objects.requireNonNull(spec, "spec");
        return new ChildSpec(spec.name(), () -> () -> {
            Supervisor.supervise(spec);
            return null;
        }, Restart.PERMANENT, null, spec.dispatcher(), UNLIMITED, UNLIMITED);
    }

    /** This spec with another restart policy. */
    public ChildSpec withRestart(Restart policy) {
        return new ChildSpec(name, factory, policy, registeredName, dispatcher, shutdown, readyTimeout);
    }

    /** This spec with each incarnation registered under {@code registered} (null for none). */
    public ChildSpec withRegisteredName(String registered) {
        return new ChildSpec(name, factory, restart, registered, dispatcher, shutdown, readyTimeout);
    }

    /** This spec with the child placed on {@code target} (null: its supervisor's dispatcher). */
    public ChildSpec withDispatcher(Dispatcher target) {
        return new ChildSpec(name, factory, restart, registeredName, target, shutdown, readyTimeout);
    }

    /** This spec with another shutdown time; see {@link #shutdown()}. */
    public ChildSpec withShutdown(Duration time) {
        return new ChildSpec(name, factory, restart, registeredName, dispatcher, time, readyTimeout);
    }

    /** This spec with a child that signals {@link Supervisor#ready()} within {@code timeout} (null: no signal). */
    public ChildSpec withReadyTimeout(Duration timeout) {
        return new ChildSpec(name, factory, restart, registeredName, dispatcher, shutdown, timeout);
    }
}
