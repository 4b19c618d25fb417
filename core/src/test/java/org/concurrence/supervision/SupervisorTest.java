package org.concurrence.supervision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.concurrence.core.Concurrence;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.Down;
import org.concurrence.core.Ending;
import org.concurrence.core.JoinError;
import org.concurrence.core.Mailbox;
import org.concurrence.core.Registry;
import org.concurrence.core.Tasklet;
import org.concurrence.core.TaskletExit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Supervisors on virtual time: restart policies, strategies, ordered start and stop. */
class SupervisorTest {
    private static final Duration FOREVER = Duration.ofHours(1);

    static void deterministic(Runnable body) {
        run(Concurrence.Options.deterministic(), body);
    }

    /**
     * Runs {@code body} as the main tasklet; if it fails, quits at once, so that a supervisor left running (not a
     * daemon) cannot keep the run waiting: a broken test fails instead of hanging.
     */
    static void run(Concurrence.Options options, Runnable body) {
        Concurrence.run(options, () -> {
            try {
                body.run();
            } catch (Throwable failure) {
                Concurrence.quit(1);
                throw failure;
            }
        });
    }

    /** Virtual milliseconds since the test began. */
    static long millis() {
        return Dispatcher.current().nanoTime() / 1_000_000;
    }

    /** A body that logs when it starts and ends, and otherwise sleeps. */
    static Runnable sleeper(String name, List<String> log) {
        return () -> {
            log.add(name + " starts");
            try {
                Tasklet.sleep(FOREVER);
            } finally {
                log.add(name + " ends");
            }
        };
    }

    /** A body that logs its start, fails after {@code after}, and logs its end. */
    static Runnable failing(String name, Duration after, List<String> log) {
        return () -> {
            log.add(name + " starts");
            try {
                Tasklet.sleep(after);
                throw new IllegalStateException(name + " fails (expected)");
            } finally {
                log.add(name + " ends");
            }
        };
    }

    @Test
    void oneForOneRestartsOnlyTheChildThatFailedUnderTheSameNames() {
        List<String> log = new ArrayList<>();
        AtomicInteger incarnations = new AtomicInteger();
        deterministic(() -> {
            Supervisor sup = Supervisor.start(SupervisorSpec.builder("sup")
                    .child(ChildSpec.of("a", sleeper("a", log)))
                    .child(ChildSpec.of("b", () -> {
                        if (incarnations.incrementAndGet() == 1) {
                            failing("b", Duration.ofSeconds(1), log).run();
                        }
                        sleeper("b", log).run();
                    }).withRegisteredName("bee"))
                    .child(ChildSpec.of("c", sleeper("c", log)))
                    .build());
            Tasklet<?> firstB = sup.child("b").orElseThrow();
            Tasklet<?> a = sup.child("a").orElseThrow();
            assertEquals(Optional.of(firstB), Registry.current().lookup("bee"));
            firstB.monitor();
            Mailbox.receive(Down.class, Duration.ofSeconds(2));
            Tasklet.yield(); // the supervisor handles its Down and starts b again

            Tasklet<?> secondB = sup.child("b").orElseThrow();
            assertNotSame(firstB, secondB);
            assertEquals("b", secondB.name());
            assertEquals(Optional.of(secondB), Registry.current().lookup("bee"));
            assertEquals(Optional.of("bee"), secondB.registeredName());
            assertSame(a, sup.child("a").orElseThrow());
            assertEquals(1, sup.restartCount());
            assertEquals(List.of(0, 1, 0), sup.children().stream().map(Supervisor.Child::restarts).toList());
            assertEquals(sup.tasklet(), secondB.parent());
            sup.stop();
        });
        assertEquals(List.of("a starts", "b starts", "c starts", "b ends", "b starts", "c ends", "b ends", "a ends"),
                log);
    }

