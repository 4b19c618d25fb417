package org.concurrence.bench;

import java.io.IOException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.concurrence.core.Concurrence;
import org.concurrence.core.DispatcherGroup;

/**
 * Ping-pong round trips per second (see {@link PingPong}): the cost of a message hand-over between two blocked tasks.
 *
 * <p>Tasklets talk through two rendezvous channels ({@code Channel.create()}), on one dispatcher and across two.
 * Baselines: two plain virtual threads on the JDK's default scheduler through {@code SynchronousQueue},
 * {@code LinkedTransferQueue.transfer} and {@code Exchanger} (the best of them is the baseline), and two platform
 * threads through {@code SynchronousQueue}. Bare {@code park}/{@code unpark} with no message, on tasklets and on
 * virtual threads, shows the scheduler's own share of the cost.
 *
 * <p>On an idle machine with two or more cores, the default scheduler runs the two virtual threads on two carriers
 * and the JDK's queues spin before they park, so a hand-over may never reach the scheduler; the virtual-thread
 * baselines are therefore measured twice, with the JDK's default parallelism and, in a fresh JVM, with
 * {@code -Djdk.virtualThreadScheduler.parallelism=1} (one carrier, the same CPU as one dispatcher). Every rate is
 * shown with the cores the process kept busy meanwhile.
 */
final class PingPongBench {
    private static final int MAX_OPS = 200_000_000;
    private static final long PROBE_TIMEOUT_SECONDS = 120;

    private PingPongBench() {}

    static void run(Settings settings, Report report) throws Exception {
        report.section("Ping-pong round trips (median of " + settings.rounds() + " rounds)");
        Concurrence.Options options = Concurrence.Options.defaults().withName("pingpong");

        Measure.Rates channel;
        Measure.Rates park;
        try (DispatcherGroup one = DispatcherGroup.start(options.withDispatchers(1));
             DispatcherGroup two = DispatcherGroup.start(options.withDispatchers(2))) {
            channel = rates(settings, n -> ChannelWorkloads.pingPong().onTasklets(one, 0, n));
            report.figure("pingpong_rt_per_s", "tasklets, channel, 1 dispatcher", channel.median(), "rt/s",
                    channel.spread());
            Measure.Rates channelCross = rates(settings, n -> ChannelWorkloads.pingPong().onTasklets(two, 1, n));
            report.figure("pingpong_cross_rt_per_s", "tasklets, channel, 2 dispatchers", channelCross.median(),
                    "rt/s", channelCross.spread());
            park = rates(settings, n -> PingPong.parkUnpark().onTasklets(one, 0, n));
            report.figure("pingpong_park_rt_per_s", "tasklets, bare park/unpark, 1 dispatcher", park.median(),
                    "rt/s", park.spread());
            Measure.Rates parkCross = rates(settings, n -> PingPong.parkUnpark().onTasklets(two, 1, n));
            report.figure("pingpong_park_cross_rt_per_s", "tasklets, bare park/unpark, 2 dispatchers",
                    parkCross.median(), "rt/s", parkCross.spread());
        }

        Map<String, Measure.Rates> virtual = virtualBaselines(settings);
        String defaultCarriers = "virtual threads (%d carriers), ".formatted(Integer.getInteger(
                "jdk.virtualThreadScheduler.parallelism", Runtime.getRuntime().availableProcessors()));
        virtual.forEach((name, r) -> report.row(defaultCarriers + name,
                Report.si(r.median()) + " rt/s", r.spread()));
        Map.Entry<String, Measure.Rates> best = best(virtual);
        double baseline = best.getValue().median();
        report.figure("baseline_vthread_pingpong_rt_per_s", defaultCarriers + "best: " + best.getKey(), baseline,
                "rt/s", "the baseline");
        report.json("baseline_vthread_pingpong_via", best.getKey());
        virtual.forEach((name, r) -> report.json("baseline_vthread_pingpong_" + key(name) + "_rt_per_s",
                r.median()));

        Map<String, Measure.Rates> oneCarrier = virtualBaselinesOnOneCarrier(settings);
        oneCarrier.forEach((name, r) -> report.row("virtual threads (1 carrier), " + name,
                Report.si(r.median()) + " rt/s", r.spread()));
        Map.Entry<String, Measure.Rates> bestOne = best(oneCarrier);
        report.figure("baseline_vthread_1carrier_pingpong_rt_per_s", "virtual threads (1 carrier), best: "
                + bestOne.getKey(), bestOne.getValue().median(), "rt/s", "same CPU as one dispatcher");
        oneCarrier.forEach((name, r) -> report.json("baseline_vthread_1carrier_pingpong_" + key(name)
                + "_rt_per_s", r.median()));

        Measure.Rates platform = rates(settings,
                n -> PingPong.synchronousQueues().onThreads(Thread.ofPlatform(), n));
        report.figure("baseline_platform_pingpong_rt_per_s", "platform threads, SynchronousQueue",
                platform.median(), "rt/s", platform.spread());

        report.row("channel (1 dispatcher) vs virtual threads, best", SpawnBench.ratio(channel.median(), baseline),
                "per busy core: " + SpawnBench.ratio(channel.perCore(), best.getValue().perCore()));
        report.row("channel (1 dispatcher) vs virtual threads, SynchronousQueue",
                SpawnBench.ratio(channel.median(), virtual.get("SynchronousQueue").median()), "");
        report.row("channel (1 dispatcher) vs virtual threads on 1 carrier, best",
                SpawnBench.ratio(channel.median(), bestOne.getValue().median()), "");
        report.row("channel vs bare park/unpark (1 dispatcher)", SpawnBench.ratio(channel.median(), park.median()),
                "park/unpark: two switches and no message, the floor");
        report.target("pingpong", "ping-pong >= 2 M rt/s on one dispatcher", channel.median() >= 2e6,
                Report.si(channel.median()) + " rt/s");
        report.target("pingpong_vs_vthread", "ping-pong >= 1.5x virtual threads on the default scheduler (best)",
                channel.median() >= 1.5 * baseline, "%s of %s; %s of the best on 1 carrier".formatted(
                        SpawnBench.ratio(channel.median(), baseline), best.getKey(),
                        SpawnBench.ratio(channel.median(), bestOne.getValue().median())));
    }

