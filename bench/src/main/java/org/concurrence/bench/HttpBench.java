package org.concurrence.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import javax.net.ssl.SSLContext;

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
 *
 * <p>HTTPS ({@code --loads=https}, not in the default set): every server again in a child of its own serving TLS 1.3
 * only, all with the one self-signed certificate made at the start of the run ({@link BenchCertificate}) and the
 * engine's default cipher suites, no ALPN: ours through {@link org.concurrence.http.server.HttpServerOptions#withTls}
 * (the JDK's {@code SSLEngine}), Netty's {@code SslHandler} with {@code SslProvider.JDK} (the same engine: the fair
 * peer) and, as {@code netty-openssl}, with {@code SslProvider.OPENSSL} (BoringSSL: a different engine, informative
 * only), Helidon with its TLS over the JDK's {@code SSLSocket}. Their answers are checked over TLS before load; each
 * is warmed up for {@code --tls-warmup} seconds (TLS rates climb for a while as the JIT compiles the engine). Loads:
 * {@code https_c100} and {@code https_c1000}, wrk keep-alive on {@code /plaintext}; {@code https_conn}, httperf
 * {@code --ssl --ssl-no-reuse} with a new connection and a full handshake per request, the highest rate sustained on
 * a ladder of rates rising by a quarter (as {@code bench greeter}'s connection load).
 */
public final class HttpBench {
    static final String USAGE = """
            bench http [options]
              --servers=LIST      of ours,netty,helidon,netty-openssl (default all; netty-openssl, Netty
                                  with BoringSSL, takes part in the HTTPS loads only)
              --loads=LIST        of plaintext_c100,plaintext_c1000,plaintext_pipelined,json_c100,json_c1000,
                                  https_c100,https_c1000,https_conn, or groups of them: plaintext, json,
                                  c100, c1000, pipelined, https, all (default: all but https)
              --tls-warmup=SECONDS warm-up of every HTTPS server (default 30)
              --conn-rate-start=N first rate of https_conn, conn/s (default 200; later rounds start at 60 %
                                  of the rate the server last sustained)
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
                + "--helidon-args=--json=media", HelidonHttp.class),
        /** HTTPS loads only. */
        NETTY_OPENSSL("netty-openssl", "Netty as above with SslHandler over SslProvider.OPENSSL (BoringSSL from "
                + "netty-tcnative-boringssl-static): a different TLS engine from the JDK's, informative only",
                NettyHttp.class);

        final String key;
        final String label;
        final Class<?> main;

        Server(String key, String label, Class<?> main) {
            this.key = key;
            this.label = label;
            this.main = main;
        }

        /** Serves the HTTPS loads only. */
        boolean tlsOnly() {
            return this == NETTY_OPENSSL;
        }

        /** The prefix of its JSON keys: {@code netty_openssl}. */
        String jsonKey() {
            return key.replace('-', '_');
        }

        /** What serves TLS in its HTTPS child. */
        String tlsLabel() {
            return switch (this) {
                case OURS -> "HttpServerOptions.withTls: TlsSocket over the JDK's SSLEngine";
                case NETTY -> "SslHandler, SslProvider.JDK: the JDK's SSLEngine, as ours";
                case NETTY_OPENSSL -> "SslHandler, SslProvider.OPENSSL: BoringSSL, a different TLS engine "
                        + "(informative)";
                case HELIDON -> "Helidon's TLS: the JDK's SSLServerSocket/SSLSocket";
            };
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

    /**
     * The loads: a test, a connection count, pipelined or not, over TLS or not; or, {@link #HTTPS_CONN}, a new TLS
     * connection per request.
     */
    enum Load {
        PLAINTEXT_C100(Test.PLAINTEXT, 100, false, false),
        PLAINTEXT_C1000(Test.PLAINTEXT, 1000, false, false),
        PLAINTEXT_PIPELINED(Test.PLAINTEXT, 0, true, false),
        JSON_C100(Test.JSON, 100, false, false),
        JSON_C1000(Test.JSON, 1000, false, false),
        HTTPS_C100(Test.PLAINTEXT, 100, false, true),
        HTTPS_C1000(Test.PLAINTEXT, 1000, false, true),
        /** httperf: connections per second, each with a full TLS handshake and one request. */
        HTTPS_CONN(Test.PLAINTEXT, 0, false, true);

        final Test test;
        final int connections; // 0: --pipelined-connections, or a new connection per request (HTTPS_CONN)
        final boolean pipelined;
        final boolean tls;
        final String key;

        Load(Test test, int connections, boolean pipelined, boolean tls) {
            this.test = test;
            this.connections = connections;
            this.pipelined = pipelined;
            this.tls = tls;
            this.key = tls ? "https_" + (connections == 0 ? "conn" : "c" + connections)
                    : test.key + (pipelined ? "_pipelined" : "_c" + connections);
        }

        /** A new connection per request, at rates set by httperf: a rate of connections. */
        boolean newConnections() {
            return this == HTTPS_CONN;
        }

        /**
         * True if {@code group} names this load or a group it belongs to; the HTTPS loads belong to {@code https}
         * (and {@code all}) only.
         */
        boolean in(String group) {
            if (group.equals(key) || group.equals("all")) {
                return true;
            }
            if (tls) {
                return group.equals("https");
            }
            return group.equals(test.key) || (pipelined ? group.equals("pipelined")
                    : group.equals("c" + connections));
        }

        String unit() {
            return newConnections() ? "conn/s" : "req/s";
        }
    }

    record Options(PeerBench.CommonOptions common, List<Server> servers, List<Load> loads, int depth,
                   int pipelinedConnections, int dispatchers, List<String> ourArgs, List<String> helidonArgs,
                   int tlsWarmupSeconds, int connRateStart) {

        static Options parse(String... args) {
            PeerBench.CommonOptions common = new PeerBench.CommonOptions();
            List<Server> servers = List.of(Server.values());
            List<Load> loads = Arrays.stream(Load.values()).filter(l -> !l.tls).toList();
            int tlsWarmup = 30;
            int connRateStart = 200;
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
                    case "--tls-warmup" -> tlsWarmup = o.intValue();
                    case "--conn-rate-start" -> connRateStart = o.intValue();
                    case "--quick" -> {
                        common.quick();
                        tlsWarmup = 5;
                    }
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
            if (tlsWarmup < 0 || connRateStart < 200) {
                throw new IllegalArgumentException("--tls-warmup must be at least 0, --conn-rate-start at least 200");
            }
            return new Options(common, servers, loads, depth, pipelinedConnections, dispatchers, ourArgs,
                    helidonArgs, tlsWarmup, connRateStart);
        }

        /** The loads named in {@code list} (names or groups), in their order of declaration. */
        private static List<Load> loads(String list) {
            List<String> names = Arrays.stream(list.split(",")).map(String::strip).toList();
            for (String name : names) {
                if (Arrays.stream(Load.values()).noneMatch(l -> l.in(name))) {
                    throw new IllegalArgumentException("unknown load " + name + " (one of "
                            + Arrays.stream(Load.values()).map(l -> l.key).toList()
                            + ", or plaintext, json, c100, c1000, pipelined, https, all)");
                }
            }
            return Arrays.stream(Load.values()).filter(l -> names.stream().anyMatch(l::in)).toList();
        }

        int connections(Load load) {
            return load.pipelined ? pipelinedConnections : load.connections;
        }

        /** The servers that take part in {@code load}: all chosen for HTTPS, all but the TLS-only ones otherwise. */
        List<Server> serversOf(Load load) {
            return servers.stream().filter(s -> load.tls || !s.tlsOnly()).toList();
        }

        /** The loads chosen over TLS ({@code tls}) or not. */
        List<Load> loads(boolean tls) {
            return loads.stream().filter(l -> l.tls == tls).toList();
        }

        String effective() {
            return ("%s --servers=%s --loads=%s --depth=%d --pipelined-connections=%d --dispatchers=%d "
                    + "--our-args='%s' --helidon-args='%s' --tls-warmup=%d --conn-rate-start=%d").formatted(
                    common.effective(), String.join(",", servers.stream().map(s -> s.key).toList()),
                    String.join(",", loads.stream().map(l -> l.key).toList()), depth, pipelinedConnections,
                    dispatchers, String.join(" ", ourArgs), String.join(" ", helidonArgs), tlsWarmupSeconds,
                    connRateStart);
        }
    }

    /** Length of one step of the {@code https_conn} ladder. */
    private static final double CONN_STEP_SECONDS = 2;
    /** Highest rate of the {@code https_conn} ladder. */
    private static final int CONN_RATE_MAX = 100_000;

    private final Options options;
    private final List<String> args;
    /** The servers' answers as checked, by server, plain HTTP and HTTPS. */
    private final Map<Server, List<String>> responses = new LinkedHashMap<>();
    private final Map<Server, List<String>> tlsResponses = new LinkedHashMap<>();
    private final Map<Server, Map<Load, List<LoadSample>>> samples = new LinkedHashMap<>();
    private final Map<Server, Long> peakRssKb = new LinkedHashMap<>();
    private final Map<Server, Long> tlsPeakRssKb = new LinkedHashMap<>();
    /** The rate each server last sustained on {@code https_conn}: the next round's ladder starts below it. */
    private final Map<Server, Integer> lastSustainedRate = new LinkedHashMap<>();
    private Path pipelineScript;
    /** The run's certificate (PKCS12) and a client trusting it, while the HTTPS loads run. */
    private Path keystore;
    private SSLContext tlsClient;

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
        List<String> tools = new ArrayList<>(List.of("wrk", "taskset", "/usr/bin/time"));
        if (options.loads().contains(Load.HTTPS_CONN)) {
            tools.add("httperf");
        }
        String missing = LoadGen.missingTools(tools);
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
        if (!options.loads(false).isEmpty()) {
            phase(false);
        }
        if (!options.loads(true).isEmpty()) {
            Path directory = Files.createTempDirectory("concurrence-https-bench");
            keystore = directory.resolve("server.p12");
            try {
                BenchCertificate.generate(keystore);
                tlsClient = BenchCertificate.clientContext(BenchCertificate.load(keystore));
                phase(true);
            } finally {
                Files.deleteIfExists(keystore);
                Files.deleteIfExists(directory);
            }
        }
        fill(report);
        PeerBench.finish(report, "http", args, options.effective(), loadBefore, start);
        report.print(System.out);
    }

    /**
     * The plain HTTP loads ({@code tls} false) or the HTTPS ones: their servers started (HTTPS in children of their
     * own), checked, warmed up, measured over the rounds, and closed.
     */
    private void phase(boolean tls) throws IOException, InterruptedException {
        List<Load> loads = options.loads(tls);
        List<Server> servers = options.serversOf(loads.getFirst());
        Map<Server, ServerChild> children = new LinkedHashMap<>();
        try {
            for (Server server : servers) {
                PeerBench.progress("http", "starting " + server.key + (tls ? " (HTTPS)" : ""));
                try {
                    children.put(server, startServer(server, tls));
                } catch (IllegalStateException e) {
                    throw new IllegalStateException(e.getMessage() + "\n(--servers=" + String.join(",",
                            options.servers().stream().filter(s -> s != server).map(s -> s.key).toList())
                            + " runs without " + server.key + ")", e);
                }
            }
            for (Server server : servers) {
                PeerBench.progress("http", "checking the " + (tls ? "HTTPS " : "") + "responses of " + server.key);
                (tls ? tlsResponses : responses).put(server, check(server, children.get(server), tls));
            }
            for (Server server : servers) {
                PeerBench.progress("http", "warming up " + server.key + (tls ? " (HTTPS)" : ""));
                warmUp(children.get(server), loads);
            }
            PeerBench.rounds("http", options.common(), servers, loads, s -> s.key, l -> l.key, Load::unit,
                    (server, load) -> measure(server, children.get(server), load))
                    .forEach((server, byLoad) -> samples.computeIfAbsent(server, s -> new LinkedHashMap<>())
                            .putAll(byLoad));
            (tls ? tlsPeakRssKb : peakRssKb).putAll(PeerBench.peakRssKb(children));
        } finally {
            PeerBench.closeAll(children.values());
        }
    }

    private ServerChild startServer(Server server, boolean tls) throws IOException, InterruptedException {
        List<String> flags = new ArrayList<>(options.common().serverJvm);
        List<String> serverArgs = new ArrayList<>();
        switch (server) {
            case OURS -> {
                serverArgs.add("--dispatchers=" + options.dispatchers());
                serverArgs.addAll(options.ourArgs());
            }
            case NETTY, NETTY_OPENSSL -> {
                flags.addAll(PeerBench.NETTY_JVM_FLAGS);
                if (tls) {
                    serverArgs.add(server == Server.NETTY ? "--tls=jdk" : "--tls=openssl");
                }
            }
            case HELIDON -> serverArgs.addAll(options.helidonArgs());
        }
        if (tls) {
            serverArgs.add("--keystore=" + keystore);
        }
        return ServerChild.start(tls && !server.tlsOnly() ? server.key + "-https" : server.key,
                tls ? server.tlsLabel() : server.label, options.common().serverCpus, flags, server.main, serverArgs);
    }

    /**
     * Checks both tests, one request and {@code depth} pipelined, over TLS if {@code tls}, and returns what the
     * responses look like (with TLS: the version and cipher suite first).
     *
     * @throws IllegalStateException if a response is wrong: the figures would not compare
     */
    private List<String> check(Server server, ServerChild child, boolean tls) throws IOException {
        SSLContext client = tls ? tlsClient : null;
        List<String> seen = new ArrayList<>();
        if (tls) {
            seen.add("TLS: " + HttpCheck.tlsSession(child.port, client));
        }
        for (Test test : Test.values()) {
            List<HttpCheck.Exchange> one = HttpCheck.exchange(child.port, client, test.path, test.accept, 1);
            List<HttpCheck.Exchange> pipelined = HttpCheck.exchange(child.port, client, test.path, test.accept,
                    options.depth());
            List<HttpCheck.Exchange> all = new ArrayList<>(one);
            all.addAll(pipelined);
            for (HttpCheck.Exchange e : all) {
                String problem = HttpCheck.problem(e, test.contentType, test.body, test == Test.JSON);
                if (problem != null) {
                    throw new IllegalStateException(server.key + " answers " + test.path + (tls ? " over TLS" : "")
                            + " wrongly (" + problem + "): " + e.describe() + "\nits log:\n" + child.logTail());
                }
            }
            seen.add(test.path + " → " + one.getFirst().describe() + ", body " + one.getFirst().body());
        }
        return seen;
    }

    private void warmUp(ServerChild child, List<Load> loads) throws IOException, InterruptedException {
        int seconds = loads.getFirst().tls ? options.tlsWarmupSeconds() : options.common().warmupSeconds;
        if (seconds == 0) {
            return;
        }
        boolean first = true;
        for (Load load : loads) {
            if (load.newConnections()) {
                LoadGen.httperf(options.common().clientCpus, child.port, load.test.path, true,
                        options.connRateStart(), Math.max(1, Math.min(5, seconds / 2)));
            } else {
                wrk(child, load, first ? seconds : Math.max(1, seconds / 2));
            }
            first = false;
        }
    }

    private LoadSample measure(Server server, ServerChild child, Load load) throws IOException, InterruptedException {
        if (load.newConnections()) {
            return LoadSample.measure(child, () -> connections(server, child, load));
        }
        return LoadSample.measure(child, () -> LoadSample.Outcome.of(wrk(child, load, options.common().seconds)));
    }

    /** {@code https_conn}: the ladder of httperf rates, from 60 % of what the server last sustained. */
    private LoadSample.Outcome connections(Server server, ServerChild child, Load load)
            throws IOException, InterruptedException {
        int start = Math.max(options.connRateStart(),
                (int) Math.round(lastSustainedRate.getOrDefault(server, 0) * 0.6 / 100) * 100);
        List<LoadGen.Httperf> steps = LoadGen.httperfLadder(options.common().clientCpus, child.port, load.test.path,
                true, start, CONN_RATE_MAX, CONN_STEP_SECONDS, options.common().verbose);
        lastSustainedRate.put(server, LoadSample.Outcome.best(steps).target());
        return LoadSample.Outcome.ofLadder(steps);
    }

    private LoadGen.Wrk wrk(ServerChild child, Load load, int seconds) throws IOException, InterruptedException {
        List<String> wrkOptions = new ArrayList<>(List.of("-H", "Accept: " + load.test.accept, "-H",
                "Connection: keep-alive"));
        List<String> scriptArgs = List.of();
        if (load.pipelined) {
            wrkOptions.addAll(List.of("-s", pipelineScript.toString()));
            scriptArgs = List.of(Integer.toString(options.depth()));
        }
        return LoadGen.wrk(options.common().clientCpus, (load.tls ? "https" : "http") + "://127.0.0.1:" + child.port
                + load.test.path, options.connections(load), seconds, wrkOptions, scriptArgs);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The report.

    private void fill(Report report) {
        boolean plain = !options.loads(false).isEmpty();
        boolean tls = !options.loads(true).isEmpty();
        for (Server server : options.servers()) {
            if (plain && !server.tlsOnly()) {
                report.note("%-8s %s".formatted(server.key, server.label));
            }
            if (tls) {
                report.note("%-8s HTTPS: %s".formatted(server.key, server.tlsLabel()));
            }
        }
        for (Map<Server, List<String>> seen : List.of(responses, tlsResponses)) {
            seen.forEach((server, lines) -> lines.forEach(line -> report.note("%-8s %s%s".formatted(server.key,
                    seen == tlsResponses ? "HTTPS " : "", line))));
        }
        report.note("Rates are medians over the rounds (min..max); errors are wrk's socket errors plus non-2xx "
                + "responses, summed over the rounds; \"cpu/req\" is the server's CPU time (user + system) per "
                + "request, whose inverse is the rate on a whole server core, which is what compares when other "
                + "processes take part of the server's CPU (server cpu < ~90 %). Pipelined, wrk records one latency "
                + "per batch of requests, and now and then loses its percentiles (p99 n/a).");
        if (options.loads().contains(Load.HTTPS_CONN)) {
            report.note("https_conn: httperf --ssl --ssl-no-reuse, a new connection with a full TLS 1.3 handshake "
                    + "per request (Connection: close), rates rising by a quarter every " + CONN_STEP_SECONDS
                    + " s from --conn-rate-start (later rounds from 60 % of the last rate sustained); the rate is "
                    + "the highest sustained (≥ 99.5 % answered, ≥ 95 % of the rate asked), the latency httperf's "
                    + "median connection time at that rate, cpu/req the server's CPU per connection over all steps.");
        }
        for (Load load : options.loads()) {
            report.section(section(load));
            for (Server server : options.serversOf(load)) {
                List<LoadSample> runs = samples.get(server).get(load);
                String key = server.jsonKey() + "_" + load.key;
                double rate = LoadSample.median(runs, LoadSample::rate);
                double p99 = LoadSample.median(runs, LoadSample::p99Ms);
                double cpu = LoadSample.median(runs, LoadSample::cpuUsPerReq);
                long errors = LoadSample.errors(runs);
                String errorNote = errors == 0 ? "" : " (last: " + runs.getLast().errorDetail() + ")";
                double serverCpu = LoadSample.median(runs, LoadSample::serverCpuPct);
                report.figure(key, server.key, rate, load.unit(), String.format(Locale.ROOT, "(%s) %s %s, errors "
                                + "%d%s, %.2f µs cpu/%s, server cpu %.0f%%%s, %s cpu %.0f%%%s", LoadSample.range(runs),
                        load.newConnections() ? "median conn time" : "p99", Double.isNaN(p99) ? "n/a"
                                : String.format(Locale.ROOT, "%.2f ms", p99), errors, errorNote, cpu,
                        load.newConnections() ? "conn" : "req", serverCpu, serverCpu < 60
                                ? " (under 60 %: a stall, or other processes on its CPU)" : "",
                        load.newConnections() ? "httperf" : "wrk", LoadSample.median(runs, LoadSample::clientCpuPct),
                        ratioNote(server, load)));
                report.json(key + "_p99_ms", p99);
                report.json(key + "_errors", errors);
                report.json(key + "_cpu_us_per_req", cpu);
            }
        }
        report.section("Memory");
        peakRssKb.forEach((server, kb) -> report.figure(server.jsonKey() + "_rss_mb", server.key + ": peak RSS",
                kb / 1024.0, "MB", "VmHWM after all loads"));
        tlsPeakRssKb.forEach((server, kb) -> report.figure(server.jsonKey() + "_https_rss_mb", server.key
                + " HTTPS: peak RSS", kb / 1024.0, "MB", "VmHWM after all HTTPS loads"));
        ratios(report);
    }

    /** The heading of a load's section of the report. */
    private String section(Load load) {
        String rounds = options.common().rounds + (options.common().rounds == 1 ? " round" : " rounds");
        if (load.newConnections()) {
            return ("%s: httperf --ssl --ssl-no-reuse, a new TLS connection per request, GET %s — highest rate "
                    + "sustained, median of %s").formatted(load.key, load.test.path, rounds);
        }
        return "%s: wrk -t1 -c%d%s, GET %s%s — median of %s".formatted(load.key, options.connections(load),
                load.pipelined ? ", " + options.depth() + " requests per write" : "", load.test.path,
                load.tls ? " over TLS 1.3" : "", rounds);
    }

    private String ratioNote(Server server, Load load) {
        if (server == Server.OURS || !options.servers().contains(Server.OURS)) {
            return "";
        }
        return String.format(Locale.ROOT, "; ours/this %.2f×", medianOf(Server.OURS, load, LoadSample::rate)
                / medianOf(server, load, LoadSample::rate));
    }

    /**
     * The ratios of ours to each peer, and the targets on the plain HTTP loads: ≥ 1.0× Netty and ≥ 1.5×
     * Helidon on every load. The HTTPS loads have ratios but no targets.
     */
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
                if (!options.serversOf(load).contains(peer)) {
                    continue;
                }
                double ratio = ratio(peer, load, LoadSample::rate);
                // Per server core: the peer's CPU time per request over ours.
                double perCore = 1 / ratio(peer, load, LoadSample::cpuUsPerReq);
                report.row("ours / " + peer.key + ", " + load.key, String.format(Locale.ROOT, "%.2f×", ratio),
                        String.format(Locale.ROOT, "per server core (CPU time per request) %.2f×", perCore));
                report.json("ratio_" + peer.jsonKey() + "_" + load.key, ratio);
                report.json("ratio_per_core_" + peer.jsonKey() + "_" + load.key, perCore);
            }
        }
        for (Load load : options.loads(false)) {
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