    @Test
    void aPermanentChildIsRestartedEvenAfterANormalEnd() {
        AtomicInteger runs = new AtomicInteger();
        deterministic(() -> {
            Supervisor sup = Supervisor.start(SupervisorSpec.builder("sup")
                    .intensity(10, Duration.ofMinutes(1))
                    .child(ChildSpec.of("job", () -> {
                        Tasklet.sleep(Duration.ofSeconds(1));
                        return runs.incrementAndGet();
                    }))
                    .build());
            Tasklet.sleep(Duration.ofMillis(3_500));
            assertEquals(3, runs.get());
            assertEquals(3, sup.restartCount());
            sup.stop();
        });
    }

    @Test
    void aTransientChildIsRestartedAfterAFailureButRetiredAfterANormalEnd() {
        AtomicInteger runs = new AtomicInteger();
        deterministic(() -> {
            Supervisor sup = Supervisor.start(SupervisorSpec.builder("sup")
                    .intensity(10, Duration.ofMinutes(1))
                    .child(ChildSpec.of("job", () -> {
                        Tasklet.sleep(Duration.ofSeconds(1));
                        if (runs.incrementAndGet() < 3) {
                            throw new IllegalStateException("job fails (expected)");
                        }
                        return "done";
                    }).withRestart(Restart.TRANSIENT))
                    .build());
            Tasklet.sleep(Duration.ofSeconds(10));
            assertEquals(3, runs.get());
            assertEquals(2, sup.restartCount());
            Supervisor.Child job = sup.children().getFirst();
            assertFalse(job.isRunning());
            assertEquals(2, job.restarts());
            assertTrue(sup.tasklet().isAlive(), "a supervisor outlives its retired children");
            sup.stop();
        });
    }

    @Test
    void aTransientChildKilledBySomeoneElseIsRestarted() {
        deterministic(() -> {
            Supervisor sup = Supervisor.start(SupervisorSpec.builder("sup")
                    .child(ChildSpec.of("job", () -> Tasklet.sleep(FOREVER)).withRestart(Restart.TRANSIENT))
                    .build());
            Tasklet<?> first = sup.child("job").orElseThrow();
            first.kill();
            Tasklet.yield();
            assertNotSame(first, sup.child("job").orElseThrow());
            assertEquals(1, sup.restartCount());
            sup.stop();
        });
    }

    @Test
    void aChildThatLinksToItsSupervisorAndFailsIsRestartedAndTheSupervisorLives() {
        // Erlang habit: link to the supervisor. Its trapped exit must not take the tree down (it did, before the
        // supervisor trapped exits: the linked failure killed it and, with it, every child).
        AtomicInteger runs = new AtomicInteger();
        deterministic(() -> {
            Supervisor sup = Supervisor.start(SupervisorSpec.builder("sup")
                    .intensity(10, Duration.ofMinutes(1))
                    .child(ChildSpec.of("sibling", () -> Tasklet.sleep(FOREVER)))
                    .child(ChildSpec.of("linked", () -> {
                        Tasklet.current().parent().link(); // the parent is the supervisor
                        Tasklet.sleep(Duration.ofSeconds(1));
                        if (runs.incrementAndGet() < 3) {
                            throw new IllegalStateException("linked child fails (expected)");
                        }
                        Tasklet.sleep(FOREVER);
                    }))
                    .build());
            Tasklet<?> sibling = sup.child("sibling").orElseThrow();
            Tasklet.sleep(Duration.ofSeconds(5));
            assertTrue(sup.tasklet().isAlive(), "the supervisor outlived its linked child's failures");
            assertEquals(3, runs.get());
            assertEquals(2, sup.restartCount());
            assertSame(sibling, sup.child("sibling").orElseThrow(), "one-for-one: the sibling was left alone");
            sup.stop();
        });
    }

