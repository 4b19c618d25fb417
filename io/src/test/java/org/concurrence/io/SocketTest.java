package org.concurrence.io;

import static org.concurrence.io.Loopback.PATIENCE;
import static org.concurrence.io.Loopback.anyPort;
import static org.concurrence.io.Loopback.assertEndOfStream;
import static org.concurrence.io.Loopback.pattern;
import static org.concurrence.io.Loopback.readFully;
import static org.concurrence.io.Loopback.readToEnd;
import static org.concurrence.io.Loopback.roundTrip;
import static org.concurrence.io.Loopback.writeAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.JoinError;
import org.concurrence.core.Tasklet;
import org.concurrence.core.TaskletExit;
import org.concurrence.core.Timeout;
import org.concurrence.sync.Event;
import org.junit.jupiter.api.Test;

/** Stream sockets on real loopback connections: data, end of stream, errors, deadlines, kills and closes. */
@org.junit.jupiter.api.Timeout(60)
class SocketTest {

    /** A connected pair: {@code client} connected by the caller, {@code server} its accepted end. */
    private record Pair(Socket client, Socket server, ServerSocket listener) implements AutoCloseable {
        static Pair open() throws IOException {
            ServerSocket listener = ServerSocket.bind(anyPort());
            Socket client = Socket.connect(listener.localAddress(), PATIENCE);
            Socket server = listener.accept(PATIENCE);
            return new Pair(client, server, listener);
        }

        @Override
        public void close() throws IOException {
            client.close();
            server.close();
            listener.close();
        }
    }

    @Test
    void bytesSentToAnEchoServerComeBackTheSame() {
        Loopback.run(() -> {
            try (SocketServer server = SocketServer.start(Dispatcher.current().group(), anyPort(),
                    SocketServer.Options.defaults(), Loopback::echo);
                 Socket client = Socket.connect(server.address(), PATIENCE)) {
                roundTrip(client, "hello, tasklets".getBytes());
                roundTrip(client, pattern(1, 1 << 20)); // more than the socket buffers hold at once
            }
            return null;
        });
    }

    @Test
    void manySmallWritesArriveAsExactlyTheSameStreamOfBytes() {
        Loopback.run(() -> {
            byte[] stream = pattern(7, 40_000);
            try (SocketServer server = SocketServer.start(Dispatcher.current().group(), anyPort(),
                    SocketServer.Options.defaults(), Loopback::echo);
                 Socket client = Socket.connect(server.address(), PATIENCE);
                 Timeout _ = Timeout.after(PATIENCE)) {
                Tasklet<byte[]> reader = Tasklet.spawn(() -> readFully(client, stream.length));
                for (int offset = 0, size = 1; offset < stream.length; offset += size, size = size % 7 + 1) {
                    client.write(ByteBuffer.wrap(stream, offset, Math.min(size, stream.length - offset)));
                }
                assertArrayEquals(stream, reader.join());
            }
            return null;
        });
    }

    @Test
    void afterShutdownOutputThePeerReadsEndOfStreamAndCanStillAnswer() {
        Loopback.run(() -> {
            try (Pair pair = Pair.open(); Timeout _ = Timeout.after(PATIENCE)) {
                writeAll(pair.client(), "question".getBytes());
                pair.client().shutdownOutput();
                assertArrayEquals("question".getBytes(), readToEnd(pair.server()));
                assertEndOfStream(pair.server()); // and again: the end of a stream stays the end
                writeAll(pair.server(), "answer".getBytes());
                pair.server().close();
                assertArrayEquals("answer".getBytes(), readToEnd(pair.client()));
            }
            return null;
        });
    }

    @Test
    void aConnectedSocketNoLongerAsksTheLoopAboutConnecting() {
        // Left asking for OP_CONNECT, a connected socket is reported writable by every poll of its loop, for its whole
        // life (the JDK never calls it ready for OP_CONNECT again, so nothing would drop the interest).
        Loopback.run(() -> {
            try (Pair pair = Pair.open()) {
                assertEquals(0, pair.client().interestOps() & SelectionKey.OP_CONNECT);
                roundTripOneWay(pair.client(), pair.server());
                roundTripOneWay(pair.server(), pair.client());
            }
            return null;
        });
    }

