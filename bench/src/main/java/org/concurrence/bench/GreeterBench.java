package org.concurrence.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
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
              --rounds=N          measured rounds, medians reported (default 3)
              --duration=SECONDS  length of each wrk run (default 10)
              --warmup=SECONDS    warm-up per server before the rounds (default 8)
              --servers=LIST      of ours,netty,netty-codec,helidon,jdk (default all)
              --loads=LIST        of c100,c1000,conn,close (default all)
              --idle=N            idle keep-alive connections for the memory probe (default 10000; 0: skip)
              --dispatchers=N     our dispatchers (default 1; also the JDK-sockets variant's)
              --server-cpus=LIST  taskset CPU list of the servers (default 0)
              --client-cpus=LIST  taskset CPU list of wrk / httperf (default 1)
              --rate-start=N      first httperf rate, conn/s (default 2000)
              --rate-max=N        highest httperf rate tried (default 30000)
              --step=SECONDS      length of one httperf step (default 2)
              --server-jvm=FLAGS  extra JVM flags of every server, space-separated (default -Xms32m -Xmx1g)
              --jdk-jvm=FLAGS     extra JVM flags of the JDK-sockets server only, e.g. -Djdk.pollerMode=1
              --verbose           print every run to standard error
              --quick             rounds=1 duration=3 warmup=3 step=1 idle=2000: a smoke run of ~2 minutes
            """;

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
                   double stepSeconds, List<String> serverJvm, List<String> jdkJvm, boolean verbose) {

        static Options parse(String... args) {
            int rounds = 3;
            int seconds = 10;
            int warmup = 8;
            List<Server> servers = List.of(Server.values());
            List<Load> loads = List.of(Load.values());
            int idle = 10_000;
            int dispatchers = 1;
            String serverCpus = "0";
            String clientCpus = "1";
            int rateStart = 2000;
            int rateMax = 30_000;
            double step = 2;
            List<String> serverJvm = List.of("-Xms32m", "-Xmx1g");
            List<String> jdkJvm = List.of();
            boolean verbose = false;
            for (String arg : args) {
                int eq = arg.indexOf('=');
                String name = eq < 0 ? arg : arg.substring(0, eq);
                String value = eq < 0 ? "" : arg.substring(eq + 1);
                try {
                    switch (name) {
                        case "--rounds" -> rounds = Integer.parseInt(value);
                        case "--duration" -> seconds = Integer.parseInt(value.replace("s", ""));
                        case "--warmup" -> warmup = Integer.parseInt(value.replace("s", ""));
                        case "--servers" -> servers = pick(Server.values(), value, s -> s.option);
                        case "--loads" -> loads = pick(Load.values(), value, l -> l.option);
                        case "--idle" -> idle = Integer.parseInt(value.replace("_", ""));
                        case "--dispatchers" -> dispatchers = Integer.parseInt(value);
                        case "--server-cpus" -> serverCpus = value;
                        case "--client-cpus" -> clientCpus = value;
                        case "--rate-start" -> rateStart = Integer.parseInt(value);
                        case "--rate-max" -> rateMax = Integer.parseInt(value);
                        case "--step" -> step = Double.parseDouble(value.replace("s", ""));
                        case "--server-jvm" -> serverJvm = value.isBlank() ? List.of() : List.of(value.split(" "));
                        case "--jdk-jvm" -> jdkJvm = value.isBlank() ? List.of() : List.of(value.split(" "));
                        case "--verbose" -> verbose = true;
                        case "--quick" -> {
                            rounds = 1;
                            seconds = 3;
                            warmup = 3;
                            step = 1;
                            idle = 2000;
                        }
                        default -> throw new IllegalArgumentException("unknown option " + arg);
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("not a number in " + arg);
                }
            }
            if (rounds < 1 || seconds < 1 || warmup < 0 || idle < 0 || dispatchers < 1 || rateStart < 1
                    || rateMax < rateStart || step <= 0) {
                throw new IllegalArgumentException("rounds, duration, dispatchers, rates and step must be positive");
            }
            return new Options(rounds, seconds, warmup, servers, loads, idle, dispatchers, serverCpus, clientCpus,
                    rateStart, rateMax, step, serverJvm, jdkJvm, verbose);
        }

        private static <E> List<E> pick(E[] all, String list, java.util.function.Function<E, String> name) {
            List<E> chosen = new ArrayList<>();
            for (String part : list.split(",")) {
                E e = Arrays.stream(all).filter(x -> name.apply(x).equals(part.strip())).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("unknown name " + part + " (one of "
                                + Arrays.stream(all).map(name).toList() + ")"));
                if (!chosen.contains(e)) {
                    chosen.add(e);
                }
            }
            return chosen;
        }
    }

    /**
     * One measured run of one load against one server.
     *
     * @param rate          requests (or connections) per second
     * @param p99Ms         99th percentile latency (for httperf: the median connection time)
     * @param errors        errors of the run
     * @param cpuUsPerReq   server CPU time (user + system) per request, in microseconds
     * @param serverCpuPct  server CPU time over the run's wall time
     * @param clientCpuPct  the load generator's CPU time over the run's wall time
     */
    record Sample(double rate, double p99Ms, long errors, String errorDetail, double cpuUsPerReq,
                  double serverCpuPct, double clientCpuPct) {}

    private final Options options;
    private final List<String> args;
    private final Map<Server, ServerChild> children = new EnumMap<>(Server.class);
    private final Map<Server, Map<Load, List<Sample>>> samples = new EnumMap<>(Server.class);
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
        startWatchdog();
        new GreeterBench(options, args).run();
        System.exit(0);
    }

    private void run() throws Exception {
        long start = System.nanoTime();
        double loadBefore = loadAverage();
        Report report = new Report(("Concurrence greeter benchmark — Java %s, %d cores; servers on CPU %s, load "
                + "generators on CPU %s; our dispatchers: %d").formatted(Runtime.version(),
                Runtime.getRuntime().availableProcessors(), options.serverCpus(), options.clientCpus(),
                options.dispatchers()));
        try {
            for (Server server : options.servers()) {
                progress("starting " + server.option);
                children.put(server, startServer(server));
                samples.put(server, new EnumMap<>(Load.class));
            }
            for (Server server : options.servers()) {
                progress("warming up " + server.option + " (" + options.warmupSeconds() + " s + a short "
                        + "connection run)");
                warmUp(children.get(server));
            }
            for (int round = 0; round < options.rounds(); round++) {
                List<Server> order = new ArrayList<>(options.servers());
                Collections.rotate(order, -round);
                for (Load load : options.loads()) {
                    for (Server server : order) {
                        progress("round %d/%d: %s on %s".formatted(round + 1, options.rounds(), load.option,
                                server.option));
                        Sample s = measure(server, load);
                        samples.get(server).computeIfAbsent(load, l -> new ArrayList<>()).add(s);
                        if (options.verbose()) {
                            System.err.printf(Locale.ROOT, "    %.0f %s, p99 %.2f ms, errors %d (%s), server %.1f "
                                    + "us/req at %.0f%% cpu, client %.0f%% cpu%n", s.rate(), load.unit, s.p99Ms(),
                                    s.errors(), s.errorDetail(), s.cpuUsPerReq(), s.serverCpuPct(), s.clientCpuPct());
                        }
                    }
                }
            }
            Map<Server, Long> peakRssKb = new EnumMap<>(Server.class);
            for (Server server : options.servers()) {
                peakRssKb.put(server, children.get(server).statusKb("VmHWM"));
            }
            Map<Server, IdleMemory> idle = new EnumMap<>(Server.class);
            int idleCount = idleConnections();
            if (idleCount > 0) {
                for (Server server : options.servers()) {
                    progress("memory of %,d idle connections on %s".formatted(idleCount, server.option));
                    idle.put(server, idleMemory(children.get(server), idleCount, server == Server.OURS));
                }
            }
            fill(report, peakRssKb, idle, idleCount);
        } finally {
            for (ServerChild child : children.values()) {
                child.close();
            }
        }
        double loadAfter = loadAverage();
        report.json("load_before", loadBefore);
        report.json("load_after", loadAfter);
        report.json("seconds", (System.nanoTime() - start) / 1e9);
        report.note(("Machine load (1-minute average) %.2f before the run, %.2f after it (this run included), on %d "
                + "cores; figures move ±20 %% here when other processes compete.").formatted(loadBefore, loadAfter,
                Runtime.getRuntime().availableProcessors()));
        report.note("Command: ./concurrence bench greeter " + String.join(" ", args) + "  (effective: "
                + effectiveOptions() + ")");
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
            flags.add("--enable-native-access=ALL-UNNAMED"); // Netty loads its epoll library
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

    private Sample measure(Server server, Load load) throws IOException, InterruptedException {
        ServerChild child = children.get(server);
        if (!child.isAlive()) {
            throw new IllegalStateException(server.option + " died; its log:\n" + child.logTail());
        }
        Thread.sleep(500); // let the previous run's connections close
        double cpuBefore = child.cpuSeconds();
        long wallBefore = System.nanoTime();
        double rate;
        double latency;
        long errors;
        String detail;
        double clientCpuPct;
        long served; // requests (or connections) answered while the CPU time was counted
        if (load == Load.CONN) {
            int startRate = Math.max(options.rateStart(), roundTo100(lastSustainedRate.getOrDefault(server, 0) * 0.6));
            List<LoadGen.Httperf> steps = LoadGen.httperfLadder(options.clientCpus(), child.port, startRate,
                    options.rateMax(), options.stepSeconds(), options.verbose());
            LoadGen.Httperf best = null;
            for (LoadGen.Httperf step : steps) {
                if (step.sustained()) {
                    best = step;
                }
            }
            LoadGen.Httperf last = steps.getLast();
            boolean sustained = best != null;
            if (!sustained) {
                best = steps.getFirst(); // not even the first rate held: report what it did
            }
            lastSustainedRate.put(server, best.target());
            rate = sustained ? best.target() : best.rate();
            latency = best.medianMs();
            errors = best.errors();
            detail = sustained
                    ? "sustained %d/s; next %d/s: %.0f ok/s, %d errors (%s)".formatted(best.target(), last.target(),
                            last.rate(), last.errors(), last.errorDetail())
                    : "first rate %d/s not sustained: %d errors (%s)".formatted(best.target(), best.errors(),
                            best.errorDetail());
            clientCpuPct = 100 * best.clientCpu() / best.seconds();
            served = steps.stream().mapToLong(LoadGen.Httperf::ok).sum();
        } else {
            int seconds = load == Load.CLOSE ? Math.max(3, options.seconds() / 2) : options.seconds();
            LoadGen.Wrk w = LoadGen.wrk(options.clientCpus(), child.port, load == Load.C1000 ? 1000 : 100, seconds,
                    load == Load.CLOSE);
            rate = w.rate();
            latency = w.p99Ms();
            errors = w.errors();
            detail = w.errorDetail();
            clientCpuPct = 100 * w.clientCpu() / w.seconds();
            served = w.requests();
        }
        double wall = (System.nanoTime() - wallBefore) / 1e9;
        double cpu = child.cpuSeconds() - cpuBefore;
        return new Sample(rate, latency, errors, detail, cpu * 1e6 / Math.max(1, served), 100 * cpu / wall,
                clientCpuPct);
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
                List<Sample> runs = samples.get(server).get(load);
                double rate = median(runs, Sample::rate);
                double p99 = median(runs, Sample::p99Ms);
                double cpu = median(runs, Sample::cpuUsPerReq);
                double serverCpu = median(runs, Sample::serverCpuPct);
                double clientCpu = median(runs, Sample::clientCpuPct);
                long errors = runs.stream().mapToLong(Sample::errors).sum();
                String key = server.key + load.suffix;
                String latency = load == Load.CONN ? "median conn %.1f ms".formatted(p99) : "p99 %.1f ms".formatted(p99);
                String cpuNote = ", %.1f µs cpu/%s".formatted(cpu, load == Load.CONN || load == Load.CLOSE ? "conn"
                        : "req");
                double perCore = 1e6 / cpu;
                String note = String.format(Locale.ROOT, "%s, errors %d%s (%s/s per server core), server cpu %.0f%%, "
                                + "client cpu %.0f%%, rounds %s%s", latency, errors, cpuNote, Report.si(perCore)
                                .replace(" ", ""), serverCpu, clientCpu, spread(runs), ratioNote(server, load));
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
                double perCore = medianOf(Server.OURS, load, Sample::cpuUsPerReq) == 0 ? Double.NaN
                        : medianOf(peer, load, Sample::cpuUsPerReq) / medianOf(Server.OURS, load, Sample::cpuUsPerReq);
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
                                medianOf(Server.NETTY, load, Sample::cpuUsPerReq)
                                        / medianOf(Server.OURS, load, Sample::cpuUsPerReq)));
            }
            if (options.servers().contains(Server.HELIDON)) {
                double r = medianRate(Server.OURS, load) / medianRate(Server.HELIDON, load);
                report.target("helidon" + load.suffix, "ours ≥ 1.3× Helidon, " + load.label, r >= 1.3,
                        String.format(Locale.ROOT, "%.2f× measured; %.2f× per server core", r,
                                medianOf(Server.HELIDON, load, Sample::cpuUsPerReq)
                                        / medianOf(Server.OURS, load, Sample::cpuUsPerReq)));
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

    private double medianOf(Server server, Load load, ToDoubleFunction<Sample> f) {
        Map<Load, List<Sample>> byLoad = samples.get(server);
        if (byLoad == null || byLoad.get(load) == null) {
            return Double.NaN;
        }
        return median(byLoad.get(load), f);
    }

    private double medianRate(Server server, Load load) {
        Map<Load, List<Sample>> byLoad = samples.get(server);
        if (byLoad == null || byLoad.get(load) == null) {
            return Double.NaN;
        }
        return median(byLoad.get(load), Sample::rate);
    }

    private static double median(List<Sample> runs, ToDoubleFunction<Sample> f) {
        double[] v = runs.stream().mapToDouble(f).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String spread(List<Sample> runs) {
        List<String> parts = new ArrayList<>();
        for (Sample s : runs) {
            parts.add(Report.si(s.rate()).replace(" ", ""));
        }
        return String.join("/", parts);
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static void progress(String what) {
        System.err.println("bench greeter: " + what + " ...");
    }

    private static void startWatchdog() {
        Thread.ofPlatform().daemon(true).name("bench-watchdog").start(() -> {
            try {
                Thread.sleep(WATCHDOG);
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("bench greeter: still running after " + WATCHDOG + "; giving up");
            Runtime.getRuntime().halt(3);
        });
    }
}
