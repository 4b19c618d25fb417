package org.concurrence.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * {@code bench http}: issue 5's benchmark of our HTTP server against Netty's HTTP codec and Helidon 4 SE on
 * TechEmpower's plaintext and JSON tests, in one run.
 *
 * <p>Every server is a child JVM pinned to the server CPU(s) ({@code taskset}, CPU 0 by default: our dispatchers = 1,
 * Netty one event loop, Helidon as it configures itself for one processor); wrk is pinned to the client CPU(s) (CPU
 * 1). Before any load each server's answers are checked ({@link HttpCheck}); then each is warmed up, and every round
 * runs every load against every server in turn, the order rotating by round (see {@link PeerBench}). Medians of the
 * rounds are reported with min..max.
 *
 * <p>Loads: {@code wrk -t1} with keep-alive at 100 and 1,000 connections on {@code /plaintext} and {@code /json}, and
 * {@code /plaintext} pipelined (TechEmpower's {@code pipeline.lua}: 16 requests per write) at 100 connections. wrk
 * sends TechEmpower's Accept header and {@code Connection: keep-alive}. Per run: requests/s, p99 latency, errors
 * (socket errors and non-2xx responses), server CPU time per request ({@code /proc/<pid>/stat}), wrk's CPU share; then
 * the peak RSS of every server ({@code VmHWM}).
 */
public final class HttpBench {
    static final String USAGE = """
            bench http [options]
              --servers=LIST      of ours,netty,helidon (default all)
              --loads=LIST        of plaintext_c100,plaintext_c1000,plaintext_pipelined,json_c100,json_c1000,
                                  or groups of them: plaintext, json, c100, c1000, pipelined (default all)
              --depth=N           requests per write of the pipelined load (default 16)
              --pipelined-connections=N  connections of the pipelined load (default 100)
              --dispatchers=N     our dispatchers (default 1)
              --our-args=ARGS     arguments of our server: --hand (dispatch by hand on the path, Jackson
                                  directly, instead of the Router and the Json helper)
              --helidon-args=ARGS arguments of the Helidon server, space-separated (default none: Helidon's
                                  defaults): --json=media (JSON through Helidon's media support, chunked;
                                  default --json=bytes), --tcp-no-delay, --write-queue-length=N, --backlog=N
              --quick             rounds=1 duration=3 warmup=3: a smoke run of ~1.5 minutes
            """ + PeerBench.CommonOptions.USAGE;

    /** Stops a run that hangs. */
    private static final Duration WATCHDOG = Duration.ofMinutes(40);

    /** TechEmpower's Accept headers of the two tests. */
    private static final String ACCEPT_PLAINTEXT =
            "text/plain,text/html;q=0.9,application/xhtml+xml;q=0.9,application/xml;q=0.8,*/*;q=0.7";
    private static final String ACCEPT_JSON =
            "application/json,text/html;q=0.9,application/xhtml+xml;q=0.9,application/xml;q=0.8,*/*;q=0.7";

    /** The servers compared. */
    enum Server {
        OURS("ours", "org.concurrence.http.server.HttpServer, default options; the web module's Router and Json "
                + "(Jackson 3) unless --our-args=--hand", OurHttp.class),
        NETTY("netty", "Netty 4.2 epoll, 1 event loop, HttpServerCodec, TechEmpower's handler (flush on read "
                + "complete, cached Date), Jackson 3", NettyHttp.class),
        HELIDON("helidon", "Helidon 4.5 SE WebServer, defaults, routing; JSON: Helidon's own (io.helidon.json, "
                + "its Jackson support does not resolve here), a JsonObject per request sent as bytes unless "
                + "--helidon-args=--json=media", HelidonHttp.class);

        final String key;
        final String label;
        final Class<?> main;

        Server(String key, String label, Class<?> main) {
            this.key = key;
            this.label = label;
            this.main = main;
        }
    }

    /** TechEmpower's two tests. */
    enum Test {
        PLAINTEXT("plaintext", HttpServers.PLAINTEXT, ACCEPT_PLAINTEXT, HttpServers.TEXT_PLAIN,
                HttpServers.PLAINTEXT_BODY),
        JSON("json", HttpServers.JSON, ACCEPT_JSON, HttpServers.APPLICATION_JSON, HttpServers.JSON_BODY);

        final String key;
        final String path;
        final String accept;
        final String contentType;
        final String body;

        Test(String key, String path, String accept, String contentType, String body) {
            this.key = key;
            this.path = path;
            this.accept = accept;
            this.contentType = contentType;
            this.body = body;
        }
    }

    /** The loads: a test, a connection count, pipelined or not. */
    enum Load {
        PLAINTEXT_C100(Test.PLAINTEXT, 100, false),
        PLAINTEXT_C1000(Test.PLAINTEXT, 1000, false),
        PLAINTEXT_PIPELINED(Test.PLAINTEXT, 0, true),
        JSON_C100(Test.JSON, 100, false),
        JSON_C1000(Test.JSON, 1000, false);

        final Test test;
        final int connections; // 0: --pipelined-connections
        final boolean pipelined;
        final String key;

        Load(Test test, int connections, boolean pipelined) {
            this.test = test;
            this.connections = connections;
            this.pipelined = pipelined;
            this.key = test.key + (pipelined ? "_pipelined" : "_c" + connections);
        }

        /** True if {@code group} names this load or a group it belongs to. */
        boolean in(String group) {
            return group.equals(key) || group.equals(test.key) || (pipelined ? group.equals("pipelined")
                    : group.equals("c" + connections));
        }
    }

    record Options(PeerBench.CommonOptions common, List<Server> servers, List<Load> loads, int depth,
                   int pipelinedConnections, int dispatchers, List<String> ourArgs, List<String> helidonArgs) {

        static Options parse(String... args) {
            PeerBench.CommonOptions common = new PeerBench.CommonOptions();
            List<Server> servers = List.of(Server.values());
            List<Load> loads = List.of(Load.values());
            int depth = 16;
            int pipelinedConnections = 100;
            int dispatchers = 1;
            List<String> ourArgs = List.of();
            List<String> helidonArgs = List.of();
            for (PeerBench.Option o : PeerBench.Option.of(args)) {
                switch (o.name()) {
                    case "--servers" -> servers = PeerBench.pick(Server.values(), o.value(), s -> s.key);
                    case "--loads" -> loads = loads(o.value());
                    case "--depth" -> depth = o.intValue();
                    case "--pipelined-connections" -> pipelinedConnections = o.intValue();
                    case "--dispatchers" -> dispatchers = o.intValue();
                    case "--our-args" -> ourArgs = o.words();
                    case "--helidon-args" -> helidonArgs = o.words();
                    case "--quick" -> common.quick();
                    default -> {
                        if (!common.accept(o)) {
                            throw o.unknown();
                        }
                    }
                }
            }
            common.check();
            if (depth < 1 || pipelinedConnections < 1 || dispatchers < 1) {
                throw new IllegalArgumentException("depth, connections and dispatchers must be positive");
            }
            return new Options(common, servers, loads, depth, pipelinedConnections, dispatchers, ourArgs,
                    helidonArgs);
        }

        /** The loads named in {@code list} (names or groups), in their order of declaration. */
        private static List<Load> loads(String list) {
            List<String> names = Arrays.stream(list.split(",")).map(String::strip).toList();
            for (String name : names) {
                if (Arrays.stream(Load.values()).noneMatch(l -> l.in(name))) {
                    throw new IllegalArgumentException("unknown load " + name + " (one of "
                            + Arrays.stream(Load.values()).map(l -> l.key).toList()
                            + ", or plaintext, json, c100, c1000, pipelined)");
                }
            }
            return Arrays.stream(Load.values()).filter(l -> names.stream().anyMatch(l::in)).toList();
        }

        int connections(Load load) {
            return load.pipelined ? pipelinedConnections : load.connections;
        }

        String effective() {
            return ("%s --servers=%s --loads=%s --depth=%d --pipelined-connections=%d --dispatchers=%d "
                    + "--our-args='%s' --helidon-args='%s'").formatted(common.effective(), String.join(",", servers
                    .stream().map(s -> s.key).toList()), String.join(",", loads.stream().map(l -> l.key).toList()),
                    depth, pipelinedConnections, dispatchers, String.join(" ", ourArgs),
                    String.join(" ", helidonArgs));
        }
    }

    private final Options options;
    private final List<String> args;
    private final Map<Server, ServerChild> children = new LinkedHashMap<>();
    private final Map<Server, List<String>> responses = new LinkedHashMap<>();
    private Map<Server, Map<Load, List<LoadSample>>> samples = Map.of();
    private Path pipelineScript;

    private HttpBench(Options options, String[] args) {
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
        String missing = LoadGen.missingTools(List.of("wrk", "taskset", "/usr/bin/time"));
        if (missing != null) {
            System.err.println("bench http needs " + missing);
            System.exit(2);
        }
        PeerBench.startWatchdog("http", WATCHDOG);
        new HttpBench(options, args).run();
        System.exit(0);
    }

    private void run() throws Exception {
        long start = System.nanoTime();
        double loadBefore = PeerBench.loadAverage();
        PeerBench.CommonOptions common = options.common();
        Report report = new Report(("Concurrence HTTP benchmark (TechEmpower plaintext and JSON) — Java %s, %d cores; "
                + "servers on CPU %s, wrk on CPU %s; our dispatchers: %d").formatted(Runtime.version(),
                Runtime.getRuntime().availableProcessors(), common.serverCpus, common.clientCpus,
                options.dispatchers()));
        pipelineScript = LoadGen.pipelineScript();
        try {
            for (Server server : options.servers()) {
                PeerBench.progress("http", "starting " + server.key);
                try {
                    children.put(server, startServer(server));
                } catch (IllegalStateException e) {
                    throw new IllegalStateException(e.getMessage() + "\n(--servers=" + String.join(",",
                            options.servers().stream().filter(s -> s != server).map(s -> s.key).toList())
                            + " runs without " + server.key + ")", e);
                }
            }
            for (Server server : options.servers()) {
                PeerBench.progress("http", "checking the responses of " + server.key);
                check(server, children.get(server));
            }
            for (Server server : options.servers()) {
                PeerBench.progress("http", "warming up " + server.key);
                warmUp(children.get(server));
            }
            samples = PeerBench.rounds("http", common, options.servers(), options.loads(), s -> s.key, l -> l.key,
                    l -> "req/s", this::measure);
            fill(report, PeerBench.peakRssKb(children));
        } finally {
            PeerBench.closeAll(children.values());
        }
        PeerBench.finish(report, "http", args, options.effective(), loadBefore, start);
        report.print(System.out);
    }

    private ServerChild startServer(Server server) throws IOException, InterruptedException {
        List<String> flags = new ArrayList<>(options.common().serverJvm);
        List<String> serverArgs = new ArrayList<>();
        if (server == Server.OURS) {
            serverArgs.add("--dispatchers=" + options.dispatchers());
            serverArgs.addAll(options.ourArgs());
        }
        if (server == Server.NETTY) {
            flags.addAll(PeerBench.NETTY_JVM_FLAGS);
        }
        if (server == Server.HELIDON) {
            serverArgs.addAll(options.helidonArgs());
        }
        return ServerChild.start(server.key, server.label, options.common().serverCpus, flags, server.main,
                serverArgs);
    }

    /**
     * Checks both tests, one request and {@code depth} pipelined, and keeps what the responses look like.
     *
     * @throws IllegalStateException if a response is wrong: the figures would not compare
     */
    private void check(Server server, ServerChild child) throws IOException {
        List<String> seen = new ArrayList<>();
        for (Test test : Test.values()) {
            List<HttpCheck.Exchange> one = HttpCheck.exchange(child.port, test.path, test.accept, 1);
            List<HttpCheck.Exchange> pipelined = HttpCheck.exchange(child.port, test.path, test.accept,
                    options.depth());
            List<HttpCheck.Exchange> all = new ArrayList<>(one);
            all.addAll(pipelined);
            for (HttpCheck.Exchange e : all) {
                String problem = HttpCheck.problem(e, test.contentType, test.body, test == Test.JSON);
                if (problem != null) {
                    throw new IllegalStateException(server.key + " answers " + test.path + " wrongly (" + problem
                            + "): " + e.describe() + "\nits log:\n" + child.logTail());
                }
            }
            seen.add(test.path + " → " + one.getFirst().describe() + ", body " + one.getFirst().body());
        }
        responses.put(server, seen);
    }

    private void warmUp(ServerChild child) throws IOException, InterruptedException {
        int seconds = options.common().warmupSeconds;
        if (seconds == 0) {
            return;
        }
        boolean first = true;
        for (Load load : options.loads()) {
            wrk(child, load, first ? seconds : Math.max(1, seconds / 2));
            first = false;
        }
    }

    private LoadSample measure(Server server, Load load) throws IOException, InterruptedException {
        ServerChild child = children.get(server);
        return LoadSample.measure(child, () -> LoadSample.Outcome.of(wrk(child, load, options.common().seconds)));
    }

    private LoadGen.Wrk wrk(ServerChild child, Load load, int seconds) throws IOException, InterruptedException {
        List<String> wrkOptions = new ArrayList<>(List.of("-H", "Accept: " + load.test.accept, "-H",
                "Connection: keep-alive"));
        List<String> scriptArgs = List.of();
        if (load.pipelined) {
            wrkOptions.addAll(List.of("-s", pipelineScript.toString()));
            scriptArgs = List.of(Integer.toString(options.depth()));
        }
        return LoadGen.wrk(options.common().clientCpus, child.port, load.test.path, options.connections(load),
                seconds, wrkOptions, scriptArgs);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The report.

    private void fill(Report report, Map<Server, Long> peakRssKb) {
        for (Server server : options.servers()) {
            report.note("%-8s %s".formatted(server.key, server.label));
        }
        for (Server server : options.servers()) {
            for (String response : responses.get(server)) {
                report.note("%-8s %s".formatted(server.key, response));
            }
        }
        report.note("Rates are medians over the rounds (min..max); errors are wrk's socket errors plus non-2xx "
                + "responses, summed over the rounds; \"cpu/req\" is the server's CPU time (user + system) per "
                + "request, whose inverse is the rate on a whole server core, which is what compares when other "
                + "processes take part of the server's CPU (server cpu < ~90 %). Pipelined, wrk records one latency "
                + "per batch of requests, and now and then loses its percentiles (p99 n/a).");
        for (Load load : options.loads()) {
            report.section("%s: wrk -t1 -c%d%s, GET %s — median of %d %s".formatted(load.key,
                    options.connections(load), load.pipelined ? ", " + options.depth() + " requests per write" : "",
                    load.test.path, options.common().rounds, options.common().rounds == 1 ? "round" : "rounds"));
            for (Server server : options.servers()) {
                List<LoadSample> runs = samples.get(server).get(load);
                String key = server.key + "_" + load.key;
                double rate = LoadSample.median(runs, LoadSample::rate);
                double p99 = LoadSample.median(runs, LoadSample::p99Ms);
                double cpu = LoadSample.median(runs, LoadSample::cpuUsPerReq);
                long errors = LoadSample.errors(runs);
                String errorNote = errors == 0 ? "" : " (last: " + runs.getLast().errorDetail() + ")";
                double serverCpu = LoadSample.median(runs, LoadSample::serverCpuPct);
                report.figure(key, server.key, rate, "req/s", String.format(Locale.ROOT, "(%s) p99 %s, errors "
                                + "%d%s, %.2f µs cpu/req, server cpu %.0f%%%s, wrk cpu %.0f%%%s", LoadSample.range(runs),
                        Double.isNaN(p99) ? "n/a" : String.format(Locale.ROOT, "%.2f ms", p99), errors, errorNote,
                        cpu, serverCpu, serverCpu < 60 ? " (under 60 %: a stall, or other processes on its CPU)" : "",
                        LoadSample.median(runs, LoadSample::clientCpuPct), ratioNote(server, load)));
                report.json(key + "_p99_ms", p99);
                report.json(key + "_errors", errors);
                report.json(key + "_cpu_us_per_req", cpu);
            }
        }
        report.section("Memory");
        for (Server server : options.servers()) {
            report.figure(server.key + "_rss_mb", server.key + ": peak RSS", peakRssKb.get(server) / 1024.0, "MB",
                    "VmHWM after all loads");
        }
        ratios(report);
    }

    private String ratioNote(Server server, Load load) {
        if (server == Server.OURS || !options.servers().contains(Server.OURS)) {
            return "";
        }
        return String.format(Locale.ROOT, "; ours/this %.2f×", medianOf(Server.OURS, load, LoadSample::rate)
                / medianOf(server, load, LoadSample::rate));
    }

    /** The ratios of ours to each peer, and the targets: ≥ 1.0× Netty and ≥ 1.5× Helidon on every load. */
    private void ratios(Report report) {
        if (!options.servers().contains(Server.OURS)) {
            return;
        }
        report.section("Ratios (ours / peer, medians)");
        for (Server peer : options.servers()) {
            if (peer == Server.OURS) {
                continue;
            }
            for (Load load : options.loads()) {
                double ratio = ratio(peer, load, LoadSample::rate);
                // Per server core: the peer's CPU time per request over ours.
                double perCore = 1 / ratio(peer, load, LoadSample::cpuUsPerReq);
                report.row("ours / " + peer.key + ", " + load.key, String.format(Locale.ROOT, "%.2f×", ratio),
                        String.format(Locale.ROOT, "per server core (CPU time per request) %.2f×", perCore));
                report.json("ratio_" + peer.key + "_" + load.key, ratio);
                report.json("ratio_per_core_" + peer.key + "_" + load.key, perCore);
            }
        }
        for (Load load : options.loads()) {
            for (Server peer : List.of(Server.NETTY, Server.HELIDON)) {
                if (!options.servers().contains(peer)) {
                    continue;
                }
                double goal = peer == Server.NETTY ? 1.0 : 1.5;
                double ratio = ratio(peer, load, LoadSample::rate);
                report.target(peer.key + "_" + load.key, String.format(Locale.ROOT, "ours ≥ %.1f× %s, %s", goal,
                        peer == Server.NETTY ? "Netty" : "Helidon", load.key), ratio >= goal,
                        String.format(Locale.ROOT, "%.2f× measured; %.2f× per server core", ratio,
                                1 / ratio(peer, load, LoadSample::cpuUsPerReq)));
            }
        }
    }

    /** Ours over {@code peer}, medians of {@code f}. */
    private double ratio(Server peer, Load load, ToDoubleFunction<LoadSample> f) {
        return medianOf(Server.OURS, load, f) / medianOf(peer, load, f);
    }

    private double medianOf(Server server, Load load, ToDoubleFunction<LoadSample> f) {
        return LoadSample.median(samples.getOrDefault(server, Map.of()).get(load), f);
    }
}