    @Test
    void aConnectToAPortNobodyListensOnIsRefusedNamingTheAddress() {
        Loopback.run(() -> {
            SocketAddress nobody;
            try (ServerSocket listener = ServerSocket.bind(anyPort())) {
                nobody = listener.localAddress();
            }
            // A refusal must be reported as such, well before this deadline: a timeout here would be the bug.
            ConnectException e = assertThrows(ConnectException.class,
                    () -> Socket.connect(nobody, Duration.ofSeconds(10)));
            assertTrue(e.getMessage().contains(nobody.toString()), e.getMessage());
            return null;
        });
    }

    @Test
    void aConnectToAUnixSocketFileThatIsNotThereFailsNamingThePath() {
        Loopback.run(() -> {
            var missing = java.net.UnixDomainSocketAddress.of(Loopback.tempDirectory().resolve("nobody.sock"));
            java.net.SocketException e = assertThrows(java.net.SocketException.class, () -> Socket.connect(missing));
            assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
            java.nio.file.Files.delete(missing.getPath().getParent());
            return null;
        });
    }

    @Test
    void aUnixSocketPathTooLongIsRefusedNamingThePathByBindAndByConnect() {
        Loopback.run(() -> {
            var tooLong = java.net.UnixDomainSocketAddress.of("/tmp/" + "x".repeat(200)); // sun_path holds 108 bytes
            java.net.SocketException bind = assertThrows(java.net.SocketException.class,
                    () -> ServerSocket.bind(tooLong));
            assertTrue(bind.getMessage().contains(tooLong.toString()), bind.getMessage());
            java.net.SocketException connect = assertThrows(java.net.SocketException.class,
                    () -> Socket.connect(tooLong, PATIENCE));
            assertTrue(connect.getMessage().contains(tooLong.toString()), connect.getMessage());
            return null;
        });
    }

    @Test
    void aBindThatFailsNamesTheAddressAndLeavesAnExistingFileAlone() {
        Loopback.run(() -> {
            var directory = Loopback.tempDirectory();
            var taken = java.net.UnixDomainSocketAddress.of(java.nio.file.Files.createFile(directory.resolve("taken")));
            java.net.BindException e = assertThrows(java.net.BindException.class, () -> ServerSocket.bind(taken));
            assertTrue(e.getMessage().contains(taken.getPath().toString()), e.getMessage());
            assertTrue(java.nio.file.Files.exists(taken.getPath()), "a file the bind did not create is kept");
            java.nio.file.Files.delete(taken.getPath());
            java.nio.file.Files.delete(directory);
            try (ServerSocket first = ServerSocket.bind(anyPort())) {
                java.net.BindException inUse = assertThrows(java.net.BindException.class,
                        () -> ServerSocket.bind(first.localAddress()));
                assertTrue(inUse.getMessage().contains(first.localAddress().toString()), inUse.getMessage());
            }
            return null;
        });
    }

    @Test
    void aConnectThatGetsNoAnswerTimesOutAndLeavesNothingOpen() {
        Loopback.run(() -> {
            // A listener that never accepts, with the smallest backlog: once its queue is full the kernel drops
            // further SYNs, so the next connect waits for an answer that never comes.
            try (ServerSocket listener = ServerSocket.bind(anyPort(), 1, false)) {
                int port = ((InetSocketAddress) listener.localAddress()).getPort();
                List<Socket> fillers = new ArrayList<>();
                try {
                    for (int i = 0; i < 16; i++) {
                        try {
                            // Longer than a loaded machine takes for a connect, shorter than the SYN retry (1 s).
                            fillers.add(Socket.connect(listener.localAddress(), Duration.ofMillis(800)));
                        } catch (DeadlineExceededException full) {
                            break;
                        }
                    }
                    assertTrue(fillers.size() < 16, "the backlog never filled: " + fillers.size() + " connects");
                    DeadlineExceededException e = assertThrows(DeadlineExceededException.class,
                            () -> Socket.connect(listener.localAddress(), Duration.ofMillis(200)));
                    assertTrue(e.getMessage().startsWith("connect to " + listener.localAddress()), e.getMessage());
                    Loopback.awaitCondition("no socket left in SYN_SENT towards port " + port,
                            () -> TcpStates.count(TcpStates.SYN_SENT, port) == 0);
                } finally {
                    for (Socket filler : fillers) {
                        filler.close();
                    }
                }
            }
            return null;
        });
    }

