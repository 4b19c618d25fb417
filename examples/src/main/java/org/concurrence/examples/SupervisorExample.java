package org.concurrence.examples;

import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.concurrence.core.Concurrence;
import org.concurrence.core.Mailbox;
import org.concurrence.core.Registry;
import org.concurrence.core.Tasklet;
import org.concurrence.core.Timeout;
import org.concurrence.supervision.ChildSpec;
import org.concurrence.supervision.Strategy;
import org.concurrence.supervision.Supervisor;
import org.concurrence.supervision.SupervisorSpec;

/**
 * A worker that crashes on every third request it handles, kept alive by a one-for-one supervisor. A client calls the
 * worker by its registered name; when a call fails because the worker crashed, it waits for the supervisor to start a
 * new worker — a new tasklet (a new id) under the same name and registered name — and tries again.
 */
public final class SupervisorExample {
    /**
     * Core logs every failed tasklet, and the supervisor every child it restarts, with a stack trace; here the client
     * reports the crashes in one line instead. (Held here so that the levels set stay set.)
     */
    private static final Logger TASKLET_LOG = Logger.getLogger("org.concurrence.core.Tasklet");
    private static final Logger SUPERVISOR_LOG = Logger.getLogger(Supervisor.class.getName());

    private static final int REQUESTS = 8;

    private SupervisorExample() {}

    /** A request: square {@code n}. */
    record Square(int n) {}

    /** The answer, and which tasklet gave it. */
    record Result(int value, String worker, long id) {}

    /** The worker's body: a fresh one runs in each incarnation, so its count starts again at zero. */
    static Void worker() {
        int handled = 0;
        while (true) {
            Square request = Mailbox.receive(Square.class);
            if (++handled % 3 == 0) {
                throw new IllegalStateException("worker crashes on its request #" + handled);
            }
            Tasklet<?> self = Tasklet.current();
            Mailbox.reply(new Result(request.n() * request.n(), self.name(), self.id()));
        }
    }

    public static void main(String[] args) {
        TASKLET_LOG.setLevel(Level.OFF);
        SUPERVISOR_LOG.setLevel(Level.OFF);
        Concurrence.run(() -> {
            Supervisor supervisor = Supervisor.start(SupervisorSpec.builder("workers")
                    .strategy(Strategy.ONE_FOR_ONE)
                    .intensity(5, Duration.ofSeconds(10))
                    .child(ChildSpec.of("worker", SupervisorExample::worker).withRegisteredName("square"))
                    .build());
            System.out.println("started " + supervisor);
            for (int n = 1; n <= REQUESTS; n++) {
                System.out.println("square(" + n + ") = " + callWithRetry(n));
            }
            Tasklet<?> worker = supervisor.child("worker").orElseThrow();
            System.out.println("restarts: " + supervisor.restartCount() + "; the worker is still named '"
                    + worker.name() + "', registered as '" + worker.registeredName().orElseThrow() + "'");
            supervisor.stop(Duration.ofSeconds(1));
            System.out.println("stopped " + supervisor);
        });
    }

    /** Calls the worker registered as "square"; if it crashed, waits for its successor and calls again. */
    private static String callWithRetry(int n) {
        try (Timeout ignored = Timeout.after(Duration.ofSeconds(1))) {
            while (true) {
                Tasklet<?> worker = awaitWorker();
                try {
                    Result r = worker.call(new Square(n), Result.class, null);
                    return r.value() + "  (by " + r.worker() + ", tasklet id " + r.id() + ")";
                } catch (IllegalStateException crashed) {
                    System.out.println("  crash: " + crashed.getMessage() + "; trying again");
                }
            }
        }
    }

    /** The worker registered as "square", waiting a little (within the deadline) while the supervisor restarts it. */
    private static Tasklet<?> awaitWorker() {
        while (true) {
            var worker = Registry.current().lookup("square");
            if (worker.isPresent()) {
                return worker.get();
            }
            if (Timeout.expired()) {
                throw new IllegalStateException("no worker registered as 'square' before the deadline");
            }
            Tasklet.sleep(Duration.ofMillis(5));
        }
    }
}
