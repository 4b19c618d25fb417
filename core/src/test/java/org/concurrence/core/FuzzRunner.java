package org.concurrence.core;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The loop of a seeded fuzz test: generates each case from its own seed, runs it on a thread of its own with a
 * wall-clock guard against hangs (a run that does not end is a failure, and the thread is abandoned), counts the
 * failures by kind, and fails with the first three and the system properties that replay each one.
 *
 * <p>System properties, with {@code P} the test's prefix: {@code P.seed}, {@code P.cases} (how many), {@code P.from}
 * (the first case's index), so {@code -DP.seed=S -DP.from=I -DP.cases=1} replays case I alone.
 *
 * @param <C> a generated case
 */
public final class FuzzRunner<C> {
    /** How long one case may run before it counts as hung. */
    private static final long GUARD_SECONDS = 20;

    /** Runs one case with its seed; returns null if it kept to the model, else what went wrong. */
    @FunctionalInterface
    public interface Check<C> {
        String run(C c, long seed) throws Exception;
    }

    private final String name;
    private final String prefix;
    private final long defaultSeed;
    private final int defaultCases;

    /**
     * @param name         the test's name, for the summary line
     * @param prefix       the prefix of its system properties
     * @param defaultSeed  the seed without {@code prefix.seed}
     * @param defaultCases how many cases without {@code prefix.cases}
     */
    public FuzzRunner(String name, String prefix, long defaultSeed, int defaultCases) {
        this.name = name;
        this.prefix = prefix;
        this.defaultSeed = defaultSeed;
        this.defaultCases = defaultCases;
    }

    /**
     * Generates and checks the cases, prints a summary line (with {@code stats}, if given) and fails if any failed.
     */
    public void run(Function<Random, C> generate, Check<C> check, Function<C, String> describe, Supplier<String> stats)
            throws InterruptedException {
        long seed = Long.getLong(prefix + ".seed", defaultSeed);
        int cases = Integer.getInteger(prefix + ".cases", defaultCases);
        int from = Integer.getInteger(prefix + ".from", 0);
        long began = System.nanoTime();
        List<String> failures = new ArrayList<>();
        Map<String, Integer> kinds = new LinkedHashMap<>();
        int failed = 0;
        ExecutorService runner = newRunner();
        try {
            for (int i = from; i < from + cases; i++) {
                long caseSeed = seed * 1_000_003L + i;
                C c = generate.apply(new Random(caseSeed));
                Future<String> result = runner.submit(() -> check.run(c, caseSeed));
                String failure;
                try {
                    failure = result.get(GUARD_SECONDS, TimeUnit.SECONDS);
                } catch (TimeoutException hung) {
                    failure = "hung: the run did not end";
                    runner.shutdownNow();
                    runner = newRunner();
                } catch (ExecutionException e) {
                    failure = "threw " + e.getCause();
                }
                if (failure != null) {
                    failed++;
                    String first = failure.lines().findFirst().orElse("").replaceAll("\\d+", "#");
                    kinds.merge(first.substring(0, Math.min(90, first.length())), 1, Integer::sum);
                    if (failures.size() < 3) {
                        failures.add("case " + i + " (replay: -D" + prefix + ".seed=" + seed + " -D" + prefix
                                + ".from=" + i + " -D" + prefix + ".cases=1)\n" + failure + "\n" + describe.apply(c));
                    }
                }
            }
        } finally {
            runner.shutdownNow();
        }
        System.out.printf("%s: seed %d, %d cases from %d, %d failed, in %d ms%s%n", name, seed, cases, from, failed,
                (System.nanoTime() - began) / 1_000_000, stats == null ? "" : "; " + stats.get());
        if (!failures.isEmpty()) {
            StringBuilder summary = new StringBuilder();
            kinds.forEach((k, n) -> summary.append("  ").append(n).append(" × ").append(k).append('\n'));
            fail(failed + " failing case(s), seed " + seed + ", by kind:\n" + summary + "\nthe first ones:\n\n"
                    + String.join("\n\n", failures));
        }
    }

    private ExecutorService newRunner() {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, prefix);
            t.setDaemon(true);
            return t;
        });
    }
}
