package org.concurrence.supervision;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.concurrence.core.Dispatcher;

/**
 * What a supervisor runs and how: its name, its children in start order, the restart {@link Strategy} and the
 * restart intensity. Immutable; made with {@link #builder(String)}:
 * <pre>{@code
 * SupervisorSpec spec = SupervisorSpec.builder("workers")
 *         .strategy(Strategy.ONE_FOR_ONE)
 *         .intensity(3, Duration.ofSeconds(5))
 *         .child(ChildSpec.of("db", Db::serve))
 *         .child(ChildSpec.of("web", Web::serve).withRegisteredName("web"))
 *         .build();
 * }</pre>
 *
 * @param name        the supervisor's tasklet name, used in every message about it
 * @param strategy    which children are restarted when one ends and must be restarted
 * @param maxRestarts the restart intensity: at most this many restarts within {@code period}; one more and the
 *                    supervisor stops its children and fails with {@link SupervisorGaveUpException}. Zero means
 *                    the first child that must be restarted makes it give up
 * @param period      the window of the restart intensity, on the supervisor's dispatcher clock (virtual time in
 *                    deterministic tests): a restart counts while it is less than one period old, so restarts
 *                    exactly one period apart never add up (OTP, whose window includes its end, would count them)
 * @param children    the child specs in start order; names (and registered names) unique
 * @param dispatcher  where {@link Supervisor#start} places the supervisor (null: the caller's dispatcher); a child
 *                    without a dispatcher of its own runs on the supervisor's
 * @param daemon      whether {@link Supervisor#start} makes the supervisor (and so its children) daemon tasklets, which
 *                    do not keep {@link org.concurrence.core.Concurrence#run} waiting
 */
public record SupervisorSpec(String name, Strategy strategy, int maxRestarts, Duration period, List<ChildSpec> children,
                             Dispatcher dispatcher, boolean daemon) {

    /** The default intensity, as in Erlang/OTP: at most 1 restart in 5 s. */
    public static final int DEFAULT_MAX_RESTARTS = 1;

    /** The default intensity period: 5 s. */
    public static final Duration DEFAULT_PERIOD = Duration.ofSeconds(5);

    public SupervisorSpec {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a supervisor's name must not be blank: '" + name + "'");
        }
        Objects.requireNonNull(strategy, "strategy of supervisor " + name);
        if (maxRestarts < 0) {
            throw new IllegalArgumentException("supervisor " + name + ": maxRestarts must not be negative: "
                    + maxRestarts);
        }
        Objects.requireNonNull(period, "period of supervisor " + name);
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("supervisor " + name + ": the intensity period must be positive: "
                    + period);
        }
        children = List.copyOf(children);
        Set<String> names = new HashSet<>();
        Set<String> registered = new HashSet<>();
        for (ChildSpec child : children) {
            if (!names.add(child.name())) {
                throw new IllegalArgumentException("supervisor " + name + " has two children named '" + child.name()
                        + "'");
            }
            if (child.registeredName() != null && !registered.add(child.registeredName())) {
                throw new IllegalArgumentException("supervisor " + name + " has two children registered as '"
                        + child.registeredName() + "'");
            }
        }
    }

    /** A builder for a supervisor named {@code name}, one-for-one with the default intensity and no children. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The child spec named {@code childName}. */
    public java.util.Optional<ChildSpec> child(String childName) {
        return children.stream().filter(c -> c.name().equals(childName)).findFirst();
    }

    /** Builds a {@link SupervisorSpec}. Not thread-safe; may build several specs. */
    public static final class Builder {
        private final String name;
        private Strategy strategy = Strategy.ONE_FOR_ONE;
        private int maxRestarts = DEFAULT_MAX_RESTARTS;
        private Duration period = DEFAULT_PERIOD;
        private final List<ChildSpec> children = new ArrayList<>();
        private Dispatcher dispatcher;
        private boolean daemon;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /** The restart strategy; {@link Strategy#ONE_FOR_ONE} by default. */
        public Builder strategy(Strategy value) {
            this.strategy = Objects.requireNonNull(value, "strategy");
            return this;
        }

        /** At most {@code restarts} restarts within {@code within}; see {@link SupervisorSpec#maxRestarts()}. */
        public Builder intensity(int restarts, Duration within) {
            this.maxRestarts = restarts;
            this.period = within;
            return this;
        }

        /** Adds a child after those added so far: children start in the order they are added. */
        public Builder child(ChildSpec child) {
            children.add(Objects.requireNonNull(child, "child"));
            return this;
        }

        /** Adds a child supervisor; see {@link ChildSpec#supervisor(SupervisorSpec)}. */
        public Builder child(SupervisorSpec childSupervisor) {
            return child(ChildSpec.supervisor(childSupervisor));
        }

        /** Where {@link Supervisor#start} places the supervisor; by default the caller's dispatcher. */
        public Builder on(Dispatcher target) {
            this.dispatcher = Objects.requireNonNull(target, "dispatcher");
            return this;
        }

        /** Whether the supervisor and its children are daemon tasklets; false by default. */
        public Builder daemon(boolean value) {
            this.daemon = value;
            return this;
        }

        /**
         * The spec.
         *
         * @throws IllegalArgumentException if two children share a name or a registered name, or the intensity is
         *                                  out of range
         */
        public SupervisorSpec build() {
            return new SupervisorSpec(name, strategy, maxRestarts, period, children, dispatcher, daemon);
        }
    }
}
