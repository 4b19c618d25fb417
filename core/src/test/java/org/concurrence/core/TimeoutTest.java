package org.concurrence.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Deadlines and Timeout scopes: nesting by minimum, never extending, failing at once once expired. */
class TimeoutTest {

    private static void deterministic(Runnable body) {
        Concurrence.run(Concurrence.Options.deterministic(), body);
    }

    /** A tasklet that never ends by itself, to join on. */
    private static Tasklet<Void> forever() {
        return Tasklet.builder().daemon(true).spawn(() -> Tasklet.sleep(Duration.ofDays(365)));
    }

    @Test
    void aScopeFailsABlockingCallAtItsDeadline() {
        deterministic(() -> {
            Tasklet<Void> never = forever();
            try (Timeout scope = Timeout.after(Duration.ofMillis(250))) {
                DeadlineExceededException e = assertThrows(DeadlineExceededException.class, never::join);
                assertEquals(Duration.ofMillis(250), e.waited());
                assertEquals("join of tasklet " + never.name() + " timed out after 250 ms", e.getMessage());
            }
        });
    }

    @Test
    void nestedScopesTakeTheMinimumAndNeverExtend() {
        deterministic(() -> {
            try (Timeout outer = Timeout.after(Duration.ofSeconds(1))) {
                try (Timeout inner = Timeout.after(Duration.ofSeconds(5))) {
                    assertEquals(Optional.of(Duration.ofSeconds(1)), Timeout.remaining());
                }
                try (Timeout inner = Timeout.after(Duration.ofMillis(100))) {
                    assertEquals(Optional.of(Duration.ofMillis(100)), Timeout.remaining());
                }
                assertEquals(Optional.of(Duration.ofSeconds(1)), Timeout.remaining());
            }
            assertEquals(Optional.empty(), Timeout.remaining());
        });
    }

    @Test
    void aPerCallDurationIsCappedByTheScope() {
        deterministic(() -> {
            Tasklet<Void> never = forever();
            try (Timeout scope = Timeout.after(Duration.ofMillis(100))) {
                DeadlineExceededException e = assertThrows(DeadlineExceededException.class,
                        () -> never.join(Duration.ofSeconds(10)));
                assertEquals(Duration.ofMillis(100), e.waited());
            }
            DeadlineExceededException e = assertThrows(DeadlineExceededException.class,
                    () -> never.join(Duration.ofSeconds(10)));
            assertEquals(Duration.ofSeconds(10), e.waited());
        });
    }

    @Test
    void anExpiredDeadlineFailsEveryLaterCallAtOnce() {
        deterministic(() -> {
            Tasklet<Void> never = forever();
            Dispatcher d = Dispatcher.current();
            try (Timeout scope = Timeout.after(Duration.ofSeconds(1))) {
                Tasklet.sleep(Duration.ofSeconds(2)); // sleep ignores the deadline
                assertTrue(Timeout.expired());
                long before = d.nanoTime();
                for (int i = 0; i < 3; i++) {
                    DeadlineExceededException e = assertThrows(DeadlineExceededException.class, never::join);
                    assertEquals(Duration.ZERO, e.waited());
                    assertTrue(e.getMessage().endsWith("failed at once: the deadline had already passed"),
                            e.getMessage());
                }
                assertEquals(before, d.nanoTime());
            }
            assertFalse(Timeout.expired());
        });
    }

    @Test
    void timeoutMessagesAreTheSameWhateverTheDefaultLocale() {
        Locale saved = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY); // a decimal comma
        try {
            deterministic(() -> {
                Tasklet<Void> never = forever();
                DeadlineExceededException e = assertThrows(DeadlineExceededException.class,
                        () -> never.join(Duration.ofMillis(2500)));
                assertEquals("join of tasklet " + never.name() + " timed out after 2.500 s", e.getMessage());
            });
        } finally {
            Locale.setDefault(saved);
        }
    }

    @Test
    void theLambdaFormsScopeTheirBody() {
        deterministic(() -> {
            Tasklet<Void> never = forever();
            assertThrows(DeadlineExceededException.class, () -> Timeout.run(Duration.ofMillis(5), never::join));
            assertEquals("done", Timeout.call(Duration.ofSeconds(1), () -> {
                Tasklet.sleep(Duration.ofMillis(999));
                return "done";
            }));
            assertEquals(Optional.empty(), Timeout.remaining());
        });
    }

    @Test
    void scopesMustBeClosedInnermostFirst() {
        deterministic(() -> {
            Timeout outer = Timeout.after(Duration.ofSeconds(2));
            Timeout inner = Timeout.after(Duration.ofSeconds(1));
            assertThrows(IllegalStateException.class, outer::close);
            inner.close();
            outer.close();
            outer.close(); // twice: nothing
            assertEquals(Optional.empty(), Timeout.remaining());
        });
    }

    @Test
    void deadlinesAreNotInheritedByChildren() {
        deterministic(() -> {
            try (Timeout scope = Timeout.after(Duration.ofMillis(10))) {
                Tasklet<Optional<Duration>> child = Tasklet.spawn(Timeout::remaining);
                assertEquals(Optional.empty(), child.join());
            }
        });
    }

    @Test
    void aScopeCannotBeOpenedOutsideATasklet() {
        assertThrows(IllegalStateException.class, () -> Timeout.after(Duration.ofSeconds(1)));
        assertEquals(Optional.empty(), Timeout.remaining());
    }
}
