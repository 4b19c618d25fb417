package org.concurrence.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * What the load benchmarks of our servers against peer servers share ({@code bench greeter}, {@code bench http}):
 * the options they all take, the rounds (every load against every server in turn, the order of the servers rotating
 * by round, so ours and each peer are measured close together in time), the peak RSS of the server children, the
 * machine's load average, progress lines and a watchdog.
 *
 * <p>Every server is a {@link ServerChild} (a child JVM pinned with {@code taskset}); the load generators of
 * {@link LoadGen} are pinned to other CPUs.
 */
final class PeerBench {
    private PeerBench() {}

    /**
     * The options every load benchmark against peers takes, with their defaults; mutable while the arguments are
     * parsed, by the parsing thread only.
     */
    static final class CommonOptions {
        /** Their usage lines, for a benchmark's usage text. */
        static final String USAGE = """
                  --rounds=N          measured rounds, medians reported (default 3)
                  --duration=SECONDS  length of each wrk run (default 10)
                  --warmup=SECONDS    warm-up per server before the rounds (default 8)
                  --server-cpus=LIST  taskset CPU list of the servers (default 0)
                  --client-cpus=LIST  taskset CPU list of the load generators (default 1)
                  --server-jvm=FLAGS  extra JVM flags of every server, space-separated (default -Xms32m -Xmx1g)
                  --verbose           print every run to standard error
                """;

        int rounds = 3;
        int seconds = 10;
        int warmupSeconds = 8;
        String serverCpus = "0";
        String clientCpus = "1";
        List<String> serverJvm = List.of("-Xms32m", "-Xmx1g");
        boolean verbose;

        /**
         * Takes {@code option} if it is one of these (not {@code --quick}, whose settings differ by benchmark: see
         * {@link #quick()}).
         *
         * @return false if it is not a common option
         */
        boolean accept(Option option) {
            switch (option.name()) {
                case "--rounds" -> rounds = option.intValue();
                case "--duration" -> seconds = option.intValue();
                case "--warmup" -> warmupSeconds = option.intValue();
                case "--server-cpus" -> serverCpus = option.value();
                case "--client-cpus" -> clientCpus = option.value();
                case "--server-jvm" -> serverJvm = option.words();
                case "--verbose" -> verbose = true;
                default -> {
                    return false;
                }
            }
            return true;
        }

        /** The common part of {@code --quick}: one round of 3 s after 3 s of warm-up. */
        void quick() {
            rounds = 1;
            seconds = 3;
            warmupSeconds = 3;
        }

        /** @throws IllegalArgumentException if a value is out of range */
        void check() {
            if (rounds < 1 || seconds < 1 || warmupSeconds < 0) {
                throw new IllegalArgumentException("rounds and duration must be positive, warm-up at least 0");
            }
        }

        String effective() {
            return "--rounds=%d --duration=%d --warmup=%d --server-cpus=%s --client-cpus=%s".formatted(rounds,
                    seconds, warmupSeconds, serverCpus, clientCpus);
        }
    }

    /**
     * One {@code --name=value} (or {@code --name}) argument.
     *
     * @param value the part after {@code =}; empty if none
     */
    record Option(String arg, String name, String value) {
        /** The arguments as options, in order. */
        static List<Option> of(String[] args) {
            List<Option> options = new ArrayList<>();
            for (String arg : args) {
                int eq = arg.indexOf('=');
                options.add(new Option(arg, eq < 0 ? arg : arg.substring(0, eq), eq < 0 ? "" : arg.substring(eq + 1)));
            }
            return options;
        }

