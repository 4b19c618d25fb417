package org.concurrence.core;

/**
 * Thrown inside a tasklet to end it: delivered by {@link Tasklet#kill()} at the tasklet's current or next blocking
 * call.
 *
 * <p>It is an {@link Error}, like the JDK's old {@code ThreadDeath}, so that a catch-all {@code catch (Exception e)}
 * in application code does not swallow it. A tasklet may catch it to clean up; it should rethrow it. A tasklet that
 * ends by it counts as killed: {@link Tasklet#join()} throws a {@link JoinError} whose cause is this exception.
 */
public final class TaskletExit extends Error {
    private static final long serialVersionUID = 1L;

    /** Creates the exit signal; {@code reason} says who or what ended the tasklet. */
    public TaskletExit(String reason) {
        super(reason, null, false, true);
    }
}
