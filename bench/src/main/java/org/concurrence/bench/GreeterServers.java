package org.concurrence.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * What the greeter servers of {@code bench greeter} share: the reply bytes (the same as
 * {@code org.concurrence.examples.Greeter}'s, so every raw server sends identical bytes), the scan for the end of a
 * request head and the keep-alive decision, and the little protocol by which a server child JVM talks to
 * {@link GreeterBench}.
 *
 * <p>The protocol: the child prints {@code READY port=<port> pid=<pid>} on standard output once it listens, then reads
 * commands on standard input: {@code heap} makes it run a full GC and print {@code HEAP used=<bytes>}; end of input
 * (the parent gone) makes it exit.
 */
final class GreeterServers {
    /** The body every server answers with. */
    static final String BODY = "Hello World!";
    static final byte[] KEEP_ALIVE = response("keep-alive");
    static final byte[] CLOSE = response("close");

    private GreeterServers() {}

    private static byte[] response(String connection) {
        return ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 12\r\nConnection: " + connection
                + "\r\n\r\n" + BODY).getBytes(StandardCharsets.US_ASCII);
    }

    /** The index just past "\r\n\r\n" in {@code buf[from, limit)}, or -1. */
    static int headEnd(byte[] buf, int from, int limit) {
        for (int i = Math.max(0, from); i + 3 < limit; i++) {
            if (buf[i + 3] == '\n' && buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r') {
                return i + 4;
            }
        }
        return -1;
    }

    /**
     * True if the request head in {@code buf[start, end)} asks to close after the reply: {@code Connection: close}, or
     * HTTP/1.0 without {@code Connection: keep-alive}. The same rule as the examples' Greeter.
     */
    static boolean wantsClose(byte[] buf, int start, int end) {
        String head = new String(buf, start, end - start, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
        boolean http10 = head.startsWith("http/1.0", head.indexOf(' ', head.indexOf(' ') + 1) + 1);
        return head.contains("\r\nconnection: close") || (http10 && !head.contains("\r\nconnection: keep-alive"));
    }

    /** The port argument of a server main: {@code --port=N} (0, any free port, by default). */
    static int port(String[] args) {
        for (String a : args) {
            if (a.startsWith("--port=")) {
                return Integer.parseInt(a.substring("--port=".length()));
            }
        }
        return 0;
    }

    /** An integer option {@code --name=N} of a server main, or {@code otherwise}. */
    static int intOption(String[] args, String name, int otherwise) {
        for (String a : args) {
            if (a.startsWith("--" + name + "=")) {
                return Integer.parseInt(a.substring(name.length() + 3));
            }
        }
        return otherwise;
    }

    static boolean flag(String[] args, String name) {
        for (String a : args) {
            if (a.equals("--" + name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Tells the parent the server listens on {@code port}, then serves its commands on this (the main) thread until
     * standard input ends, and exits the JVM.
     */
    static void readyAndServeCommands(int port) throws IOException {
        System.out.println("READY port=" + port + " pid=" + ProcessHandle.current().pid());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.strip().equals("heap")) {
                System.out.println("HEAP used=" + usedHeapAfterGc());
                System.out.flush();
            }
        }
        System.exit(0);
    }

    /** The used heap after full GCs, in bytes. */
    static long usedHeapAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            used = Math.min(used, heap.getUsed());
        }
        return used;
    }
}
