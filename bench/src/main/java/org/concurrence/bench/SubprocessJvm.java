package org.concurrence.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of this module in a fresh JVM: the same java binary, class path and flags as this JVM, with
 * some flags replaced, and collects the lines it prints that start with {@value #PREFIX} as maps of
 * {@code key=value} fields.
 *
 * <p>For figures that need a JVM of their own: a clean heap (memory per parked task) or a system property read once
 * at start-up ({@code jdk.trackAllThreads}, {@code jdk.virtualThreadScheduler.parallelism}).
 */
final class SubprocessJvm {
    /** The start of a result line. */
    static final String PREFIX = "RESULT";

    /** Flags of this JVM that are not passed on: replaced by the caller's, or unsafe to repeat (a debug port). */
    private static final List<String> DROPPED = List.of("-Xmx", "-Xms", "-Djdk.trackAllThreads",
            "-Djdk.virtualThreadScheduler.", "-agentlib:jdwp", "-XX:MaxRAM", "-XX:StartFlightRecording");

    private SubprocessJvm() {}

    /** Prints a result line for the parent: {@code RESULT key=value ...} (values must not contain spaces). */
    static void printResult(Map<String, ?> fields) {
        StringBuilder line = new StringBuilder(PREFIX);
        fields.forEach((k, v) -> line.append(' ').append(k).append('=').append(v));
        System.out.println(line);
        System.out.flush();
    }

    /**
     * Runs {@code mainClass} with {@code args} and {@code flags} added to this JVM's own, and returns its result
     * lines in order.
     *
     * @throws IllegalStateException if it fails, prints no result line, or runs longer than {@code timeoutSeconds}
     */
    static List<Map<String, String>> run(Class<?> mainClass, List<String> flags, List<String> args,
                                         long timeoutSeconds) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(javaBinary());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (DROPPED.stream().noneMatch(arg::startsWith)) {
                command.add(arg);
            }
        }
        command.addAll(flags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
        command.addAll(args);
        Path log = Files.createTempFile("concurrence-bench-", ".log");
        String output;
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            process.getOutputStream().close();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException("did not finish in " + timeoutSeconds + " s: "
                        + String.join(" ", command) + "\n" + Files.readString(log, StandardCharsets.UTF_8));
            }
            output = Files.readString(log, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException("failed (exit " + process.exitValue() + "): "
                        + String.join(" ", command) + "\n" + output);
            }
        } finally {
            Files.deleteIfExists(log);
        }
        List<Map<String, String>> results = new ArrayList<>();
        for (String line : output.lines().toList()) {
            if (line.startsWith(PREFIX + " ")) {
                Map<String, String> fields = new HashMap<>();
                for (String part : line.substring(PREFIX.length() + 1).split(" ")) {
                    int eq = part.indexOf('=');
                    fields.put(part.substring(0, eq), part.substring(eq + 1));
                }
                results.add(fields);
            }
        }
        if (results.isEmpty()) {
            throw new IllegalStateException("printed no result: " + String.join(" ", command) + "\n" + output);
        }
        return results;
    }

    /** The java binary running this JVM. */
    private static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
