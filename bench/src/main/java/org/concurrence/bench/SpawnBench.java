package org.concurrence.bench;

import java.util.concurrent.Callable;

import org.concurrence.core.Concurrence;
import org.concurrence.core.DispatcherGroup;
import org.concurrence.core.Tasklet;

/**
 * Spawn + join rate: how many short-lived tasks per second can be started and waited for.
 *
 * <p>Each task returns at once; they are spawned in batches of {@link #BATCH} and the batch is joined in spawn order
 * before the next is spawned, so at most one batch is alive at a time. Measured for tasklets on one dispatcher
 * (spawned and joined by a tasklet on the same dispatcher, the common case), for plain virtual threads on the JDK's
 * default scheduler (started and joined by a virtual thread), and for platform threads (started and joined by a
 * platform thread).
 */
final class SpawnBench {
    /** Tasks alive at once. */
    static final int BATCH = 1_000;
    /** Platform threads are much slower to start; a smaller batch keeps rounds short. */
    static final int PLATFORM_BATCH = 100;

    private static final Callable<Integer> RETURN_AT_ONCE = () -> 1;
    private static final Runnable NOTHING = () -> {};

    private SpawnBench() {}

    static void run(Settings settings, Report report) throws Exception {
        report.section("Spawn + join (tasks returning at once, batches of " + BATCH + ")");

        Measure.Rates tasklets;
        try (DispatcherGroup group = DispatcherGroup.start(
                Concurrence.Options.defaults().withDispatchers(1).withName("spawn"))) {
            tasklets = Measure.rates(settings, 10_000, 50_000_000, n -> group.run(() -> spawnTasklets(n)));
        }
        report.figure("spawn_per_s", "tasklets, 1 dispatcher", tasklets.median(), "/s", tasklets.spread());

        Measure.Rates virtual = Measure.rates(settings, 10_000, 50_000_000,
                n -> inVirtualThread(() -> spawnVirtual(n)));
        report.figure("baseline_vthread_spawn_per_s", "virtual threads, default scheduler", virtual.median(), "/s",
                virtual.spread());

        Measure.Rates platform = Measure.rates(settings, 200, 1_000_000, SpawnBench::spawnPlatform);
        report.figure("baseline_platform_spawn_per_s", "platform threads (batches of " + PLATFORM_BATCH + ")",
                platform.median(), "/s", platform.spread());

        report.row("tasklets vs virtual threads", ratio(tasklets.median(), virtual.median()), "");
        report.target("spawn", "spawn + join >= 1 M tasklets/s", tasklets.median() >= 1e6,
                Report.si(tasklets.median()) + "/s");
    }

    /** In a tasklet: spawns and joins {@code n} tasklets; returns the nanoseconds it took. */
    private static long spawnTasklets(int n) {
        Tasklet<?>[] batch = new Tasklet<?>[BATCH];
        long start = System.nanoTime();
        for (int done = 0; done < n; done += BATCH) {
            int size = Math.min(BATCH, n - done);
            for (int i = 0; i < size; i++) {
                batch[i] = Tasklet.spawn(RETURN_AT_ONCE);
            }
            for (int i = 0; i < size; i++) {
                batch[i].join();
                batch[i] = null;
            }
        }
        return System.nanoTime() - start;
    }

    private static long spawnVirtual(int n) throws InterruptedException {
        return spawnThreads(Thread.ofVirtual(), n, BATCH);
    }

    private static long spawnPlatform(int n) throws InterruptedException {
        return spawnThreads(Thread.ofPlatform(), n, PLATFORM_BATCH);
    }

    private static long spawnThreads(Thread.Builder builder, int n, int batchSize) throws InterruptedException {
        Thread[] batch = new Thread[batchSize];
        long start = System.nanoTime();
        for (int done = 0; done < n; done += batchSize) {
            int size = Math.min(batchSize, n - done);
            for (int i = 0; i < size; i++) {
                batch[i] = builder.start(NOTHING);
            }
            for (int i = 0; i < size; i++) {
                batch[i].join();
                batch[i] = null;
            }
        }
        return System.nanoTime() - start;
    }

    /** Runs {@code body} in a fresh virtual thread on the default scheduler and returns its result. */
    static long inVirtualThread(Callable<Long> body) throws Exception {
        long[] result = new long[1];
        Exception[] failure = new Exception[1];
        Thread driver = Thread.ofVirtual().start(() -> {
            try {
                result[0] = body.call();
            } catch (Exception e) {
                failure[0] = e;
            }
        });
        driver.join();
        if (failure[0] != null) {
            throw failure[0];
        }
        return result[0];
    }

    static String ratio(double a, double b) {
        return String.format(java.util.Locale.ROOT, "%.2fx", a / b);
    }
}
