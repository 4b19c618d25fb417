package org.concurrence.core;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void spawnedTaskletRunsWhenSpawnerBlocks() {
        List<String> log = new ArrayList<>();
        Concurrence.run(Concurrence.Options.deterministic(), () -> {
            Tasklet<Integer> child = Tasklet.spawn(() -> { log.add("child"); return 42; });
            log.add("start done.");
            assertEquals(42, child.join());
            Tasklet.sleep(Duration.ofMinutes(10));
            log.add("slept");
        });
        assertEquals(List.of("start done.", "child", "slept"), log);
    }

    @Test
    void killDeliversTaskletExit() {
        Concurrence.run(Concurrence.Options.deterministic(), () -> {
            Tasklet<Void> sleeper = Tasklet.spawn(() -> Tasklet.sleep(Duration.ofHours(1)));
            Tasklet.yield();
            sleeper.kill();
            assertFalse(sleeper.isAlive());
            JoinError e = assertThrows(JoinError.class, sleeper::join);
            assertTrue(e.wasKilled());
        });
    }

    @Test
    void timeoutOnJoin() {
        Concurrence.run(Concurrence.Options.deterministic(), () -> {
            Tasklet<Void> sleeper = Tasklet.spawn(() -> Tasklet.sleep(Duration.ofHours(1)));
            try (var t = Timeout.after(Duration.ofSeconds(1))) {
                DeadlineExceededException e = assertThrows(DeadlineExceededException.class, sleeper::join);
                System.out.println(e.getMessage());
            }
            sleeper.kill();
        });
    }

    @Test
    void realTimeGroup() {
        int v = Concurrence.run(Concurrence.Options.defaults(), () -> {
            Tasklet<Integer> other = Tasklet.builder().on(Dispatcher.current().group().dispatcher(1)).spawn(() -> {
                Tasklet.sleep(Duration.ofMillis(5));
                return 7;
            });
            return other.join() + 1;
        });
        assertEquals(8, v);
    }
}
