package org.concurrence.supervision;

import java.time.Duration;
import org.concurrence.core.Ending;

/**
 * A supervisor's children needed more restarts than its intensity allows ({@link SupervisorSpec#maxRestarts()}
 * within {@link SupervisorSpec#period()}): the supervisor stopped every child, in reverse start order, and then
 * failed with this exception, so that its own monitors and links see it fail and a parent supervisor can restart it.
 *
 * <p>The cause is how the child that tipped it over last ended: its failure, the {@link
 * org.concurrence.core.TaskletExit} if it was killed, a {@link ChildStartException} if it could not be started, or
 * none if it ended normally (a permanent child).
 */
public final class SupervisorGaveUpException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String supervisor;
    private final String child;
    private final int maxRestarts;
    private final transient Duration period;

    SupervisorGaveUpException(String supervisor, String child, Ending ending, int maxRestarts, Duration period) {
        super("supervisor " + supervisor + " gave up: child " + child + " " + describe(ending) + ", which would be "
                + "restart " + (maxRestarts + 1) + " within " + Durations.format(period) + " (at most " + maxRestarts
                + " allowed)", causeOf(ending));
        this.supervisor = supervisor;
        this.child = child;
        this.maxRestarts = maxRestarts;
        this.period = period;
    }

    /** The name of the supervisor that gave up. */
    public String supervisor() {
        return supervisor;
    }

    /** The name of the child whose end exceeded the intensity. */
    public String child() {
        return child;
    }

    /** The restarts allowed within {@link #period()}. */
    public int maxRestarts() {
        return maxRestarts;
    }

    /** The window of the restart intensity. */
    public Duration period() {
        return period;
    }

    static String describe(Ending ending) {
        return switch (ending) {
            case Ending.Normal ignored -> "ended normally";
            case Ending.Failed(ChildStartException notStarted) -> "could not be started again ("
                    + notStarted.reason() + ")";
            case Ending.Failed(Throwable cause) -> "failed (" + cause + ")";
            case Ending.Killed(var exit) -> "was killed (" + exit.getMessage() + ")";
        };
    }

    static Throwable causeOf(Ending ending) {
        return switch (ending) {
            case Ending.Normal ignored -> null;
            case Ending.Failed(Throwable cause) -> cause;
            case Ending.Killed(var exit) -> exit;
        };
    }
}
