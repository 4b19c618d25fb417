package org.concurrence.bench;

import com.sun.management.OperatingSystemMXBean;
import com.sun.management.ThreadMXBean;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;

/**
 * Times a workload in rounds and reports the median rate.
 *
 * <p>A workload runs {@code n} operations and returns how long they took in nanoseconds (it times itself, so that
 * setting up and tearing down — starting tasklets, joining helpers — can stay outside the timed part). Warm-up
 * first: at least {@link Settings#warmupRounds()} runs and as many rounds' time, each run sized by the rate of the
 * one before to last about {@link Settings#roundMillis()}, and longer (up to three seconds) while the rate still
 * climbs. Then {@link Settings#rounds()} runs of the last size are measured, with the process's CPU time and heap
 * allocation across them. The result is the median of their rates, with the lowest and highest for an idea of the
 * noise.
 */
final class Measure {
    /** How a series of operations is timed: run {@code n} of them, return the nanoseconds they took. */
    @FunctionalInterface
    interface Workload {
        long run(int n) throws Exception;
    }

    /**
     * The rates of the measured rounds, in operations per second, and the CPU they used.
     *
     * @param cores          the process's CPU time over the measured rounds divided by their wall-clock time: how
     *                       many cores were busy (1.0 for a single dispatcher that never idles; more where threads
     *                       spin or the JIT and GC work alongside)
     * @param allocatedPerOp heap bytes allocated per operation (by all threads), or NaN where not known
     */
    record Rates(double median, double min, double max, int opsPerRound, int rounds, double cores,
                 double allocatedPerOp) {
        static Rates of(double[] rates, int opsPerRound, double cores, double allocatedPerOp) {
            double[] sorted = rates.clone();
            Arrays.sort(sorted);
            int mid = sorted.length / 2;
            double median = sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
            return new Rates(median, sorted[0], sorted[sorted.length - 1], opsPerRound, sorted.length, cores,
                    allocatedPerOp);
        }

        /**
         * The same rounds counted in a smaller unit: {@code factor} of them per operation (a broadcast reaches
         * {@code factor} subscribers). Rates grow by {@code factor}, bytes per operation shrink by it.
         */
        Rates scaled(double factor) {
            return new Rates(median * factor, min * factor, max * factor, opsPerRound, rounds, cores,
                    allocatedPerOp / factor);
        }

        /** The median rate per busy core. */
        double perCore() {
            return median / cores;
        }

        /** "min..max, rounds x ops, cores busy, bytes allocated per op", for the table. */
        String spread() {
            String allocated = Double.isNaN(allocatedPerOp) ? "" : "; %.0f B/op".formatted(allocatedPerOp);
            return "%s..%s, %d x %,d; %.1f cores busy%s".formatted(Report.si(min), Report.si(max), rounds,
                    opsPerRound, cores, allocated);
        }
    }

    private static final double MAX_GROWTH = 4;
    private static final long MAX_WARMUP_NANOS = 3_000_000_000L;
    private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final OperatingSystemMXBean CPU =
            ManagementFactory.getPlatformMXBean(OperatingSystemMXBean.class);

    private Measure() {}

    /**
     * Warms up and measures {@code workload}.
     *
     * @param initialOps a first guess of a small round: ops that surely take well under a round
     * @param maxOps     never run more than this many operations in one round (memory-bound workloads)
     */
    static Rates rates(Settings settings, int initialOps, int maxOps, Workload workload) throws Exception {
        long roundNanos = settings.roundMillis() * 1_000_000L;
        long warmUntil = System.nanoTime() + settings.warmupRounds() * roundNanos;
        int ops = Math.clamp(initialOps, 1, maxOps);
        // Warm-up: each run sized by the rate of the one before (the first, cold, is the guess), growing at most
        // fourfold a step so that one lucky run cannot make the rounds too long. It goes on while the rate still
        // climbs by more than a tenth (the JIT is still at work: slow to finish on a busy machine), within a limit.
        long warmLimit = System.nanoTime() + MAX_WARMUP_NANOS;
        double previousRate = 0;
        double rate = 0;
        for (int run = 0; run <= settings.warmupRounds() || System.nanoTime() < warmUntil
                || (rate > previousRate * 1.1 && System.nanoTime() < warmLimit); run++) {
            long nanos = Math.max(1, workload.run(ops));
            previousRate = rate;
            rate = ops * 1e9 / nanos;
            double scale = Math.min(MAX_GROWTH, (double) roundNanos / nanos);
            ops = (int) Math.clamp(ops * scale, 1, maxOps);
        }
        double[] rates = new double[settings.rounds()];
        long allocatedStart = THREADS.getTotalThreadAllocatedBytes();
        long cpuStart = CPU.getProcessCpuTime();
        long wallStart = System.nanoTime();
        for (int i = 0; i < rates.length; i++) {
            rates[i] = ops * 1e9 / Math.max(1, workload.run(ops));
        }
        double cores = (CPU.getProcessCpuTime() - cpuStart) / (double) Math.max(1, System.nanoTime() - wallStart);
        long allocatedEnd = THREADS.getTotalThreadAllocatedBytes();
        double allocatedPerOp = allocatedStart < 0 || allocatedEnd < 0 ? Double.NaN
                : (allocatedEnd - allocatedStart) / ((double) ops * rates.length);
        if (settings.verbose()) {
            System.err.printf(Locale.ROOT, "  %,d ops per round; rounds: %s%n",
                    ops, Arrays.stream(rates).mapToObj(Report::si).toList());
        }
        return Rates.of(rates, ops, cores, allocatedPerOp);
    }
}
