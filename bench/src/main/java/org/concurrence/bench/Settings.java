package org.concurrence.bench;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The knobs of {@code bench tasklets} and {@code bench messages}, parsed from {@code --name=value} arguments.
 *
 * @param benchmark    which benchmark the settings are for: it decides the sections and the options accepted
 * @param rounds       measured rounds per figure (the median is reported)
 * @param warmupRounds rounds run and thrown away before measuring (at least; see {@link Measure})
 * @param roundMillis  the target length of one round, by which the number of operations per round is calibrated
 * @param parked       how many tasklets (or threads) each memory probe parks
 * @param probeHeap    the -Xmx of the memory probe JVMs
 * @param sections     which parts to run
 * @param trackVariant also run the memory probes with the JDK's default thread tracking
 * @param breakdown    add the heap per parked task by class to the memory figures (a class histogram per probe)
 * @param verbose      print every round's rate to standard error
 * @param subscribers  how many tasklets the fan-out of {@code bench messages} broadcasts to
 */
record Settings(Benchmark benchmark, int rounds, int warmupRounds, int roundMillis, int parked, String probeHeap,
                Set<Section> sections, boolean trackVariant, boolean breakdown, boolean verbose, int subscribers) {

    /** The parts of the benchmarks: the first three are {@code tasklets}', the others {@code messages}'. */
    enum Section { SPAWN, PINGPONG, MEMORY, SEND, CALL, FANOUT, QUEUES }

    /** A benchmark with sections of its own, and the options that only it takes. */
    enum Benchmark {
        TASKLETS(EnumSet.of(Section.SPAWN, Section.PINGPONG, Section.MEMORY),
                Set.of("--parked", "--probe-heap", "--no-track-variant", "--breakdown")),
        MESSAGES(EnumSet.of(Section.SEND, Section.CALL, Section.FANOUT, Section.QUEUES), Set.of("--subscribers"));

        private final Set<Section> sections;
        private final Set<String> ownOptions;

        Benchmark(Set<Section> sections, Set<String> ownOptions) {
            this.sections = sections;
            this.ownOptions = ownOptions;
        }

        String command() {
            return "bench " + name().toLowerCase(Locale.ROOT);
        }

        String sectionNames() {
            return String.join(",", sections.stream().map(s -> s.name().toLowerCase(Locale.ROOT)).toList());
        }

        /** True if {@code option} is taken by every benchmark or is this one's own. */
        boolean accepts(String option) {
            return ownOptions.contains(option) || Arrays.stream(values()).noneMatch(b -> b.ownOptions.contains(option));
        }
    }

    static final String USAGE = """
            bench tasklets [options]
              --rounds=N          measured rounds per figure, median reported (default 5)
              --warmup=N          warm-up rounds per figure, at least (default 2)
              --round-ms=N        target length of one round in ms (default 200)
              --parked=N          tasks parked by each memory probe (default 1000000; 500k, 1m also accepted)
              --probe-heap=SIZE   -Xmx of the memory probe JVMs (default 4g)
              --only=LIST         comma-separated sections to run: spawn,pingpong,memory (default all)
              --no-track-variant  skip the memory probes with the JDK's default thread tracking
              --breakdown         show the heap per parked task by class (slower: one more full GC per probe)
              --verbose           print every round's rate to standard error
              --quick             rounds=3 warmup=1 round-ms=100 parked=200000 no-track-variant: a smoke
                                  run of ~15 s whose figures are not comparable (JIT barely warm)
            bench messages [options]
              --rounds=N --round-ms=N --verbose   as above
              --warmup=N          warm-up rounds per figure, at least (default 6)
              --subscribers=N     tasklets subscribed to the broadcast channel of the fan-out (default 10000)
              --only=LIST         comma-separated sections to run: send,call,fanout,queues (default all)
              --quick             rounds=3 warmup=1 round-ms=100: a smoke run whose figures are not comparable
            """;

    Settings {
        if (rounds < 1 || warmupRounds < 0 || roundMillis < 1 || parked < 10 || subscribers < 1) {
            throw new IllegalArgumentException("rounds, round-ms and subscribers must be positive, warmup not "
                    + "negative, parked at least 10");
        }
        sections = Set.copyOf(sections);
    }

    /** Parses the arguments of {@code bench tasklets}; throws IllegalArgumentException naming the offending one. */
    static Settings parse(String... args) {
        return parse(Benchmark.TASKLETS, args);
    }

    /** Parses the arguments of {@code benchmark}; throws IllegalArgumentException naming the offending one. */
    static Settings parse(Benchmark benchmark, String... args) {
        int rounds = 5;
        // Message paths are deep (mailbox, waiter, scheduler, continuation) and C2 takes a while to finish them on a
        // busy machine: bench messages warms up for at least 6 rounds' time, or a slow round of an unfinished JIT
        // can stop the warm-up early (the rate dips instead of climbing) and the measured rounds still climb.
        int warmup = benchmark == Benchmark.MESSAGES ? 6 : 2;
        int roundMillis = 200;
        int parked = 1_000_000;
        String probeHeap = "4g";
        Set<Section> sections = benchmark.sections;
        boolean trackVariant = true;
        boolean breakdown = false;
        boolean verbose = false;
        int subscribers = 10_000;
        for (String arg : args) {
            int eq = arg.indexOf('=');
            String name = eq < 0 ? arg : arg.substring(0, eq);
            String value = eq < 0 ? "" : arg.substring(eq + 1);
            if (!benchmark.accepts(name)) {
                throw new IllegalArgumentException("option " + name + " is not one of " + benchmark.command());
            }
            try {
                switch (name) {
                    case "--rounds" -> rounds = Integer.parseInt(value);
                    case "--warmup" -> warmup = Integer.parseInt(value);
                    case "--round-ms" -> roundMillis = Integer.parseInt(value);
                    case "--parked" -> parked = parseCount(value);
                    case "--probe-heap" -> probeHeap = value;
                    case "--only" -> sections = parseSections(benchmark, value);
                    case "--subscribers" -> subscribers = parseCount(value);
                    case "--no-track-variant" -> trackVariant = false;
                    case "--breakdown" -> breakdown = true;
                    case "--verbose" -> verbose = true;
                    case "--quick" -> {
                        rounds = 3;
                        warmup = 1;
                        roundMillis = 100;
                        parked = 200_000;
                        trackVariant = false;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + arg);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a number in " + arg);
            }
        }
        return new Settings(benchmark, rounds, warmup, roundMillis, parked, probeHeap, sections, trackVariant,
                breakdown, verbose, subscribers);
    }

    /** The options that size and time rounds, for a child JVM that measures in the same way. */
    List<String> toArgs() {
        return List.of("--rounds=" + rounds, "--warmup=" + warmupRounds, "--round-ms=" + roundMillis);
    }

    boolean runs(Section section) {
        return sections.contains(section);
    }

    /** A count such as {@code 1000000}, {@code 1_000_000}, {@code 500k} or {@code 1m}. */
    private static int parseCount(String text) {
        String t = text.replace("_", "").toLowerCase(Locale.ROOT);
        if (t.endsWith("k")) {
            return Math.multiplyExact(Integer.parseInt(t.substring(0, t.length() - 1)), 1_000);
        }
        if (t.endsWith("m")) {
            return Math.multiplyExact(Integer.parseInt(t.substring(0, t.length() - 1)), 1_000_000);
        }
        return Integer.parseInt(t);
    }

    private static Set<Section> parseSections(Benchmark benchmark, String list) {
        EnumSet<Section> chosen = EnumSet.noneOf(Section.class);
        for (String part : list.split(",")) {
            Section section;
            try {
                section = Section.valueOf(part.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                section = null;
            }
            if (section == null || !benchmark.sections.contains(section)) {
                throw new IllegalArgumentException("unknown section " + part + " of " + benchmark.command() + " ("
                        + benchmark.sectionNames() + ")");
            }
            chosen.add(section);
        }
        return chosen;
    }
}