    @Test
    void aLinkedTaskletThatIsNotAChildEndsTheSupervisorWhenItFailsAndTheChildrenAreStopped() {
        deterministic(() -> {
            Supervisor sup = Supervisor.start(SupervisorSpec.builder("sup")
                    .child(ChildSpec.of("worker", () -> Tasklet.sleep(FOREVER)))
                    .build());
            Tasklet<?> worker = sup.child("worker").orElseThrow();
            Tasklet<Void> partner = Tasklet.builder().daemon(true).spawn(() -> {
                sup.tasklet().link();
                Tasklet.sleep(Duration.ofSeconds(1));
                throw new IllegalStateException("partner fails (expected)");
            });
            Tasklet.sleep(Duration.ofSeconds(2));
            assertFalse(partner.isAlive());
            assertFalse(sup.tasklet().isAlive(), "a linked non-child's failure ends the supervisor");
            assertFalse(worker.isAlive(), "and its children were stopped");
            JoinError ended = assertThrows(JoinError.class, () -> sup.tasklet().join());
            assertTrue(ended.getMessage().contains("linked tasklet"), ended.getMessage());
        });
    }

    @Test
    void aChildsFailureIsLoggedAsAWarningNamingTheSupervisorTheChildAndTheCause() {
        // The runtime logs the failure of a monitored tasklet at DEBUG only (its monitor is told): the supervisor,
        // which is told, must report it, or a child that keeps crashing and being restarted is never seen.
        List<java.util.logging.LogRecord> records = new ArrayList<>();
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(Supervisor.class.getName());
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public synchronized void publish(java.util.logging.LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        logger.addHandler(handler);
        try {
            deterministic(() -> {
                Supervisor sup = Supervisor.start(SupervisorSpec.builder("sup")
                        .intensity(5, Duration.ofMinutes(1))
                        .child(ChildSpec.of("worker", failing("worker", Duration.ofSeconds(1), new ArrayList<>())))
                        .child(ChildSpec.of("once", () -> {
                            Tasklet.sleep(Duration.ofMillis(1200));
                            throw new IllegalArgumentException("once fails (expected)");
                        }).withRestart(Restart.TEMPORARY))
                        .build());
                Tasklet.sleep(Duration.ofMillis(1500));
                sup.stop();
            });
        } finally {
            logger.removeHandler(handler);
        }
        List<java.util.logging.LogRecord> warnings = records.stream()
                .filter(r -> r.getLevel() == java.util.logging.Level.WARNING).toList();
        assertEquals(List.of("supervisor sup: child worker failed (java.lang.IllegalStateException: worker fails "
                        + "(expected)); restart 1 (ONE_FOR_ONE)",
                "supervisor sup: child once failed (java.lang.IllegalArgumentException: once fails (expected)) and is "
                        + "retired (TEMPORARY)"),
                warnings.stream().map(java.util.logging.LogRecord::getMessage).toList());
        assertEquals("worker fails (expected)", warnings.get(0).getThrown().getMessage());
        assertEquals("once fails (expected)", warnings.get(1).getThrown().getMessage());
    }

    @Test
    void aTemporaryChildIsNeverRestarted() {
        List<String> log = new ArrayList<>();
        deterministic(() -> {
            Supervisor sup = Supervisor.start(SupervisorSpec.builder("sup")
                    .child(ChildSpec.of("once", failing("once", Duration.ofSeconds(1), log))
                            .withRestart(Restart.TEMPORARY))
                    .child(ChildSpec.of("steady", sleeper("steady", log)))
                    .build());
            Tasklet.sleep(Duration.ofSeconds(5));
            assertEquals(Optional.empty(), sup.child("once"));
            assertEquals(0, sup.restartCount());
            sup.stop();
        });
        assertEquals(List.of("once starts", "steady starts", "once ends", "steady ends"), log);
    }

    @Test
    void oneForAllStopsTheOthersInReverseOrderThenRestartsAllInOrder() {
        List<String> log = new ArrayList<>();
        AtomicInteger incarnations = new AtomicInteger();
        deterministic(() -> {
            Supervisor sup = Supervisor.start(SupervisorSpec.builder("sup")
                    .strategy(Strategy.ONE_FOR_ALL)
                    .child(ChildSpec.of("a", sleeper("a", log)))
                    .child(ChildSpec.of("b", () -> {
                        if (incarnations.incrementAndGet() == 1) {
                            failing("b", Duration.ofSeconds(1), log).run();
                        }
                        sleeper("b", log).run();
                    }))
                    .child(ChildSpec.of("c", sleeper("c", log)))
                    .child(ChildSpec.of("d", sleeper("d", log)))
                    .build());
            Tasklet.sleep(Duration.ofSeconds(2));
            log.add("stop at " + millis() + " ms");
            sup.stop();
            assertEquals(1, sup.restartCount());
            assertEquals(List.of(1, 1, 1, 1), sup.children().stream().map(Supervisor.Child::restarts).toList());
        });
        assertEquals(List.of(
                "a starts", "b starts", "c starts", "d starts",
                "b ends", "d ends", "c ends", "a ends",
                "a starts", "b starts", "c starts", "d starts",
                "stop at 2000 ms", "d ends", "c ends", "b ends", "a ends"), log);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 7, 42, 1_234, 99_991})
    void oneForAllKeepsItsOrderWhateverOrderTheDispatcherRunsTaskletsIn(long seed) {
        List<String> log = new ArrayList<>();
        AtomicInteger incarnations = new AtomicInteger();
        run(Concurrence.Options.deterministic(seed), () -> {
            SupervisorSpec.Builder spec = SupervisorSpec.builder("sup").strategy(Strategy.ONE_FOR_ALL);
            for (String name : List.of("a", "b", "c")) {
                spec.child(ChildSpec.of(name, () -> {
                    if (name.equals("c") && incarnations.incrementAndGet() == 1) {
                        failing(name, Duration.ofSeconds(1), log).run();
                    }
                    sleeper(name, log).run();
                }));
            }
            Supervisor sup = Supervisor.start(spec.build());
            Tasklet.sleep(Duration.ofSeconds(2));
            sup.stop();
        });
        assertEquals(List.of("a starts", "b starts", "c starts", "c ends", "b ends", "a ends",
                "a starts", "b starts", "c starts", "c ends", "b ends", "a ends"), log);
    }

