package org.concurrence.sync;

import static org.concurrence.sync.VirtualTime.millis;
import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.JoinError;
import org.concurrence.core.Tasklet;
import org.concurrence.core.Timeout;
import org.junit.jupiter.api.Test;

class EventTest {
    @Test
    void setWakesEveryWaiterInTheOrderTheyBeganToWait() {
        List<String> log = new ArrayList<>();
        VirtualTime.run(() -> {
            Event ready = new Event("ready");
            List<Tasklet<Void>> waiters = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String me = "w" + i;
                waiters.add(Tasklet.spawn(() -> {
                    ready.await();
                    log.add(me + " at " + millis());
                }));
            }
            Tasklet.sleep(Duration.ofSeconds(1));
            assertEquals(3, ready.waitingCount());
            log.add("set");
            ready.set();
            assertTrue(ready.isSet());
            waiters.forEach(Tasklet::join);
        });
        assertEquals(List.of("set", "w0 at 1000", "w1 at 1000", "w2 at 1000"), log);
    }

    @Test
    void aSetEventLetsWaitersThroughUntilItIsCleared() {
        VirtualTime.run(() -> {
            Event event = new Event();
            event.set();
            event.set();
            event.await();
            event.await(Duration.ZERO); // set: no wait, so even a zero timeout passes
            event.clear();
            assertFalse(event.isSet());
            assertThrows(DeadlineExceededException.class, () -> event.await(Duration.ofSeconds(1)));
            assertEquals(1000, millis());
        });
    }

    @Test
    void aWaiterWokenBySetReturnsEvenIfTheEventIsClearedBeforeItRuns() {
        VirtualTime.run(() -> {
            Event event = new Event();
            Tasklet<Long> waiter = Tasklet.spawn(() -> {
                event.await();
                return millis();
            });
            Tasklet.yield();
            event.set();
            event.clear();
            assertEquals(0, waiter.join());
        });
    }

    @Test
    void aTimedOutWaiterLeavesTheQueueAndTheOthersAreStillWoken() {
        List<String> log = new ArrayList<>();
        VirtualTime.run(() -> {
            Event event = new Event("e");
            Tasklet<Void> impatient = Tasklet.spawn(() -> {
                DeadlineExceededException e = assertThrows(DeadlineExceededException.class,
                        () -> event.await(Duration.ofSeconds(1)));
                assertEquals("await of Event[e, clear, 2 waiting] timed out after 1.000 s", e.getMessage());
                log.add("impatient gave up at " + millis());
            });
            Tasklet<Void> patient = Tasklet.spawn(() -> {
                event.await();
                log.add("patient woken at " + millis());
            });
            Tasklet.sleep(Duration.ofSeconds(2));
            assertEquals(1, event.waitingCount());
            event.set();
            impatient.join();
            patient.join();
        });
        assertEquals(List.of("impatient gave up at 1000", "patient woken at 2000"), log);
    }

    @Test
    void aKilledWaiterLeavesTheQueue() {
        VirtualTime.run(() -> {
            Event event = new Event();
            Tasklet<Void> victim = Tasklet.spawn(() -> event.await());
            Tasklet.yield();
            victim.kill();
            assertTrue(assertThrows(JoinError.class, victim::join).wasKilled());
            assertEquals(0, event.waitingCount());
        });
    }

    @Test
    void awaitHonoursTheEnclosingDeadline() {
        VirtualTime.run(() -> {
            Event event = new Event();
            try (var _ = Timeout.after(Duration.ofMillis(250))) {
                assertThrows(DeadlineExceededException.class, () -> event.await(Duration.ofHours(1)));
            }
            assertEquals(250, millis());
        });
    }

    @Test
    void aPlainThreadIsWokenByATaskletSettingTheEvent() throws Exception {
        Event event = new Event();
        Thread plain = Thread.ofPlatform().start(event::await);
        VirtualTime.run(event::set);
        plain.join();
        assertEquals(0, event.waitingCount());
    }
}
