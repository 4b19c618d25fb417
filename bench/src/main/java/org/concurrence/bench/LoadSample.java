package org.concurrence.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * One measured run of one load against one server child of a load benchmark ({@code bench greeter},
 * {@code bench http}), with the server's CPU time over the run, and the statistics over the rounds of such runs.
 *
 * @param rate          requests (or connections) per second
 * @param p99Ms         99th percentile latency (for httperf: the median connection time)
 * @param errors        errors of the run
 * @param errorDetail   what the errors were, as the load generator tells them
 * @param cpuUsPerReq   server CPU time (user + system) per request, in microseconds
 * @param serverCpuPct  server CPU time over the run's wall time
 * @param clientCpuPct  the load generator's CPU time over the run's wall time
 */
record LoadSample(double rate, double p99Ms, long errors, String errorDetail, double cpuUsPerReq,
                  double serverCpuPct, double clientCpuPct) {

    /**
     * What a load run reports before the server's CPU time is added.
     *
     * @param served requests (or connections) answered while the server's CPU time was counted
     */
    record Outcome(double rate, double p99Ms, long errors, String errorDetail, double clientCpuPct, long served) {
        static Outcome of(LoadGen.Wrk w) {
            return new Outcome(w.rate(), w.p99Ms(), w.errors(), w.errorDetail(), 100 * w.clientCpu() / w.seconds(),
                    w.requests());
        }

        /**
         * A ladder of httperf steps ({@link LoadGen#httperfLadder}) as one outcome: the rate is the highest target
         * sustained (or, if not even the first was, what the first step achieved), the latency that step's median
         * connection time, the CPU share httperf's in that step; every step's connections count as served.
         */
        static Outcome ofLadder(List<LoadGen.Httperf> steps) {
            LoadGen.Httperf best = best(steps);
            boolean sustained = best.sustained();
            LoadGen.Httperf last = steps.getLast();
            String detail = sustained
                    ? "sustained %d/s; next %d/s: %.0f ok/s, %d errors (%s)".formatted(best.target(), last.target(),
                            last.rate(), last.errors(), last.errorDetail())
                    : "first rate %d/s not sustained: %d errors (%s)".formatted(best.target(), best.errors(),
                            best.errorDetail());
            return new Outcome(sustained ? best.target() : best.rate(), best.medianMs(), best.errors(), detail,
                    100 * best.clientCpu() / best.seconds(), steps.stream().mapToLong(LoadGen.Httperf::ok).sum());
        }

        /** The last sustained step of a ladder, or its first step if none was sustained. */
        static LoadGen.Httperf best(List<LoadGen.Httperf> steps) {
            LoadGen.Httperf best = steps.getFirst();
            for (LoadGen.Httperf step : steps) {
                if (step.sustained()) {
                    best = step;
                }
            }
            return best;
        }
    }

    /** A load run; may block. */
    @FunctionalInterface
    interface Run {
        Outcome run() throws IOException, InterruptedException;
    }

    /**
     * Runs {@code run} against {@code child}, counting the child's CPU time ({@code /proc}) over it. Waits half a
     * second first so the previous run's connections have closed.
     *
     * @throws IllegalStateException if the child has died
     */
    static LoadSample measure(ServerChild child, Run run) throws IOException, InterruptedException {
        if (!child.isAlive()) {
            throw new IllegalStateException(child.key + " died; its log:\n" + child.logTail());
        }
        Thread.sleep(500);
        double cpuBefore = child.cpuSeconds();
        long wallBefore = System.nanoTime();
        Outcome o = run.run();
        double wall = (System.nanoTime() - wallBefore) / 1e9;
        double cpu = child.cpuSeconds() - cpuBefore;
        return new LoadSample(o.rate(), o.p99Ms(), o.errors(), o.errorDetail(), cpu * 1e6 / Math.max(1, o.served()),
                100 * cpu / wall, o.clientCpuPct());
    }

    /**
     * The median of {@code f} over {@code runs}, leaving out runs where it is NaN (not known); NaN if there are none
     * (or {@code runs} is null).
     */
    static double median(List<LoadSample> runs, ToDoubleFunction<LoadSample> f) {
        if (runs == null) {
            return Double.NaN;
        }
        double[] v = runs.stream().mapToDouble(f).filter(x -> !Double.isNaN(x)).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** The rates of every round, in order: {@code 98k/102k/97k}. */
    static String spread(List<LoadSample> runs) {
        List<String> parts = new ArrayList<>();
        for (LoadSample s : runs) {
            parts.add(Report.si(s.rate()).replace(" ", ""));
        }
        return String.join("/", parts);
    }

    /** {@code min..max} of the rates, or the one rate. */
    static String range(List<LoadSample> runs) {
        double min = runs.stream().mapToDouble(LoadSample::rate).min().orElse(Double.NaN);
        double max = runs.stream().mapToDouble(LoadSample::rate).max().orElse(Double.NaN);
        return runs.size() == 1 ? Report.si(min).replace(" ", "")
                : Report.si(min).replace(" ", "") + ".." + Report.si(max).replace(" ", "");
    }

    /** Errors summed over the rounds. */
    static long errors(List<LoadSample> runs) {
        return runs.stream().mapToLong(LoadSample::errors).sum();
    }
}
