package org.concurrence.bench;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * {@code bench greeter}: our greeter against Netty and Helidon 4 SE, and against the JDK's own blocking sockets on
 * our tasklets, in one run: the load benchmark of the HTTP greeter and the measurement that decides the I/O model.
 *
 * <p>Every server is a child JVM pinned to the server CPU(s) ({@code taskset}, CPU 0 by default, so it sees one
 * processor: our dispatchers = 1, Netty one event loop, Helidon as it configures itself for one processor); the load
 * generators are pinned to the client CPU(s) (CPU 1). All servers start first and stay up; each is warmed up, then
 * every round runs every load against every server in turn (the order rotates by round), so ours and each peer are
 * measured close together in time. Medians of the rounds are reported, with min..max.
 *
 * <p>Loads: {@code wrk -t1 -c100} and {@code -c1000} with keep-alive; {@code httperf} with a new connection per
 * request at rising rates (the highest rate sustained without errors is the connections-per-second figure); and
 * {@code wrk -c100 -H 'Connection: close'} (a new connection per request, closed loop). Per run: requests/s, p99
 * latency, errors, server CPU time per request ({@code /proc/<pid>/stat}), the load generator's CPU share. Then the
 * peak RSS of every server ({@code VmHWM}) and the memory per idle keep-alive connection (heap after GC and RSS,
 * before and after opening {@code --idle} connections that each made one request).
 */
public final class GreeterBench {
    static final String USAGE = """
            bench greeter [options]
              --servers=LIST      of ours,netty,netty-codec,helidon,jdk (default all)
              --loads=LIST        of c100,c1000,conn,close (default all)
              --idle=N            idle keep-alive connections for the memory probe (default 10000; 0: skip)
              --dispatchers=N     our dispatchers (default 1; also the JDK-sockets variant's)
              --rate-start=N      first httperf rate, conn/s (default 2000)
              --rate-max=N        highest httperf rate tried (default 100000; httperf tops out near 40000 here)
              --step=SECONDS      length of one httperf step (default 2)
              --jdk-jvm=FLAGS     extra JVM flags of the JDK-sockets server only, e.g. -Djdk.pollerMode=1
              --quick             rounds=1 duration=3 warmup=3 step=1 idle=2000: a smoke run of ~2 minutes
            """ + PeerBench.CommonOptions.USAGE;

    /** Stops a run that hangs. */
    private static final Duration WATCHDOG = Duration.ofMinutes(45);

    /** The servers compared. */
    enum Server {
        OURS("ours", "ours", "ours: SocketServer, a selector polled by the dispatcher loop", OurGreeter.class),
        NETTY("netty", "netty", "Netty 4.2 epoll, 1 event loop, hand-written head scanner", NettyGreeter.class,
                "--raw"),
        NETTY_CODEC("netty-codec", "netty_codec", "Netty 4.2 epoll, 1 event loop, HttpServerCodec",
                NettyGreeter.class, "--codec"),
        HELIDON("helidon", "helidon", "Helidon 4.5 SE WebServer, defaults", HelidonGreeter.class),
        JDK("jdk", "jdksockets", "JDK blocking java.net sockets on our tasklets", JdkSocketGreeter.class);

        final String option;
        final String key;
        final String label;
        final Class<?> main;
        final List<String> args;

        Server(String option, String key, String label, Class<?> main, String... args) {
            this.option = option;
            this.key = key;
            this.label = label;
            this.main = main;
            this.args = List.of(args);
        }
    }

    /** The loads. */
    enum Load {
        C100("c100", "_c100", "wrk -t1 -c100, keep-alive", "req/s"),
        C1000("c1000", "_c1000", "wrk -t1 -c1000, keep-alive", "req/s"),
        CONN("conn", "_conn_per_s", "httperf, a new connection per request: highest rate sustained", "conn/s"),
        CLOSE("close", "_close_c100", "wrk -t1 -c100 -H 'Connection: close': a new connection per request, "
                + "closed loop", "conn/s");

