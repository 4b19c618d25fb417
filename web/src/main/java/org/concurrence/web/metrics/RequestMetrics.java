package org.concurrence.web.metrics;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.concurrence.core.Tasklet;
import org.concurrence.http.Filter;
import org.concurrence.http.Handler;
import org.concurrence.http.HttpException;
import org.concurrence.http.Method;
import org.concurrence.http.Request;
import org.concurrence.http.Response;
import org.concurrence.http.ResponseBody;
import org.concurrence.http.Status;

/**
 * Counts what a server answers, for a dashboard or an alert: requests by method and status code, the requests being
 * handled now, and how long they took as a histogram; exposed as a {@link Snapshot} and in Prometheus's text format
 * ({@link #handler()} serves it), with gauges of the application's own ({@link #addGauge}) beside.
 * <pre>{@code
 * RequestMetrics metrics = RequestMetrics.create();
 * metrics.addGauge("http_server_connections", "Connections open", server::connectionCount);
 * Router.builder()
 *     .filter(metrics)                                // outermost: it sees the 404s and 405s too
 *     .get("/metrics", metrics.handler())
 * }</pre>
 *
 * <p>A request counts from the filter until its response is complete: for a streamed body (a download, an event
 * stream) that is when its writer has finished, so a long stream's duration is its whole life. A handler that throws
 * counts with the status it is answered with (an {@link HttpException}'s, else 500; a status that cannot end a
 * request, 1xx or over 599, is answered 500 and counts so); a streamed body whose writer
 * fails, or that is never sent (the connection ended first), counts with the status that had gone out or was meant
 * to. Methods outside the standard nine count as {@code OTHER}, so a client cannot grow the label set.
 *
 * <p>Time is the dispatcher's clock (virtual time in deterministic tests). Blocking: none. Thread-safety: one instance
 * for every dispatcher; counters are {@link LongAdder}s, so requests on several carriers rarely contend, and a snapshot
 * taken while requests run is consistent per counter, not across them.
 */
