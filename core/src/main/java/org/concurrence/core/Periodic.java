package org.concurrence.core;

import java.time.Duration;

/** The bodies of {@link Tasklet#loop} and {@link Tasklet#interval}: they run inside the spawned tasklet. */
final class Periodic {
    private static final System.Logger LOG = System.getLogger(Tasklet.class.getName());
    private static final Duration PAUSE_AFTER_FAILURE = Duration.ofSeconds(1);

    private Periodic() {}

    static void loop(Runnable action) {
        while (true) {
            if (!runLogged(action)) {
                Tasklet.sleep(PAUSE_AFTER_FAILURE);
            }
        }
    }

    static void interval(Duration period, Runnable action, boolean immediate) {
        long periodNanos = period.toNanos();
        if (periodNanos <= 0) {
            throw new IllegalArgumentException("interval period must be positive: " + period);
        }
        Dispatcher dispatcher = Tasklet.current().dispatcher();
        long next = dispatcher.nanoTime() + (immediate ? 0 : periodNanos);
        while (true) {
            long wait = next - dispatcher.nanoTime();
            if (wait > 0) {
                Tasklet.sleep(Duration.ofNanos(wait));
            }
            runLogged(action);
            next += periodNanos;
            long late = dispatcher.nanoTime() - next;
            if (late > 0) {
                next += ((late + periodNanos - 1) / periodNanos) * periodNanos; // overran: skip the missed ticks
            }
        }
    }

    /**
     * Runs {@code action}; logs a failure and returns false. A {@link TaskletExit} ends the loop; a {@link HotSwap}
     * raised in a receive of the action passes through to the tasklet's body, which accepts it (both are Errors).
     */
    private static boolean runLogged(Runnable action) {
        try {
            action.run();
            return true;
        } catch (TaskletExit | HotSwap signal) {
            throw signal;
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.WARNING, "tasklet " + Tasklet.current().name() + ": call failed, going on", e);
            return false;
        }
    }
}
