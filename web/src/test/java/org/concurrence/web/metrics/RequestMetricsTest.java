package org.concurrence.web.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.concurrence.core.Concurrence;
import org.concurrence.core.Tasklet;
import org.concurrence.http.Handler;
import org.concurrence.http.HttpException;
import org.concurrence.http.Method;
import org.concurrence.http.Response;
import org.concurrence.http.ResponseBody;
import org.concurrence.http.Status;
import org.concurrence.web.Responses;
import org.concurrence.web.TestRequest;
import org.junit.jupiter.api.Test;

/** Request metrics on virtual time: each handler takes a known time, so every bucket count is exact. */
class RequestMetricsTest {
    /** Sleeps ?ms=N milliseconds, then answers ?status=N (an HttpException for ?fail=http, a bug for ?fail=bug). */
    private static final Handler HANDLER = request -> {
        Tasklet.sleep(Duration.ofMillis(Long.parseLong(request.queryParams().getOrDefault("ms", "0"))));
        switch (request.queryParams().getOrDefault("fail", "")) {
            case "http" -> throw new HttpException(Status.NOT_FOUND, "no such thing");
            case "bug" -> throw new IllegalStateException("a bug");
            default -> { }
        }
        return Response.of(new Status(Integer.parseInt(request.queryParams().getOrDefault("status", "200")), "X"));
    };

    private static void virtualTime(Runnable body) {
        Concurrence.run(Concurrence.Options.deterministic(), body);
    }

    private static Response call(RequestMetrics metrics, TestRequest request) {
        try {
            return metrics.filter(request, HANDLER);
        } catch (Exception e) {
            return e instanceof HttpException h ? Response.of(h.status()) : Response.of(Status.INTERNAL_SERVER_ERROR);
        }
    }

    @Test
    void requestsAreCountedByMethodAndStatusAndTimedIntoBuckets() {
        virtualTime(() -> {
            RequestMetrics metrics = RequestMetrics.withBuckets(List.of(Duration.ofMillis(10), Duration.ofMillis(100)));
            call(metrics, TestRequest.get("/?ms=5"));
            call(metrics, TestRequest.get("/?ms=10"));                  // on the bound: in it
            call(metrics, TestRequest.get("/?ms=50&status=201"));
            call(metrics, TestRequest.of(Method.POST, "/?ms=500&fail=http"));
            call(metrics, TestRequest.of(Method.POST, "/?fail=bug"));
            call(metrics, TestRequest.of(new Method("BREW"), "/?status=418"));
            RequestMetrics.Snapshot s = metrics.snapshot();
            assertEquals(Map.of("GET", Map.of(200, 2L, 201, 1L), "POST", Map.of(404, 1L, 500, 1L),
                    "OTHER", Map.of(418, 1L)), s.requests());
            assertEquals(List.of(4L, 5L, 6L), s.cumulative(), "≤ 10 ms: 4 (two instant ones), ≤ 100 ms: 5, all: 6");
            assertEquals(Duration.ofMillis(565), s.totalTime());
            assertEquals(0, s.inFlight());
            assertEquals(6, s.count());
        });
    }

