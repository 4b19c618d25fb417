package org.concurrence.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.concurrence.core.Concurrence;
import org.concurrence.core.Tasklet;
import org.concurrence.core.Timeout;
import org.concurrence.http.Handler;
import org.concurrence.http.HttpException;
import org.concurrence.http.Response;
import org.concurrence.http.Status;
import org.junit.jupiter.api.Test;

/** Deadlines from the Timeout header, on virtual time: the clock jumps to each deadline, nothing waits for real. */
class TimeoutFilterTest {

    private static void virtualTime(Runnable body) {
        Concurrence.run(Concurrence.Options.deterministic(), body);
    }

    private static long now() {
        return Tasklet.current().dispatcher().nanoTime();
    }

    /** A handler that waits for a tasklet that never ends. */
    private static final Handler WAITS_FOREVER = request -> {
        Tasklet.builder().daemon(true).spawn(() -> Tasklet.sleep(Duration.ofDays(365))).join();
        return Response.ok("never");
    };

    private static Handler remembering(AtomicReference<Optional<Duration>> seen) {
        return request -> {
            seen.set(Timeout.remaining());
            return Response.ok("done");
        };
    }

    @Test
    void theHeaderSetsTheDeadlineAndAnExpiredOneGives504() {
        virtualTime(() -> {
            long start = now();
            Response r = call(TimeoutFilter.fromHeader(), WAITS_FOREVER, "Timeout", "2.5");
            assertEquals(Status.GATEWAY_TIMEOUT, r.status());
            assertEquals(Duration.ofMillis(2500), Duration.ofNanos(now() - start));
            String text = Responses.text(r);
            assertTrue(text.startsWith("the request's deadline (the Timeout header's 2.5 s) passed: join of tasklet "),
                    text);
            assertEquals(Optional.empty(), Timeout.remaining(), "the scope is closed afterwards");
        });
    }

    @Test
    void aHandlerThatFinishesInTimeIsUntouched() {
        virtualTime(() -> {
            AtomicReference<Optional<Duration>> seen = new AtomicReference<>();
            Response r = call(TimeoutFilter.fromHeader(), remembering(seen), "Timeout", "3");
            assertEquals("done", Responses.text(r));
            assertEquals(Optional.of(Duration.ofSeconds(3)), seen.get());
        });
    }

    @Test
    void theMaximumCapsTheHeaderAndTheDefaultAppliesWithoutOne() {
        virtualTime(() -> {
            AtomicReference<Optional<Duration>> seen = new AtomicReference<>();
            TimeoutFilter filter = TimeoutFilter.fromHeader().withDefault(Duration.ofSeconds(5))
                    .withMaximum(Duration.ofSeconds(10));
            call(filter, remembering(seen), "Timeout", "60");
            assertEquals(Optional.of(Duration.ofSeconds(10)), seen.get());
            call(filter, remembering(seen));
            assertEquals(Optional.of(Duration.ofSeconds(5)), seen.get());
            call(TimeoutFilter.fromHeader().withMaximum(Duration.ofSeconds(7)), remembering(seen));
            assertEquals(Optional.of(Duration.ofSeconds(7)), seen.get());
            call(TimeoutFilter.fromHeader(), remembering(seen));
            assertEquals(Optional.empty(), seen.get());
        });
    }

    @Test
    void anOuterDeadlineIsNeverExtended() {
        virtualTime(() -> {
            AtomicReference<Optional<Duration>> seen = new AtomicReference<>();
            Timeout.run(Duration.ofSeconds(1),
                    () -> call(TimeoutFilter.fromHeader(), remembering(seen), "Timeout", "30"));
            assertEquals(Optional.of(Duration.ofSeconds(1)), seen.get());
        });
    }

    @Test
    void aHandlersOwnShorterTimeoutIs504WithItsOwnMessage() {
        virtualTime(() -> {
            Handler shortCall = request -> {
                Tasklet.builder().daemon(true).spawn(() -> Tasklet.sleep(Duration.ofDays(1)))
                        .join(Duration.ofMillis(100));
                return Response.ok("never");
            };
            Response r = call(TimeoutFilter.fromHeader(), shortCall, "Timeout", "5");
            assertEquals(504, r.status().code());
            String text = Responses.text(r);
            assertTrue(text.startsWith("join of tasklet") && text.endsWith("timed out after 100 ms"), text);
        });
    }

    @Test
    void aMalformedOrNonPositiveHeaderIs400() {
        virtualTime(() -> {
            for (String bad : new String[] {"soon", "-1", "0", "1e3", "", "1.2.3"}) {
                HttpException e = assertThrows(HttpException.class,
                        () -> TimeoutFilter.fromHeader().filter(TestRequest.get("/", "Timeout", bad), WAITS_FOREVER),
                        bad);
                assertEquals(400, e.status().code(), bad);
            }
        });
    }

    private static Response call(TimeoutFilter filter, Handler handler, String... headers) {
        try {
            return filter.filter(TestRequest.get("/", headers), handler);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
