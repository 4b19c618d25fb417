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

class TaskletDequeTest {
    @Test
    void appendAndPopMakeAQueuePushAndPopAStackAndPopLastTakesFromTheBack() {
        TaskletDeque<Integer> deque = new TaskletDeque<>();
        deque.append(10);
        deque.append(20);
        assertEquals(10, deque.pop());
        assertEquals(20, deque.pop());
        deque.push(10);
        deque.push(20);
        assertEquals(20, deque.pop());
        assertEquals(10, deque.pop());
        deque.append(1);
        deque.append(2);
        deque.push(0);
        assertEquals(List.of(0, 1, 2), deque.toList());
        assertEquals(2, deque.popLast());
        assertEquals(0, deque.tryPop());
        assertEquals(1, deque.tryPopLast());
        assertNull(deque.tryPop());
        assertNull(deque.tryPopLast());
        assertTrue(deque.isEmpty());
    }

    @Test
    void popWaitsUntilAnItemArrives() {
        VirtualTime.run(() -> {
            TaskletDeque<Integer> deque = new TaskletDeque<>();
            Tasklet.later(Duration.ofSeconds(1), () -> deque.append(20));
            assertEquals(20, deque.pop());
            assertEquals(1000, millis());
        });
    }

    @Test
    void itemsThatArrivedWhileNobodyWaitedArePoppedWithoutWaiting() {
        VirtualTime.run(() -> {
            TaskletDeque<Integer> deque = new TaskletDeque<>();
            Tasklet.later(Duration.ofMillis(500), () -> deque.append(10));
            Tasklet.later(Duration.ofMillis(1000), () -> deque.append(20));
            Tasklet.sleep(Duration.ofMillis(1500));
            assertEquals(20, deque.popLast());
            assertEquals(10, deque.popLast());
            assertEquals(1500, millis());
        });
    }

    @Test
    void popWithATimeoutFailsAfterExactlyThatLongAndTakesNothing() {
        VirtualTime.run(() -> {
            TaskletDeque<String> deque = new TaskletDeque<>("jobs", 10);
            DeadlineExceededException e = assertThrows(DeadlineExceededException.class,
                    () -> deque.pop(Duration.ofSeconds(2)));
            assertEquals(2000, millis());
            assertEquals("pop from TaskletDeque[jobs, 0 of 10, 1 waiting to pop, 0 waiting to add] timed out after "
                    + "2.000 s", e.getMessage());
            deque.append("later");
            assertEquals(List.of("later"), deque.toList(), "the timed-out pop did not take the next item");
        });
    }