    @Test
    void oneForAllRetiresTemporaryChildrenItStops() {
        List<String> log = new ArrayList<>();
        AtomicInteger incarnations = new AtomicInteger();
        deterministic(() -> {
            Supervisor sup = Supervisor.start(SupervisorSpec.builder("sup")
                    .strategy(Strategy.ONE_FOR_ALL)
                    .child(ChildSpec.of("temp", sleeper("temp", log)).withRestart(Restart.TEMPORARY))
                    .child(ChildSpec.of("b", () -> {
                        if (incarnations.incrementAndGet() == 1) {
                            failing("b", Duration.ofSeconds(1), log).run();
                        }
                        sleeper("b", log).run();
                    }))
                    .build());
            Tasklet.sleep(Duration.ofSeconds(2));
            assertEquals(Optional.empty(), sup.child("temp"));
            sup.stop();
        });
        assertEquals(List.of("temp starts", "b starts", "b ends", "temp ends", "b starts", "b ends"), log);
    }

    @Test
    void restForOneRestartsTheFailedChildAndThoseAfterIt() {
        List<String> log = new ArrayList<>();
        AtomicInteger incarnations = new AtomicInteger();
        deterministic(() -> {
            Supervisor sup = Supervisor.start(SupervisorSpec.builder("sup")
                    .strategy(Strategy.REST_FOR_ONE)
                    .child(ChildSpec.of("a", sleeper("a", log)))
                    .child(ChildSpec.of("b", () -> {
                        if (incarnations.incrementAndGet() == 1) {
                            failing("b", Duration.ofSeconds(1), log).run();
                        }
                        sleeper("b", log).run();
                    }))
                    .child(ChildSpec.of("c", sleeper("c", log)))
                    .child(ChildSpec.of("d", sleeper("d", log)))
                    .build());
            Tasklet.sleep(Duration.ofSeconds(2));
            sup.stop();
            assertEquals(List.of(0, 1, 1, 1), sup.children().stream().map(Supervisor.Child::restarts).toList());
        });
        assertEquals(List.of(
                "a starts", "b starts", "c starts", "d starts",
                "b ends", "d ends", "c ends",
                "b starts", "c starts", "d starts",
                "d ends", "c ends", "b ends", "a ends"), log);
    }

