package org.concurrence.core;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A scope that narrows the current tasklet's deadline: every blocking call inside it fails with
 * {@link DeadlineExceededException} once the deadline passes, and a call made after it passed fails at once.
 *
 * <p>Scopes nest by taking the minimum: an inner scope can shorten the deadline, never extend it. Closing a scope
 * restores the deadline it found. Scopes must be closed innermost first, by the tasklet that opened them;
 * try-with-resources does both:
 * <pre>{@code
 * try (var scope = Timeout.after(Duration.ofSeconds(2))) {
 *     var row = db.query(...);          // at most 2 s, or less if an enclosing scope ends sooner
 *     cache.set(key, row);              // shares the same 2 s
 * }
 * }</pre>
 * or the lambda forms {@link #run} and {@link #call}.
 *
 * <p>Not thread-safe: a scope belongs to the tasklet that opened it.
 */
public final class Timeout implements AutoCloseable {
    private final Tasklet<?> owner;
    private final long restored;
    private final long deadline;
    private final Timeout enclosing;
    private boolean closed;

    private Timeout(Tasklet<?> owner, long restored, long deadline, Timeout enclosing) {
        this.owner = owner;
        this.restored = restored;
        this.deadline = deadline;
        this.enclosing = enclosing;
    }

    /**
     * Opens a scope whose deadline is {@code timeout} from now, or the enclosing deadline if that is sooner.
     *
     * @throws IllegalStateException if not called from a tasklet
     */
    public static Timeout after(Duration timeout) {
        Tasklet<?> self = Tasklet.current();
        long now = self.dispatcher().nanoTime();
        long current = self.currentDeadline();
        long narrowed = Math.min(current, Deadlines.after(now, timeout));
        Timeout scope = new Timeout(self, current, narrowed, self.timeoutScope());
        self.deadlineScope(narrowed, scope);
        return scope;
    }

    /** Runs {@code body} in a scope of {@code timeout}; see {@link #after}. */
    public static void run(Duration timeout, Runnable body) {
        try (Timeout ignored = after(timeout)) {
            body.run();
        }
    }

    /** Calls {@code body} in a scope of {@code timeout} and returns its result; see {@link #after}. */
    public static <T> T call(Duration timeout, Supplier<T> body) {
        try (Timeout ignored = after(timeout)) {
            return body.get();
        }
    }

    /**
     * The time left before the current tasklet's deadline (zero if it has passed), or empty if it has none. Outside
     * a tasklet, always empty.
     */
    public static Optional<Duration> remaining() {
        Tasklet<?> self = Tasklet.currentOrNull();
        long deadline = self == null ? Deadlines.NONE : self.currentDeadline();
        if (deadline == Deadlines.NONE) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofNanos(Math.max(0, deadline - self.dispatcher().nanoTime())));
    }

    /** True if the current tasklet's deadline has passed. */
    public static boolean expired() {
        Tasklet<?> self = Tasklet.currentOrNull();
        long deadline = self == null ? Deadlines.NONE : self.currentDeadline();
        return deadline != Deadlines.NONE && self.dispatcher().nanoTime() >= deadline;
    }

    /** This scope's deadline as time left from now (zero if passed); empty if it has none. */
    public Optional<Duration> timeLeft() {
        if (deadline == Deadlines.NONE) {
            return Optional.empty();
        }
        return Optional.of(Duration.ofNanos(Math.max(0, deadline - owner.dispatcher().nanoTime())));
    }

    /**
     * Restores the deadline this scope found. Closing twice does nothing.
     *
     * @throws IllegalStateException if called by another tasklet, or while a scope opened inside this one is open
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Tasklet.currentOrNull() != owner) {
            throw new IllegalStateException("a Timeout scope must be closed by the tasklet that opened it ("
                    + owner.name() + ")");
        }
        if (owner.timeoutScope() != this) {
            throw new IllegalStateException("Timeout scopes must be closed innermost first");
        }
        closed = true;
        owner.deadlineScope(restored, enclosing);
    }
}
