package org.concurrence.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.concurrence.http.server.HttpServerOptions;

/**
 * Heap per idle connection, TLS against plain: {@code bench tls-idle [--idle=N] [--modes=https,http,tls-echo,tcp-echo]}.
 *
 * <p>The approach of {@code bench greeter}'s memory probe: each server ({@link IdleTlsServer}) runs in a child JVM on
 * one dispatcher; this JVM opens {@code N} connections (2,000 by default) that each make one exchange — an HTTP
 * request on keep-alive, or one echoed line; with TLS, after the handshake (TLS 1.3, the JDK's defaults on both sides)
 * — and then stay open and silent. The figure is the child's used heap after full GCs with them open, less the same
 * before, divided by {@code N}. Before the "before" reading, {@value #WARM_UP} connections are opened and kept and make
 * {@value #WARM_UP_ROUNDS} exchanges each, then {@code --churn} connections (10,000 by default) are opened, make one
 * exchange and are closed, so the paths are compiled and pools filled as in a server that has run a while. The churn
 * matters: a parked tasklet's stack chunk holds its frames as they were when each method was entered, and a
 * connection's outermost frames (its handler's loop) are entered once per connection — with few connections before
 * the measure they stay interpreted or C1-compiled, which are far larger (an idle HTTP connection's stack measured
 * 3.5 KB with no warm-up, 2.1 KB after the 10,000 exchanges on 200 connections alone, 1.1 KB after 30,000 connections). A class histogram of the child
 * ({@code jcmd GC.class_histogram}) before and after gives the growth per connection by class: the SSLEngine's share
 * is in the {@code sun.security.ssl} and cipher classes, the record buffers in {@code byte[]} and
 * {@code HeapByteBuffer}.
 *
 * <p>The clients are the JDK's blocking {@link SSLSocket}s trusting a self-signed certificate made by {@code keytool}
 * for the run ({@link BenchCertificate}). Not part of {@code bench all}: it measures memory only.
 */
public final class IdleTlsMemory {
    static final String USAGE = """
            bench tls-idle [--idle=N] [--churn=N] [--rest-after=MS] [--modes=LIST]
              heap per idle connection after full GC, TLS against plain, one dispatcher
              --idle=N            idle connections (default 2000)
              --churn=N           connections opened, used once and closed before measuring (default 10000)
              --rest-after=MS     the HTTP server's restAfter (default: its default; 0: never rest)
              --modes=LIST        of https,http,tls-echo,tcp-echo,ws,wss (default all)
            """;
    private static final int WARM_UP = 200;
    private static final int WARM_UP_ROUNDS = 50;
    private static final List<String> MODES = List.of("https", "http", "tls-echo", "tcp-echo", "ws", "wss");
    /** A masked text frame "ping" (key 1 2 3 4), and the server's unmasked echo of it. */
    private static final byte[] PING_FRAME = {(byte) 0x81, (byte) 0x84, 1, 2, 3, 4, 'p' ^ 1, 'i' ^ 2, 'n' ^ 3, 'g' ^ 4};
    private static final String PING_ECHO = "\u0081\u0004ping";

    private IdleTlsMemory() {}

    public static void main(String[] args) throws Exception {
        int count = 2000;
        int churn = 10_000;
        Duration restAfter = HttpServerOptions.defaults().restAfter();
        List<String> modes = MODES;
        for (String a : args) {
            if (a.startsWith("--idle=")) {
                count = Integer.parseInt(a.substring("--idle=".length()));
            } else if (a.startsWith("--rest-after=")) {
                restAfter = Duration.ofMillis(Long.parseLong(a.substring("--rest-after=".length())));
            } else if (a.startsWith("--churn=")) {
                churn = Integer.parseInt(a.substring("--churn=".length()));
            } else if (a.startsWith("--modes=")) {
                modes = List.of(a.substring("--modes=".length()).split(","));
            } else {
                throw new IllegalArgumentException("usage: bench tls-idle [--idle=N] [--churn=N] [--rest-after=MS]"
                        + " [--modes=" + String.join(",", MODES) + "]; unknown " + a);
            }
        }
        Path directory = Files.createTempDirectory("concurrence-tls-idle");
        Path keystore = directory.resolve("server.p12");
        try {
            BenchCertificate.generate(keystore);
            SSLContext client = BenchCertificate.clientContext(BenchCertificate.load(keystore));
            System.out.printf("heap per idle connection, %,d connections, one dispatcher (heap after full GC; %,d"
                    + " connections used and closed before)%n", count, churn);
            for (String mode : modes) {
                measure(mode, count, churn, restAfter, keystore, client);
            }
        } finally {
            Files.deleteIfExists(keystore);
            Files.deleteIfExists(directory);
        }
    }

