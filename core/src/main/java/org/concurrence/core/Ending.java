package org.concurrence.core;

/**
 * How a tasklet ended, as monitors and trapping links are told ({@link Down}, {@link Exit}). Immutable values.
 */
public sealed interface Ending permits Ending.Normal, Ending.Failed, Ending.Killed {

    /** It returned {@code result} (null for a {@code Runnable} body). */
    record Normal(Object result) implements Ending {}

    /** It failed with {@code cause}. */
    record Failed(Throwable cause) implements Ending {}

    /** It was killed; {@code exit} says by whom or why. */
    record Killed(TaskletExit exit) implements Ending {}

    /** True unless it ended normally. */
    default boolean isAbnormal() {
        return !(this instanceof Normal);
    }

    static Ending of(Object result, Throwable failure) {
        if (failure == null) {
            return new Normal(result);
        }
        return failure instanceof TaskletExit exit ? new Killed(exit) : new Failed(failure);
    }
}
