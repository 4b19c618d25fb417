package org.concurrence.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The queue baselines of {@link MessagesBench} in a JVM of their own, so that the default scheduler can be set up by
 * flags read once at start-up (one carrier). Takes the {@link Settings} options of {@code bench messages} and prints
 * one result line per baseline (see {@link SubprocessJvm}).
 */
public final class VirtualQueueProbe {
    private static final long TIMEOUT_SECONDS = 120;

    private VirtualQueueProbe() {}

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.parse(Settings.Benchmark.MESSAGES, args);
        MessagesBench.queueBaselines(settings).forEach((via, r) -> {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("via", via);
            fields.put("median", r.median());
            fields.put("min", r.min());
            fields.put("max", r.max());
            fields.put("ops", r.opsPerRound());
            fields.put("rounds", r.rounds());
            fields.put("cores", r.cores());
            fields.put("allocated_per_op", r.allocatedPerOp());
            SubprocessJvm.printResult(fields);
        });
    }

    /** Runs {@link #main} in a fresh JVM with {@code flags}; returns the baselines by name, in order. */
    static Map<String, Measure.Rates> inFreshJvm(Settings settings, List<String> flags) throws Exception {
        Map<String, Measure.Rates> rates = new LinkedHashMap<>();
        for (Map<String, String> r : SubprocessJvm.run(VirtualQueueProbe.class, flags, settings.toArgs(),
                TIMEOUT_SECONDS)) {
            rates.put(r.get("via"), new Measure.Rates(Double.parseDouble(r.get("median")),
                    Double.parseDouble(r.get("min")), Double.parseDouble(r.get("max")),
                    Integer.parseInt(r.get("ops")), Integer.parseInt(r.get("rounds")),
                    Double.parseDouble(r.get("cores")), Double.parseDouble(r.get("allocated_per_op"))));
        }
        return rates;
    }
}
