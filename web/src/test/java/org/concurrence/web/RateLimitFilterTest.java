package org.concurrence.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.concurrence.core.Concurrence;
import org.concurrence.core.DispatcherGroup;
import org.concurrence.core.Tasklet;
import org.concurrence.http.Handler;
import org.concurrence.http.Response;
import org.concurrence.http.Status;
import org.junit.jupiter.api.Test;

/** Rate limits on virtual time: the clock moves only when a test sleeps, so every count is exact. */
class RateLimitFilterTest {
    private static final Handler OK = request -> Response.ok("ok");

    private static void virtualTime(Runnable body) {
        Concurrence.run(Concurrence.Options.deterministic(), body);
    }

    private static Response call(RateLimitFilter filter, String... headers) {
        try {
            return filter.filter(TestRequest.get("/", headers), OK);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static int status(RateLimitFilter filter, String... headers) {
        return call(filter, headers).status().code();
    }

    @Test
    void aBurstPassesThenRequestsPassAtTheAverageRateAndTheRestAre429WithRetryAfter() {
        virtualTime(() -> {
            RateLimitFilter limit = RateLimitFilter.perClient(2, Duration.ofSeconds(1)).withBurst(3);
            assertEquals(List.of(200, 200, 200), List.of(status(limit), status(limit), status(limit)));
            Response refused = call(limit);
            assertEquals(Status.TOO_MANY_REQUESTS, refused.status());
            assertEquals("1", refused.headers().get("Retry-After"), "0.5 s, rounded up to whole seconds");
            assertEquals("too many requests; retry after 1 s", Responses.text(refused));
            Tasklet.sleep(Duration.ofMillis(499));
            assertEquals(429, status(limit), "not yet");
            Tasklet.sleep(Duration.ofMillis(1));
            assertEquals(200, status(limit), "one interval (period / permits) later, one more");
            assertEquals(429, status(limit));
            Tasklet.sleep(Duration.ofSeconds(10));
            for (int i = 0; i < 3; i++) {
                assertEquals(200, status(limit), "after a pause, a whole burst again, and no more");
            }
            assertEquals(429, status(limit));
        });
    }

    @Test
    void overALongRunTheAverageIsThePermitsPerPeriod() {
        virtualTime(() -> {
            RateLimitFilter limit = RateLimitFilter.perClient(10, Duration.ofSeconds(1)).withBurst(5);
            int passed = 0;
            for (int ms = 0; ms < 10_000; ms++) { // a client calling every millisecond for 10 s
                if (status(limit) == 200) {
                    passed++;
                }
                Tasklet.sleep(Duration.ofMillis(1));
            }
            assertEquals(5 + 10 * 10 - 1, passed, "the burst, then 10 per second (the last not yet due)");
        });
    }

    @Test
    void eachClientHasItsOwnLimitAndARequestWithoutAKeyIsNotLimited() {
        virtualTime(() -> {
            RateLimitFilter limit = RateLimitFilter.perClient(1, Duration.ofMinutes(1))
                    .keyedBy(request -> request.header("X-Api-Key"));
            assertEquals(200, status(limit, "X-Api-Key", "a"));
            assertEquals(429, status(limit, "X-Api-Key", "a"));
            Response refused = call(limit, "X-Api-Key", "a");
            assertEquals("60", refused.headers().get("Retry-After"));
            assertEquals(200, status(limit, "X-Api-Key", "b"));
            for (int i = 0; i < 5; i++) {
                assertEquals(200, status(limit), "no key: not limited");
            }
        });
    }

    @Test
    void byDefaultClientsAreToldApartByAddress() {
        virtualTime(() -> {
            RateLimitFilter limit = RateLimitFilter.perClient(1, Duration.ofSeconds(1));
            assertEquals(200, status(limit));
            assertEquals(429, status(limit), "the same address (TestRequest's 127.0.0.1)");
        });
    }

    @Test
    void aFullTableRefusesNewClientsUntilTheTrackedOnesAreBackAtTheirAllowance() {
        virtualTime(() -> {
            RateLimitFilter limit = RateLimitFilter.perClient(1, Duration.ofSeconds(10)).withMaxKeys(2)
                    .keyedBy(request -> request.header("K"));
            assertEquals(200, status(limit, "K", "a"));
            assertEquals(200, status(limit, "K", "b"));
            Response refused = call(limit, "K", "c");
            assertEquals(429, refused.status().code());
            assertEquals("too many clients are over their limit; retry after 1 s", Responses.text(refused));
            assertEquals(429, status(limit, "K", "a"), "the tracked clients keep their limits");
            Tasklet.sleep(Duration.ofSeconds(10)); // a and b are back at their full allowance: nothing to track
            assertEquals(200, status(limit, "K", "c"));
            assertEquals(200, status(limit, "K", "d"));
            assertEquals(429, status(limit, "K", "e"));
        });
    }

    @Test
    void concurrentRequestsOnSeveralDispatchersPassExactlyTheBurst() throws Exception {
        RateLimitFilter limit = RateLimitFilter.perClient(1, Duration.ofHours(1)).withBurst(50);
        AtomicInteger passed = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        try (DispatcherGroup group = DispatcherGroup.start(Concurrence.Options.defaults().withDispatchers(2))) {
            group.run(() -> {
                List<Tasklet<Void>> callers = new ArrayList<>();
                for (int i = 0; i < 400; i++) {
                    callers.add(Tasklet.builder().on(group.dispatcher(i % 2)).spawn(() -> {
                        for (int j = 0; j < 5; j++) {
                            (status(limit) == 200 ? passed : refused).incrementAndGet();
                            Tasklet.yield();
                        }
                    }));
                }
                Tasklet.joinAll(callers);
                return null;
            });
        }
        assertEquals(50, passed.get());
        assertEquals(2000 - 50, refused.get());
    }

    @Test
    void settingsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> RateLimitFilter.perClient(0, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> RateLimitFilter.perClient(1, Duration.ZERO));
        RateLimitFilter limit = RateLimitFilter.perClient(5, Duration.ofSeconds(1));
        assertThrows(IllegalArgumentException.class, () -> limit.withBurst(0));
        assertThrows(IllegalArgumentException.class, () -> limit.withMaxKeys(0));
        assertThrows(NullPointerException.class, () -> limit.keyedBy(null));
        assertTrue(limit.withBurst(9).toString().contains("burst 9"));
        virtualTime(() -> { // a limit of centuries does not overflow
            RateLimitFilter slow = RateLimitFilter.perClient(1, Duration.ofDays(365L * 300)).withBurst(1_000_000);
            assertEquals(200, status(slow));
        });
    }
}
