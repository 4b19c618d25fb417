package org.concurrence.bench;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.concurrence.core.Concurrence;
import org.concurrence.core.DispatcherGroup;

/**
 * {@code bench messages}: what a message costs between tasklets' mailboxes, next to plain virtual threads that
 * exchange through {@code java.util.concurrent} queues, in one run.
 *
 * <ol>
 * <li>One-way: a sender tasklet sends {@code n} messages ({@code Tasklet.send}) to a receiver that receives them all
 * ({@code Mailbox.receive()}), on one dispatcher and across two, yielding every {@value OneWay#BATCH} sends (see
 * {@link MessageWorkloads#send} for why); a second row makes it yield after every send, so that every message wakes
 * the receiver.</li>
 * <li>Call round trips: {@code call(request, 30 s)} answered by {@code Mailbox.reply}, on one dispatcher and across
 * two; and without a timeout, for the cost of the timer.</li>
 * <li>Fan-out: a {@code BroadcastChannel} with {@link Settings#subscribers()} subscriber tasklets; a delivery is one
 * subscriber's receipt of one message.</li>
 * <li>Baselines: two virtual threads on the JDK's default scheduler, one-way through a {@code LinkedTransferQueue}
 * ({@code offer}/{@code take}) and round trips through {@code SynchronousQueue} and
 * {@code LinkedTransferQueue.transfer}; again in a fresh JVM whose scheduler has one carrier, the CPU of one
 * dispatcher.</li>
 * </ol>
 * The targets are one-way (at least 5 M messages/s on one dispatcher, and at least twice the queue baseline)
 * with Erlang's classic ping-pong (1.4 M round trips/s) as the reference for calls; the ratio of calls to the queues'
 * round trips is reported too. The target against a baseline counts as met only if it beats it both on the default
 * scheduler and on one carrier:
 * on a shared two-core machine the two-carrier baselines swing several-fold from run to run (their queues spin
 * across carriers when both are free), and a win that vanishes on the same CPU is no win.
 *
 * <p>Prints a table, then the figures as one JSON object on the last line. Rates are medians of {@link
 * Settings#rounds()} rounds after warm-up (see {@link Measure}); each of the framework's figures also gives its heap
 * allocation per operation ({@code <key>_bytes_per_op} in the JSON), which does not depend on the machine's load. With
 * the defaults a run takes 30 to 40 seconds on two cores.
 */
public final class MessagesBench {
    /** Ops per round at most for one-way streams (their queues stay short; this bounds a round's length). */
    private static final int MAX_QUEUED_OPS = 10_000_000;
    private static final int MAX_ROUND_TRIPS = 100_000_000;
    /** Messages per fan-out round at most: each sits in every subscriber's mailbox until it runs. */
    private static final int MAX_FANOUT_MESSAGES = 2_000;
    private static final int FANOUT_FIRST_MESSAGES = 16;
    /** The target of the issue for one-way messages on one dispatcher. */
    private static final double TARGET_SEND_PER_S = 5e6;
    /** Erlang's classic ping-pong, the reference for round trips. */
    private static final double ERLANG_PINGPONG_RT_PER_S = 1.4e6;

    /** Names of the queue baselines, in result lines (no spaces) and for people. */
    static final String LTQ_ONE_WAY = "ltq_offer_take";
    static final String SQ_ROUND_TRIP = "synchronous_queue";
    static final String LTQ_ROUND_TRIP = "ltq_transfer";
    private static final Map<String, String> LABELS = Map.of(
            LTQ_ONE_WAY, "one-way, LinkedTransferQueue offer/take",
            SQ_ROUND_TRIP, "round trips, SynchronousQueue put/take",
            LTQ_ROUND_TRIP, "round trips, LinkedTransferQueue transfer/take");

    private MessagesBench() {}

    public static void main(String[] args) throws Exception {
        Settings settings;
        try {
            settings = Settings.parse(Settings.Benchmark.MESSAGES, args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(Settings.USAGE);
            System.exit(2);
            return;
        }
        TaskletsBench.startWatchdog("bench messages");
        Report report = new Report("Concurrence messages benchmark — Java %s, %d cores, flags: %s".formatted(
                Runtime.version(), Runtime.getRuntime().availableProcessors(),
                String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments())));
        report.json("java", Runtime.version().toString());
        report.json("cores", Runtime.getRuntime().availableProcessors());
        double loadBefore = TaskletsBench.loadAverage();
        System.err.printf("bench messages: load average %.2f before the run%n", loadBefore);
        long start = System.nanoTime();
        run(settings, report);
        report.json("seconds", (System.nanoTime() - start) / 1e9);
        double loadAfter = TaskletsBench.loadAverage();
        report.json("load_before", loadBefore);
        report.json("load_after", loadAfter);
        report.note(("Machine load (1-minute average) %.2f before the run, %.2f after it (this run included), on %d "
                + "cores; where other processes compete for the CPU the rates are lower and noisier.").formatted(
                loadBefore, loadAfter, Runtime.getRuntime().availableProcessors()));
        report.print(System.out);
        System.exit(0);
    }

