package org.concurrence.web;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.concurrence.core.Tasklet;
import org.concurrence.http.Filter;
import org.concurrence.http.Handler;
import org.concurrence.http.Request;
import org.concurrence.http.Response;
import org.concurrence.http.Status;

/**
 * Limits how often each client may call, as a gateway does: at most {@code permits} requests per {@code period} on
 * average, in bursts of up to {@link #withBurst burst} at once. A request over its client's limit gets
 * <b>429 Too Many Requests</b> with {@code Retry-After} (whole seconds, rounded up: when the next request would pass)
 * and never reaches the handler.
 * <pre>{@code
 * Router.builder()
 *     .filter(RateLimitFilter.perClient(20, Duration.ofSeconds(1)).withBurst(40))     // by client address
 *     .filter(RateLimitFilter.perClient(1000, Duration.ofHours(1)).keyedBy(r -> r.header("X-Api-Key")))
 * }</pre>
 *
 * <p><b>Clients</b> are told apart by their address by default. Behind a proxy every request comes from the proxy's
 * address: key by what the proxy passes on (the last address of {@code X-Forwarded-For} that your own proxies did not
 * add), or by an API key or user, with {@link #keyedBy}. A request whose key is null is not limited.
 *
 * <p><b>How</b>: the generic cell rate algorithm (GCRA, a token bucket kept as one time per client): a client's
 * state is the time at which its allowance is whole again, moved on by {@code period / permits} per request passed, and
 * a request passes while that time is less than a burst ahead of now. So the limit is exact under concurrency (one
 * compare-and-set per request; only a sweep, below, running at the same moment as a request of a client at its full
 * allowance can lose that request's share), costs no timer, and a client at its full allowance needs no state at all:
 * such entries are dropped when the table reaches {@link #withMaxKeys its size}. If every tracked client is still over its
 * allowance then, a request with a new key is refused (429) until a sweep, at most one per second, frees room: the
 * table's memory stays bounded under a flood of addresses, and the clients already tracked keep their limits.
 *
 * <p>Time is the dispatcher's clock (virtual time in {@link org.concurrence.core.Concurrence.Options#deterministic()
 * deterministic} tests). Blocking: none. Thread-safety: one instance serves every dispatcher; the limits are shared by
 * all the requests it filters. The {@code with...} copies start with empty state.
 */
public final class RateLimitFilter implements Filter {
    /** How often a full table may be swept of clients back at their full allowance. */
    private static final long SWEEP_INTERVAL_NANOS = Duration.ofSeconds(1).toNanos();

    private final int permits;
    private final Duration period;
    private final int burst;
    private final Function<Request, String> key;
    private final int maxKeys;
    /** Nanoseconds between two requests at the average rate: {@code period / permits}. */
    private final long interval;
    /** How far ahead of now a client's time may be for a request to pass: {@code interval * (burst - 1)}. */
    private final long tolerance;
    private final ConcurrentHashMap<String, Client> clients = new ConcurrentHashMap<>();
    private volatile long lastSweep = Long.MIN_VALUE;

    private RateLimitFilter(int permits, Duration period, int burst, Function<Request, String> key, int maxKeys) {
        this.permits = permits;
        this.period = period;
        this.burst = burst;
        this.key = key;
        this.maxKeys = maxKeys;
        this.interval = interval(period, permits);
        this.tolerance = tolerance(interval, burst);
    }

    /**
     * A quarter of the clock's range (73 years): the longest interval or tolerance kept, so that no sum of the two with
     * the clock's reading overflows. A limit that needs more (one request per century) is this one in practice.
     */
    private static final long LONGEST = Long.MAX_VALUE / 4;

    /** {@code period / permits} in nanoseconds, at least 1, at most {@link #LONGEST}. */
    private static long interval(Duration period, int permits) {
        Duration interval = period.dividedBy(permits);
        return interval.compareTo(Duration.ofNanos(LONGEST)) >= 0 ? LONGEST : Math.max(1, interval.toNanos());
    }

    /** {@code interval * (burst - 1)}, at most {@link #LONGEST}. */
    private static long tolerance(long interval, int burst) {
        try {
            return Math.min(LONGEST, Math.multiplyExact(interval, burst - 1L));
        } catch (ArithmeticException e) {
            return LONGEST;
        }
    }

