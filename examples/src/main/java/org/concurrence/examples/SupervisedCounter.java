package org.concurrence.examples;

import java.time.Duration;
import java.util.Optional;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.JoinError;
import org.concurrence.core.Mailbox;
import org.concurrence.core.Registry;
import org.concurrence.core.Tasklet;
import org.concurrence.core.Timeout;
import org.concurrence.supervision.ChildSpec;
import org.concurrence.supervision.Strategy;
import org.concurrence.supervision.Supervisor;
import org.concurrence.supervision.SupervisorSpec;
import org.concurrence.sync.Lock;

/**
 * The demo's supervision page: a worker tasklet that counts the calls it answers and crashes when told to, kept
 * alive by a one-for-one supervisor. A restart is a new tasklet (a new id, its count back at zero) under the same name
 * and the same registered name, so callers find it again by name. If the worker is crashed faster than the
 * supervisor's intensity allows ({@value #MAX_RESTARTS} restarts within {@link #PERIOD}), the supervisor gives up,
 * as it must; the next request starts a new supervisor and says so.
 *
 * <p>Thread-safety: the methods may be called from tasklets of any dispatcher of the group it was started in.
 */
public final class SupervisedCounter {
    static final String REGISTERED_NAME = "counter";
    static final int MAX_RESTARTS = 10;
    static final Duration PERIOD = Duration.ofSeconds(1);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);

    /** What the worker answers. */
    public record Count(String worker, long taskletId, int count) {}

    /** What the page shows. */
    public record View(Count worker, int restarts, int supervisorsStarted) {}

    sealed interface Message {}

    record Next() implements Message {}

    record Crash(String by) implements Message {}

    private final Dispatcher home;
    private final Lock starting = new Lock("counter-supervisor start");
    private volatile Supervisor supervisor;
    private volatile int supervisorsStarted; // written under `starting`

    private SupervisedCounter(Dispatcher home) {
        this.home = home;
    }

    /** A counter whose supervisor (a daemon) will run on {@code home}; started by the first call. */
    public static SupervisedCounter on(Dispatcher home) {
        return new SupervisedCounter(home);
    }

    /** The worker's body: each incarnation starts counting from zero. */
    static Void work() {
        int answered = 0;
        while (true) {
            switch ((Message) Mailbox.receive()) {
                case Next n -> {
                    Tasklet<?> self = Tasklet.current();
                    Mailbox.reply(new Count(self.name(), self.id(), ++answered));
                }
                case Crash c -> throw new IllegalStateException("the counter was told to crash by " + c.by()
                        + " (a demo; its supervisor starts it again)");
            }
        }
    }

    /** Calls the worker: its count goes up by one. Waits for a restarted worker, within two seconds. */
    public View next() {
        try (Timeout _ = Timeout.after(CALL_TIMEOUT)) {
            Supervisor running = running();
            while (true) {
                Tasklet<?> worker = awaitWorker();
                try {
                    Count count = worker.call(new Next(), Count.class, null);
                    return new View(count, running.restartCount(), supervisorsStarted);
                } catch (IllegalStateException crashedMeanwhile) {
                    // It crashed (told by another request) between the lookup and the call: call its successor.
                }
            }
        }
    }

    /** Tells the worker to crash and waits (at most two seconds) until it has ended; its supervisor restarts it. */
    public void crash() {
        running();
        try (Timeout _ = Timeout.after(CALL_TIMEOUT)) {
            Tasklet<?> worker = awaitWorker();
            worker.send(new Crash(Tasklet.current().name()));
            worker.join();
        } catch (JoinError crashed) {
            // What it was told to do.
        }
    }

    /** The supervisor, started anew if there is none yet or it gave up. */
    private Supervisor running() {
        Supervisor current = supervisor;
        if (current != null && current.tasklet().isAlive()) {
            return current;
        }
        try (Lock.Held _ = starting.acquire()) {
            if (supervisor == null || !supervisor.tasklet().isAlive()) {
                supervisor = Supervisor.start(SupervisorSpec.builder("counter-supervisor").on(home).daemon(true)
                        .strategy(Strategy.ONE_FOR_ONE).intensity(MAX_RESTARTS, PERIOD)
                        .child(ChildSpec.of("counter", SupervisedCounter::work).withRegisteredName(REGISTERED_NAME))
                        .build(), CALL_TIMEOUT);
                supervisorsStarted++;
            }
            return supervisor;
        }
    }

    /** The worker registered under {@link #REGISTERED_NAME}, waiting (under the deadline) while it is restarted. */
    private static Tasklet<?> awaitWorker() {
        while (true) {
            Optional<Tasklet<?>> worker = Registry.current().lookup(REGISTERED_NAME);
            if (worker.isPresent() && worker.get().isAlive()) {
                return worker.get();
            }
            if (Timeout.expired()) {
                throw new DeadlineExceededException("lookup of the worker registered as '" + REGISTERED_NAME + "'",
                        CALL_TIMEOUT);
            }
            Tasklet.sleep(Duration.ofMillis(2));
        }
    }
}