    @Test
    void aStreamedBodyCountsWhenItIsWrittenAndInFlightMeanwhile() throws Exception {
        virtualTime(() -> {
            RequestMetrics metrics = RequestMetrics.create();
            Handler streaming = request -> Response.ok(ResponseBody.ofWriter(-1, out -> {
                Tasklet.sleep(Duration.ofSeconds(2));
                out.write(1);
            }), "application/octet-stream");
            try {
                Response r = metrics.filter(TestRequest.get("/"), streaming);
                assertEquals(1, metrics.snapshot().inFlight(), "the body is still to be written");
                ((ResponseBody.Streamed) r.body()).writer().writeTo(new ByteArrayOutputStream());
                Response discarded = metrics.filter(TestRequest.get("/"), streaming);
                ((ResponseBody.Streamed) discarded.body()).writer().discard();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            RequestMetrics.Snapshot s = metrics.snapshot();
            assertEquals(0, s.inFlight());
            assertEquals(Map.of("GET", Map.of(200, 2L)), s.requests());
            assertEquals(Duration.ofSeconds(2), s.totalTime(), "the write's time counts; a discarded body's is none");
        });
    }

    @Test
    void thePrometheusTextHasEveryFamilyAndTheGauges() {
        virtualTime(() -> {
            RequestMetrics metrics = RequestMetrics.withBuckets(List.of(Duration.ofMillis(5), Duration.ofMillis(2500)))
                    .addGauge("app_connections", "Connections open\nnow", () -> 7);
            call(metrics, TestRequest.get("/?ms=3"));
            call(metrics, TestRequest.get("/?ms=3000&status=503"));
            assertEquals("""
                    # HELP http_server_requests_total Requests answered, by method and status code.
                    # TYPE http_server_requests_total counter
                    http_server_requests_total{method="GET",code="200"} 1
                    http_server_requests_total{method="GET",code="503"} 1
                    # HELP http_server_requests_in_flight Requests being handled or written now.
                    # TYPE http_server_requests_in_flight gauge
                    http_server_requests_in_flight 0
                    # HELP http_server_request_duration_seconds Time from the request to the end of its response.
                    # TYPE http_server_request_duration_seconds histogram
                    http_server_request_duration_seconds_bucket{le="0.005"} 1
                    http_server_request_duration_seconds_bucket{le="2.5"} 1
                    http_server_request_duration_seconds_bucket{le="+Inf"} 2
                    http_server_request_duration_seconds_sum 3.003
                    http_server_request_duration_seconds_count 2
                    # HELP app_connections Connections open\\nnow
                    # TYPE app_connections gauge
                    app_connections 7
                    """, metrics.prometheus());
            try {
                Response exposition = metrics.handler().handle(TestRequest.get("/metrics"));
                assertEquals("text/plain; version=0.0.4; charset=utf-8", exposition.headers().get("Content-Type"));
                assertTrue(Responses.text(exposition).contains("app_connections 7\n"));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void aStatusTheServerCannotSendCountsAsThe500ItIsAnsweredWith() {
        virtualTime(() -> {
            RequestMetrics metrics = RequestMetrics.create();
            try {
                metrics.filter(TestRequest.get("/"), request -> {
                    throw new HttpException(new Status(103, "Early Hints"), "not a final status");
                });
            } catch (Exception expected) {
                // The server answers such an exception 500.
            }
            try {
                metrics.filter(TestRequest.get("/"), request -> Response.of(new Status(700, "Beyond")));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            assertEquals(Map.of("GET", Map.of(500, 2L)), metrics.snapshot().requests());
        });
    }

    @Test
    void aGaugeThatFailsLeavesOnlyItsOwnSampleOut() {
        RequestMetrics metrics = RequestMetrics.create()
                .addGauge("broken", "always fails", () -> {
                    throw new IllegalStateException("no value");
                })
                .addGauge("fine", "seven", () -> 7);
        String text = metrics.prometheus();
        assertTrue(text.contains("# TYPE broken gauge\n# HELP fine seven\n"), text);
        assertTrue(text.endsWith("fine 7\n"), text);
    }

    @Test
    void settingsAreChecked() {
        assertThrows(IllegalArgumentException.class,
                () -> RequestMetrics.withBuckets(List.of(Duration.ofSeconds(1), Duration.ofMillis(5))));
        assertThrows(IllegalArgumentException.class, () -> RequestMetrics.withBuckets(List.of(Duration.ZERO)));
        RequestMetrics metrics = RequestMetrics.create().addGauge("a", "first", () -> 1);
        assertThrows(IllegalArgumentException.class, () -> metrics.addGauge("a", "again", () -> 2));
        assertThrows(IllegalArgumentException.class, () -> metrics.addGauge("1bad", "name", () -> 2));
        assertThrows(IllegalArgumentException.class, () -> metrics.addGauge("http_server_requests_total", "", () -> 2));
    }
}
