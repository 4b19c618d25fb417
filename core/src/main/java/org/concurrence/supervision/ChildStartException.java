package org.concurrence.supervision;

/**
 * A supervisor could not start one of its children: the child ended before it counted as started (its registered
 * name was taken, its factory or body failed at once, it was killed), or it did not call {@link Supervisor#ready()}
 * within its {@link ChildSpec#readyTimeout()}.
 *
 * <p>During the supervisor's first start this fails the supervisor ({@link Supervisor#start} throws it, after the
 * children already started were stopped in reverse order). During a restart it counts as the child ending
 * abnormally, so it is retried within the restart intensity.
 */
public final class ChildStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String supervisor;
    private final String child;
    private final String reason;

    ChildStartException(String supervisor, String child, String reason, Throwable cause) {
        super("supervisor " + supervisor + " could not start child " + child + ": " + reason, cause);
        this.supervisor = supervisor;
        this.child = child;
        this.reason = reason;
    }

    /** Why not, e.g. {@code "it did not call Supervisor.ready() within 2 s"}. */
    public String reason() {
        return reason;
    }

    /** The name of the supervisor. */
    public String supervisor() {
        return supervisor;
    }

    /** The name of the child that did not start. */
    public String child() {
        return child;
    }
}
