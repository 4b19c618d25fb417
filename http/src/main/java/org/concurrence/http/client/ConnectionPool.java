package org.concurrence.http.client;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.concurrence.core.DeadlineExceededException;

/**
 * The client's connections: an {@link OriginPool} per origin, made on first use and dropped once a sweep finds it
 * empty (so a crawler's thousands of origins cost nothing once their connections expired). Sweeps run at most every
 * half idle timeout, on a call that finds one due: idle connections past the timeout are closed then, or when their
 * origin is next used, or when the client closes.
 *
 * <p>Thread-safety: safe for any tasklet of any dispatcher.
 */
final class ConnectionPool {
    private final ConcurrentHashMap<Origin, OriginPool> pools = new ConcurrentHashMap<>();
    private final HttpClientOptions options;
    private final long idleNanos;
    /** The clock of idle times and sweeps: {@link System#nanoTime()}, or a test's. */
    private final LongSupplier clock;
    private final AtomicLong nextSweep;
    private volatile boolean closed;

    ConnectionPool(HttpClientOptions options, LongSupplier clock) {
        this.options = options;
        this.idleNanos = options.idleTimeout().toNanos();
        this.clock = clock;
        this.nextSweep = new AtomicLong(clock.getAsLong() + Math.max(idleNanos / 2, 1_000_000_000L));
    }

    /** The pool of {@code origin}, made if needed. */
    OriginPool of(Origin origin) {
        checkOpen();
        sweepIfDue();
        OriginPool pool = pools.computeIfAbsent(origin,
                o -> new OriginPool(o, options.maxConnectionsPerOrigin(), idleNanos, clock));
        if (closed) {
            pool.close(); // close() may have run before the pool was added
            checkOpen();
        }
        return pool;
    }

    /**
     * For the current tasklet, an idle connection to {@code origin} of its dispatcher (unless {@code fresh}), or else
     * the {@link OriginPool} in which it holds a slot to open one (which it must give back with
     * {@link OriginPool#release} or {@link OriginPool#slotUnused}). Waits under the deadline while the origin's
     * connections are all in use.
     *
     * @throws DeadlineExceededException if none came free in time
     * @throws IllegalStateException     if the client is closed
     */
    Object take(Origin origin, CallDeadline deadline, boolean fresh) {
        while (true) {
            OriginPool pool = of(origin);
            Object got = pool.acquire(deadline.at(), fresh);
            if (got == OriginPool.SLOT) {
                return pool;
            }
            if (got != null) {
                return got;
            }
            pools.remove(origin, pool); // retired by a sweep meanwhile: look again
        }
    }

    private void sweepIfDue() {
        long now = clock.getAsLong();
        long due = nextSweep.get();
        if (now - due < 0 || !nextSweep.compareAndSet(due, now + Math.max(idleNanos / 2, 1_000_000_000L))) {
            return;
        }
        pools.forEach((origin, pool) -> {
            if (pool.sweep()) {
                pools.remove(origin, pool);
            }
        });
    }

    /** Closes every idle connection and refuses new calls; connections in use close when their response ends. */
    void close() {
        closed = true;
        pools.values().forEach(OriginPool::close);
    }

    /** Open and idle connections over all origins, for diagnostics. */
    int[] counts() {
        int open = 0;
        int idle = 0;
        for (OriginPool pool : pools.values()) {
            int[] c = pool.counts();
            open += c[0];
            idle += c[1];
        }
        return new int[] {open, idle};
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the HTTP client is closed");
        }
    }
}