    @Test
    void aShortTimeoutAfterALongOneThatEndedInTimeStillFiresOnTime() {
        // The read timer stays armed between reads (WaitTimer): a later read with an earlier deadline must move it.
        Loopback.run(() -> {
            try (Pair pair = Pair.open()) {
                writeAll(pair.server(), "x".getBytes());
                pair.client().awaitReadable(Duration.ofSeconds(60));
                assertEquals(1, pair.client().read(ByteBuffer.allocate(1), Duration.ofSeconds(60)));
                long start = System.nanoTime();
                assertThrows(DeadlineExceededException.class,
                        () -> pair.client().awaitReadable(Duration.ofMillis(100)));
                long waitedMillis = (System.nanoTime() - start) / 1_000_000;
                assertTrue(waitedMillis >= 100 && waitedMillis < 5_000, "waited " + waitedMillis + " ms");
            }
            return null;
        });
    }

    @Test
    @org.junit.jupiter.api.Timeout(30)
    void aLongTimeoutAfterAShortOneThatEndedInTimeIsNeitherCutShortNorLost() {
        // The timer armed for the short wait stays armed and fires during the long one: it must re-arm for the long
        // one's deadline, neither wake it early nor leave it without a timer.
        Loopback.run(() -> {
            try (Pair pair = Pair.open()) {
                writeAll(pair.server(), "x".getBytes());
                pair.client().awaitReadable(Duration.ofMillis(100));
                assertEquals(1, pair.client().read(ByteBuffer.allocate(1), Duration.ofMillis(100)));
                long start = System.nanoTime();
                assertThrows(DeadlineExceededException.class,
                        () -> pair.client().awaitReadable(Duration.ofMillis(600)));
                long waitedMillis = (System.nanoTime() - start) / 1_000_000;
                assertTrue(waitedMillis >= 600, "timed out after " + waitedMillis + " ms");
                Tasklet.spawn(() -> {
                    Tasklet.sleep(Duration.ofMillis(300));
                    writeAll(pair.server(), "y".getBytes());
                    return null;
                });
                pair.client().awaitReadable(Duration.ofSeconds(20));
                assertEquals(1, pair.client().read(ByteBuffer.allocate(1)));
            }
            return null;
        });
    }

    @Test
    void aReadThatTimesOutLeavesTheSocketUsableForALaterRead() {
        Loopback.run(() -> {
            try (Pair pair = Pair.open()) {
                ByteBuffer buffer = ByteBuffer.allocate(16);
                DeadlineExceededException e = assertThrows(DeadlineExceededException.class,
                        () -> pair.client().read(buffer, Duration.ofMillis(50)));
                assertTrue(e.getMessage().startsWith("read from socket"), e.getMessage());
                assertEquals(0, buffer.position(), "a timed-out read consumes nothing");
                try (Timeout _ = Timeout.after(Duration.ofMillis(50))) {
                    assertThrows(DeadlineExceededException.class, () -> pair.client().read(buffer));
                }
                writeAll(pair.server(), "late".getBytes());
                try (Timeout _ = Timeout.after(PATIENCE)) {
                    assertArrayEquals("late".getBytes(), readFully(pair.client(), 4));
                }
            }
            return null;
        });
    }

    @Test
    void aWriteToAPeerThatNeverReadsTimesOutAfterFillingTheBuffers() {
        Loopback.run(() -> {
            try (Pair pair = Pair.open()) {
                // Fixed buffers (no auto-tuning), yet at least a segment of loopback's 64 KiB MSS: smaller windows
                // make the kernel wait for its persist timer, and a drain would crawl.
                pair.client().setOption(StandardSocketOptions.SO_SNDBUF, 128 << 10);
                pair.server().setOption(StandardSocketOptions.SO_RCVBUF, 128 << 10);
                ByteBuffer lots = ByteBuffer.wrap(new byte[32 << 20]);
                DeadlineExceededException e = assertThrows(DeadlineExceededException.class,
                        () -> pair.client().write(lots, Duration.ofMillis(200)));
                assertTrue(e.getMessage().startsWith("write to socket"), e.getMessage());
                assertTrue(lots.position() > 0 && lots.hasRemaining(), "partly written: " + lots);
                // The socket is still usable: once the peer drains, the rest goes through.
                int written = lots.position();
                Tasklet<Long> drain = Tasklet.spawn(() -> (long) readFully(pair.server(), lots.capacity()).length);
                try (Timeout _ = Timeout.after(PATIENCE)) {
                    pair.client().write(lots);
                    assertEquals(lots.capacity(), drain.join());
                }
                assertTrue(written < lots.capacity());
            }
            return null;
        });
    }