        final String option;
        final String suffix;
        final String label;
        final String unit;

        Load(String option, String suffix, String label, String unit) {
            this.option = option;
            this.suffix = suffix;
            this.label = label;
            this.unit = unit;
        }
    }

    record Options(int rounds, int seconds, int warmupSeconds, List<Server> servers, List<Load> loads, int idle,
                   int dispatchers, String serverCpus, String clientCpus, int rateStart, int rateMax,
                   double stepSeconds, List<String> serverJvm, List<String> jdkJvm, boolean verbose,
                   PeerBench.CommonOptions common) {

        static Options parse(String... args) {
            PeerBench.CommonOptions common = new PeerBench.CommonOptions();
            List<Server> servers = List.of(Server.values());
            List<Load> loads = List.of(Load.values());
            int idle = 10_000;
            int dispatchers = 1;
            int rateStart = 2000;
            int rateMax = 100_000;
            double step = 2;
            List<String> jdkJvm = List.of();
            for (PeerBench.Option o : PeerBench.Option.of(args)) {
                switch (o.name()) {
                    case "--servers" -> servers = PeerBench.pick(Server.values(), o.value(), s -> s.option);
                    case "--loads" -> loads = PeerBench.pick(Load.values(), o.value(), l -> l.option);
                    case "--idle" -> idle = o.intValue();
                    case "--dispatchers" -> dispatchers = o.intValue();
                    case "--rate-start" -> rateStart = o.intValue();
                    case "--rate-max" -> rateMax = o.intValue();
                    case "--step" -> step = o.doubleValue();
                    case "--jdk-jvm" -> jdkJvm = o.words();
                    case "--quick" -> {
                        common.quick();
                        step = 1;
                        idle = 2000;
                    }
                    default -> {
                        if (!common.accept(o)) {
                            throw o.unknown();
                        }
                    }
                }
            }
            common.check();
            if (idle < 0 || dispatchers < 1 || rateStart < 1 || rateMax < rateStart || step <= 0) {
                throw new IllegalArgumentException("dispatchers, rates and step must be positive");
            }
            return new Options(common.rounds, common.seconds, common.warmupSeconds, servers, loads, idle, dispatchers,
                    common.serverCpus, common.clientCpus, rateStart, rateMax, step, common.serverJvm, jdkJvm,
                    common.verbose, common);
        }
    }

    private final Options options;
    private final List<String> args;
    private final Map<Server, ServerChild> children = new EnumMap<>(Server.class);
    private Map<Server, Map<Load, List<LoadSample>>> samples = Map.of();
    private final Map<Server, Integer> lastSustainedRate = new EnumMap<>(Server.class);

    private GreeterBench(Options options, String[] args) {
        this.options = options;
        this.args = List.of(args);
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        String missing = LoadGen.missingTools();
        if (missing != null) {
            System.err.println("bench greeter needs " + missing);
            System.exit(2);
        }
        PeerBench.startWatchdog("greeter", WATCHDOG);
        new GreeterBench(options, args).run();
        System.exit(0);
    }

