package org.concurrence.supervision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.concurrence.core.Concurrence;
import org.concurrence.core.DispatcherGroup;
import org.concurrence.core.Mailbox;
import org.concurrence.core.Registry;
import org.concurrence.core.Tasklet;
import org.concurrence.core.Timeout;
import org.junit.jupiter.api.Test;

/** Supervisors whose children run on other dispatchers, on real time; and a supervisor started from a plain thread. */
class SupervisorAcrossDispatchersTest {
    private static final Duration FOREVER = Duration.ofHours(1);

    record Up(Tasklet<?> incarnation) {}

    record Crash() {}

    record Ping(int n) {}

    private static void twoDispatchers(Runnable body) {
        SupervisorTest.run(Concurrence.Options.defaults().withDispatchers(2), () -> Timeout.run(Duration.ofSeconds(20),
                body));
    }

    @Test
    void aChildOnAnotherDispatcherIsRestartedThereUnderItsNames() {
        twoDispatchers(() -> {
            Tasklet<?> main = Tasklet.current();
            DispatcherGroup group = main.dispatcher().group();
            Supervisor sup = Supervisor.start(SupervisorSpec.builder("sup")
                    .intensity(5, Duration.ofMinutes(1))
                    .child(ChildSpec.of("echo", () -> {
                        main.send(new Up(Tasklet.current()));
                        while (true) {
                            switch (Mailbox.receive()) {
                                case Ping(int n) -> Mailbox.reply(n + 1);
                                case Crash c -> throw new IllegalStateException("echo crashes (expected)");
                                default -> {}
                            }
                        }
                    }).withDispatcher(group.dispatcher(1)).withRegisteredName("echo"))
                    .build());
            Tasklet<?> first = Mailbox.receive(Up.class, Duration.ofSeconds(5)).incarnation();
            assertSame(group.dispatcher(1), first.dispatcher());
            assertEquals(2, Registry.current().lookup("echo").orElseThrow().call(new Ping(1), Duration.ofSeconds(5)));

            for (int round = 0; round < 3; round++) {
                Tasklet<?> before = Registry.current().lookup("echo").orElseThrow();
                before.send(new Crash());
                Tasklet<?> after = Mailbox.receive(Up.class, Duration.ofSeconds(5)).incarnation();
                assertNotSame(before, after);
                assertEquals("echo", after.name());
                assertSame(group.dispatcher(1), after.dispatcher());
                assertEquals(after, Registry.current().lookup("echo").orElseThrow());
                assertEquals(11, after.call(new Ping(10), Duration.ofSeconds(5)));
            }
            assertEquals(3, sup.restartCount());
            sup.stop(Duration.ofSeconds(5));
            assertEquals(java.util.Optional.empty(), Registry.current().lookup("echo"));
        });
    }

    @Test
    void oneForAllAcrossDispatchersStopsInReverseOrderAndRestartsInOrder() {
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        twoDispatchers(() -> {
            Tasklet<?> main = Tasklet.current();
            DispatcherGroup group = main.dispatcher().group();
            SupervisorSpec.Builder spec = SupervisorSpec.builder("sup").strategy(Strategy.ONE_FOR_ALL);
            for (String name : List.of("a", "b", "c", "d")) {
                spec.child(ChildSpec.of(name, () -> {
                    log.add(name + " starts on " + Tasklet.current().dispatcher().index());
                    Supervisor.ready(); // only now may the next child start, whichever dispatcher it is on
                    main.send(new Up(Tasklet.current()));
                    try {
                        if (Mailbox.receive() instanceof Crash) {
                            throw new IllegalStateException(name + " crashes (expected)");
                        }
                    } finally {
                        log.add(name + " ends");
                    }
                }).withDispatcher(group.dispatcher(name.equals("b") || name.equals("d") ? 1 : 0))
                        .withReadyTimeout(Duration.ofSeconds(5)));
            }
            Supervisor sup = Supervisor.start(spec.build());
            for (int i = 0; i < 4; i++) {
                Mailbox.receive(Up.class, Duration.ofSeconds(5));
            }
            log.add("crash c");
            sup.child("c").orElseThrow().send(new Crash());
            for (int i = 0; i < 4; i++) {
                Mailbox.receive(Up.class, Duration.ofSeconds(5));
            }
            log.add("stop");
            sup.stop(Duration.ofSeconds(5));
        });
        assertEquals(List.of("a starts on 0", "b starts on 1", "c starts on 0", "d starts on 1",
                "crash c", "c ends", "d ends", "b ends", "a ends",
                "a starts on 0", "b starts on 1", "c starts on 0", "d starts on 1",
                "stop", "d ends", "c ends", "b ends", "a ends"), log);
    }

    @Test
    void aSupervisorCanBeStartedAndStoppedFromAPlainThread() {
        try (DispatcherGroup group = DispatcherGroup.start(Concurrence.Options.defaults().withDispatchers(2))) {
            List<String> log = Collections.synchronizedList(new ArrayList<>());
            Supervisor sup = Supervisor.start(SupervisorSpec.builder("sup")
                    .on(group.dispatcher(0))
                    .child(ChildSpec.of("a", () -> {
                        log.add("a starts");
                        try {
                            Tasklet.sleep(FOREVER);
                        } finally {
                            log.add("a ends");
                        }
                    }).withDispatcher(group.dispatcher(1)))
                    .build(), Duration.ofSeconds(5));
            assertTrue(sup.child("a").orElseThrow().isAlive());
            assertSame(group.dispatcher(0), sup.tasklet().dispatcher());
            sup.stop(Duration.ofSeconds(5));
            assertEquals(List.of("a starts", "a ends"), log);
        }
    }
}
