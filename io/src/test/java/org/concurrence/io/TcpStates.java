package org.concurrence.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The kernel's view of this machine's TCP sockets ({@code /proc/net/tcp} and {@code tcp6}), to check that a failed
 * connect left nothing behind.
 */
final class TcpStates {
    /** The state code of a socket that sent a SYN and waits for the answer. */
    static final String SYN_SENT = "02";

    private TcpStates() {}

    /** How many sockets in {@code state} have {@code remotePort} as their peer's port. */
    static long count(String state, int remotePort) {
        return lines().stream().filter(line -> matches(line, state, remotePort)).count();
    }

    private static boolean matches(String line, String state, int remotePort) {
        String[] fields = line.trim().split("\\s+");
        if (fields.length < 4 || !fields[0].endsWith(":")) {
            return false; // the header
        }
        String remote = fields[2];
        int port = Integer.parseInt(remote.substring(remote.indexOf(':') + 1), 16);
        return port == remotePort && fields[3].equals(state);
    }

    private static List<String> lines() {
        try {
            List<String> all = new java.util.ArrayList<>(Files.readAllLines(Path.of("/proc/net/tcp")));
            Path v6 = Path.of("/proc/net/tcp6");
            if (Files.exists(v6)) {
                all.addAll(Files.readAllLines(v6));
            }
            return all;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the kernel's TCP table", e);
        }
    }
}
