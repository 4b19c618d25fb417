package org.concurrence.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tasklet contract, ported from the original's core tests; everything on virtual time. */
class TaskletTest {

    private static void deterministic(Runnable body) {
        Concurrence.run(Concurrence.Options.deterministic(), body);
    }

    @Test
    void aSpawnedTaskletDoesNotRunUntilTheSpawnerBlocks() {
        List<String> log = new ArrayList<>();
        deterministic(() -> {
            Tasklet.spawn(() -> log.add("child 1"));
            Tasklet.spawn(() -> log.add("child 2"));
            log.add("start done.");
            Tasklet.yield();
            log.add("after yield");
        });
        assertEquals(List.of("start done.", "child 1", "child 2", "after yield"), log);
    }

    @Test
    void yieldAlternatesBetweenTasklets() {
        List<String> log = new ArrayList<>();
        deterministic(() -> {
            for (String name : List.of("a", "b")) {
                Tasklet.spawn(() -> {
                    for (int i = 0; i < 3; i++) {
                        log.add(name + i);
                        Tasklet.yield();
                    }
                });
            }
        });
        assertEquals(List.of("a0", "b0", "a1", "b1", "a2", "b2"), log);
    }

    @Test
    void joinReturnsTheResult() {
        int result = Concurrence.run(Concurrence.Options.deterministic(), () -> Tasklet.spawn(() -> 6 * 7).join());
        assertEquals(42, result);
    }

    @Test
    void joinOfAFailedTaskletThrowsJoinErrorWithTheCause() {
        deterministic(() -> {
            IOException failure = new IOException("disk on fire");
            Tasklet<Object> t = Tasklet.spawn(() -> {
                throw failure;
            });
            JoinError e = assertThrows(JoinError.class, t::join);
            assertSame(failure, e.getCause());
            assertSame(t, e.tasklet());
            assertFalse(e.wasKilled());
        });
    }

    @Test
    void joinTimesOutAndLeavesTheTaskletRunning() {
        deterministic(() -> {
            Tasklet<String> slow = Tasklet.spawn(() -> {
                Tasklet.sleep(Duration.ofSeconds(10));
                return "late";
            });
            DeadlineExceededException e = assertThrows(DeadlineExceededException.class,
                    () -> slow.join(Duration.ofSeconds(1)));
            assertEquals(Duration.ofSeconds(1), e.waited());
            assertTrue(e.getMessage().contains("join of tasklet"), e.getMessage());
            assertTrue(slow.isAlive());
            assertEquals("late", slow.join());
        });
    }

    @Test
    void joinAllReturnsOutcomesInOrder() {
        deterministic(() -> {
            Tasklet<Integer> one = Tasklet.spawn(() -> 1);
            Tasklet<Integer> boom = Tasklet.spawn(() -> {
                throw new IllegalStateException("boom");
            });
            Tasklet<Integer> three = Tasklet.spawn(() -> {
                Tasklet.sleep(Duration.ofMillis(5));
                return 3;
            });
            List<Outcome<Integer>> outcomes = Tasklet.joinAll(List.of(one, boom, three), Duration.ofSeconds(1));
            assertEquals(new Outcome.Succeeded<>(1), outcomes.get(0));
            assertInstanceOf(Outcome.Failed.class, outcomes.get(1));
            assertThrows(JoinError.class, () -> outcomes.get(1).get());
            assertEquals(3, outcomes.get(2).get());
        });
    }

    @Test
    void joinChildrenWaitsForEveryChild() {
        List<String> log = new ArrayList<>();
        deterministic(() -> {
            for (int i = 1; i <= 3; i++) {
                int n = i;
                Tasklet.spawn(() -> {
                    Tasklet.sleep(Duration.ofSeconds(n));
                    log.add("child " + n);
                });
            }
            Tasklet.joinChildren(null);
            log.add("all joined");
        });
        assertEquals(List.of("child 1", "child 2", "child 3", "all joined"), log);
    }