    @Test
    void restForOneRetiresTemporaryChildrenItStopsAsTemporaryMeansNeverRestarted() {
        List<String> log = new ArrayList<>();
        AtomicInteger incarnations = new AtomicInteger();
        deterministic(() -> {
            Supervisor sup = Supervisor.start(SupervisorSpec.builder("sup")
                    .strategy(Strategy.REST_FOR_ONE)
                    .child(ChildSpec.of("b", () -> {
                        if (incarnations.incrementAndGet() == 1) {
                            failing("b", Duration.ofSeconds(1), log).run();
                        }
                        sleeper("b", log).run();
                    }))
                    .child(ChildSpec.of("temp", sleeper("temp", log)).withRestart(Restart.TEMPORARY))
                    .child(ChildSpec.of("c", sleeper("c", log)))
                    .build());
            Tasklet.sleep(Duration.ofSeconds(2));
            assertEquals(Optional.empty(), sup.child("temp"));
            sup.stop();
        });
        assertEquals(List.of("b starts", "temp starts", "c starts", "b ends", "c ends", "temp ends",
                "b starts", "c starts", "c ends", "b ends"), log);
    }

    @Test
    void startReturnsOnceEveryChildHasStartedInOrder() {
        List<String> log = new ArrayList<>();
        deterministic(() -> {
            Supervisor sup = Supervisor.start(SupervisorSpec.builder("sup")
                    .child(ChildSpec.of("a", sleeper("a", log)))
                    .child(ChildSpec.of("b", sleeper("b", log)))
                    .build());
            log.add("start returned");
            assertTrue(sup.children().stream().allMatch(Supervisor.Child::isRunning));
            sup.stop();
            log.add("stop returned");
            assertFalse(sup.tasklet().isAlive());
            assertTrue(sup.children().stream().noneMatch(Supervisor.Child::isRunning));
        });
        assertEquals(List.of("a starts", "b starts", "start returned", "b ends", "a ends", "stop returned"), log);
    }

    @Test
    void aChildThatSignalsReadyHoldsBackTheNextUntilItIsReady() {
        List<String> log = new ArrayList<>();
        deterministic(() -> {
            Supervisor sup = Supervisor.start(SupervisorSpec.builder("sup")
                    .child(ChildSpec.of("slow", () -> {
                        Tasklet.sleep(Duration.ofSeconds(3));
                        log.add("slow ready at " + millis() + " ms");
                        assertTrue(Supervisor.ready());
                        assertFalse(Supervisor.ready(), "only the first signal counts");
                        Tasklet.sleep(FOREVER);
                    }).withReadyTimeout(Duration.ofSeconds(5)))
                    .child(ChildSpec.of("next", () -> {
                        log.add("next starts at " + millis() + " ms");
                        assertFalse(Supervisor.ready(), "a child that counts as started at once has no one to tell");
                        Tasklet.sleep(FOREVER);
                    }))
                    .build());
            log.add("start returned at " + millis() + " ms");
            sup.stop();
        });
        assertEquals(List.of("slow ready at 3000 ms", "next starts at 3000 ms", "start returned at 3000 ms"), log);
    }

    @Test
    void aChildNotReadyInTimeFailsTheStartAndTheChildrenBeforeItAreStopped() {
        List<String> log = new ArrayList<>();
        deterministic(() -> {
            SupervisorSpec spec = SupervisorSpec.builder("sup")
                    .child(ChildSpec.of("a", sleeper("a", log)))
                    .child(ChildSpec.of("mute", sleeper("mute", log)).withReadyTimeout(Duration.ofSeconds(2)))
                    .child(ChildSpec.of("never", sleeper("never", log)))
                    .build();
            ChildStartException e = assertThrows(ChildStartException.class, () -> Supervisor.start(spec));
            assertEquals("supervisor sup could not start child mute: it did not call Supervisor.ready() within 2 s",
                    e.getMessage());
            assertEquals("mute", e.child());
            assertEquals(2_000, millis());
        });
        assertEquals(List.of("a starts", "mute starts", "mute ends", "a ends"), log);
    }

