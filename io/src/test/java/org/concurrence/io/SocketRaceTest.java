package org.concurrence.io;

import static org.concurrence.io.Loopback.PATIENCE;
import static org.concurrence.io.Loopback.anyPort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.Tasklet;
import org.concurrence.core.Timeout;
import org.junit.jupiter.api.Test;

/**
 * Closes from another dispatcher racing with the owner's waits and with its loop's handling of readiness: the
 * interleavings are drawn at random, many times over.
 */
@org.junit.jupiter.api.Timeout(120)
class SocketRaceTest {
    private static final int ROUNDS = 1_000;

    @Test
    void aCloseFromAnotherDispatcherJustAsAReadBeginsAlwaysWakesTheReader() {
        Loopback.run(() -> {
            Dispatcher home = Dispatcher.current();
            Dispatcher other = home.group().dispatcher(1);
            SplittableRandom random = new SplittableRandom(42);
            int wokenByClose = 0;
            try (ServerSocket listener = ServerSocket.bind(anyPort()); Timeout _ = Timeout.after(Duration.ofSeconds(100))) {
                for (int round = 0; round < ROUNDS; round++) {
                    Socket client = Socket.connect(listener.localAddress(), PATIENCE);
                    try (var _ = listener.accept(PATIENCE)) {
                        AtomicBoolean go = new AtomicBoolean();
                        int spins = random.nextInt(3_000);
                        Tasklet<Void> closer = Tasklet.builder().on(other).spawn(() -> {
                            while (!go.get()) {
                                Thread.onSpinWait();
                            }
                            for (int i = 0; i < spins; i++) {
                                Thread.onSpinWait();
                            }
                            client.close();
                            return null;
                        });
                        Tasklet<String> reader = Tasklet.spawn(() -> {
                            go.set(true);
                            try {
                                client.read(ByteBuffer.allocate(1), Duration.ofSeconds(5));
                                return "read";
                            } catch (ClosedChannelException closed) { // ClosedWhileWaiting, or closed before
                                return "closed";
                            } catch (DeadlineExceededException lost) {
                                return "timed out: the close never woke the reader";
                            }
                        });
                        closer.join();
                        String outcome = reader.join();
                        assertEquals("closed", outcome, "round " + round + " (" + spins + " spins)");
                        wokenByClose++;
                    }
                }
            }
            assertEquals(ROUNDS, wokenByClose);
            return null;
        });
    }

    @Test
    void closesFromAnotherDispatcherWhileTheOwnersLoopHandlesReadinessNeverStopTheLoop() {
        Loopback.run(() -> {
            Dispatcher home = Dispatcher.current();
            Dispatcher other = home.group().dispatcher(1);
            try (ServerSocket listener = ServerSocket.bind(anyPort()); Timeout _ = Timeout.after(Duration.ofSeconds(100))) {
                for (int round = 0; round < 60; round++) {
                    List<Socket> clients = new ArrayList<>();
                    List<Socket> servers = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        Socket client = Socket.connect(listener.localAddress(), PATIENCE);
                        clients.add(client);
                        servers.add(listener.accept(PATIENCE));
                        // Registered here with read interest, and nobody waiting: readiness makes the loop drop it.
                        try {
                            client.read(ByteBuffer.allocate(1), Duration.ofNanos(1));
                        } catch (DeadlineExceededException expected) {
                            // as intended
                        }
                    }
                    AtomicBoolean go = new AtomicBoolean();
                    Tasklet<Void> closer = Tasklet.builder().on(other).spawn(() -> {
                        while (!go.get()) {
                            Thread.onSpinWait();
                        }
                        for (Socket client : clients) {
                            client.close();
                        }
                        return null;
                    });
                    for (Socket server : servers) {
                        server.write(ByteBuffer.wrap(new byte[] {1}));
                    }
                    go.set(true);
                    for (int i = 0; i < 50; i++) {
                        Tasklet.yield(); // let this loop poll while the other dispatcher closes
                    }
                    closer.join();
                    for (Socket server : servers) {
                        server.close();
                    }
                }
                // The loop is alive: a fresh connection on this dispatcher still gets its data.
                try (Socket client = Socket.connect(listener.localAddress(), PATIENCE);
                     Socket accepted = listener.accept(PATIENCE)) {
                    accepted.write(ByteBuffer.wrap(new byte[] {7}));
                    ByteBuffer one = ByteBuffer.allocate(1);
                    assertEquals(1, client.read(one, PATIENCE));
                    assertEquals(7, one.get(0));
                }
            }
            assertTrue(home.taskletCount() > 0);
            return null;
        });
    }

}