    private static void measure(String mode, int count, int churn, Duration restAfter, Path keystore,
            SSLContext context) throws Exception {
        boolean tls = mode.equals("https") || mode.equals("tls-echo") || mode.equals("wss");
        Protocol protocol = switch (mode) {
            case "https", "http" -> Protocol.HTTP;
            case "ws", "wss" -> Protocol.WEBSOCKET;
            default -> Protocol.LINES;
        };
        SocketFactory factory = tls ? context.getSocketFactory() : SocketFactory.getDefault();
        try (ServerChild child = ServerChild.start(mode, mode, "0-" + (Runtime.getRuntime().availableProcessors()
                - 1), List.of("-Xmx2g"), IdleTlsServer.class, List.of("--mode=" + mode, "--keystore=" + keystore,
                "--rest-after=" + restAfter.toMillis()))) {
            List<Socket> open = new ArrayList<>();
            try {
                open(open, WARM_UP, factory, child.port, protocol);
                for (int round = 0; round < WARM_UP_ROUNDS; round++) {
                    for (Socket s : open) {
                        exchange(s, protocol);
                    }
                }
                for (int i = 0; i < churn; i++) {
                    List<Socket> once = new ArrayList<>(1);
                    open(once, 1, factory, child.port, protocol);
                    once.getFirst().close();
                }
                Thread.sleep(500);
                Map<String, long[]> histogramBefore = child.classHistogram();
                long before = child.heapAfterGc();
                open(open, count, factory, child.port, protocol);
                Thread.sleep(restAfter.toMillis() + 1000); // by then the idle HTTP connections rest (unless 0: never)
                long after = child.heapAfterGc();
                Map<String, long[]> histogramAfter = child.classHistogram();
                System.out.printf(Locale.ROOT, "%-9s %,8.0f B per idle connection%n", mode,
                        (double) (after - before) / count);
                System.out.println("          by class (growth per connection): " + growth(histogramBefore,
                        histogramAfter, count));
            } finally {
                for (Socket s : open) {
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // Closing is all that is left to do.
                    }
                }
            }
        }
    }

    /** What the clients speak: HTTP requests, WebSocket messages (after the handshake), or echoed lines. */
    private enum Protocol { HTTP, WEBSOCKET, LINES }

    /** Opens {@code count} connections, each making one exchange and then staying open. */
    private static void open(List<Socket> open, int count, SocketFactory factory, int port, Protocol protocol)
            throws IOException {
        for (int i = 0; i < count; i++) {
            Socket socket = factory.createSocket("127.0.0.1", port);
            open.add(socket);
            if (socket instanceof SSLSocket ssl) {
                ssl.startHandshake();
            }
            if (protocol == Protocol.WEBSOCKET) {
                roundTrip(socket, ("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII), "\r\n\r\n");
            }
            exchange(socket, protocol);
        }
    }

    /** One request and its answer, one echoed message, or one echoed line. */
    private static void exchange(Socket socket, Protocol protocol) throws IOException {
        switch (protocol) {
            case HTTP -> roundTrip(socket, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII), IdleTlsServer.BODY);
            case WEBSOCKET -> roundTrip(socket, PING_FRAME, PING_ECHO);
            case LINES -> roundTrip(socket, "ping\n".getBytes(StandardCharsets.US_ASCII), "ping\n");
        }
    }

    /** Writes {@code request} and reads until what arrived ends with {@code end} (read as ISO-8859-1). */
    private static void roundTrip(Socket socket, byte[] request, String end) throws IOException {
        byte[] reply = new byte[4096];
        OutputStream out = socket.getOutputStream();
        out.write(request);
        out.flush();
        InputStream in = socket.getInputStream();
        int got = 0;
        while (!new String(reply, 0, got, StandardCharsets.ISO_8859_1).endsWith(end)) {
            int n = in.read(reply, got, reply.length - got);
            if (n < 0) {
                throw new IOException("the server closed " + socket);
            }
            got += n;
        }
    }

    /** The classes whose live bytes grew most, per connection. */
    private static String growth(Map<String, long[]> before, Map<String, long[]> after, int count) {
        List<Map.Entry<String, long[]>> grown = new ArrayList<>();
        after.forEach((cls, v) -> {
            long[] b = before.getOrDefault(cls, new long[2]);
            grown.add(Map.entry(cls, new long[] {v[0] - b[0], v[1] - b[1]}));
        });
        grown.sort((x, y) -> Long.compare(y.getValue()[0], x.getValue()[0]));
        long total = 0;
        long ssl = 0;
        for (Map.Entry<String, long[]> e : grown) {
            total += e.getValue()[0];
            String c = e.getKey();
            if (c.startsWith("sun.security.") || c.startsWith("com.sun.crypto.") || c.startsWith("javax.crypto.")
                    || c.startsWith("javax.net.ssl.")) {
                ssl += e.getValue()[0];
            }
        }
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "total %.0f B; sun.security/crypto classes "
                + "%.0f B (the SSLEngine's objects, not counting its byte arrays)", (double) total / count,
                (double) ssl / count));
        for (Map.Entry<String, long[]> e : grown.subList(0, Math.min(14, grown.size()))) {
            String c = e.getKey();
            b.append(String.format(Locale.ROOT, "%n            %-60s %8.0f B %6.1f/conn",
                    c.startsWith("[") ? c : c.substring(c.lastIndexOf('.') + 1), (double) e.getValue()[0] / count,
                    (double) e.getValue()[1] / count));
        }
        return b.toString();
    }
}