        /** The value as an integer ({@code _} and a trailing {@code s} of seconds allowed). */
        int intValue() {
            try {
                return Integer.parseInt(value.replace("_", "").replaceFirst("s$", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a number in " + arg);
            }
        }

        /** The value as a number (a trailing {@code s} of seconds allowed). */
        double doubleValue() {
            try {
                return Double.parseDouble(value.replaceFirst("s$", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a number in " + arg);
            }
        }

        /** The value as space-separated words (JVM flags); none if blank. */
        List<String> words() {
            return value.isBlank() ? List.of() : List.of(value.strip().split(" +"));
        }

        IllegalArgumentException unknown() {
            return new IllegalArgumentException("unknown option " + arg);
        }
    }

    /** The elements of {@code all} named in the comma-separated {@code list}, in its order, each once. */
    static <E> List<E> pick(E[] all, String list, Function<E, String> name) {
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

    /** Measures one load against one server. */
    @FunctionalInterface
    interface Measurer<S, L> {
        LoadSample measure(S server, L load) throws IOException, InterruptedException;
    }

    /**
     * The measured rounds: in every round every load runs against every server in turn, the servers' order rotating
     * by one each round. Returns the samples by server and load, in round order.
     *
     * @param unit what a load's rate counts, for the verbose lines
     */
    static <S, L> Map<S, Map<L, List<LoadSample>>> rounds(String bench, CommonOptions options, List<S> servers,
            List<L> loads, Function<S, String> serverName, Function<L, String> loadName, Function<L, String> unit,
            Measurer<S, L> measurer) throws IOException, InterruptedException {
        Map<S, Map<L, List<LoadSample>>> samples = new LinkedHashMap<>();
        for (S server : servers) {
            samples.put(server, new LinkedHashMap<>());
        }
        for (int round = 0; round < options.rounds; round++) {
            List<S> order = new ArrayList<>(servers);
            Collections.rotate(order, -round);
            for (L load : loads) {
                for (S server : order) {
                    progress(bench, "round %d/%d: %s on %s".formatted(round + 1, options.rounds,
                            loadName.apply(load), serverName.apply(server)));
                    LoadSample s = measurer.measure(server, load);
                    samples.get(server).computeIfAbsent(load, l -> new ArrayList<>()).add(s);
                    if (options.verbose) {
                        System.err.printf(Locale.ROOT, "    %.0f %s, p99 %.2f ms, errors %d (%s), server %.1f "
                                + "us/req at %.0f%% cpu, client %.0f%% cpu%n", s.rate(), unit.apply(load),
                                s.p99Ms(), s.errors(), s.errorDetail(), s.cpuUsPerReq(), s.serverCpuPct(),
                                s.clientCpuPct());
                    }
                }
            }
        }
        return samples;
    }

    /** The peak resident set ({@code VmHWM}) of every child so far, in kB. */
    static <S> Map<S, Long> peakRssKb(Map<S, ServerChild> children) throws IOException {
        Map<S, Long> peak = new LinkedHashMap<>();
        for (Map.Entry<S, ServerChild> e : children.entrySet()) {
            peak.put(e.getKey(), e.getValue().statusKb("VmHWM"));
        }
        return peak;
    }

    /**
     * Ends the report of a run: the load average before and after, the run's length, and the command with its
     * effective options.
     */
    static void finish(Report report, String bench, List<String> args, String effectiveOptions, double loadBefore,
                       long startNanos) {
        double loadAfter = loadAverage();
        report.json("load_before", loadBefore);
        report.json("load_after", loadAfter);
        report.json("seconds", (System.nanoTime() - startNanos) / 1e9);
        report.note(("Machine load (1-minute average) %.2f before the run, %.2f after it (this run included), on %d "
                + "cores; figures move ±20 %% here when other processes compete.").formatted(loadBefore, loadAfter,
                Runtime.getRuntime().availableProcessors()));
        report.note("Command: ./concurrence bench " + bench + " " + String.join(" ", args) + "  (effective: "
                + effectiveOptions + ")");
    }

    /** Closes every child (each exits when its standard input ends), in order. */
    static void closeAll(Iterable<ServerChild> children) throws IOException, InterruptedException {
        for (ServerChild child : children) {
            child.close();
        }
    }

    /** The JVM flags a Netty server child needs: Netty loads its native epoll library. */
    static final List<String> NETTY_JVM_FLAGS = List.of("--enable-native-access=ALL-UNNAMED");

    /** The machine's 1-minute load average. */
    static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** A progress line on standard error. */
    static void progress(String bench, String what) {
        System.err.println("bench " + bench + ": " + what + " ...");
    }

    /** Halts this JVM (the children then see their input end and exit) if the run is still going after {@code limit}. */
    static void startWatchdog(String bench, Duration limit) {
        Thread.ofPlatform().daemon(true).name("bench-watchdog").start(() -> {
            try {
                Thread.sleep(limit);
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("bench " + bench + ": still running after " + limit + "; giving up");
            Runtime.getRuntime().halt(3);
        });
    }
}
