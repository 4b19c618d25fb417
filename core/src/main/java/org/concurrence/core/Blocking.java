package org.concurrence.core;

import java.time.Duration;

/**
 * Runs genuinely blocking work (file I/O, DNS lookups, JDBC drivers of others, native calls) on a pool of platform
 * threads while only the calling tasklet waits: its dispatcher goes on running the other tasklets.
 *
 * <pre>{@code
 * byte[] data = Blocking.call(() -> Files.readAllBytes(path));                  // throws IOException as it is
 * var address = Blocking.call(Duration.ofSeconds(2), () -> InetAddress.getByName(host));
 * }</pre>
 *
 * <p>These methods use the {@linkplain BlockingPool#shared() shared pool}; see {@link BlockingPool} for the full
 * contract (deadline, kill, exceptions, virtual time, memory visibility) and for pools of one's own. In short:
 * the result is returned and the work's exception is rethrown as the same object; the deadline and kills apply, and
 * on either the work is interrupted and abandoned; virtual time does not move while the work runs; called from a
 * thread that is not a tasklet, the work simply runs in that thread.
 *
 * <p>Thread-safety: callable from any tasklet on any dispatcher and from any thread.
 */
public final class Blocking {
    private Blocking() {}

    /**
     * Blocking work: a computation that may block its thread and may throw a checked exception.
     *
     * @param <T> the result type
     * @param <X> the checked exception the work may throw ({@link RuntimeException} if none)
     */
    @FunctionalInterface
    public interface Work<T, X extends Exception> {
        /** Does the work; runs on a pool thread, which is interrupted if the caller gives up. */
        T run() throws X;
    }

    /**
     * Runs {@code work} on the shared pool under the current deadline and returns its result; see
     * {@link BlockingPool#call(Work)}.
     *
     * @throws X                         what the work threw, as it is (checked or not)
     * @throws DeadlineExceededException if the deadline passed first; the work is interrupted and abandoned
     * @throws TaskletExit               if the caller was killed first; the work is interrupted and abandoned
     */
    public static <T, X extends Exception> T call(Work<T, X> work) throws X {
        return BlockingPool.shared().call(work);
    }

    /**
     * Runs {@code work} on the shared pool, waiting for at most {@code timeout} (never past the current deadline);
     * see {@link BlockingPool#call(Duration, Work)}.
     */
    public static <T, X extends Exception> T call(Duration timeout, Work<T, X> work) throws X {
        return BlockingPool.shared().call(timeout, work);
    }
}
