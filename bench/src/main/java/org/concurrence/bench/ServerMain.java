package org.concurrence.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;

/**
 * What every server main run as a child JVM by a load benchmark ({@code bench greeter}, {@code bench http}) shares:
 * its arguments and the little protocol by which it talks to the parent's {@link ServerChild}.
 *
 * <p>The protocol: the child prints {@code READY port=<port> pid=<pid>} on standard output once it listens, then reads
 * commands on standard input: {@code heap} makes it run a full GC and print {@code HEAP used=<bytes>}; end of input
 * (the parent gone) makes it exit.
 */
final class ServerMain {
    private ServerMain() {}

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

    /** A string option {@code --name=value} of a server main, or {@code otherwise}. */
    static String option(String[] args, String name, String otherwise) {
        for (String a : args) {
            if (a.startsWith("--" + name + "=")) {
                return a.substring(name.length() + 3);
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
