package org.concurrence.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.concurrence.bench.ParkedMemoryProbe.Mode;

/**
 * Memory per parked task: runs {@link ParkedMemoryProbe} in fresh JVMs (the same java binary and flags as this one,
 * with {@code -Xmx} from {@link Settings#probeHeap()}, {@code -Xbatch} and heap-free ratios that let G1 give free
 * regions back after the measuring full GC, see {@link #probe}), once per {@link Mode}, with the JDK's default thread
 * tracking and, unless told not to, again with {@code -Djdk.trackAllThreads=false} (which replaces the JDK's set of
 * every virtual thread by a counter).
 *
 * <p>The headline figure {@code bytes_per_parked_tasklet} is the conservative one: a tasklet parked in
 * {@code Channel.receive()} on a channel of its own, the channel included, as launched. The other modes are labelled
 * variants beside it (one shared channel, the mailbox, a sleep, a bare {@code Waiter}, a plain virtual thread); none
 * of them replaces the headline.
 */
final class ParkedMemory {
    private static final long PROBE_TIMEOUT_SECONDS = 180;
    private static final int ONE_MILLION = 1_000_000;

    /**
     * One probe's figures.
     *
     * @param totalParked tasks parked at the end
     * @param count       tasks parked between the "before" and "after" figures (the rest warmed up)
     * @param byClass     heap bytes per parked task of each class with about one instance per task, if asked for
     */
    record Probe(int totalParked, int count, long heapBefore, long heapAfter, long rssKbBefore, long rssKbAfter,
                 long parkMillis, List<Map<String, String>> byClass) {
        static Probe of(List<Map<String, String>> results) {
            Map<String, String> r = results.getFirst();
            return new Probe(Integer.parseInt(r.get("total_parked")), Integer.parseInt(r.get("count")),
                    Long.parseLong(r.get("heap_before")), Long.parseLong(r.get("heap_after")),
                    Long.parseLong(r.get("rss_kb_before")), Long.parseLong(r.get("rss_kb_after")),
                    Long.parseLong(r.get("park_ms")), results.subList(1, results.size()));
        }

        double bytesPerParked() {
            return (heapAfter - heapBefore) / (double) count;
        }

        /** RSS with a million parked: measured if the probe parked a million, else extrapolated linearly. */
        double rssMbMillion() {
            double perTask = (rssKbAfter - rssKbBefore) / (double) count;
            return (rssKbAfter + perTask * (ONE_MILLION - totalParked)) / 1024.0;
        }

        String note() {
            return "RSS %.0f MB %s; parking took %,d ms".formatted(rssMbMillion(),
                    totalParked == ONE_MILLION ? "with 1 M parked"
                            : "for 1 M (extrapolated from %,d)".formatted(totalParked), parkMillis);
        }
    }

    private ParkedMemory() {}

    static void run(Settings settings, Report report) throws IOException, InterruptedException {
        report.section(("Heap per parked task (%,d parked, fresh JVM with -Xmx%s -Xbatch, after a full GC; RSS with"
                + " the heap shrunk to at most 20 %% free)").formatted(settings.parked(), settings.probeHeap()));
        Map<Mode, Probe> defaults = new EnumMap<>(Mode.class);
        // Headline: as ./concurrence runs (-Djdk.trackAllThreads=false); the variant: the JDK's default tracking.
        for (boolean tracking : settings.trackVariant() ? new boolean[] {false, true} : new boolean[] {false}) {
            String suffix = tracking ? "_jdktrack" : "";
            String flag = tracking ? "JDK default thread tracking" : "as launched (trackAllThreads=false)";
            for (Mode mode : Mode.values()) {
                Probe p = probe(settings, mode, tracking);
                report.figure(mode.bytesKey + suffix, mode.label + ", " + flag, p.bytesPerParked(), "B", p.note());
                report.json(mode.rssKey + suffix, p.rssMbMillion());
                for (Map<String, String> c : p.byClass()) {
                    report.row("    " + c.get("class"), c.get("bytes_per_task") + " B", "");
                }
                if (!tracking) {
                    defaults.put(mode, p);
                }
            }
        }
        Probe channel = defaults.get(Mode.TASKLET_CHANNEL);
        report.json("bytes_per_parked_tasklet", channel.bytesPerParked());
        report.json("bytes_per_parked_tasklet_mode", "channel-receive");
        report.json("rss_mb_1m_parked", channel.rssMbMillion());
        report.target("bytes_per_parked", "<= 600 bytes per parked tasklet (in Channel.receive, as launched)",
                channel.bytesPerParked() <= 600, "%.0f B; on one shared channel %.0f B, in the mailbox %.0f B, "
                        .formatted(channel.bytesPerParked(), bytes(defaults, Mode.TASKLET_SHARED_CHANNEL),
                                bytes(defaults, Mode.TASKLET_MAILBOX))
                        + "asleep %.0f B, on a bare Waiter %.0f B; a plain virtual thread %.0f B".formatted(
                                bytes(defaults, Mode.TASKLET_SLEEP), bytes(defaults, Mode.TASKLET_WAITER),
                                bytes(defaults, Mode.VTHREAD_PARK)));
        report.target("rss_1m", "< 1 GB RSS with 1 M parked tasklets (in Channel.receive, as launched)",
                channel.rssMbMillion() < 1024, "%.0f MB; on one shared channel %.0f MB, on a bare Waiter %.0f MB"
                        .formatted(channel.rssMbMillion(), defaults.get(Mode.TASKLET_SHARED_CHANNEL).rssMbMillion(),
                                defaults.get(Mode.TASKLET_WAITER).rssMbMillion()));
    }

    private static double bytes(Map<Mode, Probe> probes, Mode mode) {
        return probes.get(mode).bytesPerParked();
    }

    private static Probe probe(Settings settings, Mode mode, boolean tracking)
            throws IOException, InterruptedException {
        // -Xbatch: the JIT compiles in the foreground, so the compiled shape of the parking path (which frames are
        // inlined into which, and so the stack chunk every parked task holds) is the same in every run. Compiling
        // in the background, as programs do, the chunk came out 32-48 B smaller or larger from run to run with
        // the compile threads' timing.
        // Min/MaxHeapFreeRatio: after the full GC that measures the heap, G1 gives back free regions beyond 20 % of
        // the heap, so the RSS is the live set and the JVM rather than whatever garbage the parking touched on the
        // way (with G1's defaults, 40 / 70 %, the same probe's RSS moved 869-1,153 MB from run to run at the same
        // live heap). Every probe has the same flags, the plain virtual thread's too.
        List<String> flags = new ArrayList<>(List.of("-Xmx" + settings.probeHeap(), "-Xbatch",
                "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=20"));
        flags.add("-Djdk.trackAllThreads=" + tracking); // explicit: the probe inherits this JVM's own flags
        List<String> args = new ArrayList<>(List.of(mode.id, Integer.toString(settings.parked())));
        if (settings.breakdown()) {
            args.add("--breakdown");
        }
        return Probe.of(SubprocessJvm.run(ParkedMemoryProbe.class, flags, args, PROBE_TIMEOUT_SECONDS));
    }
}
