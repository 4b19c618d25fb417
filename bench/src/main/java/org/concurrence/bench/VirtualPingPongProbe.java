package org.concurrence.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The virtual-thread ping-pong baselines of {@link PingPongBench} in a JVM of their own, so that the default
 * scheduler can be set up by flags read once at start-up (its parallelism). Takes the {@link Settings} options and
 * prints one result line per hand-over (see {@link SubprocessJvm}).
 */
public final class VirtualPingPongProbe {
    private VirtualPingPongProbe() {}

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.parse(args);
        PingPongBench.virtualBaselines(settings).forEach((via, r) -> {
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
}
