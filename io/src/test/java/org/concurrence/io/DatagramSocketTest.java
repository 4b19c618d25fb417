package org.concurrence.io;

import static org.concurrence.io.Loopback.PATIENCE;
import static org.concurrence.io.Loopback.anyPort;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.JoinError;
import org.concurrence.core.Tasklet;
import org.concurrence.core.Timeout;
import org.junit.jupiter.api.Test;

/** UDP on loopback: datagrams both ways, deadlines, connected sockets, truncation, closing. */
@org.junit.jupiter.api.Timeout(60)
class DatagramSocketTest {

    private static byte[] bytes(ByteBuffer received) {
        return Arrays.copyOf(received.array(), received.position());
    }

    @Test
    void aDatagramSentToAnEchoComesBackFromItsAddress() {
        Loopback.run(() -> {
            try (DatagramSocket server = DatagramSocket.bind(anyPort());
                 DatagramSocket client = DatagramSocket.bind(anyPort());
                 Timeout _ = Timeout.after(PATIENCE)) {
                Tasklet<Void> echo = Tasklet.spawn(() -> {
                    ByteBuffer packet = ByteBuffer.allocate(2048);
                    for (int i = 0; i < 100; i++) {
                        SocketAddress from = server.receive(packet.clear());
                        server.send(packet.flip(), from);
                    }
                    return null;
                });
                ByteBuffer reply = ByteBuffer.allocate(2048);
                for (int i = 0; i < 100; i++) { // in lock-step, so that loopback never has to drop one
                    byte[] message = Loopback.pattern(i, 1 + i * 13);
                    client.send(ByteBuffer.wrap(message), server.localAddress());
                    assertEquals(server.localAddress(), client.receive(reply.clear()));
                    assertArrayEquals(message, bytes(reply));
                }
                echo.join();
            }
            return null;
        });
    }

    @Test
    void aBindThatFailsNamesTheAddress() throws Exception {
        try (DatagramSocket first = DatagramSocket.bind(anyPort())) {
            SocketAddress taken = first.localAddress();
            java.net.BindException e = assertThrows(java.net.BindException.class, () -> DatagramSocket.bind(taken));
            assertTrue(e.getMessage().startsWith("bind to " + taken + " failed: "), e.getMessage());
        }
    }

    @Test
    void aReceiveThatTimesOutLeavesTheSocketUsable() {
        Loopback.run(() -> {
            try (DatagramSocket server = DatagramSocket.bind(anyPort());
                 DatagramSocket client = DatagramSocket.bind(anyPort())) {
                ByteBuffer packet = ByteBuffer.allocate(64);
                DeadlineExceededException e = assertThrows(DeadlineExceededException.class,
                        () -> server.receive(packet, Duration.ofMillis(50)));
                assertTrue(e.getMessage().startsWith("receive on UDP socket " + server.localAddress()), e.getMessage());
                client.send(ByteBuffer.wrap("late".getBytes()), server.localAddress());
                assertEquals(client.localAddress(), server.receive(packet, PATIENCE));
                assertArrayEquals("late".getBytes(), bytes(packet));
            }
            return null;
        });
    }

    @Test
    void aConnectedSocketSendsToItsPeerAndHearsOnlyFromIt() {
        Loopback.run(() -> {
            try (DatagramSocket server = DatagramSocket.bind(anyPort());
                 DatagramSocket stranger = DatagramSocket.bind(anyPort());
                 DatagramSocket client = DatagramSocket.bind(anyPort()).connect(server.localAddress());
                 Timeout _ = Timeout.after(PATIENCE)) {
                assertEquals(server.localAddress(), client.remoteAddress());
                client.send(ByteBuffer.wrap("hello".getBytes()));
                ByteBuffer packet = ByteBuffer.allocate(64);
                SocketAddress from = server.receive(packet);
                assertArrayEquals("hello".getBytes(), bytes(packet));
                stranger.send(ByteBuffer.wrap("not for you".getBytes()), from);
                server.send(ByteBuffer.wrap("for you".getBytes()), from);
                assertEquals(server.localAddress(), client.receive(packet.clear()));
                assertArrayEquals("for you".getBytes(), bytes(packet));
                assertThrows(DeadlineExceededException.class, () -> client.receive(packet.clear(), Duration.ofMillis(50)),
                        "the stranger's datagram was filtered out");
            }
            return null;
        });
    }

    @Test
    void aDatagramLargerThanTheBufferIsCutAndTheNextOneIsWhole() {
        Loopback.run(() -> {
            try (DatagramSocket server = DatagramSocket.bind(anyPort());
                 DatagramSocket client = DatagramSocket.bind(anyPort());
                 Timeout _ = Timeout.after(PATIENCE)) {
                client.send(ByteBuffer.wrap(Loopback.pattern(1, 100)), server.localAddress());
                client.send(ByteBuffer.wrap("next".getBytes()), server.localAddress());
                ByteBuffer small = ByteBuffer.allocate(10);
                server.receive(small);
                assertArrayEquals(Arrays.copyOf(Loopback.pattern(1, 100), 10), bytes(small));
                ByteBuffer packet = ByteBuffer.allocate(64);
                server.receive(packet);
                assertArrayEquals("next".getBytes(), bytes(packet));
            }
            return null;
        });
    }

    @Test
    void aPortNobodyListensOnIsReportedToAConnectedSocket() {
        Loopback.run(() -> {
            SocketAddress nobody;
            try (DatagramSocket gone = DatagramSocket.bind(anyPort())) {
                nobody = gone.localAddress();
            }
            try (DatagramSocket client = DatagramSocket.bind(anyPort()).connect(nobody);
                 Timeout _ = Timeout.after(PATIENCE)) {
                client.send(ByteBuffer.wrap("anyone?".getBytes()));
                assertThrows(PortUnreachableException.class, () -> client.receive(ByteBuffer.allocate(64)));
            }
            return null;
        });
    }

    @Test
    void closingWakesABlockedReceiverAndAnotherDispatcherMayNotUseTheSocket() {
        Loopback.run(() -> {
            DatagramSocket socket = DatagramSocket.bind(anyPort());
            try (Timeout _ = Timeout.after(PATIENCE)) {
                Tasklet<SocketAddress> receiver = Tasklet.spawn(() -> socket.receive(ByteBuffer.allocate(64)));
                Tasklet.yield();
                Dispatcher other = Dispatcher.current().group().dispatcher(1);
                Throwable misuse = Tasklet.builder().on(other).spawn(() -> {
                    try {
                        socket.tryReceive(ByteBuffer.allocate(64));
                        return null;
                    } catch (IllegalStateException expected) {
                        return expected;
                    }
                }).join();
                assertInstanceOf(IllegalStateException.class, misuse);
                assertTrue(misuse.getMessage().contains("belongs to " + Dispatcher.current().name()),
                        misuse.getMessage());
                socket.close();
                JoinError e = assertThrows(JoinError.class, receiver::join);
                assertInstanceOf(ClosedWhileWaitingException.class, e.getCause());
            } finally {
                socket.close();
            }
            return null;
        });
    }
}