    @Test
    void aRegisteredNameTakenFailsTheStartWithTheRegistrysReason() {
        deterministic(() -> {
            Tasklet<Void> squatter = Tasklet.spawn(() -> Tasklet.sleep(FOREVER)).register("svc");
            SupervisorSpec spec = SupervisorSpec.builder("sup")
                    .child(ChildSpec.of("svc", () -> Tasklet.sleep(FOREVER)).withRegisteredName("svc"))
                    .build();
            ChildStartException e = assertThrows(ChildStartException.class, () -> Supervisor.start(spec));
            assertEquals("supervisor sup could not start child svc: it failed (java.lang.IllegalStateException: name "
                    + "'svc' is taken by tasklet " + squatter.name() + ") before it started", e.getMessage());
            assertInstanceOf(IllegalStateException.class, e.getCause());
            squatter.kill();
        });
    }

    @Test
    void eachIncarnationGetsAFreshBodyFromTheFactory() {
        List<Integer> seen = new ArrayList<>();
        deterministic(() -> {
            AtomicInteger made = new AtomicInteger();
            Supervisor sup = Supervisor.start(SupervisorSpec.builder("sup")
                    .intensity(5, Duration.ofMinutes(1))
                    .child(ChildSpec.fromFactory("counter", () -> {
                        int id = made.incrementAndGet();
                        return () -> {
                            seen.add(id);
                            Tasklet.sleep(Duration.ofSeconds(1));
                            throw new IllegalStateException("counter fails (expected)");
                        };
                    }))
                    .build());
            Tasklet.sleep(Duration.ofMillis(2_500));
            sup.stop();
        });
        assertEquals(List.of(1, 2, 3), seen);
    }

    @Test
    void stopWaitsForEachChildAtMostItsShutdownTimeThenGoesOn() {
        List<String> log = new ArrayList<>();
        deterministic(() -> {
            Supervisor sup = Supervisor.start(SupervisorSpec.builder("sup")
                    .child(ChildSpec.of("a", sleeper("a", log)))
                    .child(ChildSpec.of("cleaner", () -> {
                        try {
                            Tasklet.sleep(FOREVER);
                        } catch (TaskletExit exit) {
                            Tasklet.sleep(Duration.ofMillis(300)); // cleans up, then ends
                            log.add("cleaner cleaned at " + millis() + " ms");
                            throw exit;
                        }
                    }))
                    .child(ChildSpec.of("stubborn", () -> {
                        for (int kills = 1; ; kills++) {
                            try {
                                Tasklet.sleep(FOREVER);
                            } catch (TaskletExit exit) {
                                if (kills == 3) {
                                    throw exit;
                                }
                                log.add("stubborn ignores a kill at " + millis() + " ms");
                            }
                        }
                    }).withShutdown(Duration.ofSeconds(1)))
                    .build());
            Tasklet<?> stubborn = sup.child("stubborn").orElseThrow();
            sup.stop();
            log.add("stopped at " + millis() + " ms");
            assertTrue(stubborn.isAlive(), "left running after its shutdown time");
            stubborn.kill(); // ignored too
            assertTrue(stubborn.isAlive());
            stubborn.kill(); // the third ends it
            assertFalse(stubborn.isAlive());
        });
        assertEquals(List.of("a starts", "stubborn ignores a kill at 0 ms", "cleaner cleaned at 1300 ms", "a ends",
                "stopped at 1300 ms", "stubborn ignores a kill at 1300 ms"), log);
    }

    @Test
    void killingTheSupervisorStopsItsChildrenInReverseOrder() {
        List<String> log = new ArrayList<>();
        deterministic(() -> {
            Supervisor sup = Supervisor.start(SupervisorSpec.builder("sup")
                    .child(ChildSpec.of("a", sleeper("a", log)))
                    .child(ChildSpec.of("b", sleeper("b", log)))
                    .child(ChildSpec.of("c", sleeper("c", log)))
                    .build());
            sup.tasklet().monitor();
            sup.tasklet().kill();
            Down down = Mailbox.receive(Down.class, Duration.ofSeconds(1));
            assertInstanceOf(Ending.Killed.class, down.ending());
            assertEquals(Optional.empty(), Supervisor.of(sup.tasklet()));
        });
        assertEquals(List.of("a starts", "b starts", "c starts", "c ends", "b ends", "a ends"), log);
    }

