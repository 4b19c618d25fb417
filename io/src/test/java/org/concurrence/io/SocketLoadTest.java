package org.concurrence.io;

import static org.concurrence.io.Loopback.anyPort;
import static org.concurrence.io.Loopback.pattern;
import static org.concurrence.io.Loopback.roundTrip;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.concurrence.core.Blocking;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.DispatcherGroup;
import org.concurrence.core.Outcome;
import org.concurrence.core.Tasklet;
import org.concurrence.core.Timeout;
import org.concurrence.sync.Event;
import org.concurrence.sync.Semaphore;
import org.junit.jupiter.api.Test;

/**
 * Thousands of clients connected at once to one echo server: ten thousand from another process (so each process
 * holds one end of every connection), and as many as the descriptor limit allows with both ends in this process, on
 * the same two dispatchers.
 */
@org.junit.jupiter.api.Timeout(300)
class SocketLoadTest {
    private static final int CLIENTS = 10_000;
    private static final int IN_PROCESS_CLIENTS = 4_000;
    private static final int MESSAGE = 1_024;
    /** Descriptors for everything but the connections: the JVM's jars, selectors, surefire's pipes. */
    private static final int SPARE_DESCRIPTORS = 1_000;

    @Test
    void tenThousandClientsOfAnotherProcessConnectedAtOnceEachGetEveryByteBack() {
        long needed = CLIENTS + SPARE_DESCRIPTORS + FileDescriptors.open();
        long limit = FileDescriptors.raiseTo(needed);
        int clients = limit >= needed ? CLIENTS : (int) (limit - SPARE_DESCRIPTORS - FileDescriptors.open());
        if (clients < CLIENTS) {
            System.err.println("SocketLoadTest: the file-descriptor limit is " + limit + "; running " + clients
                    + " clients instead of " + CLIENTS);
        }
        Loopback.run(() -> {
            DispatcherGroup group = Dispatcher.current().group();
            SocketServer.Options options = SocketServer.Options.defaults().withBacklog(4096);
            try (SocketServer server = SocketServer.start(group, anyPort(), options, Loopback::echo);
                 Timeout _ = Timeout.after(Duration.ofSeconds(240));
                 ClientProcess process = ClientProcess.start(server.port(), clients, MESSAGE)) {
                process.expect("connected " + clients);
                Loopback.awaitCondition("the server to hold " + clients + " connections (now "
                        + server.connectionCount() + ")", () -> server.connectionCount() == clients);
                process.send("go");
                process.expect("verified " + clients);
                assertEquals(0, process.exitCode());
                Loopback.awaitCondition("every connection ended", () -> server.connectionCount() == 0);
            }
            return null;
        });
    }

    @Test
    void thousandsOfClientsOfThisProcessConnectedAtOnceEachGetEveryByteBack() {
        int clients = affordableInProcess();
        Loopback.run(() -> {
            DispatcherGroup group = Dispatcher.current().group();
            SocketServer.Options options = SocketServer.Options.defaults().withBacklog(4096);
            try (SocketServer server = SocketServer.start(group, anyPort(), options, Loopback::echo);
                 Timeout _ = Timeout.after(Duration.ofSeconds(240))) {
                Semaphore connecting = new Semaphore("connecting", 256); // stay within the listen backlogs
                Event allConnected = new Event("all connected");
                AtomicInteger connected = new AtomicInteger();
                List<Tasklet<Void>> tasklets = new ArrayList<>(clients);
                for (int c = 0; c < clients; c++) {
                    int id = c;
                    tasklets.add(Tasklet.builder().name("client-" + c).on(group.next()).spawn(() -> {
                        Socket socket;
                        connecting.acquire();
                        try {
                            socket = Socket.connect(server.address());
                        } finally {
                            connecting.release();
                        }
                        try (socket) {
                            connected.incrementAndGet();
                            allConnected.await();
                            roundTrip(socket, pattern(id, MESSAGE));
                        }
                        return null;
                    }));
                }
                Loopback.awaitCondition(clients + " clients connected and served (now " + connected.get() + " and "
                        + server.connectionCount() + ")",
                        () -> connected.get() == clients && server.connectionCount() == clients);
                allConnected.set();
                Tasklet.joinAll(tasklets).forEach(Outcome::get);
                Loopback.awaitCondition("every connection ended", () -> server.connectionCount() == 0);
            }
            return null;
        });
    }

    /** {@link #IN_PROCESS_CLIENTS}, or as many as this process can hold both ends of (said on stderr when fewer). */
    private static int affordableInProcess() {
        long needed = 2L * IN_PROCESS_CLIENTS + SPARE_DESCRIPTORS + FileDescriptors.open();
        long limit = FileDescriptors.raiseTo(needed);
        if (limit >= needed) {
            return IN_PROCESS_CLIENTS;
        }
        int affordable = (int) Math.max(100, (limit - SPARE_DESCRIPTORS - FileDescriptors.open()) / 2);
        System.err.println("SocketLoadTest: the file-descriptor limit is " + limit + "; running " + affordable
                + " clients in this process instead of " + IN_PROCESS_CLIENTS);
        return affordable;
    }

    /** {@link LoadClients} in a JVM of its own, spoken to by lines; waits happen on the blocking-work pool. */
    private record ClientProcess(Process process, BufferedReader out, Writer in) implements AutoCloseable {
        static ClientProcess start(int port, int clients, int message) throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> command = new ArrayList<>(List.of(java, "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                    "-XX:+UseCompactObjectHeaders", "-Djdk.trackAllThreads=false",
                    "-cp", System.getProperty("java.class.path"), LoadClients.class.getName(),
                    "127.0.0.1", Integer.toString(port), Integer.toString(clients), Integer.toString(message)));
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            return new ClientProcess(process,
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII)),
                    new OutputStreamWriter(process.getOutputStream(), StandardCharsets.US_ASCII));
        }

        /** Waits, under the current deadline, for the next line, which must be {@code expected}. */
        void expect(String expected) throws IOException {
            String line = Blocking.call(out::readLine);
            assertEquals(expected, line, "the client process said");
        }

        void send(String line) throws IOException {
            Blocking.call(() -> {
                in.write(line + "\n");
                in.flush();
                return null;
            });
        }

        int exitCode() throws InterruptedException {
            return Blocking.call(process::waitFor);
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }
}
