package org.concurrence.http.server;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.CRC32;
import org.concurrence.core.Tasklet;
import org.concurrence.http.HttpException;
import org.concurrence.http.Request;
import org.concurrence.http.Response;
import org.concurrence.http.ResponseBody;
import org.concurrence.http.Version;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Adversarial, seeded fuzzing of the HTTP/1.1 server over raw sockets: generated requests (valid, grammar-based
 * malformed, byte-mutated, pipelined mixtures, HTTP/1.0 forms), sent split across several writes, and the server's
 * answers checked against {@link HttpModel}, a reference model written from RFC 9112 and docs/ARCHITECTURE.md. Per
 * input: only well-formed status lines with a documented status, never a 500, nothing hangs (every read within
 * {@link #DEADLINE_MS}); a request taken as valid is echoed with exactly the body that was sent (nothing smuggled:
 * after the input the server must answer a probe request as the next one, or have closed); responses come in order,
 * one per request, until the first refused one, after which the connection closes; a fresh connection is then served.
 *
 * <p>{@code -Dfuzz.cases=N} (default 3000, a few seconds), {@code -Dfuzz.seed=S} (default fixed),
 * {@code -Dfuzz.from=I} (first case index: {@code -Dfuzz.from=I -Dfuzz.cases=1} replays the case a failure names),
 * {@code -Dfuzz.dump=DIR} (failing inputs written there, byte for byte).
 */
@Timeout(3600)
class HttpFuzzTest {
    private static final int DEADLINE_MS = 2000;
    private static final Set<Integer> DOCUMENTED =
            Set.of(200, 400, 404, 405, 408, 411, 413, 414, 417, 431, 501, 505);
    private static final byte[] INTERESTING = {'\r', '\n', ' ', '\t', ':', ';', ',', '0', 'a', 'F', 0, 1, 0x7f,
        (byte) 0x80, (byte) 0xff, '%', '/', '"'};

    /** How many times each status was seen (and checked), for the summary line. */
    private static final Map<Integer, Integer> STATUSES = new TreeMap<>();
    private static TestServer small;
    private static TestServer large;
    private static HttpServerOptions smallOptions;
    private static HttpServerOptions largeOptions;

    @BeforeAll
    static void start() {
        // Small limits, few requests per connection and few in flight; the defaults but for a drain limit that bodies
        // pass (at 8 KiB no body that can arrive whole with its head, and so be copied out undrained, is over it).
        smallOptions = HttpServerOptions.defaults().withMaxRequestLineLength(200).withMaxHeaderSize(400)
                .withMaxHeaderCount(10).withMaxBodySize(1000).withMaxRequestsPerConnection(7).withMaxPipelined(3);
        largeOptions = HttpServerOptions.defaults().withMaxDrainSize(SpareBuffers.SIZE);
        small = TestServer.start(smallOptions, HttpFuzzTest::echo);
        large = TestServer.start(largeOptions, HttpFuzzTest::echo);
    }

    @AfterAll
    static void stop() {
        if (small != null) {
            small.close();
        }
        if (large != null) {
            large.close();
        }
    }

    /** The handler: the request as it was understood, in a header (for HEAD) and as the body. */
    static Response echo(Request request) throws IOException {
        CRC32 fields = new CRC32();
        for (int i = 0; i < request.headers().size(); i++) {
            fields.update((request.headers().name(i) + ":" + request.headers().value(i) + "\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
        }
        String path;
        try {
            path = HttpModel.crc(request.path().getBytes(StandardCharsets.UTF_8));
        } catch (HttpException e) {
            path = "!";
        }
        StringBuilder echo = new StringBuilder().append(request.method()).append(' ')
                .append(HttpModel.echoTarget(request.target()))
                .append(" v=").append(request.version() == Version.HTTP_1_0 ? "1.0" : "1.1")
                .append(" h=").append(request.headers().size()).append(" hd=")
                .append(Long.toHexString(fields.getValue())).append(" p=").append(path);
        if (request.target().contains("yield")) {
            for (int i = 0; i < 3; i++) {
                Tasklet.yield(); // lets a helper claim the requests behind this one
            }
        }
        if (request.target().contains("nap")) {
            Tasklet.sleep(Duration.ofMillis(1 + request.target().length() % 3));
        }
        if (request.target().contains("noread")) {
            echo.append(" b=unread");
        } else if (request.target().contains("stream")) {
            // The body is read by the response's writer, as the response is written.
            String prefix = echo.toString();
            return Response.ok(ResponseBody.ofWriter(-1, out -> out.write((prefix + readBody(request))
                    .getBytes(StandardCharsets.ISO_8859_1))), "text/plain")
                    .withHeader("X-Echo", prefix + " b=streamed");
        } else {
            echo.append(readBody(request));
        }
        return Response.ok(echo.toString()).withHeader("X-Echo", echo.toString());
    }

    /** The request body's length and CRC, read in pieces of varied sizes. */
    private static String readBody(Request request) throws IOException {
        CRC32 body = new CRC32();
        long length = 0;
        byte[] buffer = new byte[1];
        InputStream in = request.body().stream();
        for (int n; (n = in.read(buffer, 0, buffer.length)) >= 0; ) {
            body.update(buffer, 0, n);
            length += n;
            buffer = new byte[1 + (int) ((length * 7919) % 3000)]; // reads of varied sizes
        }
        return " b=" + length + " bd=" + Long.toHexString(body.getValue());
    }

    @Test
    void theServerSurvivesAdversarialInputAndNeverMisframes() {
        long seed = Long.getLong("fuzz.seed", 0x5eed_c0ffeeL);
        int cases = Integer.getInteger("fuzz.cases", 3000);
        int from = Integer.getInteger("fuzz.from", 0);
        List<String> failures = new ArrayList<>();
        Map<String, Integer> kinds = new LinkedHashMap<>();
        long started = System.nanoTime();
        int refused = 0;
        int answered = 0;
        int failed = 0;
        for (int i = from; i < from + cases; i++) {
            Case c = generate(seed, i);
            String failure = run(c);
            if (failure != null) {
                failed++;
                dump(i, c);
                kinds.merge(signature(failure), 1, Integer::sum);
                if (failures.size() < 5) {
                    failures.add("case " + i + " (replay: -Dfuzz.seed=" + seed + " -Dfuzz.from=" + i
                            + " -Dfuzz.cases=1)\n" + failure + "\n" + c.describe());
                }
            } else {
                refused += c.refused;
                answered += c.answered;
            }
        }
        System.out.printf("HttpFuzzTest: seed %d, cases %d from %d, %d responses checked (%d refusals) in %d ms;"
                + " statuses seen %s%n", seed, cases, from, answered + refused, refused,
                (System.nanoTime() - started) / 1_000_000, STATUSES);
        if (!failures.isEmpty()) {
            StringBuilder summary = new StringBuilder();
            kinds.forEach((k, n) -> summary.append("  ").append(n).append(" × ").append(k).append('\n'));
            fail(failed + " failing case(s), seed " + seed + ", by kind:\n" + summary + "\nthe first ones:\n\n"
                    + String.join("\n\n", failures));
        }
    }

    /** With {@code -Dfuzz.dump=DIR}, a failing case's input goes to {@code DIR/case-I.bin} as it was sent. */
    private static void dump(int index, Case c) {
        String dir = System.getProperty("fuzz.dump");
        if (dir != null) {
            try {
                Files.createDirectories(Path.of(dir));
                Files.write(Path.of(dir, "case-" + index + ".bin"), c.bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** A failure's kind: its first words, without the numbers and quoted parts that differ between cases. */
    private static String signature(String failure) {
        String s = failure.replaceAll("\"[^\"]*\"", "\"…\"").replaceAll("\\{[^}]*}", "{…}")
                .replaceAll("[0-9a-f]{6,}", "#");
        return s.substring(0, Math.min(100, s.length()));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // One case.

    /** A generated input: its bytes, how they are split across writes, and the server it goes to. */
    static final class Case {
        final String kind;
        final byte[] bytes;
        final int[] splits;
        final boolean large;
        int refused;
        int answered;
        HttpModel.Result expected;
        boolean halfClosed;

        Case(String kind, byte[] bytes, int[] splits, boolean large) {
            this.kind = kind;
            this.bytes = bytes;
            this.splits = splits;
            this.large = large;
        }

        String describe() {
            return "  kind " + kind + ", server " + (large ? "default limits" : "small limits") + ", " + bytes.length
                    + " bytes written in pieces split at " + Arrays.toString(splits)
                    + (halfClosed ? ", then half-closed" : "") + "\n  input: \"" + escape(bytes, 1500) + "\""
                    + "\n  expected: " + expected;
        }
    }

    /** Sends the case and checks every answer; returns what went wrong, or null. */
    private static String run(Case c) {
        TestServer server = c.large ? large : small;
        HttpModel model = new HttpModel(HttpModel.Limits.of(c.large ? largeOptions : smallOptions));
        HttpModel.Result expected = model.run(c.bytes, false);
        if (expected.end() == HttpModel.End.MORE) {
            c.halfClosed = true;
            expected = model.run(c.bytes, true);
        }
        c.expected = expected;
        List<String> seen = new ArrayList<>();
        boolean refusedOne = false;
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(DEADLINE_MS);
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            int at = 0;
            try {
                for (int split : c.splits) {
                    out.write(c.bytes, at, split - at);
                    out.flush();
                    at = split;
                }
                out.write(c.bytes, at, c.bytes.length - at);
                out.flush();
                if (c.halfClosed) {
                    socket.shutdownOutput();
                }
            } catch (SocketException e) {
                // The server may close (after a refusal) while the rest is still being written: its answer is read.
            }
            for (HttpModel.Outcome o : expected.outcomes()) {
                switch (o) {
                    case HttpModel.Answered a -> {
                        Resp r = readFinal(in, a.head(), seen);
                        if (r == null) {
                            return "expected the echo \"" + a.echo() + "\", the connection closed; seen " + seen;
                        }
                        if (a.expect100() != r.continued) {
                            return "100 Continue " + (a.expect100() ? "missing" : "unexpected") + " before " + r;
                        }
                        if (r.status != 200 || !a.echo().equals(r.header("x-echo"))) {
                            return "expected 200 with the echo \"" + a.echo() + "\", got " + r + "; seen " + seen;
                        }
                        if (!a.head() && !a.body().equals(new String(r.body, StandardCharsets.ISO_8859_1))) {
                            return "expected the body \"" + a.body() + "\", got " + r;
                        }
                        String connection = a.close() ? "close" : a.http10() ? "keep-alive" : null;
                        if (!Objects.equals(connection, r.header("connection"))) {
                            return "expected Connection: " + connection + " on " + r;
                        }
                        c.answered++;
                    }
                    case HttpModel.Refused f -> {
                        Resp r = readFinal(in, f.head(), seen);
                        if (r == null) {
                            return "expected a refusal " + f.statuses() + " (" + f.why() + "), the connection closed;"
                                    + " seen " + seen;
                        }
                        if (!f.statuses().contains(r.status)) {
                            return "expected a refusal " + f.statuses() + " (" + f.why() + "), got " + r + "; seen "
                                    + seen;
                        }
                        if (!"close".equals(r.header("connection"))) {
                            return "a refusal without Connection: close: " + r;
                        }
                        c.refused++;
                        refusedOne = true;
                    }
                }
            }
            if (expected.end() == HttpModel.End.OPEN) {
                // Nothing of the input may be left over: the next request is the probe, answered as such.
                out.write("GET /probe HTTP/1.1\r\nHost: p\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                Resp r = readFinal(in, false, seen);
                String echo = r == null ? null : r.header("x-echo");
                if (r == null || r.status != 200 || echo == null || !echo.startsWith("GET /probe v=1.1 h=1 ")
                        || !echo.endsWith(" b=0 bd=0")) {
                    return "the probe after the input was not answered as the next request: " + r + "; seen " + seen;
                }
            } else {
                String more = expectClosed(in);
                if (more != null) {
                    return "expected the connection to close after " + seen + ": " + more;
                }
            }
        } catch (ReadFailure e) {
            return e.getMessage() + "; seen " + seen;
        } catch (IOException e) {
            return "I/O failure: " + e + "; seen " + seen;
        }
        if (refusedOne || expected.end() == HttpModel.End.CLOSED) {
            return fresh(server);
        }
        return null;
    }

    /** A fresh connection gets its 200 (the server survived the input). */
    private static String fresh(TestServer server) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(DEADLINE_MS);
            socket.getOutputStream().write("GET /alive HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            List<String> seen = new ArrayList<>();
            Resp r = readFinal(socket.getInputStream(), false, seen);
            if (r == null || r.status != 200 || !r.header("x-echo").startsWith("GET /alive ")) {
                return "a fresh connection after the case was not served: " + r;
            }
            return null;
        } catch (ReadFailure | IOException e) {
            return "a fresh connection after the case failed: " + e;
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Reading responses strictly.

    static final class ReadFailure extends Exception {
        ReadFailure(String message) {
            super(message);
        }
    }

    record Resp(int status, String statusLine, Map<String, String> headers, byte[] body, boolean continued) {
        String header(String name) {
            return headers.get(name);
        }

        @Override
        public String toString() {
            return "\"" + statusLine + "\" " + headers + (body.length > 0 ? " body \"" + escape(body, 300) + "\"" : "")
                    + (continued ? " (after 100 Continue)" : "");
        }
    }

    /** The next final response (skipping 100 Continue), or null if the connection closed before its first byte. */
    private static Resp readFinal(InputStream in, boolean head, List<String> seen) throws ReadFailure {
        boolean continued = false;
        while (true) {
            Resp r = read(in, head);
            if (r == null) {
                return null;
            }
            seen.add(r.statusLine);
            STATUSES.merge(r.status, 1, Integer::sum);
            if (r.status == 100 && !continued) {
                continued = true;
                continue;
            }
            if (r.status == 500) {
                throw new ReadFailure("a 500 for client input: " + r);
            }
            if (!DOCUMENTED.contains(r.status)) {
                throw new ReadFailure("an undocumented status: " + r);
            }
            return new Resp(r.status, r.statusLine, r.headers, r.body, continued);
        }
    }

    private static Resp read(InputStream in, boolean head) throws ReadFailure {
        String statusLine = line(in, true);
        if (statusLine == null) {
            return null;
        }
        if (!statusLine.matches("HTTP/1\\.1 [1-5][0-9][0-9] [\\x20-\\x7e]*")) {
            throw new ReadFailure("malformed status line \"" + statusLine + "\"");
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = line(in, false); !line.isEmpty(); line = line(in, false)) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new ReadFailure("malformed response field \"" + line + "\" after " + statusLine);
            }
            String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
            if (headers.put(name, line.substring(colon + 1).strip()) != null) {
                throw new ReadFailure("response field " + name + " twice after " + statusLine);
            }
        }
        byte[] body = new byte[0];
        if (status >= 200 && !head && status != 204 && status != 304) {
            String length = headers.get("content-length");
            if ("chunked".equals(headers.get("transfer-encoding")) && length == null) {
                body = chunked(in, statusLine);
            } else if (length != null && !headers.containsKey("transfer-encoding")) {
                body = bytes(in, Integer.parseInt(length), statusLine);
            } else if (length == null && "close".equals(headers.get("connection"))) {
                body = toEnd(in, statusLine); // close-delimited
            } else {
                throw new ReadFailure("a response without clear framing: " + statusLine + " " + headers);
            }
        }
        return new Resp(status, statusLine, headers, body, false);
    }

    /** A CRLF line; null if {@code first} and the connection closed (or was reset) before its first byte. */
    private static String line(InputStream in, boolean first) throws ReadFailure {
        StringBuilder sb = new StringBuilder();
        try {
            while (true) {
                int b;
                try {
                    b = in.read();
                } catch (SocketException reset) {
                    b = -2;
                }
                if (b < 0) {
                    if (first && sb.isEmpty()) {
                        return null;
                    }
                    throw new ReadFailure((b == -1 ? "end of stream" : "reset") + " in a response line after \""
                            + sb + "\"");
                }
                if (b == '\n') {
                    if (sb.isEmpty() || sb.charAt(sb.length() - 1) != '\r') {
                        throw new ReadFailure("bare LF from the server after \"" + sb + "\"");
                    }
                    return sb.substring(0, sb.length() - 1);
                }
                sb.append((char) b);
            }
        } catch (SocketTimeoutException e) {
            throw new ReadFailure("no response within " + DEADLINE_MS + " ms (a hang) after \"" + sb + "\"");
        } catch (IOException e) {
            throw new ReadFailure("I/O failure reading a response: " + e);
        }
    }

    private static byte[] chunked(InputStream in, String statusLine) throws ReadFailure {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = line(in, false);
            if (!size.matches("[0-9a-f]{1,8}")) {
                throw new ReadFailure("malformed chunk size \"" + size + "\" after " + statusLine);
            }
            int n = Integer.parseInt(size, 16);
            if (n == 0) {
                String end = line(in, false);
                if (!end.isEmpty()) {
                    throw new ReadFailure("trailer \"" + end + "\" after " + statusLine);
                }
                return body.toByteArray();
            }
            body.writeBytes(bytes(in, n, statusLine));
            if (!line(in, false).isEmpty()) {
                throw new ReadFailure("chunk data not followed by CRLF after " + statusLine);
            }
        }
    }

    private static byte[] toEnd(InputStream in, String statusLine) throws ReadFailure {
        try {
            return in.readAllBytes();
        } catch (SocketTimeoutException e) {
            throw new ReadFailure("close-delimited body not ended within " + DEADLINE_MS + " ms after " + statusLine);
        } catch (IOException e) {
            throw new ReadFailure("I/O failure reading the body after " + statusLine + ": " + e);
        }
    }

    private static byte[] bytes(InputStream in, int n, String statusLine) throws ReadFailure {
        try {
            byte[] b = in.readNBytes(n);
            if (b.length < n) {
                throw new ReadFailure("response body cut at " + b.length + " of " + n + " bytes after " + statusLine);
            }
            return b;
        } catch (SocketTimeoutException e) {
            throw new ReadFailure("response body not received within " + DEADLINE_MS + " ms after " + statusLine);
        } catch (IOException e) {
            throw new ReadFailure("I/O failure reading the body after " + statusLine + ": " + e);
        }
    }

    /** Null if the server closes (end of stream or reset) within the deadline with no more bytes. */
    private static String expectClosed(InputStream in) {
        try {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            byte[] more = new byte[300];
            more[0] = (byte) b;
            int n = 1 + Math.max(0, in.read(more, 1, more.length - 1));
            return "more bytes: \"" + escape(Arrays.copyOf(more, n), 300) + "\"";
        } catch (SocketTimeoutException e) {
            return "still open after " + DEADLINE_MS + " ms (a hang)";
        } catch (IOException reset) {
            return null;
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Generation.

    /** Case {@code index} of the run seeded {@code seed}: reproducible on its own. */
    static Case generate(long seed, int index) {
        Random r = new Random(seed * 0x9E3779B97F4A7C15L + index);
        boolean large = r.nextInt(5) == 0;
        Gen g = new Gen(r, large ? largeOptions : smallOptions);
        int kind = r.nextInt(100);
        String kindName;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int requests = 1 + (r.nextInt(3) == 0 ? r.nextInt(5) : 0);
        if (kind < 5) {
            kindName = "burst"; // more than maxPipelined (3, 16) at once, small ones, some blocking, maybe a bad one
            int n = 17 + r.nextInt(24);
            int bad = r.nextInt(3) == 0 ? r.nextInt(n) : -1;
            for (int i = 0; i < n; i++) {
                out.writeBytes(i == bad ? g.request(true) : ("GET /" + i + (r.nextInt(4) == 0 ? "/yield" : "")
                        + (r.nextInt(8) == 0 ? "/nap" : "") + " HTTP/1.1\r\nHost: b\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
            }
        } else if (kind < 30) {
            kindName = "valid";
            for (int i = 0; i < requests; i++) {
                out.writeBytes(g.request(false));
            }
        } else if (kind < 65) {
            kindName = "grammar";
            for (int i = 0; i < requests; i++) {
                out.writeBytes(g.request(r.nextInt(3) > 0));
            }
        } else {
            kindName = "mutated";
            for (int i = 0; i < requests; i++) {
                out.writeBytes(g.request(r.nextInt(4) == 0));
            }
        }
        byte[] bytes = out.toByteArray();
        if (kind >= 65) {
            int mutations = 1 + r.nextInt(3);
            for (int i = 0; i < mutations; i++) {
                bytes = g.mutate(bytes);
            }
        }
        int pieces = bytes.length < 2 ? 0 : r.nextInt(6);
        int[] splits = r.ints(pieces, 1, Math.max(2, bytes.length)).sorted().distinct().toArray();
        return new Case(kindName, bytes, splits, large);
    }

    /** A request generator; {@code bad} requests get one or more malformed or ambiguous parts. */
    static final class Gen {
        private final Random r;
        private final HttpServerOptions o;

        Gen(Random r, HttpServerOptions o) {
            this.r = r;
            this.o = o;
        }

        private boolean chance(int percent) {
            return r.nextInt(100) < percent;
        }

        private <T> T pick(List<T> options) {
            return options.get(r.nextInt(options.size()));
        }

        byte[] request(boolean bad) {
            StringBuilder s = new StringBuilder();
            // Bad requests pick which parts go wrong; each part may.
            boolean badLine = bad && chance(35);
            boolean badFields = bad && chance(45);
            boolean badFraming = bad && chance(45);
            boolean badBody = bad && chance(35);
            if (chance(5)) {
                s.append("\r\n".repeat(r.nextInt(badLine ? 12 : 9)));
            }
            String method = method(badLine);
            boolean http10 = chance(12);
            String version = http10 ? "HTTP/1.0" : "HTTP/1.1";
            if (badLine && chance(30)) {
                version = pick(List.of("HTTP/1.2", "HTTP/2.0", "HTTP/1.1x", "http/1.1", "HTTP/1", "HTTP/11.1",
                        "HTTP/0.9", "HTTP/1.1 ", " HTTP/1.1", "HTTP/1.0\r", "HTTP\\1.1", "HTTP/a.b"));
            }
            String target = target(badLine, method);
            if (chance(4) && target.startsWith("/")) { // a request line at its limit, or one byte either side
                int pad = o.maxRequestLineLength() + r.nextInt(3) - 1
                        - (method.length() + 1 + target.length() + 1 + version.length());
                target += "q".repeat(Math.max(0, pad));
            }
            String sp1 = badLine && chance(15) ? pick(List.of("  ", "\t", "")) : " ";
            String sp2 = badLine && chance(15) ? pick(List.of("  ", "\t", "")) : " ";
            String eol = badLine && chance(15) ? pick(List.of("\n", "\r", "\r\r\n")) : "\r\n";
            if (badLine && chance(10)) {
                s.append(method).append(sp1).append(target).append(eol); // no version
            } else {
                s.append(method).append(sp1).append(target).append(sp2).append(version).append(eol);
            }
            List<String> fields = new ArrayList<>();
            int hosts = http10 && chance(50) ? 0 : 1;
            if (badFields && chance(20)) {
                hosts = r.nextInt(3);
            }
            for (int i = 0; i < hosts; i++) {
                fields.add("Host: " + (badFields && chance(20) ? value(true, 20) : badFields && chance(20)
                        ? pick(List.of("a b", "x/y", "user@x", "x:8o", "[::1", "[::1]x", "%zz", "x:80:80", "h\u00e9",
                                "x%41", "[v1.x]:1", "x:", ":80", "a,b", "x\t"))
                        : pick(List.of("x", "example.com", "a.example:8080", "[::1]:80", "", "h", "127.0.0.1:1"))));
            }
            int extra = chance(70) ? r.nextInt(4) : r.nextInt(o.maxHeaderCount() + 3);
            for (int i = 0; i < extra; i++) {
                fields.add(name(badFields && chance(25)) + ":" + (chance(80) ? " " : pick(List.of("", "\t", "  ")))
                        + value(badFields && chance(25), chance(90) ? 20 : o.maxHeaderSize() / 2));
            }
            if (badFields && chance(25)) {
                fields.add(pick(List.of(" folded", "\tfolded", "X A: v", "X-A : v", ": v", "X-A v", "X-A:\u0000v",
                        "X-\u00e9: v", "X-A: v\rw", "X(A): v")));
            }
            if (chance(4)) {
                int size = o.maxHeaderSize() - 40 - r.nextInt(40) + (bad ? r.nextInt(80) : 0);
                fields.add("X-Huge: " + "h".repeat(Math.max(1, size)));
            }
            if (chance(15)) {
                fields.add("Connection: " + pick(List.of("close", "keep-alive", "Keep-Alive", "close, keep-alive",
                        "upgrade", "foo, CLOSE", "keep-alive, te", " close ")));
            }
            byte[] body = body();
            boolean hasBody = body.length > 0 || chance(20) || method.equals("POST") || method.equals("PUT");
            boolean chunked = hasBody && chance(35);
            if (chance(6) || (badFraming && chance(15))) {
                fields.add("Expect: " + (badFraming && chance(40) ? pick(List.of("200-ok", "100-continue, x", "foo"))
                        : pick(List.of("100-continue", "100-Continue"))));
            }
            byte[] payload;
            if (!hasBody) {
                payload = new byte[0];
                if (badFraming && chance(30)) {
                    fields.add("Content-Length: " + contentLength(0, true));
                }
            } else if (!chunked) {
                fields.add("Content-Length: " + contentLength(body.length, badFraming));
                if (badFraming && chance(20)) {
                    fields.add(pick(List.of("Content-Length: " + body.length, "Content-Length: " + (body.length + 1),
                            "Transfer-Encoding: chunked")));
                }
                payload = body;
            } else {
                fields.add("Transfer-Encoding: " + (badFraming && chance(60) ? pick(List.of("Chunked", "CHUNKED",
                        "chunked, chunked", "identity", "gzip, chunked", "chunked, identity", "chunked,", ",chunked",
                        "chunked;q=1", "chunked ", "identity, chunked", "gzip", "", "chunked\t"))
                        : "chunked"));
                if (badFraming && chance(25)) {
                    fields.add(pick(List.of("Transfer-Encoding: chunked", "Content-Length: " + body.length,
                            "Transfer-Encoding: gzip")));
                }
                payload = chunk(body, badBody);
            }
            if (chance(5)) { // a header section at its limit, or a byte or two either side
                int section = 2;
                for (String f : fields) {
                    section += f.length() + 2;
                }
                int pad = o.maxHeaderSize() + r.nextInt(4) - 1 - section - "X-Pad: \r\n".length();
                if (pad >= 0) {
                    fields.add("X-Pad: " + "p".repeat(pad));
                }
            }
            if (chance(50)) {
                Collections.shuffle(fields, r);
            }
            for (String f : fields) {
                s.append(f).append(badFields && chance(5) ? "\n" : "\r\n");
            }
            s.append("\r\n");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(s.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.writeBytes(payload);
            if (badBody && !chunked && chance(30)) {
                out.writeBytes(body()); // more bytes than declared: they must not become a request
            }
            return out.toByteArray();
        }

        private String method(boolean bad) {
            if (bad && chance(50)) {
                return pick(List.of("get", "G\u00c9T", "GE(T", "", "CONNECT", "TRACE", "M-SEARCH", "GET\t", "GET:",
                        "A".repeat(HttpModel.MAX_METHOD_LENGTH + 1 + r.nextInt(20)), token(1 + r.nextInt(24)),
                        "A".repeat(HttpModel.MAX_METHOD_LENGTH)));
            }
            return pick(List.of("GET", "GET", "GET", "POST", "POST", "POST", "PUT", "HEAD", "HEAD", "DELETE",
                    "OPTIONS", "PATCH"));
        }

        private String target(boolean bad, String method) {
            int k = r.nextInt(100);
            if (bad && k < 30) {
                return pick(List.of("index.html", "/a b", "/a\u0001b", "/caf\u00e9", "/\u007f", "", "*",
                        "example.com:443", "//x", "/%", "/%zz", "/%4", "/%c3%28", "/%ff", "ftp://x/",
                        "/" + "l".repeat(o.maxRequestLineLength() + r.nextInt(20) - 20)));
            }
            if (k < 5 && method.equals("OPTIONS")) {
                return "*";
            }
            if (k < 10) {
                return pick(List.of("http://h.example/p?q=1", "HTTPS://h", "http://h?x=/y", "https://h:8/%41b",
                        "http://h/noread"));
            }
            StringBuilder t = new StringBuilder("/");
            int parts = r.nextInt(5);
            for (int i = 0; i < parts; i++) {
                int p = r.nextInt(10);
                if (p < 5) {
                    t.append(token(1 + r.nextInt(8)).toLowerCase(Locale.ROOT));
                } else if (p < 7) {
                    t.append(pick(List.of("%41", "%2F", "%e2%82%ac", "%C3%A9", "%20", "%00", "%3f", "%25")));
                } else if (p < 9) {
                    String odd = "!$&'()*+,;=:@-._~[]{}|\\^`\"<>#";
                    t.append(odd.charAt(r.nextInt(odd.length())));
                } else {
                    t.append(pick(List.of("noread", "yield", "nap", "stream")));
                }
                t.append(chance(70) ? "/" : chance(50) ? "?" : "&");
            }
            if (chance(3)) {
                t.append("q".repeat(Math.max(0, o.maxRequestLineLength() - 40 - r.nextInt(30))));
            }
            return t.toString();
        }

        private String token(int length) {
            String tchar = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < length; i++) {
                sb.append(tchar.charAt(r.nextInt(tchar.length())));
            }
            return sb.toString();
        }

        private String name(boolean bad) {
            if (bad) {
                return pick(List.of("X A", "X-A ", "", "X(A)", "X\u00e9", "X\"", "X/Y", "\tX", "X\u0000"));
            }
            return chance(50) ? token(1 + r.nextInt(12)) : pick(List.of("Accept", "User-Agent", "X-Req",
                    "cookie", "Cache-Control", "content-type", "X-Forwarded-For", "Trailer", "TE", "Upgrade"));
        }

        private String value(boolean bad, int max) {
            int length = r.nextInt(Math.max(1, max));
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < length; i++) {
                int p = r.nextInt(100);
                if (p < 80) {
                    sb.append((char) (0x21 + r.nextInt(0x5e)));
                } else if (p < 88) {
                    sb.append(' ');
                } else if (p < 92) {
                    sb.append('\t');
                } else if (p < 96) {
                    sb.append((char) (0x80 + r.nextInt(0x80))); // obs-text
                } else if (bad) {
                    sb.append(pick(List.of('\u0000', '\u0001', '\u007f', '\r', '\u001f', '\u000b')));
                } else {
                    sb.append('v');
                }
            }
            return sb.toString();
        }

        private String contentLength(int length, boolean bad) {
            if (!bad || chance(30)) {
                return chance(10) ? "0" + length : String.valueOf(length);
            }
            return pick(List.of("+" + length, "0" + length, " " + length + " ", length + "," + length,
                    length + ", " + (length + 1), "0x" + Integer.toHexString(length), "99999999999999999999", "-1",
                    length + ".0", "", length + " " + length, "1e2", String.valueOf(length + 1),
                    String.valueOf(Math.max(0, length - 1)), "0".repeat(19) + length, "x".repeat(20), length + ",",
                    "," + length, "\t" + length, String.valueOf(o.maxBodySize() + 1),
                    String.valueOf(o.maxBodySize())));
        }

        private byte[] body() {
            int k = r.nextInt(100);
            if (k < 35) {
                return new byte[0];
            }
            if (k < 45) {
                String smuggled = pick(List.of("GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
                        "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n", "\r\n\r\n", "5\r\nhello\r\n0\r\n\r\n"));
                return smuggled.getBytes(StandardCharsets.ISO_8859_1);
            }
            int length = k < 90 ? r.nextInt(60) : k < 97 ? r.nextInt(3000) : (int) Math.min(o.maxBodySize(), 20_000);
            byte[] b = new byte[length];
            if (chance(50)) {
                r.nextBytes(b);
            } else {
                for (int i = 0; i < length; i++) {
                    b[i] = (byte) ('a' + r.nextInt(26));
                }
            }
            return b;
        }

        private byte[] chunk(byte[] body, boolean bad) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int at = 0;
            while (at < body.length) {
                int size = Math.min(body.length - at, 1 + r.nextInt(chance(50) ? 8 : body.length));
                String hex = Integer.toHexString(size);
                if (chance(20)) {
                    hex = hex.toUpperCase(Locale.ROOT);
                }
                if (chance(15)) {
                    hex = "0".repeat(1 + r.nextInt(bad ? 20 : 3)) + hex;
                }
                if (bad && chance(15)) {
                    hex = pick(List.of("0x" + hex, hex + " ", "+" + hex, " " + hex, hex + "\t", "-" + hex,
                            Integer.toHexString(size + 1), hex + "g", "ffffffffffffffff"));
                }
                out.writeBytes(hex.getBytes(StandardCharsets.ISO_8859_1));
                if (chance(20)) {
                    out.writeBytes(extension(bad));
                }
                out.writeBytes(bad && chance(10) ? new byte[] {'\n'} : new byte[] {'\r', '\n'});
                out.write(body, at, size);
                at += size;
                out.writeBytes(bad && chance(10) ? pick(List.of(new byte[0], new byte[] {'\n'},
                        new byte[] {'\r', '\n', '\r', '\n'}, new byte[] {'x', '\r', '\n'})) : new byte[] {'\r', '\n'});
            }
            out.writeBytes((chance(80) ? "0" : pick(List.of("000", "0;last", "0 ;x=y", "00000000000000000")))
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            int trailers = chance(80) ? 0 : r.nextInt(bad ? o.maxHeaderCount() + 3 : 3);
            for (int i = 0; i < trailers; i++) {
                String t = bad && chance(20) ? pick(List.of("bad trailer", " fold: x", "X T: y", ": v", "X-T",
                        "X-T: \u0001", "X-T: \u00e9t\u00e9"))
                        : name(false) + ": " + value(false, chance(70) ? 20 : o.maxHeaderSize() / 2);
                out.writeBytes((t + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
            if (!(bad && chance(15))) {
                out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
            return out.toByteArray();
        }

        private byte[] extension(boolean bad) {
            String e = bad && chance(30) ? pick(List.of("x", " x", ";\u0001", ";\u00e9", ";" + "e".repeat(
                    o.maxHeaderSize()), "\r", " ; x")) : pick(List.of(";a=b", ";x", " ;y=\"q z\"", ";n=1;m",
                    "\t;t", ";"));
            return e.getBytes(StandardCharsets.ISO_8859_1);
        }

        byte[] mutate(byte[] b) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int at = b.length == 0 ? 0 : r.nextInt(b.length);
            int crlf = find(b, r.nextInt(Math.max(1, b.length)));
            switch (r.nextInt(11)) {
                case 0 -> { // flip a bit
                    if (b.length > 0) {
                        b = b.clone();
                        b[at] ^= (byte) (1 << r.nextInt(8));
                    }
                    return b;
                }
                case 1 -> { // set a byte
                    if (b.length > 0) {
                        b = b.clone();
                        b[at] = INTERESTING[r.nextInt(INTERESTING.length)];
                    }
                    return b;
                }
                case 2 -> { // insert a byte
                    out.write(b, 0, at);
                    out.write(INTERESTING[r.nextInt(INTERESTING.length)]);
                    out.write(b, at, b.length - at);
                }
                case 3 -> { // delete a byte
                    if (b.length == 0) {
                        return b;
                    }
                    out.write(b, 0, at);
                    out.write(b, at + 1, b.length - at - 1);
                }
                case 4 -> { // duplicate a CRLF
                    if (crlf < 0) {
                        return b;
                    }
                    out.write(b, 0, crlf + 2);
                    out.write(b, crlf, b.length - crlf);
                }
                case 5 -> { // drop a CRLF
                    if (crlf < 0) {
                        return b;
                    }
                    out.write(b, 0, crlf);
                    out.write(b, crlf + 2, b.length - crlf - 2);
                }
                case 6 -> { // CRLF to a bare LF
                    if (crlf < 0) {
                        return b;
                    }
                    out.write(b, 0, crlf);
                    out.write(b, crlf + 1, b.length - crlf - 1);
                }
                case 7 -> { // insert a CRLF
                    out.write(b, 0, at);
                    out.writeBytes(new byte[] {'\r', '\n'});
                    out.write(b, at, b.length - at);
                }
                case 8 -> { // truncate
                    return Arrays.copyOf(b, at);
                }
                case 9 -> { // duplicate a slice
                    int length = r.nextInt(Math.max(1, Math.min(40, b.length - at)));
                    out.write(b, 0, at + length);
                    out.write(b, at, b.length - at);
                }
                default -> { // replace a digit run's digit (lengths and chunk sizes)
                    int d = -1;
                    for (int i = 0; i < b.length; i++) {
                        int k = (at + i) % b.length;
                        if (b[k] >= '0' && b[k] <= '9') {
                            d = k;
                            break;
                        }
                    }
                    if (d < 0) {
                        return b;
                    }
                    b = b.clone();
                    b[d] = (byte) ('0' + r.nextInt(10));
                    return b;
                }
            }
            return out.toByteArray();
        }

        /** The index of a CRLF at or after {@code from} (wrapping), or -1. */
        private static int find(byte[] b, int from) {
            for (int i = 0; i < b.length; i++) {
                int k = (from + i) % b.length;
                if (k + 1 < b.length && b[k] == '\r' && b[k + 1] == '\n') {
                    return k;
                }
            }
            return -1;
        }
    }

    /** Bytes as a Java string literal's contents: printable ASCII as is, the rest escaped. */
    static String escape(byte[] bytes, int max) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(bytes.length, max); i++) {
            int b = bytes[i] & 0xff;
            switch (b) {
                case '\r' -> sb.append("\\r");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                default -> {
                    if (b >= 0x20 && b < 0x7f) {
                        sb.append((char) b);
                    } else {
                        sb.append(String.format("\\u%04x", b));
                    }
                }
            }
        }
        if (bytes.length > max) {
            sb.append("...(").append(bytes.length - max).append(" more bytes)");
        }
        return sb.toString();
    }
}