    private void run() throws Exception {
        long start = System.nanoTime();
        double loadBefore = PeerBench.loadAverage();
        Report report = new Report(("Concurrence greeter benchmark — Java %s, %d cores; servers on CPU %s, load "
                + "generators on CPU %s; our dispatchers: %d").formatted(Runtime.version(),
                Runtime.getRuntime().availableProcessors(), options.serverCpus(), options.clientCpus(),
                options.dispatchers()));
        try {
            for (Server server : options.servers()) {
                PeerBench.progress("greeter", "starting " + server.option);
                children.put(server, startServer(server));
            }
            for (Server server : options.servers()) {
                PeerBench.progress("greeter", "warming up " + server.option + " (" + options.warmupSeconds() + " s + a short "
                        + "connection run)");
                warmUp(children.get(server));
            }
            samples = PeerBench.rounds("greeter", options.common(), options.servers(), options.loads(),
                    s -> s.option, l -> l.option, l -> l.unit, this::measure);
            Map<Server, Long> peakRssKb = PeerBench.peakRssKb(children);
            Map<Server, IdleMemory> idle = new EnumMap<>(Server.class);
            int idleCount = idleConnections();
            if (idleCount > 0) {
                for (Server server : options.servers()) {
                    PeerBench.progress("greeter", "memory of %,d idle connections on %s".formatted(idleCount, server.option));
                    idle.put(server, idleMemory(children.get(server), idleCount, server == Server.OURS));
                }
            }
            fill(report, peakRssKb, idle, idleCount);
        } finally {
            PeerBench.closeAll(children.values());
        }
        PeerBench.finish(report, "greeter", args, effectiveOptions(), loadBefore, start);
        report.print(System.out);
    }

    private String effectiveOptions() {
        return (("--rounds=%d --duration=%d --warmup=%d --servers=%s --loads=%s --idle=%d --dispatchers=%d")
                .formatted(options.rounds(), options.seconds(), options.warmupSeconds(),
                        String.join(",", options.servers().stream().map(s -> s.option).toList()),
                        String.join(",", options.loads().stream().map(l -> l.option).toList()), options.idle(),
                        options.dispatchers()));
    }

    private ServerChild startServer(Server server) throws IOException, InterruptedException {
        List<String> flags = new ArrayList<>(options.serverJvm());
        List<String> args = new ArrayList<>(server.args);
        if (server == Server.OURS || server == Server.JDK) {
            args.add("--dispatchers=" + options.dispatchers());
        }
        if (server == Server.JDK) {
            flags.addAll(options.jdkJvm());
        }
        if (server == Server.NETTY || server == Server.NETTY_CODEC) {
            flags.addAll(PeerBench.NETTY_JVM_FLAGS);
        }
        return ServerChild.start(server.option, server.label, options.serverCpus(), flags, server.main, args);
    }

    private void warmUp(ServerChild child) throws IOException, InterruptedException {
        if (options.warmupSeconds() == 0) {
            return;
        }
        LoadGen.wrk(options.clientCpus(), child.port, 100, options.warmupSeconds(), false);
        LoadGen.wrk(options.clientCpus(), child.port, 1000, Math.max(1, options.warmupSeconds() / 2), false);
        LoadGen.wrk(options.clientCpus(), child.port, 100, Math.max(1, options.warmupSeconds() / 2), true);
        LoadGen.httperf(options.clientCpus(), child.port, options.rateStart(), 1);
    }

    private LoadSample measure(Server server, Load load) throws IOException, InterruptedException {
        ServerChild child = children.get(server);
        return LoadSample.measure(child, () -> {
            if (load != Load.CONN) {
                int seconds = load == Load.CLOSE ? Math.max(3, options.seconds() / 2) : options.seconds();
                return LoadSample.Outcome.of(LoadGen.wrk(options.clientCpus(), child.port, load == Load.C1000 ? 1000
                        : 100, seconds, load == Load.CLOSE));
            }
            int startRate = Math.max(options.rateStart(), roundTo100(lastSustainedRate.getOrDefault(server, 0) * 0.6));
            List<LoadGen.Httperf> steps = LoadGen.httperfLadder(options.clientCpus(), child.port, startRate,
                    options.rateMax(), options.stepSeconds(), options.verbose());
            lastSustainedRate.put(server, LoadSample.Outcome.best(steps).target());
            return LoadSample.Outcome.ofLadder(steps);
        });
    }