public final class RequestMetrics implements Filter {
    /** The histogram's upper bounds by default, as Prometheus's client libraries have them: 5 ms to 10 s. */
    public static final List<Duration> DEFAULT_BUCKETS = List.of(Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10));
    private static final Set<String> STANDARD_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH",
            "OPTIONS", "TRACE", "CONNECT");

    private static final System.Logger LOG = System.getLogger(RequestMetrics.class.getName());

    private final List<Duration> buckets;
    private final long[] bounds;
    /** Requests in each bucket (not cumulative), the last for those over every bound. */
    private final LongAdder[] counts;
    private final LongAdder totalNanos = new LongAdder();
    /** One counter, not an adder: a sum over cells read at different moments could show -1 in flight. */
    private final AtomicLong inFlight = new AtomicLong();
    private final ConcurrentHashMap<Key, LongAdder> requests = new ConcurrentHashMap<>();
    private final List<Gauge> gauges = new CopyOnWriteArrayList<>();

    private RequestMetrics(List<Duration> buckets) {
        this.buckets = buckets;
        this.bounds = buckets.stream().mapToLong(Duration::toNanos).toArray();
        this.counts = new LongAdder[bounds.length + 1];
        Arrays.setAll(counts, _ -> new LongAdder());
    }

    /** Metrics with {@link #DEFAULT_BUCKETS}. */
    public static RequestMetrics create() {
        return new RequestMetrics(DEFAULT_BUCKETS);
    }

    /**
     * Metrics whose duration histogram has these upper bounds.
     *
     * @throws IllegalArgumentException unless the bounds are positive and increasing
     */
    public static RequestMetrics withBuckets(List<Duration> buckets) {
        List<Duration> copy = List.copyOf(buckets);
        for (int i = 0; i < copy.size(); i++) {
            if (copy.get(i).isNegative() || copy.get(i).isZero()
                    || (i > 0 && copy.get(i).compareTo(copy.get(i - 1)) <= 0)) {
                throw new IllegalArgumentException("histogram bounds must be positive and increasing: " + copy);
            }
        }
        return new RequestMetrics(copy);
    }

    /**
     * Adds a gauge read at every exposition: {@code name} (a Prometheus metric name) with {@code help}, e.g. a
     * server's {@code connectionCount}. Thread-safe; returns this metrics for chaining.
     *
     * @throws IllegalArgumentException if the name is not a valid metric name, or taken
     */
    public RequestMetrics addGauge(String name, String help, LongSupplier value) {
        if (!name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*") || name.startsWith("http_server_request")) {
            throw new IllegalArgumentException("not a metric name of one's own: " + name);
        }
        synchronized (gauges) {
            if (gauges.stream().anyMatch(g -> g.name().equals(name))) {
                throw new IllegalArgumentException("a gauge is already named " + name);
            }
            gauges.add(new Gauge(name, Objects.requireNonNull(help, "help"), Objects.requireNonNull(value, "value")));
        }
        return this;
    }

    @Override
    public Response filter(Request request, Handler next) throws Exception {
        long start = Tasklet.current().dispatcher().nanoTime();
        String method = STANDARD_METHODS.contains(request.method().name()) ? request.method().name() : "OTHER";
        inFlight.incrementAndGet();
        Response response;
        try {
            response = next.handle(request);
        } catch (HttpException e) {
            done(method, answered(e.status()), start);
            throw e;
        } catch (Exception | Error e) {
            done(method, 500, start);
            throw e;
        }
        int status = response.upgrade() != null ? response.status().code() : answered(response.status());
        if (response.body() instanceof ResponseBody.Streamed streamed && !request.method().equals(Method.HEAD)
                && !response.status().forbidsBody()) {
            return response.withBody(ResponseBody.ofWriter(streamed.length(), new ResponseBody.BodyWriter() {
                @Override
                public void writeTo(OutputStream out) throws IOException {
                    try {
                        streamed.writer().writeTo(out);
                    } finally {
                        done(method, status, start);
                    }
                }

                @Override
                public void discard() throws IOException {
                    try {
                        streamed.writer().discard();
                    } finally {
                        done(method, status, start);
                    }
                }
            }));
        }
        done(method, status, start);
        return response;
    }

    /** The code the server answers {@code status} with: its own if it can end a request, else 500. */
    private static int answered(Status status) {
        return status.isFinal() ? status.code() : 500;
    }

    private void done(String method, int status, long start) {
        long nanos = Math.max(0, Tasklet.current().dispatcher().nanoTime() - start);
        inFlight.decrementAndGet();
        requests.computeIfAbsent(new Key(method, status), _ -> new LongAdder()).increment();
        totalNanos.add(nanos);
        int bucket = 0;
        while (bucket < bounds.length && nanos > bounds[bucket]) {
            bucket++;
        }
        counts[bucket].increment();
    }

    /**
     * The counters now.
     *
     * @param requests     requests answered, by method and status code
     * @param inFlight     requests being handled (or their bodies written) now
     * @param buckets      the histogram's upper bounds
     * @param cumulative   requests that took at most each bound, then all of them (one more entry than bounds)
     * @param totalTime    the time all answered requests took together
     */
    public record Snapshot(Map<String, Map<Integer, Long>> requests, long inFlight, List<Duration> buckets,
            List<Long> cumulative, Duration totalTime) {
        /** Requests answered in all. */
        public long count() {
            return cumulative.getLast();
        }
    }

    /** The counters now. */
    public Snapshot snapshot() {
        Map<String, Map<Integer, Long>> byMethod = new TreeMap<>();
        requests.forEach((key, n) -> byMethod.computeIfAbsent(key.method(), _ -> new TreeMap<>())
                .put(key.status(), n.sum()));
        List<Long> cumulative = new ArrayList<>(counts.length);
        long sum = 0;
        for (LongAdder c : counts) {
            sum += c.sum();
            cumulative.add(sum);
        }
        return new Snapshot(byMethod, inFlight.get(), buckets, List.copyOf(cumulative),
                Duration.ofNanos(totalNanos.sum()));
    }

    /** The metrics in Prometheus's text exposition format (version 0.0.4). */
    public String prometheus() {
        Snapshot s = snapshot();
        StringBuilder out = new StringBuilder(1024);
        out.append("# HELP http_server_requests_total Requests answered, by method and status code.\n")
                .append("# TYPE http_server_requests_total counter\n");
        s.requests().forEach((method, byStatus) -> byStatus.forEach((status, n) -> out
                .append("http_server_requests_total{method=\"").append(method).append("\",code=\"").append(status)
                .append("\"} ").append(n).append('\n')));
        out.append("# HELP http_server_requests_in_flight Requests being handled or written now.\n")
                .append("# TYPE http_server_requests_in_flight gauge\n")
                .append("http_server_requests_in_flight ").append(s.inFlight()).append('\n');
        out.append("# HELP http_server_request_duration_seconds Time from the request to the end of its response.\n")
                .append("# TYPE http_server_request_duration_seconds histogram\n");
        for (int i = 0; i < s.buckets().size(); i++) {
            out.append("http_server_request_duration_seconds_bucket{le=\"").append(seconds(s.buckets().get(i)))
                    .append("\"} ").append(s.cumulative().get(i)).append('\n');
        }
        out.append("http_server_request_duration_seconds_bucket{le=\"+Inf\"} ").append(s.count()).append('\n')
                .append("http_server_request_duration_seconds_sum ").append(seconds(s.totalTime())).append('\n')
                .append("http_server_request_duration_seconds_count ").append(s.count()).append('\n');
        for (Gauge g : gauges) {
            out.append("# HELP ").append(g.name()).append(' ').append(g.help().replace("\\", "\\\\")
                    .replace("\n", "\\n")).append('\n')
                    .append("# TYPE ").append(g.name()).append(" gauge\n");
            try {
                long value = g.value().getAsLong();
                out.append(g.name()).append(' ').append(value).append('\n');
            } catch (RuntimeException e) { // one broken gauge must not take the whole scrape down: no sample
                LOG.log(System.Logger.Level.WARNING, "gauge " + g.name() + " failed", e);
            }
        }
        return out.toString();
    }

    /** A handler that answers with {@link #prometheus()}, for a {@code /metrics} route. */
    public Handler handler() {
        return request -> Response.ok(ResponseBody.of(prometheus().getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                "text/plain; version=0.0.4; charset=utf-8");
    }

    /** Seconds as Prometheus writes them: a decimal without exponent or trailing zeros. */
    private static String seconds(Duration d) {
        String s = String.format(Locale.ROOT, "%.9f", d.toNanos() / 1e9);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    private record Key(String method, int status) {}

    private record Gauge(String name, String help, LongSupplier value) {}
}
