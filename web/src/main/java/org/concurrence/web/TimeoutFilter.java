package org.concurrence.web;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Timeout;
import org.concurrence.http.Filter;
import org.concurrence.http.Handler;
import org.concurrence.http.HttpException;
import org.concurrence.http.Request;
import org.concurrence.http.Response;
import org.concurrence.http.Status;

/**
 * Gives each request a deadline, as the original's {@code TimeoutFilter}: a {@code Timeout: <seconds>} request
 * header (decimals allowed, {@code Timeout: 2.5}) sets it, else the {@linkplain #withDefault default} if there is one;
 * a {@linkplain #withMaximum maximum} caps both (and applies alone when neither is there). The handler runs inside a
 * {@link Timeout} scope, so every blocking call it makes — a query, a call to a tasklet, a read of the body — fails
 * with {@link DeadlineExceededException} once the deadline passes, and a deadline already set outside is never
 * extended.
 *
 * <p>A {@link DeadlineExceededException} escaping the handler becomes <b>504 Gateway Timeout</b> with a message that
 * says which deadline passed and what was waiting: the request was well-formed and the server is up, but something it
 * waited for (usually another service or a database) did not answer in time — the meaning 504 has for gateways,
 * and the status gRPC's DEADLINE_EXCEEDED maps to. 503 would tell clients and load balancers the server is
 * overloaded or down, which is not what happened. A malformed or non-positive header gets 400.
 *
 * <p>The deadline covers the handler and the filters inside this one, not the writing of a streamed body, which
 * happens after the handler returns (the server's write timeout bounds that).
 *
 * <p>Blocking: none of its own. Thread-safety: immutable. Must run in a tasklet (handlers always do).
 */
public final class TimeoutFilter implements Filter {
    /** The request header that asks for a deadline, in seconds. */
    public static final String HEADER = "Timeout";
    private static final BigDecimal NANOS_PER_SECOND = BigDecimal.valueOf(1_000_000_000L);
    private static final BigDecimal MAX_SECONDS = BigDecimal.valueOf(100L * 365 * 24 * 3600);

    private final Duration defaultTimeout;
    private final Duration maximum;

    private TimeoutFilter(Duration defaultTimeout, Duration maximum) {
        this.defaultTimeout = defaultTimeout;
        this.maximum = maximum;
    }

    /** A filter that takes the deadline from the header only, with no default and no maximum. */
    public static TimeoutFilter fromHeader() {
        return new TimeoutFilter(null, null);
    }

    /** A copy that gives requests without the header a deadline of {@code timeout}. */
    public TimeoutFilter withDefault(Duration timeout) {
        return new TimeoutFilter(positive("default", timeout), maximum);
    }

    /** A copy that caps every deadline at {@code timeout}, whatever the header asks. */
    public TimeoutFilter withMaximum(Duration timeout) {
        return new TimeoutFilter(defaultTimeout, positive("maximum", timeout));
    }

    @Override
    public Response filter(Request request, Handler next) throws Exception {
        Duration timeout = parse(request.header(HEADER));
        String source = timeout != null ? "the Timeout header's" : "the default";
        if (timeout == null) {
            timeout = defaultTimeout;
        }
        if (maximum != null && (timeout == null || timeout.compareTo(maximum) > 0)) {
            timeout = maximum;
            source = "the maximum";
        }
        if (timeout == null) {
            return next.handle(request);
        }
        try (Timeout scope = Timeout.after(timeout)) {
            try {
                return next.handle(request);
            } catch (DeadlineExceededException e) {
                Optional<Duration> left = scope.timeLeft();
                String what = left.isPresent() && left.get().isZero()
                        ? "the request's deadline (" + source + " " + format(timeout) + ") passed: "
                        : "";
                return Response.text(Status.GATEWAY_TIMEOUT, what + e.getMessage());
            }
        }
    }

    /** The header's value as a duration, or null if absent. */
    static Duration parse(String header) {
        if (header == null) {
            return null;
        }
        String v = header.strip();
        if (!v.matches("[0-9]{1,12}(\\.[0-9]{1,9})?")) {
            throw new HttpException(Status.BAD_REQUEST, "Timeout header must be a positive number of seconds, like"
                    + " 2 or 0.5: \"" + header + "\"");
        }
        BigDecimal seconds = new BigDecimal(v);
        if (seconds.signum() <= 0) {
            throw new HttpException(Status.BAD_REQUEST, "Timeout header must be more than 0 seconds: \"" + header
                    + "\"");
        }
        return Duration.ofNanos(seconds.min(MAX_SECONDS).multiply(NANOS_PER_SECOND).longValue());
    }

    private static String format(Duration d) {
        return BigDecimal.valueOf(d.toMillis()).movePointLeft(3).stripTrailingZeros().toPlainString() + " s";
    }

    private static Duration positive(String what, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("TimeoutFilter " + what + " must be positive: " + d);
        }
        return d;
    }
}