    /** Ping-pong between two virtual threads on the default scheduler, through each kind of JDK hand-over. */
    static Map<String, Measure.Rates> virtualBaselines(Settings settings) throws Exception {
        Thread.Builder virtual = Thread.ofVirtual();
        Map<String, Measure.Rates> rates = new LinkedHashMap<>();
        rates.put("SynchronousQueue", rates(settings, n -> PingPong.synchronousQueues().onThreads(virtual, n)));
        rates.put("LinkedTransferQueue.transfer",
                rates(settings, n -> PingPong.transferQueues().onThreads(virtual, n)));
        rates.put("Exchanger", rates(settings, n -> PingPong.exchanger().onThreads(virtual, n)));
        rates.put(PARK, rates(settings, n -> PingPong.parkUnpark().onThreads(virtual, n)));
        return rates;
    }

    /** {@link #virtualBaselines} in a fresh JVM whose default scheduler has one carrier. */
    private static Map<String, Measure.Rates> virtualBaselinesOnOneCarrier(Settings settings)
            throws IOException, InterruptedException {
        Map<String, Measure.Rates> rates = new LinkedHashMap<>();
        for (Map<String, String> r : SubprocessJvm.run(VirtualPingPongProbe.class,
                List.of("-Djdk.virtualThreadScheduler.parallelism=1"), settings.toArgs(), PROBE_TIMEOUT_SECONDS)) {
            rates.put(r.get("via"), new Measure.Rates(Double.parseDouble(r.get("median")),
                    Double.parseDouble(r.get("min")), Double.parseDouble(r.get("max")),
                    Integer.parseInt(r.get("ops")), Integer.parseInt(r.get("rounds")),
                    Double.parseDouble(r.get("cores")), Double.parseDouble(r.get("allocated_per_op"))));
        }
        return rates;
    }

    /** The row of bare park/unpark: not a message hand-over, so never "the best queue". */
    static final String PARK = "park/unpark";

    private static Map.Entry<String, Measure.Rates> best(Map<String, Measure.Rates> rates) {
        return rates.entrySet().stream().filter(e -> !e.getKey().equals(PARK))
                .max(Comparator.comparingDouble(e -> e.getValue().median())).orElseThrow();
    }

    private static Measure.Rates rates(Settings settings, Measure.Workload workload) throws Exception {
        return Measure.rates(settings, 2_000, MAX_OPS, workload);
    }

    /** "LinkedTransferQueue.transfer" to "linked_transfer_queue", "park/unpark" to "park". */
    private static String key(String name) {
        if (name.equals(PARK)) {
            return "park";
        }
        return name.split("\\.")[0].replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }
}
