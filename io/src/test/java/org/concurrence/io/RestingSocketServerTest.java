package org.concurrence.io;

import static org.concurrence.io.Loopback.PATIENCE;
import static org.concurrence.io.Loopback.anyPort;
import static org.concurrence.io.Loopback.assertEndOfStream;
import static org.concurrence.io.Loopback.awaitCondition;
import static org.concurrence.io.Loopback.readFully;
import static org.concurrence.io.Loopback.roundTrip;
import static org.concurrence.io.Loopback.writeAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.Tasklet;
import org.concurrence.core.Timeout;
import org.junit.jupiter.api.Test;

/**
 * {@link SocketServer#resumeWhenReadable}: a handler that returns after asking to rest leaves its connection open with
 * no tasklet, and the next handler runs in a new tasklet when the client sends, closes, or the server stops. The
 * handlers here serve one message per tasklet and rest at once after it, so every message shows a rest and a resume.
 */
@org.junit.jupiter.api.Timeout(120)
class RestingSocketServerTest {
    private final List<Tasklet<?>> handlers = new CopyOnWriteArrayList<>();
    private final AtomicInteger resumptions = new AtomicInteger();
    private final AtomicReference<SocketServer> server = new AtomicReference<>();
    private final AtomicReference<Socket> serverSide = new AtomicReference<>();

    /** Echoes what one read brings, then rests with {@link #resumed} as the next handler; ends at end of stream. */
    private final SocketServer.Handler first = this::echoOnceAndRest;
    private final SocketServer.Handler resumed = socket -> {
        resumptions.incrementAndGet();
        echoOnceAndRest(socket);
    };

    private void echoOnceAndRest(Socket socket) throws IOException {
        handlers.add(Tasklet.current());
        serverSide.set(socket);
        ByteBuffer buffer = ByteBuffer.allocate(256);
        if (socket.read(buffer) < 0) {
            return; // the client closed: the connection ends
        }
        buffer.flip();
        socket.write(buffer);
        server.get().resumeWhenReadable(socket, resumed);
    }

    private SocketServer start() throws IOException {
        SocketServer s = SocketServer.start(Dispatcher.current().group(), anyPort(), SocketServer.Options.defaults(),
                first);
        server.set(s);
        return s;
    }

    private void awaitRest(SocketServer s) {
        Tasklet<?> last = handlers.getLast();
        awaitCondition("the handler's tasklet ends, the connection resting", () -> !last.isAlive());
        assertEquals(1, s.connectionCount(), "the resting connection still counts");
    }

    @Test
    void everyMessageIsServedByANewTaskletOnTheSameConnection() {
        Loopback.run(() -> {
            try (SocketServer s = start(); Socket client = Socket.connect(s.address());
                 Timeout _ = Timeout.after(PATIENCE)) {
                for (int i = 0; i < 5; i++) {
                    roundTrip(client, ("message " + i).getBytes(StandardCharsets.US_ASCII));
                    awaitRest(s);
                }
                assertEquals(5, handlers.stream().distinct().count());
                assertEquals(4, resumptions.get());
            }
            return null;
        });
    }

    @Test
    void aClientThatClosesWhileTheConnectionRestsEndsIt() {
        Loopback.run(() -> {
            try (SocketServer s = start(); Timeout _ = Timeout.after(PATIENCE)) {
                Socket client = Socket.connect(s.address());
                roundTrip(client, "hello".getBytes(StandardCharsets.US_ASCII));
                awaitRest(s);
                client.close();
                awaitCondition("the closed connection is no longer counted", () -> s.connectionCount() == 0);
                assertEquals(1, resumptions.get(), "the resumption ran and saw the end of the stream");
                assertFalse(serverSide.get().isOpen());
            }
            return null;
        });
    }

    @Test
    void aStopClosesRestingConnectionsAndWaitsForTheirResumptions() {
        Loopback.run(() -> {
            try (Socket client = Socket.connect(start().address()); Timeout _ = Timeout.after(PATIENCE)) {
                SocketServer s = server.get();
                roundTrip(client, "hello".getBytes(StandardCharsets.US_ASCII));
                awaitRest(s);
                s.stop(Duration.ofSeconds(5));
                assertEquals(0, s.connectionCount(), "nothing left when stop returns");
                assertEquals(1, resumptions.get(), "the resumption ran within the stop");
                assertEndOfStream(client);
            }
            return null;
        });
    }

    @Test
    void resumeNowTakesARestingConnectionUpBeforeTheClientSends() {
        Loopback.run(() -> {
            try (SocketServer s = SocketServer.start(Dispatcher.current().group(), anyPort(),
                    SocketServer.Options.defaults(), socket -> {
                        handlers.add(Tasklet.current());
                        serverSide.set(socket);
                        server.get().resumeWhenReadable(socket, woken -> {
                            resumptions.incrementAndGet();
                            writeAll(woken, "woken".getBytes(StandardCharsets.US_ASCII));
                        });
                    });
                 Timeout _ = Timeout.after(PATIENCE)) {
                server.set(s);
                Socket client = Socket.connect(s.address());
                awaitCondition("the first handler ran", () -> !handlers.isEmpty());
                awaitRest(s);
                s.resumeNow(serverSide.get());
                assertArrayEquals("woken".getBytes(StandardCharsets.US_ASCII), readFully(client, 5));
                assertEndOfStream(client); // the resumption returned without resting: the connection closed
                s.resumeNow(serverSide.get()); // no longer resting: nothing happens
                assertEquals(1, resumptions.get());
                client.close();
            }
            return null;
        });
    }
}
