package org.concurrence.bench;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * The entry point of {@code ./concurrence bench <name> [args]}: runs the benchmark called {@code name}.
 *
 * <p>Benchmarks: {@code tasklets} ({@link TaskletsBench}), {@code messages} ({@link MessagesBench}),
 * {@code greeter} ({@link GreeterBench}), {@code http} ({@link HttpBench}), {@code tls-idle} ({@link IdleTlsMemory}). The JVM must be
 * started with {@code --add-opens java.base/java.lang=ALL-UNNAMED}, as for any Concurrence program.
 */
public final class BenchMain {
    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage(System.err);
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "tasklets" -> TaskletsBench.main(rest);
            case "messages" -> MessagesBench.main(rest);
            case "greeter" -> GreeterBench.main(rest);
            case "http" -> HttpBench.main(rest);
            case "tls-idle" -> IdleTlsMemory.main(rest);
            case "help", "-h", "--help" -> usage(System.out);
            default -> {
                System.err.println("unknown benchmark: " + args[0]);
                usage(System.err);
                System.exit(2);
            }
        }
    }

    private static void usage(PrintStream out) {
        out.println("usage: bench <benchmark> [options]\nbenchmarks:");
        out.print(Settings.USAGE.indent(2));
        out.print(GreeterBench.USAGE.indent(2));
        out.print(HttpBench.USAGE.indent(2));
        out.print(IdleTlsMemory.USAGE.indent(2));
    }
}
