package org.concurrence.io;

import static org.concurrence.io.Loopback.pattern;
import static org.concurrence.io.Loopback.roundTrip;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.concurrence.core.Blocking;
import org.concurrence.core.Concurrence;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.DispatcherGroup;
import org.concurrence.core.Outcome;
import org.concurrence.core.Tasklet;
import org.concurrence.core.Timeout;
import org.concurrence.sync.Event;
import org.concurrence.sync.Semaphore;

/**
 * The client side of {@link SocketLoadTest}, run in a process of its own so that each process holds only one end of
 * every connection: {@code LoadClients <host> <port> <clients> <message bytes>}.
 *
 * <p>Connects every client, prints {@code connected N}, waits for a line on standard input, then has every client
 * send its own pattern and check that every byte comes back, and prints {@code verified N}. Any failure is printed and
 * the exit code is 1.
 */
public final class LoadClients {
    private LoadClients() {}

    public static void main(String[] args) {
        var address = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        int clients = Integer.parseInt(args[2]);
        int message = Integer.parseInt(args[3]);
        var options = Concurrence.Options.defaults().withDispatchers(2).withName("clients");
        try {
            Concurrence.run(options, () -> {
                runClients(address, clients, message);
                return null;
            });
        } catch (Throwable e) {
            System.out.println("failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private static void runClients(InetSocketAddress address, int clients, int message) throws Exception {
        DispatcherGroup group = Dispatcher.current().group();
        Semaphore connecting = new Semaphore("connecting", 256); // stay within the server's listen backlog
        Event go = new Event("go");
        AtomicInteger connected = new AtomicInteger();
        List<Tasklet<Void>> tasklets = new ArrayList<>(clients);
        try (Timeout _ = Timeout.after(Duration.ofSeconds(200))) {
            for (int c = 0; c < clients; c++) {
                int id = c;
                tasklets.add(Tasklet.builder().name("client-" + c).on(group.next()).spawn(() -> {
                    try {
                        client(address, id, message, connecting, go, () -> {
                            if (connected.incrementAndGet() == clients) {
                                report("connected " + clients);
                            }
                        });
                    } catch (Exception | Error e) {
                        report("failed: client " + id + ": " + e);
                        throw e;
                    }
                    return null;
                }));
            }
            var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
            String line = Blocking.call(in::readLine);
            if (line == null) {
                throw new IllegalStateException("standard input closed before the go");
            }
            go.set();
            Tasklet.joinAll(tasklets).forEach(Outcome::get);
        }
        report("verified " + clients);
    }

    private static void client(InetSocketAddress address, int id, int message, Semaphore connecting, Event go,
                               Runnable onConnected) throws java.io.IOException {
        Socket socket;
        connecting.acquire();
        try {
            socket = Socket.connect(address);
        } finally {
            connecting.release();
        }
        try (socket) {
            onConnected.run();
            go.await();
            roundTrip(socket, pattern(id, message));
        }
    }

    private static synchronized void report(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