    @Test
    void everyJoinRaisesAPendingKillEvenWhenItNeedNotWait() {
        // Like every blocking call: a join of a tasklet that has ended (and joinAll, and joinChildren without
        // children) raises a pending kill rather than return, and so ending normally with the kill never delivered.
        deterministic(() -> {
            Tasklet<String> ended = Tasklet.spawn(() -> "done");
            Tasklet.yield();
            List<Runnable> joins = List.of(ended::join, () -> Tasklet.joinAll(List.of(ended)),
                    () -> Tasklet.joinChildren(Duration.ofSeconds(1)));
            for (Runnable join : joins) {
                List<String> log = new ArrayList<>();
                Tasklet<Void> victim = Tasklet.spawn(() -> {
                    Thread.yield(); // not a kill point: the kill stays pending
                    log.add("joining");
                    join.run();
                    log.add("joined");
                });
                Tasklet.yield();
                victim.kill();
                assertTrue(assertThrows(JoinError.class, victim::join).wasKilled());
                assertEquals(List.of("joining"), log);
            }
        });
    }

    @Test
    void aTaskletCannotJoinItself() {
        deterministic(() -> assertThrows(IllegalStateException.class, () -> Tasklet.current().join()));
    }

    @Test
    void killRaisesTaskletExitThatCatchExceptionDoesNotSwallow() {
        List<String> log = new ArrayList<>();
        deterministic(() -> {
            Tasklet<Void> victim = Tasklet.spawn(() -> {
                try {
                    Tasklet.sleep(Duration.ofHours(1));
                    log.add("woke normally");
                } catch (Exception swallowed) {
                    log.add("swallowed " + swallowed);
                } finally {
                    log.add("cleanup");
                }
            });
            Tasklet.yield();
            victim.kill();
            log.add("after kill");
            JoinError e = assertThrows(JoinError.class, victim::join);
            assertTrue(e.wasKilled());
            assertInstanceOf(TaskletExit.class, e.getCause());
        });
        assertEquals(List.of("cleanup", "after kill"), log);
    }

    @Test
    void killRunsTheVictimBeforeTheKillerContinues() {
        List<String> log = new ArrayList<>();
        deterministic(() -> {
            Tasklet<Void> victim = Tasklet.spawn(() -> {
                try {
                    Tasklet.sleep(Duration.ofHours(1));
                } finally {
                    log.add("victim exits");
                }
            });
            Tasklet.spawn(() -> log.add("bystander"));
            Tasklet.yield(); // victim sleeps, bystander runs
            victim.kill();
            assertFalse(victim.isAlive());
            log.add("killer continues");
        });
        assertEquals(List.of("bystander", "victim exits", "killer continues"), log);
    }

    @Test
    void killBeforeStartMeansTheBodyNeverRuns() {
        List<String> log = new ArrayList<>();
        deterministic(() -> {
            var t = Tasklet.spawn(() -> log.add("ran"));
            t.kill();
            assertTrue(assertThrows(JoinError.class, t::join).wasKilled());
        });
        assertEquals(List.of(), log);
    }

    @Test
    void killingAnEndedTaskletDoesNothing() {
        deterministic(() -> {
            Tasklet<Integer> t = Tasklet.spawn(() -> 1);
            assertEquals(1, t.join());
            t.kill();
            assertEquals(1, t.join());
        });
    }

    @Test
    void killingOneselfThrowsAtOnce() {
        deterministic(() -> {
            Tasklet<Void> t = Tasklet.spawn(() -> Tasklet.current().kill());
            assertTrue(assertThrows(JoinError.class, t::join).wasKilled());
        });
    }

    @Test
    void aFailingTaskletDoesNotStopTheDispatcher() {
        List<String> log = new ArrayList<>();
        deterministic(() -> {
            Tasklet.spawn(() -> {
                throw new IllegalStateException("expected failure, logged");
            });
            Tasklet.spawn(() -> {
                Tasklet.sleep(Duration.ofSeconds(1));
                log.add("still running");
            });
        });
        assertEquals(List.of("still running"), log);
    }

    @Test
    void sleepFollowsVirtualTimeExactly() {
        deterministic(() -> {
            Dispatcher d = Dispatcher.current();
            long start = d.nanoTime();
            Tasklet.sleep(Duration.ofMinutes(10));
            assertEquals(Duration.ofMinutes(10).toNanos(), d.nanoTime() - start);
        });
    }

