package org.concurrence.supervision;

import static org.concurrence.supervision.SupervisorTest.deterministic;
import static org.concurrence.supervision.SupervisorTest.failing;
import static org.concurrence.supervision.SupervisorTest.millis;
import static org.concurrence.supervision.SupervisorTest.sleeper;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.concurrence.core.Down;
import org.concurrence.core.Ending;
import org.concurrence.core.Mailbox;
import org.concurrence.core.Tasklet;
import org.junit.jupiter.api.Test;

/** The restart intensity, failing upward, and supervisors supervising supervisors; on virtual time. */
class SupervisorIntensityTest {

    @Test
    void nRestartsWithinThePeriodAreAllowedAndOneMoreMakesTheSupervisorFailUpward() {
        List<String> log = new ArrayList<>();
        deterministic(() -> {
            Supervisor sup = Supervisor.start(SupervisorSpec.builder("sup")
                    .intensity(3, Duration.ofSeconds(10))
                    .child(ChildSpec.of("steady", sleeper("steady", log)))
                    .child(ChildSpec.of("worker", failing("worker", Duration.ofSeconds(1), log)))
                    .child(ChildSpec.of("last", sleeper("last", log)))
                    .build());
            sup.tasklet().monitor();
            Down down = Mailbox.receive(Down.class, Duration.ofMinutes(1));
            log.add("supervisor down at " + millis() + " ms");

            Ending.Failed failed = assertInstanceOf(Ending.Failed.class, down.ending());
            SupervisorGaveUpException gaveUp = assertInstanceOf(SupervisorGaveUpException.class, failed.cause());
            assertEquals("supervisor sup gave up: child worker failed (java.lang.IllegalStateException: worker fails "
                    + "(expected)), which would be restart 4 within 10 s (at most 3 allowed)", gaveUp.getMessage());
            assertEquals("sup", gaveUp.supervisor());
            assertEquals("worker", gaveUp.child());
            assertEquals(3, gaveUp.maxRestarts());
            assertEquals(Duration.ofSeconds(10), gaveUp.period());
            assertEquals("worker fails (expected)", gaveUp.getCause().getMessage());
            assertEquals(3, sup.restartCount());
            assertTrue(sup.children().stream().noneMatch(Supervisor.Child::isRunning));
        });
        assertEquals(List.of("steady starts", "worker starts", "last starts",
                "worker ends", "worker starts", "worker ends", "worker starts", "worker ends", "worker starts",
                "worker ends", "last ends", "steady ends", "supervisor down at 4000 ms"), log);
    }

    @Test
    void restartsSpreadWiderThanThePeriodNeverExhaustTheIntensity() {
        deterministic(() -> {
            Supervisor sup = Supervisor.start(SupervisorSpec.builder("sup")
                    .intensity(2, Duration.ofSeconds(10))
                    .child(ChildSpec.of("worker", failing("worker", Duration.ofSeconds(5), new ArrayList<>())))
                    .build());
            Tasklet.sleep(Duration.ofSeconds(61));
            assertEquals(12, sup.restartCount());
            assertTrue(sup.tasklet().isAlive());
            sup.stop();
        });
    }

    @Test
    void theIntensityCountsTheRestartsOfASlidingWindow() {
        deterministic(() -> {
            // Ends at 2, 9, 10, 11 and 12 s. At 9 s the restart at 2 s has left the 7 s window; at 12 s the restarts
            // at 9, 10 and 11 s are all in it, so a fourth is one too many.
            long[] ends = {2, 9, 10, 11, 12};
            AtomicInteger run = new AtomicInteger();
            Supervisor sup = Supervisor.start(SupervisorSpec.builder("sup")
                    .intensity(3, Duration.ofSeconds(7))
                    .child(ChildSpec.of("worker", () -> {
                        int i = run.getAndIncrement();
                        Tasklet.sleep(Duration.ofSeconds(ends[i] - (i == 0 ? 0 : ends[i - 1])));
                        throw new IllegalStateException("worker fails (expected)");
                    }))
                    .build());
            sup.tasklet().monitor();
            Mailbox.receive(Down.class, Duration.ofMinutes(1));
            assertEquals(12_000, millis());
            assertEquals(4, sup.restartCount());
        });
    }

