package org.concurrence.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The load generators of {@code bench greeter} and {@code bench http}: {@code wrk} (keep-alive, or a new connection per request with
 * {@code Connection: close}) and {@code httperf} (a new connection per request at a fixed rate), each pinned to the
 * client CPUs and run under {@code /usr/bin/time} for its own CPU time; and a pool of idle keep-alive connections for
 * the memory probe.
 */
final class LoadGen {
    private LoadGen() {}

    /** Checks the tools of {@code bench greeter} are installed; returns what is missing, or null. */
    static String missingTools() {
        return missingTools(List.of("wrk", "httperf", "taskset", "/usr/bin/time"));
    }

    /** Checks {@code tools} are installed (on the PATH, or at an absolute path); returns what is missing, or null. */
    static String missingTools(List<String> tools) {
        List<String> missing = new ArrayList<>();
        for (String tool : tools) {
            if (!onPath(tool)) {
                missing.add(tool);
            }
        }
        return missing.isEmpty() ? null : String.join(", ", missing) + " (Debian: apt-get install wrk httperf "
                + "util-linux time)";
    }

    private static boolean onPath(String tool) {
        if (tool.startsWith("/")) {
            return Files.isExecutable(Path.of(tool));
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /**
     * One wrk run.
     *
     * @param requests   responses completed
     * @param seconds    the run's length as wrk measured it
     * @param p50Ms      median latency
     * @param p99Ms      99th percentile latency
     * @param errors     socket errors (connect + read + write + timeout) plus non-2xx responses
     * @param clientCpu  wrk's own CPU time, in seconds
     */
    record Wrk(long requests, double seconds, double p50Ms, double p99Ms, long errors, String errorDetail,
               double clientCpu) {
        double rate() {
            return requests / seconds;
        }
    }

    /** {@code wrk -t1 -c<connections> -d<seconds>s --latency} against the server, optionally with a new connection per request. */
    static Wrk wrk(String cpus, int port, int connections, int seconds, boolean closeEach)
            throws IOException, InterruptedException {
        return wrk(cpus, port, "/", connections, seconds, closeEach ? List.of("-H", "Connection: close") : List.of(),
                List.of());
    }

    /**
     * {@code wrk -t1 -c<connections> -d<seconds>s --latency <options> http://127.0.0.1:<port><path> -- <scriptArgs>}:
     * {@code options} are more of wrk's own ({@code -H}, {@code -s script}), {@code scriptArgs} the Lua script's.
     * With {@code Connection: close} among the headers, the read errors of wrk (the server's close after each reply)
     * are not counted as errors.
     */
    static Wrk wrk(String cpus, int port, String path, int connections, int seconds, List<String> options,
                   List<String> scriptArgs) throws IOException, InterruptedException {
        return wrk(cpus, "http://127.0.0.1:" + port + path, connections, seconds, options, scriptArgs);
    }

    /** {@link #wrk(String, int, String, int, int, List, List)} against {@code url}: {@code https://...} for TLS. */
    static Wrk wrk(String cpus, String url, int connections, int seconds, List<String> options,
                   List<String> scriptArgs) throws IOException, InterruptedException {
        boolean closeEach = options.stream().anyMatch(o -> o.equalsIgnoreCase("Connection: close"));
        List<String> command = new ArrayList<>(List.of("/usr/bin/time", "-f", "TIME %U %S", "taskset", "-c", cpus,
                "wrk", "-t1", "-c" + connections, "-d" + seconds + "s", "--latency", "--timeout", "5s"));
        command.addAll(options);
        command.add(url);
        if (!scriptArgs.isEmpty()) {
            command.add("--");
            command.addAll(scriptArgs);
        }
        String out = run(command, seconds + 30);
        long requests = longOf(out, "(\\d+) requests in");
        double seconds2 = Double.parseDouble(group(out, "requests in ([\\d.]+)(m?s)", 1))
                * (group(out, "requests in ([\\d.]+)(m?s)", 2).equals("ms") ? 1e-3 : 1);
        long connect = 0;
        long read = 0;
        long write = 0;
        long timeout = 0;
        Matcher socket = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)")
                .matcher(out);
        if (socket.find()) {
            connect = Long.parseLong(socket.group(1));
            read = Long.parseLong(socket.group(2));
            write = Long.parseLong(socket.group(3));
            timeout = Long.parseLong(socket.group(4));
        }
        long non2xx = out.contains("Non-2xx") ? longOf(out, "Non-2xx or 3xx responses: (\\d+)") : 0;
        String detail = String.format(Locale.ROOT, "connect %d read %d write %d timeout %d non-2xx %d", connect, read,
                write, timeout, non2xx);
        // With Connection: close wrk counts the server's close after each reply as a read error; not a failure.
        long errors = connect + (closeEach ? 0 : read) + write + timeout + non2xx;
        return new Wrk(requests, seconds2, latencyMs(out, "50%"), latencyMs(out, "99%"), errors, detail,
                clientCpu(out));
    }

    /**
     * A wrk script that sends {@code depth} requests per write (its argument; 1 by default), as TechEmpower's
     * {@code pipeline.lua} does: the request wrk would send (with its {@code -H} headers) repeated. Written to a
     * temporary file, deleted when this JVM exits; pass it as {@code -s <file>} and the depth after {@code --}.
     */
    static Path pipelineScript() throws IOException {
        Path script = Files.createTempFile("concurrence-pipeline-", ".lua");
        script.toFile().deleteOnExit();
        Files.writeString(script, """
                init = function(args)
                  local r = {}
                  local depth = tonumber(args[1]) or 1
                  for i = 1, depth do
                    r[i] = wrk.format()
                  end
                  req = table.concat(r)
                end

                request = function()
                  return req
                end
                """, StandardCharsets.US_ASCII);
        return script;
    }

    /**
     * One httperf run at a fixed rate: a new connection per request ({@code Connection: close}, so the server
     * closes, as with the original's HTTP/1.0 clients; Helidon 4 answers HTTP/1.0 with 505, so HTTP/1.1 is used).
     *
     * @param target      the connection rate asked for
     * @param connections connections attempted
     * @param ok          2xx replies
     * @param errors      httperf's error total (timeouts, refused, reset, fd-unavail, ...)
     * @param seconds     the test's duration
     * @param medianMs    median connection time (connect to close)
     */
    record Httperf(int target, long connections, long ok, long errors, String errorDetail, double seconds,
                   double medianMs, double clientCpu) {
        double rate() {
            return ok / seconds;
        }

        /** The server kept up: (nearly) every connection answered, at (nearly) the rate asked. */
        boolean sustained() {
            return ok >= connections * 0.995 && errors <= connections * 0.005 && rate() >= target * 0.95;
        }
    }

    static Httperf httperf(String cpus, int port, int rate, double seconds) throws IOException, InterruptedException {
        return httperf(cpus, port, "/", false, rate, seconds);
    }

    /**
     * {@link #httperf(String, int, int, double)} for {@code uri}, over TLS if {@code tls}: {@code --ssl
     * --ssl-no-reuse}, so every connection makes a full handshake (httperf would otherwise resume the previous
     * connection's session). httperf does not check the server's certificate.
     */
    static Httperf httperf(String cpus, int port, String uri, boolean tls, int rate, double seconds)
            throws IOException, InterruptedException {
        long connections = Math.max(100, Math.round(rate * seconds));
        // No --hog: with it httperf binds client ports itself and, once tens of thousands of server-side TIME_WAIT
        // connections pile up over the rounds, now and then spins for minutes looking for one; the kernel's own
        // port choice does not.
        List<String> command = new ArrayList<>(List.of("/usr/bin/time", "-f", "TIME %U %S", "taskset", "-c", cpus,
                "httperf", "--server", "127.0.0.1", "--port", Integer.toString(port), "--uri", uri, "--num-conns",
                Long.toString(connections), "--num-calls", "1", "--rate", Integer.toString(rate), "--timeout", "5",
                "--add-header", "Connection: close\\n"));
        if (tls) {
            command.addAll(List.of("--ssl", "--ssl-no-reuse"));
        }
        // Should httperf still hang, the step counts as not sustained.
        long limit = (long) Math.ceil(seconds) + 20;
        String out = runOrNull(command, limit);
        if (out == null) {
            return new Httperf(rate, connections, 0, connections, "httperf hung; killed after " + limit + " s",
                    limit, Double.NaN, Double.NaN);
        }
        long ok = longOf(out, "Reply status: 1xx=\\d+ 2xx=(\\d+)");
        long errors = longOf(out, "Errors: total (\\d+)");
        double duration = Double.parseDouble(group(out, "test-duration ([\\d.]+) s", 1));
        double median = Double.parseDouble(group(out, "Connection time \\[ms\\]: min [\\d.]+ avg [\\d.]+ max [\\d.]+ "
                + "median ([\\d.]+)", 1));
        String detail = group(out, "Errors: total \\d+ (.*)", 1).strip() + "; "
                + group(out, "Errors: (fd-unavail.*)", 1).strip();
        return new Httperf(rate, connections, ok, errors, detail, Math.max(duration, 1e-3), median, clientCpu(out));
    }

    /**
     * The highest connection rate the server sustains: httperf runs of {@code stepSeconds} at rates rising by a
     * quarter from {@code start} until one falls short (or {@code max} is reached). Returns every step run, the last
     * one being the first that fell short (unless {@code max} was sustained).
     */
    static List<Httperf> httperfLadder(String cpus, int port, int start, int max, double stepSeconds,
                                       boolean verbose) throws IOException, InterruptedException {
        return httperfLadder(cpus, port, "/", false, start, max, stepSeconds, verbose);
    }

    /** {@link #httperfLadder(String, int, int, int, double, boolean)} for {@code uri}, over TLS if {@code tls}. */
    static List<Httperf> httperfLadder(String cpus, int port, String uri, boolean tls, int start, int max,
                                       double stepSeconds, boolean verbose) throws IOException, InterruptedException {
        List<Httperf> steps = new ArrayList<>();
        int rate = start;
        while (true) {
            Httperf step = httperf(cpus, port, uri, tls, rate, stepSeconds);
            steps.add(step);
            if (verbose) {
                System.err.printf(Locale.ROOT, "    httperf rate %d: %.0f conn/s ok, %d errors (%s), median %.1f ms, "
                        + "client cpu %.0f%%%n", rate, step.rate(), step.errors(), step.errorDetail(), step.medianMs(),
                        100 * step.clientCpu() / step.seconds());
            }
            if (!step.sustained() || rate >= max) {
                return steps;
            }
            Thread.sleep(300); // let the closing connections of this step drain
            rate = Math.min(max, (int) Math.round(rate * 1.25 / 100) * 100);
        }
    }

    /**
     * Opens {@code count} keep-alive connections, sends one request on each and reads its reply, and leaves them
     * open: idle connections, as a server holds them between requests.
     */
    static List<SocketChannel> openIdle(int port, int count) throws IOException {
        byte[] request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        List<SocketChannel> open = new ArrayList<>(count);
        ByteBuffer reply = ByteBuffer.allocate(4096);
        try {
            for (int i = 0; i < count; i++) {
                SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
                open.add(channel);
                channel.write(ByteBuffer.wrap(request));
                reply.clear();
                while (!new String(reply.array(), 0, reply.position(), StandardCharsets.ISO_8859_1)
                        .endsWith(GreeterServers.BODY)) {
                    if (channel.read(reply) < 0) {
                        throw new IOException("the server closed idle connection " + i);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            closeAll(open);
            throw e;
        }
        return open;
    }

    static void closeAll(List<SocketChannel> channels) {
        for (SocketChannel c : channels) {
            try {
                c.close();
            } catch (IOException ignored) {
                // Closing is all that is left to do.
            }
        }
    }

    private static String run(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        String out = runOrNull(command, timeoutSeconds);
        if (out == null) {
            throw new IllegalStateException("did not finish in " + timeoutSeconds + " s: " + command);
        }
        return out;
    }

    /** Runs {@code command}; returns its output, or null if it had to be killed after {@code timeoutSeconds}. */
    private static String runOrNull(List<String> command, long timeoutSeconds)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("concurrence-loadgen-", ".out");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                // The tool runs under /usr/bin/time and taskset: kill the whole tree, not just the top.
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor();
                return null;
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException("failed (exit " + p.exitValue() + "): " + command + "\n" + text);
            }
            return text;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static double clientCpu(String out) {
        Matcher m = Pattern.compile("TIME ([\\d.]+) ([\\d.]+)").matcher(out);
        return m.find() ? Double.parseDouble(m.group(1)) + Double.parseDouble(m.group(2)) : Double.NaN;
    }

    private static double latencyMs(String out, String percentile) {
        Matcher m = Pattern.compile("\\s" + Pattern.quote(percentile) + "\\s+([\\d.]+)(us|ms|s)").matcher(out);
        if (!m.find()) {
            return Double.NaN;
        }
        double v = Double.parseDouble(m.group(1));
        if (v == 0) {
            return Double.NaN; // wrk prints 0.00us now and then when it lost the percentile (seen when pipelining)
        }
        return switch (m.group(2)) {
            case "us" -> v / 1000;
            case "s" -> v * 1000;
            default -> v;
        };
    }

    private static long longOf(String text, String regex) {
        return Long.parseLong(group(text, regex, 1));
    }

    private static String group(String text, String regex, int group) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no match for " + regex + " in:\n" + text);
        }
        return m.group(group);
    }
}