    @Test
    void aReaderKilledWhileWaitingLeavesTheSocketOpenForAnotherTasklet() {
        Loopback.run(() -> {
            try (Pair pair = Pair.open(); Timeout _ = Timeout.after(PATIENCE)) {
                Tasklet<Integer> reader = Tasklet.spawn(() -> pair.client().read(ByteBuffer.allocate(16)));
                Tasklet.yield(); // the reader runs and parks in read
                reader.kill();
                JoinError killed = assertThrows(JoinError.class, reader::join);
                assertTrue(killed.wasKilled());
                assertTrue(pair.client().isOpen());
                writeAll(pair.server(), "still here".getBytes());
                Tasklet<byte[]> another = Tasklet.spawn(() -> readFully(pair.client(), 10));
                assertArrayEquals("still here".getBytes(), another.join());
            }
            return null;
        });
    }

    @Test
    void closingFromAnotherTaskletWakesABlockedReaderWithClosedWhileWaiting() {
        Loopback.run(() -> {
            try (Pair pair = Pair.open(); Timeout _ = Timeout.after(PATIENCE)) {
                Tasklet<Integer> reader = Tasklet.spawn(() -> pair.client().read(ByteBuffer.allocate(16)));
                Tasklet.yield();
                pair.client().close();
                JoinError e = assertThrows(JoinError.class, reader::join);
                ClosedWhileWaitingException closed = assertInstanceOf(ClosedWhileWaitingException.class, e.getCause());
                assertTrue(closed.getMessage().startsWith("read from socket"), closed.getMessage());
                assertTrue(closed.getMessage().contains("closed while tasklet " + reader.name() + " waited"),
                        closed.getMessage());
                assertFalse(pair.client().isOpen());
                assertThrows(ClosedChannelException.class, () -> pair.client().read(ByteBuffer.allocate(1)));
                assertEndOfStream(pair.server()); // the peer sees the close
            }
            return null;
        });
    }

    @Test
    void closingFromAnotherDispatcherWakesABlockedWriterWithClosedWhileWaiting() {
        Loopback.run(() -> {
            try (Pair pair = Pair.open(); Timeout _ = Timeout.after(PATIENCE)) {
                pair.client().setOption(StandardSocketOptions.SO_SNDBUF, 8192);
                Tasklet<Void> writer = Tasklet.spawn(() -> {
                    pair.client().write(ByteBuffer.allocate(32 << 20));
                    return null;
                });
                // The writer fills the buffers and parks, waiting to write; its partial writes may take turns first.
                while ((pair.client().interestOps() & SelectionKey.OP_WRITE) == 0) {
                    Tasklet.yield();
                }
                Dispatcher other = Dispatcher.current().group().dispatcher(1);
                Tasklet.builder().on(other).spawn(() -> {
                    pair.client().close();
                    return null;
                }).join();
                JoinError e = assertThrows(JoinError.class, writer::join);
                assertInstanceOf(ClosedWhileWaitingException.class, e.getCause());
            }
            return null;
        });
    }

