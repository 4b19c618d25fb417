package org.concurrence.core;

/**
 * The tasklet that was joined did not end normally: it failed with an exception or was killed.
 *
 * <p>{@link #getCause()} is the tasklet's failure ({@link TaskletExit} if it was killed); {@link #tasklet()} is the
 * tasklet. A join that times out throws {@link DeadlineExceededException} instead and leaves the tasklet running.
 */
public final class JoinError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Tasklet<?> tasklet;

    JoinError(Tasklet<?> tasklet, Throwable cause) {
        super(cause instanceof TaskletExit exit ? exit.getMessage() : "tasklet " + tasklet.name() + " failed: " + cause,
                cause);
        this.tasklet = tasklet;
    }

    /** The tasklet that did not end normally. */
    public Tasklet<?> tasklet() {
        return tasklet;
    }

    /** True if the tasklet was killed rather than failing by itself. */
    public boolean wasKilled() {
        return getCause() instanceof TaskletExit;
    }
}