    @Test
    void sleepersWakeInOrderOfTheirDeadlines() {
        List<Integer> log = new ArrayList<>();
        deterministic(() -> {
            for (int ms : new int[] {30, 10, 20, 10}) {
                Tasklet.spawn(() -> {
                    Tasklet.sleep(Duration.ofMillis(ms));
                    log.add(ms);
                });
            }
        });
        assertEquals(List.of(10, 10, 20, 30), log);
    }

    @Test
    void childrenFormATreeAndLeaveItWhenTheyEnd() {
        deterministic(() -> {
            Tasklet<?> main = Tasklet.current();
            Tasklet<Void> child = Tasklet.builder().name("child").spawn(() -> {
                Tasklet.builder().name("grandchild").spawn(() -> Tasklet.sleep(Duration.ofSeconds(2)));
                Tasklet.sleep(Duration.ofSeconds(1));
            });
            Tasklet<Void> daemon = Tasklet.builder().name("daemon").daemon(true)
                    .spawn(() -> Tasklet.sleep(Duration.ofSeconds(1)));
            Tasklet.yield();
            assertSame(main, child.parent());
            assertNull(daemon.parent());
            assertEquals(List.of(child), main.children());
            assertEquals("main [runnable]\n  child [waiting]\n    grandchild [new]\n", main.tree());
            child.join();
            assertEquals(List.of(), main.children());
            String dump = main.dispatcher().group().dumpTree();
            assertTrue(dump.contains("grandchild [waiting]"), dump); // an orphan becomes a root
        });
    }

    @Test
    void aDaemonDoesNotKeepRunWaitingAndIsKilledAtTheEnd() {
        List<String> log = new ArrayList<>();
        deterministic(() -> Tasklet.builder().daemon(true).spawn(() -> {
            try {
                Tasklet.sleep(Duration.ofDays(1));
            } finally {
                log.add("daemon killed at shutdown");
            }
        }));
        assertEquals(List.of("daemon killed at shutdown"), log);
    }

    @Test
    void namesDefaultToTheIdAndCanBeSet() {
        deterministic(() -> {
            Tasklet<Void> t = Tasklet.spawn(() -> {});
            assertEquals("tasklet-" + t.id(), t.name());
            t.name("renamed");
            assertEquals("renamed", t.name());
            assertEquals("main", Tasklet.current().name());
        });
    }

    @Test
    void currentOutsideATaskletIsAClearError() {
        IllegalStateException e = assertThrows(IllegalStateException.class, Tasklet::current);
        assertTrue(e.getMessage().contains("not in a tasklet"), e.getMessage());
        assertNull(Tasklet.currentOrNull());
        assertThrows(IllegalStateException.class, () -> Tasklet.spawn(() -> {}));
    }

    @Test
    void runRethrowsTheMainTaskletsUncheckedFailure() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> deterministic(() -> {
                    throw new IllegalArgumentException("from main");
                }));
        assertEquals("from main", e.getMessage());
    }

    @Test
    void quitEndsRunAndKillsWhatIsLeft() {
        List<String> log = new ArrayList<>();
        deterministic(() -> {
            Tasklet.spawn(() -> {
                try {
                    Tasklet.sleep(Duration.ofDays(1));
                } finally {
                    log.add("killed");
                }
            });
            Tasklet.spawn(() -> {
                Tasklet.sleep(Duration.ofSeconds(1));
                Concurrence.quit(0);
            });
        });
        assertEquals(List.of("killed"), log);
    }

    @Test
    void anInterruptCountsAsAKill() {
        deterministic(() -> {
            Tasklet<Void> t = Tasklet.spawn(() -> Tasklet.sleep(Duration.ofHours(1)));
            Tasklet.yield();
            t.thread().interrupt();
            assertTrue(assertThrows(JoinError.class, t::join).wasKilled());
        });
    }

    @Test
    void runStopsWaitingWhenMainFailsAndKillsTheRest() {
        List<String> log = new ArrayList<>();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> deterministic(() -> {
                    Tasklet.spawn(() -> {
                        try {
                            Tasklet.sleep(Duration.ofDays(365));
                        } finally {
                            log.add("left-over tasklet killed");
                        }
                    });
                    Tasklet.yield();
                    throw new IllegalStateException("main failed");
                }));
        assertEquals("main failed", e.getMessage());
        assertEquals(List.of("left-over tasklet killed"), log);
    }
}