    @Test
    void aSocketUsedByATaskletOfAnotherDispatcherFailsWithAClearMessage() {
        Loopback.run(() -> {
            try (Pair pair = Pair.open(); Timeout _ = Timeout.after(PATIENCE)) {
                Dispatcher home = Dispatcher.current();
                Dispatcher other = home.group().dispatcher(1);
                // The socket is bound to this dispatcher by its first wait.
                assertThrows(DeadlineExceededException.class,
                        () -> pair.client().read(ByteBuffer.allocate(1), Duration.ofMillis(1)));
                writeAll(pair.server(), "x".getBytes()); // data is there: even a read that need not wait must fail
                AtomicReference<Throwable> failure = new AtomicReference<>();
                Tasklet.builder().on(other).spawn(() -> {
                    try {
                        pair.client().read(ByteBuffer.allocate(1));
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                }).join();
                IllegalStateException e = assertInstanceOf(IllegalStateException.class, failure.get());
                assertTrue(e.getMessage().contains("belongs to " + home.name()), e.getMessage());
                assertTrue(e.getMessage().contains(other.name()), e.getMessage());
                // The owner still can.
                assertArrayEquals("x".getBytes(), readFully(pair.client(), 1));
            }
            return null;
        });
    }

    @Test
    void aUnixDomainSocketCarriesBytesBothWaysAndItsFileGoesWithTheServer() {
        Loopback.run(() -> {
            var directory = Loopback.tempDirectory();
            var path = directory.resolve("echo.sock");
            var address = java.net.UnixDomainSocketAddress.of(path);
            try (SocketServer server = SocketServer.start(Dispatcher.current().group(), address,
                    SocketServer.Options.defaults(), Loopback::echo);
                 Timeout _ = Timeout.after(PATIENCE)) {
                assertEquals(address, server.address());
                try (Socket client = Socket.connect(address)) {
                    roundTrip(client, pattern(3, 300_000));
                    client.shutdownOutput();
                    assertEndOfStream(client);
                }
            }
            assertFalse(java.nio.file.Files.exists(path), "the socket file is removed when the server stops");
            java.nio.file.Files.delete(directory);
            return null;
        });
    }

    @Test
    void aBufferedStreamOverAUnixDomainSocketWaitsForLinesAndAsksHowManyBytesWait() {
        Loopback.run(() -> {
            var directory = Loopback.tempDirectory();
            var address = java.net.UnixDomainSocketAddress.of(directory.resolve("lines.sock"));
            try (ServerSocket listener = ServerSocket.bind(address);
                 Socket client = Socket.connect(address, PATIENCE);
                 Socket server = listener.accept(PATIENCE);
                 Timeout _ = Timeout.after(PATIENCE)) {
                // The reader finds nothing buffered and parks in awaitReadable, which asks the kernel first.
                Tasklet<String> reader = Tasklet.spawn(() -> new BufferedSource(server).readLine());
                Tasklet.yield();
                writeAll(client, "over a file\r\n".getBytes());
                assertEquals("over a file", reader.join());
                writeAll(client, "xyz".getBytes());
                Loopback.awaitCondition("three bytes waiting", () -> {
                    try {
                        return server.available() == 3;
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
            } finally {
                java.nio.file.Files.delete(directory);
            }
            return null;
        });
    }

    @Test
    void twoTaskletsOfOneDispatcherCanReadAndWriteOneSocketAtOnce() {
        Loopback.run(() -> {
            byte[] stream = pattern(11, 3 << 20);
            try (Pair pair = Pair.open(); Timeout _ = Timeout.after(PATIENCE)) {
                Tasklet<Void> echo = Tasklet.spawn(() -> {
                    Loopback.echo(pair.server());
                    pair.server().close();
                    return null;
                });
                Tasklet<byte[]> reader = Tasklet.spawn(() -> readToEnd(pair.client()));
                writeAll(pair.client(), stream);
                pair.client().shutdownOutput();
                assertArrayEquals(stream, reader.join());
                echo.join();
            }
            return null;
        });
    }

    @Test
    void aReadIntoAFullBufferReturnsZeroAtOnce() {
        Loopback.run(() -> {
            try (Pair pair = Pair.open()) {
                assertEquals(0, pair.client().read(ByteBuffer.allocate(0), Duration.ZERO));
            }
            return null;
        });
    }

    @Test
    void aSecondTaskletReadingTheSameSocketAtOnceIsRefused() {
        Loopback.run(() -> {
            try (Pair pair = Pair.open(); Timeout _ = Timeout.after(PATIENCE)) {
                Tasklet<Integer> first = Tasklet.spawn(() -> pair.client().read(ByteBuffer.allocate(1)));
                Tasklet.yield();
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> pair.client().read(ByteBuffer.allocate(1)));
                assertTrue(e.getMessage().contains("another tasklet is already waiting"), e.getMessage());
                writeAll(pair.server(), "1".getBytes());
                assertEquals(1, first.join());
            }
            return null;
        });
    }

    @Test
    void aHostNameIsResolvedWithoutBlockingTheDispatcher() {
        Loopback.run(() -> {
            try (ServerSocket listener = ServerSocket.bind(anyPort());
                 Timeout _ = Timeout.after(PATIENCE)) {
                int port = ((InetSocketAddress) listener.localAddress()).getPort();
                try (Socket client = Socket.connect(InetSocketAddress.createUnresolved("localhost", port));
                     Socket accepted = listener.accept()) {
                    roundTripOneWay(client, accepted);
                }
            }
            return null;
        });
    }

    private static void roundTripOneWay(Socket from, Socket to) throws IOException {
        writeAll(from, "ping".getBytes());
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        got.writeBytes(readFully(to, 4));
        assertArrayEquals("ping".getBytes(), got.toByteArray());
    }

    @Test
    void aKillDuringAcceptEndsTheAcceptAndTheListenerStaysUsable() {
        Loopback.run(() -> {
            try (ServerSocket listener = ServerSocket.bind(anyPort()); Timeout _ = Timeout.after(PATIENCE)) {
                Tasklet<Socket> acceptor = Tasklet.spawn(() -> listener.accept());
                Tasklet.yield();
                acceptor.kill();
                assertInstanceOf(TaskletExit.class, assertThrows(JoinError.class, acceptor::join).getCause());
                try (Socket client = Socket.connect(listener.localAddress()); Socket accepted = listener.accept()) {
                    roundTripOneWay(client, accepted);
                }
            }
            return null;
        });
    }

    @Test
    void whenCloseReturnsTheListenerRefusesConnectsEvenWhileItsDispatcherIsBusy() {
        Loopback.run(() -> {
            try (Timeout _ = Timeout.after(PATIENCE)) {
                Dispatcher other = Dispatcher.current().group().dispatcher(1);
                assertFalse(other == Dispatcher.current());
                ServerSocket listener = ServerSocket.bind(anyPort());
                SocketAddress address = listener.localAddress();
                Event accepted = new Event("accepted");
                Event spinning = new Event("spinning");
                Tasklet<Void> acceptor = Tasklet.builder().on(other).spawn(() -> {
                    try (Socket first = listener.accept()) {
                        accepted.set();
                        listener.accept(); // waits again, registered with the other dispatcher's selector
                    }
                    return null;
                });
                Socket.connect(address).close();
                accepted.await();
                // Keep the other dispatcher's carrier from polling for a while: the JDK closes a registered listener's
                // descriptor only when that selector deregisters it, so a close that did not wait for that poll would
                // return with the port still listening and completing connects into the backlog.
                Tasklet.builder().on(other).spawn(() -> {
                    spinning.set();
                    long until = System.nanoTime() + Duration.ofMillis(300).toNanos();
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                });
                spinning.await();
                listener.close();
                ConnectException refused = assertThrows(ConnectException.class, () -> Socket.connect(address));
                assertTrue(refused.getMessage().contains(address.toString()), refused.getMessage());
                assertInstanceOf(ClosedWhileWaitingException.class,
                        assertThrows(JoinError.class, acceptor::join).getCause());
            }
            return null;
        });
    }

    @Test
    void socketsOnAVirtualTimeDispatcherFailWithAClearMessage() {
        org.concurrence.core.Concurrence.run(org.concurrence.core.Concurrence.Options.deterministic(), () -> {
            try (ServerSocket listener = ServerSocket.bind(anyPort())) {
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> Socket.connect(listener.localAddress()));
                assertTrue(e.getMessage().startsWith("sockets need real time"), e.getMessage());
            }
            return null;
        });
    }

    @Test
    void aSocketThatMustWaitOutsideATaskletSaysSo() {
        Loopback.run(() -> {
            try (Pair pair = Pair.open()) {
                // Blocking work runs on a pool thread, which is not a tasklet.
                IllegalStateException e = org.concurrence.core.Blocking.call(() -> assertThrows(
                        IllegalStateException.class, () -> pair.server().read(ByteBuffer.allocate(1))));
                assertTrue(e.getMessage().contains("must be done in a tasklet"), e.getMessage());
            }
            return null;
        });
    }

    @Test
    void readNowTellsNothingFromBytesAndFromTheEndWithoutWaiting() {
        Loopback.run(() -> {
            try (Pair p = Pair.open()) {
                ByteBuffer one = ByteBuffer.allocate(1);
                assertEquals(0, p.client().readNow(one), "nothing sent: 0, at once");
                p.server().write(ByteBuffer.wrap(new byte[] {42}));
                Loopback.awaitCondition("the byte", () -> available(p.client()) > 0);
                assertEquals(1, p.client().readNow(one));
                assertEquals(42, one.get(0));
                assertEquals(0, p.client().readNow(ByteBuffer.allocate(1)));
                p.server().shutdownOutput();
                int[] last = {0};
                Loopback.awaitCondition("the end of the stream", () -> {
                    try {
                        last[0] = p.client().readNow(ByteBuffer.allocate(1));
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                    return last[0] != 0;
                });
                assertEquals(-1, last[0], "a FIN without bytes: the end, where available() says only 0");
                assertEquals(0, p.client().available());
            }
            return null;
        });
    }

    private static int available(Socket socket) {
        try {
            return socket.available();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