    /**
     * At most {@code permits} requests per {@code period} from each client address, in bursts of up to
     * {@code permits}; at most 100,000 clients tracked at once.
     *
     * @throws IllegalArgumentException if {@code permits} is not positive or {@code period} is not positive
     */
    public static RateLimitFilter perClient(int permits, Duration period) {
        if (permits < 1) {
            throw new IllegalArgumentException("a rate limit needs at least 1 permit per period, not " + permits);
        }
        Objects.requireNonNull(period, "period");
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("a rate limit's period must be positive: " + period);
        }
        return new RateLimitFilter(permits, period, permits, RateLimitFilter::clientAddress, 100_000);
    }

    /**
     * A copy that lets a client send up to {@code burst} requests at once (after a pause long enough to fill its
     * allowance); the average stays {@code permits} per {@code period}.
     *
     * @throws IllegalArgumentException if {@code burst} is not positive
     */
    public RateLimitFilter withBurst(int burst) {
        if (burst < 1) {
            throw new IllegalArgumentException("a rate limit's burst must be at least 1, not " + burst);
        }
        return new RateLimitFilter(permits, period, burst, key, maxKeys);
    }

    /**
     * A copy that tells clients apart by {@code key} (an API key, a user, a forwarded address) instead of their
     * address; a request whose key is null is not limited. The function runs for every request, on its tasklet.
     * The table holds up to {@link #withMaxKeys maxKeys} keys: bound a key taken from a header (hash it, or cap its
     * length), or a client could fill it with long ones.
     */
    public RateLimitFilter keyedBy(Function<Request, String> key) {
        return new RateLimitFilter(permits, period, burst, Objects.requireNonNull(key, "key"), maxKeys);
    }

    /**
     * A copy that tracks at most {@code maxKeys} clients at once (a client back at its full allowance is not
     * tracked); see the class comment for what happens when they are all over their allowance.
     *
     * @throws IllegalArgumentException if {@code maxKeys} is not positive
     */
    public RateLimitFilter withMaxKeys(int maxKeys) {
        if (maxKeys < 1) {
            throw new IllegalArgumentException("a rate limit must track at least 1 client, not " + maxKeys);
        }
        return new RateLimitFilter(permits, period, burst, key, maxKeys);
    }

    @Override
    public Response filter(Request request, Handler next) throws Exception {
        String k = key.apply(request);
        if (k == null) {
            return next.handle(request);
        }
        long now = Tasklet.current().dispatcher().nanoTime();
        Client client = clients.get(k);
        if (client == null) {
            if (clients.size() >= maxKeys && !sweep(now)) {
                return tooManyRequests(SWEEP_INTERVAL_NANOS, "too many clients are over their limit");
            }
            client = clients.computeIfAbsent(k, _ -> new Client(now));
        }
        long wait = client.take(now, interval, tolerance);
        return wait == 0 ? next.handle(request) : tooManyRequests(wait, "too many requests");
    }

    /**
     * Drops the clients back at their full allowance, unless a sweep ran within the last second.
     *
     * @return whether there is room for a new client now
     */
    private boolean sweep(long now) {
        long last = lastSweep;
        if (last != Long.MIN_VALUE && now - last < SWEEP_INTERVAL_NANOS) {
            return clients.size() < maxKeys;
        }
        lastSweep = now;
        // A client swept while a request of it updates its time loses that update: at most one request more passes.
        clients.values().removeIf(c -> c.isIdle(now));
        return clients.size() < maxKeys;
    }

    private static Response tooManyRequests(long waitNanos, String why) {
        long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
        return Response.builder(Status.TOO_MANY_REQUESTS)
                .header("Retry-After", Long.toString(seconds))
                .body(why + "; retry after " + seconds + " s")
                .build();
    }

    /** The client's IP address, without the port; null if the request has none (a Unix domain socket). */
    private static String clientAddress(Request request) {
        return request.remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
                ? a.getAddress().getHostAddress() : null;
    }

    @Override
    public String toString() {
        return "RateLimitFilter[" + permits + " per " + period + ", burst " + burst + "]";
    }

    /** One client's state: the time at which its allowance is whole again (GCRA's theoretical arrival time). */
    private static final class Client {
        private static final VarHandle FULL_AT;

        static {
            try {
                FULL_AT = MethodHandles.lookup().findVarHandle(Client.class, "fullAt", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private volatile long fullAt;

        Client(long now) {
            this.fullAt = now;
        }

        /**
         * Takes one request's share if the allowance has it.
         *
         * @return 0 if taken, else how many nanoseconds until it would be
         */
        long take(long now, long interval, long tolerance) {
            while (true) {
                long seen = fullAt;
                long base = Math.max(seen, now);
                long ahead = base - now;
                if (ahead > tolerance) {
                    return ahead - tolerance;
                }
                if (FULL_AT.compareAndSet(this, seen, base + interval)) {
                    return 0;
                }
            }
        }

        boolean isIdle(long now) {
            return fullAt - now <= 0;
        }
    }
}
