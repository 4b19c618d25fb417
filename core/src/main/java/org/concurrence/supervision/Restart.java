package org.concurrence.supervision;

import org.concurrence.core.Ending;

/**
 * When a supervisor starts a child again after it ended (Erlang's restart types).
 *
 * <p>A child killed by its own supervisor (a group restart, a shutdown) is not "ended by itself" and does not go
 * through this policy; see {@link Strategy} for which children a group restart starts again.
 */
public enum Restart {
    /** Always restarted, even after a normal end: a server that must run as long as its supervisor. */
    PERMANENT,
    /** Restarted only after an abnormal end (it failed, or something else killed it); a normal end retires it. */
    TRANSIENT,
    /** Never restarted: once it ends, however it ends, it is retired. */
    TEMPORARY;

    /** True if a child with this policy is restarted after ending with {@code ending}. */
    public boolean restartsAfter(Ending ending) {
        return switch (this) {
            case PERMANENT -> true;
            case TRANSIENT -> ending.isAbnormal();
            case TEMPORARY -> false;
        };
    }
}