    @Test
    void anIntensityOfZeroGivesUpAtTheFirstEndThatNeedsARestart() {
        deterministic(() -> {
            Supervisor sup = Supervisor.start(SupervisorSpec.builder("sup")
                    .intensity(0, Duration.ofSeconds(1))
                    .child(ChildSpec.of("temp", () -> "done").withRestart(Restart.TEMPORARY))
                    .child(ChildSpec.of("worker", () -> {
                        Tasklet.sleep(Duration.ofSeconds(1));
                        return "ended normally, yet permanent";
                    }))
                    .build());
            sup.tasklet().monitor();
            Down down = Mailbox.receive(Down.class, Duration.ofMinutes(1));
            SupervisorGaveUpException gaveUp = assertInstanceOf(SupervisorGaveUpException.class,
                    ((Ending.Failed) down.ending()).cause());
            assertEquals("supervisor sup gave up: child worker ended normally, which would be restart 1 within 1 s "
                    + "(at most 0 allowed)", gaveUp.getMessage());
            assertEquals(null, gaveUp.getCause());
        });
    }

    @Test
    void aStartThatFailsDuringARestartCountsAgainstTheIntensity() {
        deterministic(() -> {
            AtomicInteger made = new AtomicInteger();
            Supervisor sup = Supervisor.start(SupervisorSpec.builder("sup")
                    .intensity(2, Duration.ofMinutes(1))
                    .child(ChildSpec.fromFactory("worker", () -> {
                        if (made.incrementAndGet() > 1) {
                            throw new IllegalStateException("no more workers (expected)");
                        }
                        return () -> {
                            Tasklet.sleep(Duration.ofSeconds(1));
                            throw new IllegalStateException("worker fails (expected)");
                        };
                    }))
                    .build());
            sup.tasklet().monitor();
            Down down = Mailbox.receive(Down.class, Duration.ofMinutes(1));
            SupervisorGaveUpException gaveUp = assertInstanceOf(SupervisorGaveUpException.class,
                    ((Ending.Failed) down.ending()).cause());
            assertEquals("supervisor sup gave up: child worker could not be started again (it failed (java.lang"
                    + ".IllegalStateException: no more workers (expected)) before it started), which would be restart 3 "
                    + "within 60 s (at most 2 allowed)", gaveUp.getMessage());
            ChildStartException start = assertInstanceOf(ChildStartException.class, gaveUp.getCause());
            assertEquals("supervisor sup could not start child worker: it failed (java.lang.IllegalStateException: "
                    + "no more workers (expected)) before it started", start.getMessage());
            assertEquals(1_000, millis());
            assertEquals(3, made.get());
        });
    }