    @Test
    void aStoppedSupervisorEndsNormallyAndStoppingItAgainReturnsAtOnce() {
        deterministic(() -> {
            Supervisor sup = Supervisor.start(SupervisorSpec.builder("sup")
                    .child(ChildSpec.of("a", () -> Tasklet.sleep(FOREVER)))
                    .build());
            assertEquals(Optional.of(sup), Supervisor.of(sup.tasklet()));
            assertEquals("Supervisor[sup, ONE_FOR_ONE, 1 of 1 children running, 0 restarts]", sup.toString());
            sup.tasklet().monitor();
            sup.stop(Duration.ofSeconds(1));
            assertEquals(new Ending.Normal(null), Mailbox.receive(Down.class, Duration.ZERO).ending());
            sup.stop(Duration.ofSeconds(1));
            assertEquals("Supervisor[sup, ONE_FOR_ONE, 0 of 1 children running, 0 restarts, ended]", sup.toString());
        });
    }

    @Test
    void aSupervisorRefusesHotSwapsAndCalls() {
        deterministic(() -> {
            Supervisor sup = Supervisor.start(SupervisorSpec.builder("sup")
                    .child(ChildSpec.of("a", () -> Tasklet.sleep(FOREVER)))
                    .build());
            @SuppressWarnings("unchecked")
            Tasklet<Object> tasklet = (Tasklet<Object>) sup.tasklet();
            assertFalse(tasklet.hotSwap(() -> null, Duration.ofSeconds(1)));
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> tasklet.call("status?", Duration.ofSeconds(1)));
            assertEquals("supervisor sup answers no calls; it got a java.lang.String", e.getMessage());
            assertTrue(sup.child("a").orElseThrow().isAlive());
            sup.stop();
        });
    }

    @Test
    void aDaemonSupervisorDoesNotKeepTheProgramWaiting() {
        List<String> log = new ArrayList<>();
        deterministic(() -> {
            Supervisor.start(SupervisorSpec.builder("sup")
                    .daemon(true)
                    .child(ChildSpec.of("a", sleeper("a", log)))
                    .build());
            assertTrue(Tasklet.current().children().isEmpty());
        });
        assertEquals("a starts", log.getFirst());
    }

    @Test
    void specsRejectDuplicateNamesAndBadIntensityWithClearMessages() {
        ChildSpec a = ChildSpec.of("a", () -> {});
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> SupervisorSpec.builder("sup").child(a).child(a).build());
        assertEquals("supervisor sup has two children named 'a'", twice.getMessage());
        IllegalArgumentException sameRegistered = assertThrows(IllegalArgumentException.class,
                () -> SupervisorSpec.builder("sup").child(a.withRegisteredName("x"))
                        .child(ChildSpec.of("b", () -> {}).withRegisteredName("x")).build());
        assertEquals("supervisor sup has two children registered as 'x'", sameRegistered.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> SupervisorSpec.builder("sup").intensity(-1, Duration.ofSeconds(1)).build());
        assertEquals("supervisor sup: maxRestarts must not be negative: -1", negative.getMessage());
        IllegalArgumentException zeroPeriod = assertThrows(IllegalArgumentException.class,
                () -> SupervisorSpec.builder("sup").intensity(1, Duration.ZERO).build());
        assertEquals("supervisor sup: the intensity period must be positive: PT0S", zeroPeriod.getMessage());
        IllegalArgumentException shutdown = assertThrows(IllegalArgumentException.class,
                () -> a.withShutdown(Duration.ofSeconds(-1)));
        assertEquals("shutdown of child a must not be negative: PT-1S", shutdown.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> new Supervisor(SupervisorSpec.builder("sup").child(a).build()).child("z"));
        assertEquals("supervisor sup has no child named 'z'; it has [a]", unknown.getMessage());
    }
}
