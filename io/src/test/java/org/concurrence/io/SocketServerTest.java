package org.concurrence.io;

import static org.concurrence.io.Loopback.PATIENCE;
import static org.concurrence.io.Loopback.anyPort;
import static org.concurrence.io.Loopback.assertEndOfStream;
import static org.concurrence.io.Loopback.pattern;
import static org.concurrence.io.Loopback.readFully;
import static org.concurrence.io.Loopback.roundTrip;
import static org.concurrence.io.Loopback.writeAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.Outcome;
import org.concurrence.core.Tasklet;
import org.concurrence.core.TaskletExit;
import org.concurrence.core.Timeout;
import org.concurrence.sync.Event;
import org.junit.jupiter.api.Test;

/** The server that runs a tasklet per connection: limits, stopping, failures, and clients that misbehave. */
@org.junit.jupiter.api.Timeout(120)
class SocketServerTest {

    private static SocketServer echoServer(SocketServer.Options options) throws IOException {
        return SocketServer.start(Dispatcher.current().group(), anyPort(), options, Loopback::echo);
    }

    @Test
    void theConnectionBeyondTheLimitIsServedOnlyOnceAnotherLeaves() {
        Loopback.run(() -> {
            // One listener per dispatcher: a permit must never sit with an idle acceptor while another has a client.
            try (SocketServer server = echoServer(SocketServer.Options.defaults().withMaxConnections(2));
                 Timeout _ = Timeout.after(PATIENCE)) {
                List<Socket> served = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    Socket client = Socket.connect(server.address());
                    roundTrip(client, ("client " + i).getBytes());
                    served.add(client);
                }
                Socket third = Socket.connect(server.address()); // the kernel completes it: it waits in the backlog
                writeAll(third, "third".getBytes());
                assertThrows(DeadlineExceededException.class,
                        () -> third.read(ByteBuffer.allocate(5), Duration.ofMillis(200)),
                        "the third client is not served while two are");
                assertEquals(2, server.connectionCount());
                served.get(0).close();
                assertArrayEquals("third".getBytes(), readFully(third, 5));
                roundTrip(served.get(1), "still served".getBytes());
                third.close();
                served.get(1).close();
            }
            return null;
        });
    }

    @Test
    void aLimitOfOneServesClientsOneAfterAnotherOnEveryListener() {
        Loopback.run(() -> {
            try (SocketServer server = echoServer(SocketServer.Options.defaults().withMaxConnections(1));
                 Timeout _ = Timeout.after(PATIENCE)) {
                for (int i = 0; i < 40; i++) { // the kernel spreads these over both listeners
                    try (Socket client = Socket.connect(server.address())) {
                        roundTrip(client, ("client " + i).getBytes());
                    }
                }
            }
            return null;
        });
    }

    @Test
    void stopLetsHandlersFinishWithinTheGraceThenKillsTheRest() {
        Loopback.run(() -> {
            Event stopping = new Event("stopping");
            AtomicInteger finished = new AtomicInteger();
            AtomicInteger killed = new AtomicInteger();
            SocketServer server = SocketServer.start(Dispatcher.current().group(), anyPort(),
                    SocketServer.Options.defaults(), connection -> {
                        try {
                            Loopback.echo(connection);
                            finished.incrementAndGet();
                        } catch (TaskletExit exit) {
                            killed.incrementAndGet();
                            throw exit;
                        }
                    });
            try (Timeout _ = Timeout.after(PATIENCE)) {
                Socket polite = Socket.connect(server.address());
                Socket stubborn = Socket.connect(server.address());
                roundTrip(polite, "a".getBytes());
                roundTrip(stubborn, "b".getBytes());
                Tasklet<Void> leaver = Tasklet.spawn(() -> {
                    stopping.await();
                    polite.close(); // within the grace: its handler reads the end and returns
                    return null;
                });
                stopping.set(); // the leaver runs once stop() blocks this tasklet
                server.stop(Duration.ofMillis(500));
                leaver.join();
                assertEquals(1, finished.get(), "the polite handler finished by itself");
                assertEquals(1, killed.get(), "the stubborn handler was killed after the grace");
                assertEquals(0, server.connectionCount(), "stop returns once the handlers have ended");
                assertEndOfStream(stubborn); // its connection was closed
                stubborn.close();
                assertThrows(ConnectException.class, () -> Socket.connect(server.address()));
            }
            return null;
        });
    }

    @Test
    void aHandlerThatThrowsClosesOnlyItsOwnConnection() {
        Loopback.run(() -> {
            try (SocketServer server = SocketServer.start(Dispatcher.current().group(), anyPort(),
                    SocketServer.Options.defaults(), connection -> {
                        ByteBuffer first = ByteBuffer.allocate(1);
                        connection.read(first);
                        if (first.get(0) == 'X') {
                            throw new IllegalStateException("this handler fails on purpose (a test)");
                        }
                        connection.write(first.flip());
                        Loopback.echo(connection);
                    });
                 Timeout _ = Timeout.after(PATIENCE);
                 Socket before = Socket.connect(server.address())) {
                roundTrip(before, "ok".getBytes());
                for (int i = 0; i < 5; i++) {
                    try (Socket failing = Socket.connect(server.address())) {
                        writeAll(failing, "X".getBytes());
                        assertEndOfStream(failing);
                    }
                }
                roundTrip(before, "still ok".getBytes());
                try (Socket after = Socket.connect(server.address())) {
                    roundTrip(after, "new ok".getBytes());
                }
            }
            return null;
        });
    }

    @Test
    void slowClientsSendingAByteAtATimeDoNotStallOthers() {
        Loopback.run(() -> {
            Event fastDone = new Event("fast clients done");
            try (SocketServer server = echoServer(SocketServer.Options.defaults());
                 Timeout _ = Timeout.after(PATIENCE)) {
                List<Tasklet<Void>> slow = new ArrayList<>();
                AtomicInteger halfway = new AtomicInteger();
                for (int c = 0; c < 20; c++) {
                    byte[] message = pattern(100 + c, 64);
                    slow.add(Tasklet.spawn(() -> {
                        try (Socket client = Socket.connect(server.address())) {
                            for (int i = 0; i < message.length; i++) {
                                if (i == message.length / 2) {
                                    halfway.incrementAndGet();
                                    fastDone.await(); // stalled mid-message while the fast clients run
                                }
                                client.write(ByteBuffer.wrap(message, i, 1));
                                assertEquals(message[i], readFully(client, 1)[0]);
                            }
                        }
                        return null;
                    }));
                }
                Loopback.awaitCondition("every slow client halfway", () -> halfway.get() == 20);
                List<Tasklet<Void>> fast = new ArrayList<>();
                for (int c = 0; c < 20; c++) {
                    byte[] message = pattern(200 + c, 10_000);
                    fast.add(Tasklet.spawn(() -> {
                        try (Socket client = Socket.connect(server.address())) {
                            for (int round = 0; round < 20; round++) {
                                roundTrip(client, message);
                            }
                        }
                        return null;
                    }));
                }
                Tasklet.joinAll(fast).forEach(Outcome::get);
                fastDone.set();
                Tasklet.joinAll(slow).forEach(Outcome::get);
            }
            return null;
        });
    }

    @Test
    void clientsThatResetOrVanishNeverStallTheServerForOthers() {
        Loopback.run(() -> {
            try (SocketServer server = echoServer(SocketServer.Options.defaults());
                 Timeout _ = Timeout.after(PATIENCE)) {
                List<Socket> halfOpen = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    // Half a message, then silence: the handler waits for the rest, forever.
                    Socket idle = Socket.connect(server.address());
                    writeAll(idle, "half a mess".getBytes());
                    halfOpen.add(idle);
                }
                List<Tasklet<Void>> clients = new ArrayList<>();
                for (int c = 0; c < 300; c++) {
                    int kind = c % 3;
                    byte[] message = pattern(c, 30_000);
                    clients.add(Tasklet.spawn(() -> {
                        Socket client = Socket.connect(server.address());
                        switch (kind) {
                            case 0 -> { // a normal client: every byte must come back
                                roundTrip(client, message);
                                client.close();
                            }
                            case 1 -> { // sends, then resets without reading the echo
                                writeAll(client, message);
                                client.setOption(StandardSocketOptions.SO_LINGER, 0);
                                client.close();
                            }
                            default -> { // resets at once, perhaps before the server even accepted it
                                client.setOption(StandardSocketOptions.SO_LINGER, 0);
                                client.close();
                            }
                        }
                        return null;
                    }));
                }
                Tasklet.joinAll(clients).forEach(Outcome::get);
                Loopback.awaitCondition("only the half-open connections left (" + server.connectionCount() + ")",
                        () -> server.connectionCount() == halfOpen.size());
                try (Socket late = Socket.connect(server.address())) {
                    roundTrip(late, "the server still serves".getBytes());
                }
                for (Socket idle : halfOpen) {
                    idle.close();
                }
                Loopback.awaitCondition("every connection ended", () -> server.connectionCount() == 0);
            }
            return null;
        });
    }

    @Test
    void aServerStoppedFromOneOfItsOwnHandlersStopsWithoutWaitingForThatHandler() {
        Loopback.run(() -> {
            AtomicBoolean handlerEnded = new AtomicBoolean();
            SocketServer[] server = new SocketServer[1];
            server[0] = SocketServer.start(Dispatcher.current().group(), anyPort(),
                    SocketServer.Options.defaults(), connection -> {
                        server[0].stop(Duration.ofSeconds(30)); // must not wait 30 s for itself
                        connection.write(ByteBuffer.wrap("bye".getBytes()));
                        handlerEnded.set(true);
                    });
            try (Timeout _ = Timeout.after(PATIENCE); Socket client = Socket.connect(server[0].address())) {
                assertArrayEquals("bye".getBytes(), readFully(client, 3));
                assertEndOfStream(client);
                Loopback.awaitCondition("the handler ended", handlerEnded::get);
            }
            return null;
        });
    }
}