    static void run(Settings settings, Report report) throws Exception {
        Concurrence.Options options = Concurrence.Options.defaults().withName("messages");
        Measure.Rates sendLocal = null;
        Measure.Rates callLocal = null;
        try (DispatcherGroup one = DispatcherGroup.start(options.withDispatchers(1));
             DispatcherGroup two = DispatcherGroup.start(options.withDispatchers(2))) {
            if (settings.runs(Settings.Section.SEND)) {
                progress("one-way messages");
                report.section("One-way messages, Tasklet.send -> Mailbox.receive (median of " + settings.rounds()
                        + " rounds)");
                String batched = "sender yields every %,d sends".formatted(OneWay.BATCH);
                sendLocal = streams(settings, n -> MessageWorkloads.send(one, 0, n, OneWay.BATCH));
                figure(report, "send_per_s_local", "1 dispatcher, " + batched, sendLocal, "msg/s", "");
                report.target("send", "one-way messages on 1 dispatcher >= 5 M/s",
                        sendLocal.median() >= TARGET_SEND_PER_S, Report.si(sendLocal.median()) + " msg/s");
                Measure.Rates yielding = streams(settings, n -> MessageWorkloads.send(one, 0, n, 1));
                figure(report, "send_per_s_local_yield_each", "1 dispatcher, sender yields after each send", yielding,
                        "msg/s", "; a wake-up per message");
                Measure.Rates cross = streams(settings, n -> MessageWorkloads.send(two, 1, n, OneWay.BATCH));
                figure(report, "send_per_s_cross", "2 dispatchers, " + batched, cross, "msg/s", "");
            }
            if (settings.runs(Settings.Section.CALL)) {
                progress("call round trips");
                report.section("Call round trips, Tasklet.call -> Mailbox.receive + Mailbox.reply (median of "
                        + settings.rounds() + " rounds)");
                callLocal = roundTrips(settings,
                        n -> MessageWorkloads.call(one, 0, n, MessageWorkloads.CALL_TIMEOUT));
                figure(report, "call_rt_per_s_local", "1 dispatcher, call(request, 30 s)", callLocal, "rt/s", "");
                Measure.Rates noTimeout = roundTrips(settings, n -> MessageWorkloads.call(one, 0, n, null));
                figure(report, "call_rt_per_s_local_no_timeout", "1 dispatcher, call(request): no timer", noTimeout,
                        "rt/s", "");
                Measure.Rates cross = roundTrips(settings,
                        n -> MessageWorkloads.call(two, 1, n, MessageWorkloads.CALL_TIMEOUT));
                figure(report, "call_rt_per_s_cross", "2 dispatchers, call(request, 30 s)", cross, "rt/s", "");
            }
            if (settings.runs(Settings.Section.FANOUT)) {
                int subscribers = settings.subscribers();
                progress("fan-out to %,d subscribers".formatted(subscribers));
                report.section("Fan-out, BroadcastChannel.send to %,d subscriber tasklets (deliveries: one "
                        .formatted(subscribers) + "subscriber's receipt of one message)");
                MessageWorkloads.FanOut local = new MessageWorkloads.FanOut(one, subscribers, 1);
                double setupMillis = local.setupNanos() / 1e6;
                report.figure("fanout_subscribe_ms", "spawn + subscribe %,d tasklets, one at a time".formatted(
                        subscribers), setupMillis, "ms", "%.1f µs per subscriber (once, before the rounds)".formatted(
                        setupMillis * 1e3 / subscribers));
                Measure.Rates burst = fanOut(settings, local, false);
                figure(report, "fanout_deliveries_per_s", "1 dispatcher, publisher runs until it blocks", burst,
                        "deliveries/s", "");
                Measure.Rates yielding = fanOut(settings, local, true);
                figure(report, "fanout_deliveries_per_s_yield_each", "1 dispatcher, publisher yields after each send",
                        yielding, "deliveries/s", "; every message wakes every subscriber");
                MessageWorkloads.FanOut spread = new MessageWorkloads.FanOut(two, subscribers, 2);
                Measure.Rates cross = fanOut(settings, spread, false);
                figure(report, "fanout_deliveries_per_s_2d", "2 dispatchers (subscribers on both), publisher runs "
                        + "until it blocks", cross, "deliveries/s", "");
            }
        }
        if (settings.runs(Settings.Section.QUEUES)) {
            progress("queue baselines (virtual threads, default scheduler)");
            report.section("Baselines: virtual threads with java.util.concurrent queues (median of "
                    + settings.rounds() + " rounds)");
            int carriers = Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
                    Runtime.getRuntime().availableProcessors());
            Map<String, Measure.Rates> defaults = queueBaselines(settings);
            progress("queue baselines (virtual threads, 1 carrier, fresh JVM)");
            Map<String, Measure.Rates> oneCarrier = VirtualQueueProbe.inFreshJvm(settings, List.of(
                    "-Djdk.virtualThreadScheduler.parallelism=1", "-Djdk.virtualThreadScheduler.maxPoolSize=1"));
            double oneWay = defaults.get(LTQ_ONE_WAY).median();
            double oneWay1 = oneCarrier.get(LTQ_ONE_WAY).median();
            String rtVia = bestRoundTrip(defaults);
            String rtVia1 = bestRoundTrip(oneCarrier);
            double rt = defaults.get(rtVia).median();
            double rt1 = oneCarrier.get(rtVia1).median();
            String many = "virtual threads (%d carriers), ".formatted(carriers);
            String single = "virtual threads (1 carrier), ";
            report.figure("baseline_queue_per_s", many + LABELS.get(LTQ_ONE_WAY), oneWay, "msg/s",
                    defaults.get(LTQ_ONE_WAY).spread());
            queueRows(report, many, defaults);
            report.figure("baseline_queue_rt_per_s", many + "round trips, best: " + shortName(rtVia), rt, "rt/s",
                    "the round-trip baseline");
            report.json("baseline_queue_rt_via", shortName(rtVia));
            report.figure("baseline_queue_1carrier_per_s", single + LABELS.get(LTQ_ONE_WAY), oneWay1, "msg/s",
                    oneCarrier.get(LTQ_ONE_WAY).spread() + "; same CPU as one dispatcher");
            queueRows(report, single, oneCarrier);
            report.figure("baseline_queue_1carrier_rt_per_s", single + "round trips, best: " + shortName(rtVia1),
                    rt1, "rt/s", "same CPU as one dispatcher");
            defaults.forEach((via, r) -> report.json("baseline_" + via + "_per_s", r.median()));
            oneCarrier.forEach((via, r) -> report.json("baseline_1carrier_" + via + "_per_s", r.median()));

            if (sendLocal != null || callLocal != null) {
                report.section("Ratios");
            }
            if (sendLocal != null) {
                report.row("one-way, 1 dispatcher vs LinkedTransferQueue, " + carriers + " carriers",
                        SpawnBench.ratio(sendLocal.median(), oneWay),
                        "per busy core: " + SpawnBench.ratio(sendLocal.perCore(), defaults.get(LTQ_ONE_WAY).perCore()));
                report.row("one-way, 1 dispatcher vs LinkedTransferQueue, 1 carrier",
                        SpawnBench.ratio(sendLocal.median(), oneWay1), "");
                report.target("send_vs_queue", "one-way messages on 1 dispatcher >= 2x the queue baseline "
                                + "(LinkedTransferQueue, on the default scheduler and on 1 carrier)",
                        sendLocal.median() >= 2 * Math.max(oneWay, oneWay1),
                        "%s of %s msg/s on %d carriers; %s of %s msg/s on 1 carrier".formatted(
                                SpawnBench.ratio(sendLocal.median(), oneWay), Report.si(oneWay), carriers,
                                SpawnBench.ratio(sendLocal.median(), oneWay1), Report.si(oneWay1)));
            }
            if (callLocal != null) {
                report.row("call, 1 dispatcher vs best queue round trip, " + carriers + " carriers",
                        SpawnBench.ratio(callLocal.median(), rt),
                        "per busy core: " + SpawnBench.ratio(callLocal.perCore(), defaults.get(rtVia).perCore()));
                report.row("call, 1 dispatcher vs best queue round trip, 1 carrier",
                        SpawnBench.ratio(callLocal.median(), rt1), "");
                report.row("call, 1 dispatcher vs Erlang's classic ping-pong (1.4 M rt/s)",
                        SpawnBench.ratio(callLocal.median(), ERLANG_PINGPONG_RT_PER_S), "the issue's reference");
                // Not a target: the "2x the queue baseline" is for one-way messages (its baseline key,
                // baseline_queue_per_s, is the one-way rate); round trips are held to Erlang's ping-pong. The ratio
                // stays in the report and the JSON because it is the comparison a reader will ask for.
                report.row("call, 1 dispatcher vs 2x the best queue round trip (not a target of the issue)",
                        callLocal.median() >= 2 * Math.max(rt, rt1) ? "above" : "below",
                        ("a round trip is two switches for both; %s of %s rt/s on %d carriers, %s of %s rt/s on 1 "
                                + "carrier").formatted(SpawnBench.ratio(callLocal.median(), rt), Report.si(rt), carriers,
                                        SpawnBench.ratio(callLocal.median(), rt1), Report.si(rt1)));
                report.target("call_vs_erlang", "call round trips on 1 dispatcher >= Erlang's ping-pong, 1.4 M rt/s",
                        callLocal.median() >= ERLANG_PINGPONG_RT_PER_S, Report.si(callLocal.median()) + " rt/s");
            }
        }
    }

    /** A figure of the framework's with its spread, and its allocation per operation as a JSON entry of its own. */
    private static void figure(Report report, String key, String label, Measure.Rates rates, String unit,
                               String note) {
        report.figure(key, label, rates.median(), unit, rates.spread() + note);
        report.json(key + "_bytes_per_op", rates.allocatedPerOp());
    }

    /**
     * The queue baselines between two virtual threads on the JDK's default scheduler, as this JVM has it set up:
     * one-way through a {@code LinkedTransferQueue}, round trips through {@code SynchronousQueue} and
     * {@code LinkedTransferQueue.transfer}.
     */
    static Map<String, Measure.Rates> queueBaselines(Settings settings) throws Exception {
        Thread.Builder virtual = Thread.ofVirtual();
        Map<String, Measure.Rates> rates = new LinkedHashMap<>();
        rates.put(LTQ_ONE_WAY, streams(settings, n -> OneWay.linkedTransferQueue().onThreads(virtual, n)));
        rates.put(SQ_ROUND_TRIP, roundTrips(settings, n -> PingPong.synchronousQueues().onThreads(virtual, n)));
        rates.put(LTQ_ROUND_TRIP, roundTrips(settings, n -> PingPong.transferQueues().onThreads(virtual, n)));
        return rates;
    }

    private static void queueRows(Report report, String prefix, Map<String, Measure.Rates> rates) {
        for (String via : List.of(SQ_ROUND_TRIP, LTQ_ROUND_TRIP)) {
            Measure.Rates r = rates.get(via);
            report.row(prefix + LABELS.get(via), Report.si(r.median()) + " rt/s", r.spread());
        }
    }

    private static String bestRoundTrip(Map<String, Measure.Rates> rates) {
        return rates.get(SQ_ROUND_TRIP).median() >= rates.get(LTQ_ROUND_TRIP).median() ? SQ_ROUND_TRIP
                : LTQ_ROUND_TRIP;
    }

    private static String shortName(String via) {
        return via.equals(SQ_ROUND_TRIP) ? "SynchronousQueue" : "LinkedTransferQueue.transfer";
    }

    /** One-way streams: rounds are capped at {@link #MAX_QUEUED_OPS}. */
    private static Measure.Rates streams(Settings settings, Measure.Workload workload) throws Exception {
        return Measure.rates(settings, 10_000, MAX_QUEUED_OPS, workload);
    }

    private static Measure.Rates roundTrips(Settings settings, Measure.Workload workload) throws Exception {
        return Measure.rates(settings, 2_000, MAX_ROUND_TRIPS, workload);
    }

    /** Fan-out rounds measured in messages published, reported in deliveries (messages x subscribers). */
    private static Measure.Rates fanOut(Settings settings, MessageWorkloads.FanOut fanOut, boolean yieldEach)
            throws Exception {
        // The first guess: a few messages, so that a slow cold round (JIT, the garbage of subscribing) does not
        // shrink the rounds to a single message, whose fixed costs (a group run) would then dominate.
        return Measure.rates(settings, FANOUT_FIRST_MESSAGES, MAX_FANOUT_MESSAGES,
                n -> fanOut.round(Math.max(1, n), yieldEach)).scaled(fanOut.subscribers());
    }

    private static void progress(String what) {
        System.err.println("bench messages: " + what + " ...");
    }
}