    @Test
    void anItemGoesToTheFirstPopperThatIsStillWaiting() {
        List<String> log = new ArrayList<>();
        VirtualTime.run(() -> {
            TaskletDeque<String> deque = new TaskletDeque<>();
            Tasklet<Void> impatient = Tasklet.spawn(() -> {
                assertThrows(DeadlineExceededException.class, () -> deque.pop(Duration.ofSeconds(1)));
                log.add("impatient gave up at " + millis());
            });
            Tasklet<Void> victim = Tasklet.spawn(() -> {
                deque.pop();
                log.add("victim popped");
            });
            List<Tasklet<Void>> patient = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                String me = "patient" + i;
                patient.add(Tasklet.spawn(() -> {
                    log.add(me + " got " + deque.popLast());
                }));
            }
            Tasklet.sleep(Duration.ofSeconds(2));
            victim.kill();
            assertTrue(assertThrows(JoinError.class, victim::join).wasKilled());
            deque.append("a");
            deque.push("b"); // an empty deque has one end: waiting poppers are served in line order
            impatient.join();
            patient.forEach(Tasklet::join);
            assertTrue(deque.isEmpty());
        });
        assertEquals(List.of("impatient gave up at 1000", "patient0 got a", "patient1 got b"), log);
    }

    @Test
    void aBoundedDequeMakesAddersWaitWhileItIsFullAndKeepsTheirOrder() {
        List<String> log = new ArrayList<>();
        VirtualTime.run(() -> {
            TaskletDeque<Integer> deque = new TaskletDeque<>("bounded", 2);
            deque.append(1);
            deque.append(2);
            assertFalse(deque.tryAppend(99));
            assertFalse(deque.tryPush(99));
            Tasklet<Void> producer = Tasklet.spawn(() -> {
                for (int i = 3; i <= 5; i++) {
                    deque.append(i);
                    log.add("appended " + i + " at " + millis());
                }
            });
            Tasklet.yield();
            assertEquals(2, deque.size(), "the producer waits: nothing was added past the capacity");
            List<Integer> popped = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Tasklet.sleep(Duration.ofSeconds(1));
                popped.add(deque.pop());
            }
            producer.join();
            assertEquals(List.of(1, 2, 3, 4, 5), popped);
        });
        assertEquals(List.of("appended 3 at 1000", "appended 4 at 2000", "appended 5 at 3000"), log);
    }

    @Test
    void aTimedOutAdderAddsNothingAndTheRoomGoesToTheNextAdder() {
        VirtualTime.run(() -> {
            TaskletDeque<String> deque = new TaskletDeque<>(1);
            deque.append("first");
            Tasklet<Void> impatient = Tasklet.spawn(() -> {
                assertThrows(DeadlineExceededException.class, () -> deque.append("impatient", Duration.ofSeconds(1)));
            });
            Tasklet<Void> victim = Tasklet.spawn(() -> deque.push("victim"));
            Tasklet<Void> patient = Tasklet.spawn(() -> deque.push("patient"));
            Tasklet.sleep(Duration.ofSeconds(2));
            victim.kill();
            assertTrue(assertThrows(JoinError.class, victim::join).wasKilled());
            impatient.join();
            assertEquals("first", deque.pop());
            patient.join();
            assertEquals(List.of("patient"), deque.toList());
        });
    }

    @Test
    void addingWaitsBehindEarlierAddersEvenWhenTryAppendIsUsed() {
        VirtualTime.run(() -> {
            TaskletDeque<String> deque = new TaskletDeque<>(1);
            deque.append("a");
            Tasklet<Void> waiting = Tasklet.spawn(() -> deque.append("b"));
            Tasklet.yield();
            assertEquals("a", deque.pop()); // the room goes to the waiting adder at once
            assertFalse(deque.tryAppend("c"));
            assertEquals(List.of("b"), deque.toList());
            waiting.join();
        });
    }

    @Test
    void clearMakesRoomForWaitingAdders() {
        VirtualTime.run(() -> {
            TaskletDeque<Integer> deque = new TaskletDeque<>(2);
            deque.append(1);
            deque.append(2);
            Tasklet<Void> adder = Tasklet.spawn(() -> {
                deque.append(3);
                deque.append(4);
            });
            Tasklet.yield();
            deque.clear();
            adder.join();
            assertEquals(List.of(3, 4), deque.toList());
        });
    }

    @Test
    void anExpiredDeadlineFailsPopAtOnceButAnAvailableItemIsStillTaken() {
        VirtualTime.run(() -> {
            TaskletDeque<String> deque = new TaskletDeque<>();
            deque.append("ready");
            try (var _ = Timeout.after(Duration.ZERO)) {
                assertEquals("ready", deque.pop());
                DeadlineExceededException e = assertThrows(DeadlineExceededException.class, deque::pop);
                assertEquals(Duration.ZERO, e.waited());
            }
            assertEquals(0, millis());
        });
    }

    @Test
    void nullItemsAndBadCapacitiesAreRejected() {
        TaskletDeque<String> deque = new TaskletDeque<>("jobs", 10);
        NullPointerException n = assertThrows(NullPointerException.class, () -> deque.append(null));
        assertEquals("append to deque jobs: items must not be null", n.getMessage());
        n = assertThrows(NullPointerException.class, () -> deque.tryPush(null));
        assertEquals("push to deque jobs: items must not be null", n.getMessage());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TaskletDeque<>("d", 0));
        assertEquals("deque d: capacity must be at least 1, not 0", e.getMessage());
        assertEquals(Integer.MAX_VALUE, new TaskletDeque<>().capacity());
    }

    @Test
    void aPlainThreadCanPopWithATimeout() {
        TaskletDeque<String> deque = new TaskletDeque<>();
        assertThrows(DeadlineExceededException.class, () -> deque.pop(Duration.ofMillis(1)));
        deque.append("x");
        assertEquals("x", deque.pop(Duration.ofMillis(1)));
    }
}