    @Test
    void aParentSupervisorRestartsAChildSupervisorThatGaveUp() {
        List<String> log = new ArrayList<>();
        AtomicInteger failuresLeft = new AtomicInteger(2);
        deterministic(() -> {
            SupervisorSpec inner = SupervisorSpec.builder("inner")
                    .intensity(1, Duration.ofMinutes(1))
                    .child(ChildSpec.of("worker", () -> {
                        log.add("worker starts at " + millis() + " ms");
                        Tasklet.sleep(Duration.ofSeconds(1));
                        if (failuresLeft.getAndDecrement() > 0) {
                            throw new IllegalStateException("worker fails (expected)");
                        }
                        Tasklet.sleep(Duration.ofHours(1));
                    }))
                    .build();
            Supervisor outer = Supervisor.start(SupervisorSpec.builder("outer")
                    .child(inner)
                    .child(ChildSpec.of("sibling", sleeper("sibling", log)))
                    .build());
            Tasklet<?> firstInner = outer.child("inner").orElseThrow();
            Supervisor firstHandle = Supervisor.of(firstInner).orElseThrow();
            firstInner.monitor();
            Down down = Mailbox.receive(Down.class, Duration.ofMinutes(1));
            log.add("inner down at " + millis() + " ms");
            assertInstanceOf(SupervisorGaveUpException.class, ((Ending.Failed) down.ending()).cause());
            assertEquals(1, firstHandle.restartCount());
            Tasklet.yield(); // the outer supervisor restarts inner, which starts a fresh worker

            Tasklet<?> secondInner = outer.child("inner").orElseThrow();
            assertNotSame(firstInner, secondInner);
            assertEquals("inner", secondInner.name());
            Supervisor secondHandle = Supervisor.of(secondInner).orElseThrow();
            assertEquals(0, secondHandle.restartCount());
            assertEquals(1, outer.restartCount());
            Tasklet.sleep(Duration.ofSeconds(5));
            assertTrue(secondHandle.child("worker").orElseThrow().isAlive());
            outer.stop();
        });
        assertEquals(List.of("worker starts at 0 ms", "sibling starts", "worker starts at 1000 ms",
                "inner down at 2000 ms", "worker starts at 2000 ms", "sibling ends"), log);
    }

    @Test
    void givingUpTravelsUpAChainOfSupervisorsWithEachCause() {
        deterministic(() -> {
            SupervisorSpec inner = SupervisorSpec.builder("inner")
                    .intensity(1, Duration.ofMinutes(1))
                    .child(ChildSpec.of("worker", failing("worker", Duration.ofSeconds(1), new ArrayList<>())))
                    .build();
            Supervisor outer = Supervisor.start(SupervisorSpec.builder("outer")
                    .intensity(2, Duration.ofMinutes(1))
                    .child(inner)
                    .build());
            outer.tasklet().monitor();
            Down down = Mailbox.receive(Down.class, Duration.ofMinutes(1));
            // inner gives up every 2 s (its second worker failure); outer allows 2 restarts of it, not a third.
            assertEquals(6_000, millis());
            SupervisorGaveUpException ofOuter = assertInstanceOf(SupervisorGaveUpException.class,
                    ((Ending.Failed) down.ending()).cause());
            assertEquals("inner", ofOuter.child());
            SupervisorGaveUpException ofInner = assertInstanceOf(SupervisorGaveUpException.class, ofOuter.getCause());
            assertEquals("worker", ofInner.child());
            assertEquals("worker fails (expected)", ofInner.getCause().getMessage());
        });
    }

    @Test
    void nestedSupervisorsStartInDepthFirstOrderAndStopInReverse() {
        List<String> log = new ArrayList<>();
        deterministic(() -> {
            Supervisor top = Supervisor.start(SupervisorSpec.builder("top")
                    .child(ChildSpec.of("a", sleeper("a", log)))
                    .child(SupervisorSpec.builder("middle")
                            .child(ChildSpec.of("b", sleeper("b", log)))
                            .child(ChildSpec.of("c", () -> {
                                Tasklet.sleep(Duration.ofSeconds(1)); // a slow start: middle, and so d, wait for it
                                Supervisor.ready();
                                sleeper("c", log).run();
                            }).withReadyTimeout(Duration.ofSeconds(5)))
                            .build())
                    .child(ChildSpec.of("d", sleeper("d", log)))
                    .build());
            log.add("started at " + millis() + " ms");
            Tasklet<?> middle = top.child("middle").orElseThrow();
            assertEquals(List.of("b", "c"), middle.children().stream().map(Tasklet::name).toList());
            assertEquals(List.of("a", "middle", "d"), top.tasklet().children().stream().map(Tasklet::name).toList());
            top.stop();
            assertFalse(middle.isAlive());
        });
        assertEquals(List.of("a starts", "b starts", "c starts", "d starts", "started at 1000 ms",
                "d ends", "c ends", "b ends", "a ends"), log);
    }
}
