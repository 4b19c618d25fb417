package org.concurrence.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A server running in a child JVM pinned to some CPUs ({@code taskset}), started by a load benchmark
 * ({@link GreeterBench}, {@link HttpBench}): its port and pid, its CPU time and memory from {@code /proc}, and its used
 * heap on request (see {@link ServerMain} for the protocol). Its standard error goes to a temporary log, shown if it
 * fails.
 *
 * <p>Used by the bench's main thread only.
 */
final class ServerChild implements AutoCloseable {
    /** Clock ticks per second of {@code /proc/<pid>/stat} (USER_HZ, 100 on Linux). */
    private static final double TICKS_PER_SECOND = 100;

    final String key;
    final String label;
    private final Process process;
    private final OutputStream commands;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Path log;
    final int port;
    final long pid;

    private ServerChild(String key, String label, Process process, Path log) throws IOException, InterruptedException {
        this.key = key;
        this.label = label;
        this.process = process;
        this.log = log;
        this.commands = process.getOutputStream();
        Thread.ofPlatform().daemon(true).name("stdout of " + key).start(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // The child is gone.
            }
        });
        String ready = await("READY ", 60);
        this.port = Integer.parseInt(field(ready, "port"));
        this.pid = Long.parseLong(field(ready, "pid"));
        if (port <= 0) {
            throw new IllegalStateException(key + " did not start listening:\n" + logTail());
        }
    }

    /**
     * Starts {@code mainClass} of this module with {@code args} in a JVM pinned to {@code cpus}, with this JVM's
     * runtime flags (the launcher's) plus {@code jvmFlags}, and waits until it listens.
     */
    static ServerChild start(String key, String label, String cpus, List<String> jvmFlags, Class<?> mainClass,
                             List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("taskset", "-c", cpus, javaBinary()));
        // The launcher's runtime flags, for every server alike (ours needs the first; the others ignore it).
        command.addAll(List.of("--add-opens=java.base/java.lang=ALL-UNNAMED", "-XX:+UseCompactObjectHeaders",
                "-Djdk.trackAllThreads=false"));
        command.addAll(jvmFlags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
        command.addAll(args);
        Path log = Files.createTempFile("concurrence-server-" + key + "-", ".log");
        Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
        try {
            return new ServerChild(key, label, process, log);
        } catch (RuntimeException | IOException | InterruptedException e) {
            process.destroyForcibly();
            throw e;
        }
    }

    /** User + system CPU time of the whole process so far, in seconds. */
    double cpuSeconds() throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // After the command: state(0) ppid(1) ... utime is field 14 of the whole line, i.e. index 11 here.
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
    }

    /** A {@code /proc/<pid>/status} figure in kB (VmRSS, VmHWM). */
    long statusKb(String name) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(name + ":")) {
                return Long.parseLong(line.substring(name.length() + 1).replace("kB", "").strip());
            }
        }
        throw new IllegalStateException("no " + name + " in /proc/" + pid + "/status");
    }

    /** The used heap after full GCs, in bytes, as the child measures it. */
    long heapAfterGc() throws IOException, InterruptedException {
        commands.write("heap\n".getBytes(StandardCharsets.US_ASCII));
        commands.flush();
        return Long.parseLong(field(await("HEAP ", 120), "used"));
    }

    /** A class histogram of the live heap ({@code jcmd GC.class_histogram}): class name to {bytes, instances}. */
    java.util.Map<String, long[]> classHistogram() throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), "GC.class_histogram").redirectErrorStream(true).start();
        java.util.Map<String, long[]> histogram = new java.util.HashMap<>();
        try (BufferedReader out = jcmd.inputReader()) {
            String line;
            while ((line = out.readLine()) != null) {
                String[] p = line.strip().split("\\s+");
                if (p.length >= 4 && p[0].endsWith(":")) {
                    histogram.put(p[3], new long[] {Long.parseLong(p[2]), Long.parseLong(p[1])});
                }
            }
        }
        jcmd.waitFor(60, TimeUnit.SECONDS);
        return histogram;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String logTail() {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - 30), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            commands.close(); // end of input: the child exits
        } catch (IOException ignored) {
            // Already gone.
        }
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
        Files.deleteIfExists(log);
    }

    private String await(String prefix, int seconds) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            long left = end - System.nanoTime();
            String line = lines.poll(Math.max(1, left), TimeUnit.NANOSECONDS);
            if (line != null && line.startsWith(prefix)) {
                return line;
            }
            if (line == null && (left <= 0 || !process.isAlive())) {
                throw new IllegalStateException(key + ": no '" + prefix.strip() + "' line from the server "
                        + (process.isAlive() ? "in " + seconds + " s" : "(it exited)") + "; its log:\n" + logTail());
            }
        }
    }

    private static String field(String line, String name) {
        for (String part : line.split(" ")) {
            if (part.startsWith(name + "=")) {
                return part.substring(name.length() + 1);
            }
        }
        throw new IllegalStateException("no " + name + " in: " + line);
    }

    private static String javaBinary() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
