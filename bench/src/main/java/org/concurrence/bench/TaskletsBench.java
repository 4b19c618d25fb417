package org.concurrence.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * {@code bench tasklets}: the costs of tasklets next to plain virtual threads and platform threads, in one run.
 *
 * <ol>
 * <li>{@link SpawnBench}: spawn + join rate;</li>
 * <li>{@link PingPongBench}: round trips through a rendezvous channel, on one dispatcher and across two;</li>
 * <li>{@link ParkedMemory}: heap bytes and resident memory per parked tasklet, in fresh JVMs.</li>
 * </ol>
 * Prints a table, then the figures as one JSON object on the last line. Rates are medians of
 * {@link Settings#rounds()} rounds after warm-up; see {@link Settings#USAGE} for the knobs. With the defaults the
 * whole run takes a bit over a minute on two cores.
 */
public final class TaskletsBench {
    /** Stops a run that hangs (a lost wake-up would otherwise block forever). */
    private static final long WATCHDOG_MINUTES = 10;

    private TaskletsBench() {}

    public static void main(String[] args) throws Exception {
        Settings settings;
        try {
            settings = Settings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(Settings.USAGE);
            System.exit(2);
            return;
        }
        startWatchdog("bench tasklets");
        Report report = new Report("Concurrence tasklets benchmark — Java %s, %d cores, flags: %s".formatted(
                Runtime.version(), Runtime.getRuntime().availableProcessors(),
                String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments())));
        report.json("java", Runtime.version().toString());
        report.json("cores", Runtime.getRuntime().availableProcessors());
        double loadBefore = loadAverage();
        long start = System.nanoTime();
        if (settings.runs(Settings.Section.SPAWN)) {
            progress("spawn + join");
            SpawnBench.run(settings, report);
        }
        if (settings.runs(Settings.Section.PINGPONG)) {
            progress("ping-pong");
            PingPongBench.run(settings, report);
        }
        if (settings.runs(Settings.Section.MEMORY)) {
            progress("memory probes (%,d parked per probe)".formatted(settings.parked()));
            ParkedMemory.run(settings, report);
        }
        report.json("seconds", (System.nanoTime() - start) / 1e9);
        double loadAfter = loadAverage();
        report.json("load_before", loadBefore);
        report.json("load_after", loadAfter);
        report.note(("Machine load (1-minute average) %.2f before the run, %.2f after it (this run included), on %d "
                + "cores; where other processes compete for the CPU the rates are lower and noisier.").formatted(
                loadBefore, loadAfter, Runtime.getRuntime().availableProcessors()));
        report.print(System.out);
        System.exit(0);
    }

    /** The 1-minute load average of the machine, or -1 where the JVM cannot tell. */
    static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static void progress(String what) {
        System.err.println("bench tasklets: " + what + " ...");
    }

    /** Halts the JVM if the run is still going after {@link #WATCHDOG_MINUTES}; {@code what} names it. */
    static void startWatchdog(String what) {
        Thread.ofPlatform().daemon(true).name("bench-watchdog").start(() -> {
            try {
                Thread.sleep(Duration.ofMinutes(WATCHDOG_MINUTES));
            } catch (InterruptedException e) {
                return;
            }
            System.err.println(what + ": still running after " + WATCHDOG_MINUTES + " minutes; giving up");
            Runtime.getRuntime().halt(1);
        });
    }
}