    private static int roundTo100(double rate) {
        return (int) Math.round(rate / 100) * 100;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Memory per idle connection.

    /**
     * @param heapBytesPerConn heap after GC, per connection
     * @param rssBytesPerConn  resident set, per connection (measured before the GC: approximate, it includes the
     *                         heap's growth while the connections were opened)
     * @param handlerBuffersPerConn for ours: the part of the heap figure that is the greeting loop's own buffers
     *                         (byte arrays and heap ByteBuffers), so the rest is what the framework costs
     * @param histogramBytesPerConn for ours: the growth of the class histogram (live objects) per connection, the
     *                         same measure as the heap figure counted by class
     * @param topClasses       for ours: the classes whose live bytes grew most, per connection
     */
    record IdleMemory(double heapBytesPerConn, double rssBytesPerConn, double handlerBuffersPerConn,
                      double histogramBytesPerConn, String topClasses) {}

    private int idleConnections() throws IOException {
        if (options.idle() == 0) {
            return 0;
        }
        long limit = openFileLimit();
        int count = (int) Math.min(options.idle(), limit - 1_000);
        if (count < options.idle()) {
            System.err.printf("bench greeter: open-file limit %d: %d idle connections instead of %d (raise it with "
                    + "ulimit -n)%n", limit, count, options.idle());
        }
        return Math.max(0, count);
    }

    /** The soft open-file limit of this process (which the JVM raised to the hard limit, as the servers' do). */
    private static long openFileLimit() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String soft = line.substring("Max open files".length()).strip().split("\\s+")[0];
                return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
            }
        }
        return 1024;
    }

    private IdleMemory idleMemory(ServerChild child, int count, boolean breakdown)
            throws IOException, InterruptedException {
        Thread.sleep(1000);
        // Histogram first: its full GC may shrink the heap, which must not fall between the two RSS readings.
        Map<String, long[]> histogramBefore = breakdown ? child.classHistogram() : Map.of();
        long heapBefore = child.heapAfterGc();
        long rssBefore = child.statusKb("VmRSS");
        List<SocketChannel> open = LoadGen.openIdle(child.port, count);
        try {
            Thread.sleep(1000);
            // RSS before the full GC of the heap figure: a full GC may shrink the heap and give memory back.
            long rssAfter = child.statusKb("VmRSS");
            long heapAfter = child.heapAfterGc();
            String top = "";
            double buffers = Double.NaN;
            double histogramTotal = Double.NaN;
            if (breakdown) {
                Map<String, long[]> after = child.classHistogram();
                List<Map.Entry<String, Long>> grown = new ArrayList<>();
                after.forEach((cls, v) -> grown.add(Map.entry(cls, v[0] - histogramBefore.getOrDefault(cls,
                        new long[2])[0])));
                grown.sort(Map.Entry.<String, Long>comparingByValue().reversed());
                StringBuilder b = new StringBuilder();
                for (Map.Entry<String, Long> e : grown.subList(0, Math.min(12, grown.size()))) {
                    long instances = after.get(e.getKey())[1] - histogramBefore.getOrDefault(e.getKey(),
                            new long[2])[1];
                    b.append(String.format(Locale.ROOT, "%s%s %.0f B (%.1f/conn)", b.isEmpty() ? "" : ", ",
                            simpleName(e.getKey()), (double) e.getValue() / count, (double) instances / count));
                }
                top = b.toString();
                // The handler's own buffers: the greeting loop's two heap ByteBuffers and their arrays.
                long total = 0;
                for (Map.Entry<String, Long> e : grown) {
                    total += e.getValue();
                }
                histogramTotal = (double) total / count;
                buffers = 0;
                for (String cls : List.of("[B", "java.nio.HeapByteBuffer")) {
                    buffers += (after.getOrDefault(cls, new long[2])[0] - histogramBefore.getOrDefault(cls,
                            new long[2])[0]) / (double) count;
                }
            }
            return new IdleMemory((double) (heapAfter - heapBefore) / count,
                    (double) (rssAfter - rssBefore) * 1024 / count, buffers, histogramTotal, top);
        } finally {
            LoadGen.closeAll(open);
            Thread.sleep(1000);
        }
    }

    private static String simpleName(String className) {
        return className.startsWith("[") ? className : className.substring(className.lastIndexOf('.') + 1);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The report.

    private void fill(Report report, Map<Server, Long> peakRssKb, Map<Server, IdleMemory> idle, int idleCount) {
        for (Server server : options.servers()) {
            report.note("%-12s %s".formatted(server.key, server.label));
        }
        report.note("Rates are medians over the rounds; \"per server core\" is 1 / (server CPU time per request): the "
                + "rate the server would reach on a whole core, which is what compares when other processes take "
                + "part of the server's CPU (server cpu < ~90 %).");
        for (Load load : options.loads()) {
            report.section(load.label + " — median of " + options.rounds() + (options.rounds() == 1 ? " round"
                    : " rounds"));
            for (Server server : options.servers()) {
                List<LoadSample> runs = samples.get(server).get(load);
                double rate = LoadSample.median(runs, LoadSample::rate);
                double p99 = LoadSample.median(runs, LoadSample::p99Ms);
                double cpu = LoadSample.median(runs, LoadSample::cpuUsPerReq);
                double serverCpu = LoadSample.median(runs, LoadSample::serverCpuPct);
                double clientCpu = LoadSample.median(runs, LoadSample::clientCpuPct);
                long errors = LoadSample.errors(runs);
                String key = server.key + load.suffix;
                String latency = load == Load.CONN ? "median conn %.1f ms".formatted(p99) : "p99 %.1f ms".formatted(p99);
                String cpuNote = ", %.1f µs cpu/%s".formatted(cpu, load == Load.CONN || load == Load.CLOSE ? "conn"
                        : "req");
                double perCore = 1e6 / cpu;
                String note = String.format(Locale.ROOT, "%s, errors %d%s (%s/s per server core), server cpu %.0f%%, "
                                + "client cpu %.0f%%, rounds %s%s", latency, errors, cpuNote, Report.si(perCore)
                                .replace(" ", ""), serverCpu, clientCpu, LoadSample.spread(runs), ratioNote(server, load));
                report.figure(key, server.key, rate, load.unit, note);
                report.json(key + "_per_core", perCore);
                report.json(key + "_server_cpu_pct", serverCpu);
                if (load == Load.CONN) {
                    report.json(key + "_median_conn_ms", p99);
                    report.json(key + "_detail", runs.getLast().errorDetail());
                    report.json(server.key + "_cpu_us_per_conn", cpu);
                } else {
                    report.json(key + "_p99_ms", p99);
                    report.json(server.key + (load == Load.C100 ? "" : load.suffix) + "_cpu_us_per_"
                            + (load == Load.CLOSE ? "conn" : "req"), cpu);
                }
                report.json(key + "_errors", errors);
            }
        }
        report.section("Memory");
        for (Server server : options.servers()) {
            IdleMemory m = idle.get(server);
            report.figure(server.key + "_rss_mb", server.key + ": peak RSS", peakRssKb.get(server) / 1024.0, "MB",
                    "VmHWM after all loads");
            if (m != null) {
                report.figure(server.key + "_bytes_per_idle_conn", server.key + ": heap per idle conn",
                        m.heapBytesPerConn(), "B", String.format(Locale.ROOT, "RSS %.0f B per conn; %,d idle "
                                + "keep-alive connections, heap after GC", m.rssBytesPerConn(), idleCount));
                report.json(server.key + "_rss_bytes_per_idle_conn", m.rssBytesPerConn());
                if (!Double.isNaN(m.handlerBuffersPerConn())) {
                    report.figure(server.key + "_bytes_per_idle_conn_excl_handler_buffers", server.key
                                    + ": heap per idle conn without the handler's buffers", m.histogramBytesPerConn()
                                    - m.handlerBuffersPerConn(), "B", String.format(Locale.ROOT, "class histogram: "
                                    + "%.0f B per connection in all, of which the greeting loop's buffers %.0f B "
                                    + "(8 KiB in, 3.2 KiB out)", m.histogramBytesPerConn(),
                                    m.handlerBuffersPerConn()));
                }
                if (!m.topClasses().isEmpty()) {
                    report.note(server.key + " — heap growth per idle connection by class: " + m.topClasses());
                }
            }
        }
        targets(report, idle);
    }

    private String ratioNote(Server server, Load load) {
        if (server == Server.OURS) {
            return "";
        }
        double ours = medianRate(Server.OURS, load);
        double peer = medianRate(server, load);
        if (Double.isNaN(ours) || Double.isNaN(peer) || peer == 0) {
            return "";
        }
        return String.format(Locale.ROOT, "; ours/this %.2f×", ours / peer);
    }

    private void targets(Report report, Map<Server, IdleMemory> idle) {
        report.section("Ratios (ours / peer, medians)");
        for (Server peer : options.servers()) {
            if (peer == Server.OURS || !options.servers().contains(Server.OURS)) {
                continue;
            }
            for (Load load : options.loads()) {
                double ratio = medianRate(Server.OURS, load) / medianRate(peer, load);
                double perCore = medianOf(Server.OURS, load, LoadSample::cpuUsPerReq) == 0 ? Double.NaN
                        : medianOf(peer, load, LoadSample::cpuUsPerReq) / medianOf(Server.OURS, load, LoadSample::cpuUsPerReq);
                report.row("ours / " + peer.option + ", " + load.option,
                        String.format(Locale.ROOT, "%.2f×", ratio), String.format(Locale.ROOT,
                                "per server core (CPU time per request) %.2f×", perCore));
                report.json("ratio_" + peer.key + load.suffix, ratio);
                report.json("ratio_per_core_" + peer.key + load.suffix, perCore);
            }
        }
        if (!options.servers().contains(Server.OURS)) {
            return;
        }
        for (Load load : List.of(Load.C100, Load.C1000, Load.CONN)) {
            if (!options.loads().contains(load)) {
                continue;
            }
            if (options.servers().contains(Server.NETTY)) {
                double r = medianRate(Server.OURS, load) / medianRate(Server.NETTY, load);
                report.target("netty" + load.suffix, "ours ≥ 1.0× Netty, " + load.label, r >= 1.0,
                        String.format(Locale.ROOT, "%.2f× measured; %.2f× per server core", r,
                                medianOf(Server.NETTY, load, LoadSample::cpuUsPerReq)
                                        / medianOf(Server.OURS, load, LoadSample::cpuUsPerReq)));
            }
            if (options.servers().contains(Server.HELIDON)) {
                double r = medianRate(Server.OURS, load) / medianRate(Server.HELIDON, load);
                report.target("helidon" + load.suffix, "ours ≥ 1.3× Helidon, " + load.label, r >= 1.3,
                        String.format(Locale.ROOT, "%.2f× measured; %.2f× per server core", r,
                                medianOf(Server.HELIDON, load, LoadSample::cpuUsPerReq)
                                        / medianOf(Server.OURS, load, LoadSample::cpuUsPerReq)));
            }
        }
        IdleMemory ours = idle.get(Server.OURS);
        if (ours != null) {
            report.target("idle_conn_memory", "≤ 4 KB per idle connection (ours, heap after GC)",
                    ours.heapBytesPerConn() <= 4096, String.format(Locale.ROOT, "heap %.0f B per connection, of which "
                            + "%.0f B the greeting loop's buffers; RSS %.0f B", ours.heapBytesPerConn(),
                            ours.handlerBuffersPerConn(), ours.rssBytesPerConn()));
        }
    }

    private double medianOf(Server server, Load load, ToDoubleFunction<LoadSample> f) {
        return LoadSample.median(samples.getOrDefault(server, Map.of()).get(load), f);
    }

    private double medianRate(Server server, Load load) {
        return medianOf(server, load, LoadSample::rate);
    }
}
