package org.concurrence.core;

/**
 * How a joined tasklet ended: {@link Succeeded} with its result, or {@link Failed} with the {@link JoinError} that
 * says why. Returned by {@link Tasklet#joinAll}; match it with a {@code switch}:
 * <pre>{@code
 * switch (outcome) {
 *     case Outcome.Succeeded<Integer>(var value) -> total += value;
 *     case Outcome.Failed<Integer>(var error) -> log(error);
 * }
 * }</pre>
 * Immutable values; {@link #get()} never blocks (the tasklet has ended).
 *
 * @param <T> the result type
 */
public sealed interface Outcome<T> permits Outcome.Succeeded, Outcome.Failed {

    /** The tasklet returned {@code value}. */
    record Succeeded<T>(T value) implements Outcome<T> {}

    /** The tasklet failed or was killed. */
    record Failed<T>(JoinError error) implements Outcome<T> {}

    /** The result, or the {@link JoinError} thrown. */
    default T get() {
        return switch (this) {
            case Succeeded<T>(T value) -> value;
            case Failed<T>(JoinError error) -> throw error;
        };
    }
}
