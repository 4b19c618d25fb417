package org.concurrence.io;

import static org.concurrence.io.Bytes.counting;
import static org.concurrence.io.Bytes.latin1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.Tasklet;
import org.concurrence.core.Timeout;
import org.junit.jupiter.api.Test;

/**
 * Buffered streams over a pipe that blocks like a socket, on virtual time: reads wait for their bytes, time out by
 * the per-call Duration or the tasklet's deadline, and leave the stream usable afterwards.
 */
class DeadlineTest {

    private static long millis() {
        return Dispatcher.current().nanoTime() / 1_000_000;
    }

    private static void send(Pipe pipe, byte[] bytes) {
        try {
            pipe.sink().write(ByteBuffer.wrap(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sendAt(Pipe pipe, long atMillis, String text) {
        Tasklet.spawn(() -> {
            Tasklet.sleep(Duration.ofMillis(atMillis - millis()));
            send(pipe, latin1(text));
        });
    }

    @Test
    void aReadLineWaitsForTheRestOfItsLine() {
        InTasklet.run(() -> {
            Pipe pipe = new Pipe(1024);
            BufferedSource in = new BufferedSource(pipe.source());
            sendAt(pipe, 0, "hel");
            sendAt(pipe, 1000, "lo\r");
            sendAt(pipe, 2000, "\nnext\n");
            assertEquals("hello", in.readLine());
            assertEquals(2000, millis());
            assertEquals("next", in.readLine());
        });
    }

    @Test
    void aReadLineThatTimesOutKeepsThePartialLineForTheNextRead() {
        InTasklet.run(() -> {
            Pipe pipe = new Pipe(1024);
            BufferedSource in = new BufferedSource(pipe.source());
            sendAt(pipe, 0, "hel");
            sendAt(pipe, 6000, "lo\n");
            DeadlineExceededException e = assertThrows(DeadlineExceededException.class,
                    () -> in.readLine(Duration.ofSeconds(5)));
            assertEquals(5000, millis());
            assertTrue(e.getMessage().startsWith("read from pipe timed out"), e.getMessage());
            assertEquals(3, in.buffered());
            assertEquals("hello", in.readLine());
            assertEquals(6000, millis());
        });
    }

    @Test
    void aPerCallTimeoutBoundsTheWholeCallNotEachRead() {
        InTasklet.run(() -> {
            Pipe pipe = new Pipe(1024);
            BufferedSource in = new BufferedSource(pipe.source());
            Tasklet.spawn(() -> {
                for (int i = 0; i < 10; i++) {
                    Tasklet.sleep(Duration.ofSeconds(1));
                    send(pipe, new byte[] {(byte) i});
                }
            });
            assertThrows(DeadlineExceededException.class, () -> in.readExactly(10, Duration.ofMillis(4500)));
            assertEquals(4500, millis(), "4.5 s in all, though four bytes came in between");
            assertEquals(4, in.buffered(), "nothing consumed");
            assertArrayEquals(counting(10), in.readExactly(10));
            assertEquals(10_000, millis());
        });
    }

    @Test
    void theTaskletDeadlineBoundsReadsAndAPerCallTimeoutCannotExtendIt() {
        InTasklet.run(() -> {
            Pipe pipe = new Pipe(1024);
            BufferedSource in = new BufferedSource(pipe.source());
            try (Timeout scope = Timeout.after(Duration.ofSeconds(2))) {
                assertThrows(DeadlineExceededException.class, in::readLine);
            }
            assertEquals(2000, millis());
            try (Timeout scope = Timeout.after(Duration.ofSeconds(1))) {
                assertThrows(DeadlineExceededException.class, () -> in.readLine(Duration.ofSeconds(10)));
            }
            assertEquals(3000, millis());
        });
    }

    @Test
    void aReadTheBufferCanServeSucceedsEvenAfterTheDeadline() {
        InTasklet.run(() -> {
            Pipe pipe = new Pipe(1024);
            BufferedSource in = new BufferedSource(pipe.source());
            send(pipe, latin1("a\nb\n"));
            assertEquals("a", in.readLine());
            try (Timeout scope = Timeout.after(Duration.ofSeconds(1))) {
                Tasklet.sleep(Duration.ofSeconds(2)); // sleep ignores the deadline
                assertTrue(Timeout.expired());
                assertEquals("b", in.readLine(), "buffered: no wait, so no timeout");
                DeadlineExceededException e = assertThrows(DeadlineExceededException.class, in::readLine);
                assertTrue(e.getMessage().endsWith("failed at once: the deadline had already passed"),
                        e.getMessage());
            }
        });
    }

    @Test
    void requireWithATimeoutMakesNumberReadsTimed() {
        InTasklet.run(() -> {
            Pipe pipe = new Pipe(1024);
            BufferedSource in = new BufferedSource(pipe.source());
            send(pipe, new byte[] {0, 0});
            assertThrows(DeadlineExceededException.class, () -> in.require(4, Duration.ofMillis(300)));
            assertEquals(300, millis());
            send(pipe, new byte[] {1, 2});
            in.require(4, Duration.ofMillis(300));
            assertEquals(0x0102, in.readInt());
        });
    }

    @Test
    void aLargeExactReadThatTimesOutHalfwayPutsItsBytesBack() {
        InTasklet.run(() -> {
            Pipe pipe = new Pipe(64 * 1024);
            BufferedSource in = new BufferedSource(pipe.source());
            byte[] data = counting(20_000);
            send(pipe, Arrays.copyOf(data, 12_000));
            Tasklet.spawn(() -> {
                Tasklet.sleep(Duration.ofSeconds(10));
                send(pipe, Arrays.copyOfRange(data, 12_000, 20_000));
            });
            assertThrows(DeadlineExceededException.class, () -> in.readExactly(20_000, Duration.ofSeconds(5)));
            assertEquals(12_000, in.buffered(), "read straight into the caller's array, then put back");
            assertArrayEquals(data, in.readExactly(20_000));
            assertEquals(10_000, millis());
        });
    }

    @Test
    void aKilledReaderLeavesTheBytesItHadForTheNextReader() {
        InTasklet.run(() -> {
            Pipe pipe = new Pipe(1024);
            BufferedSource in = new BufferedSource(pipe.source());
            send(pipe, new byte[] {0, 1, 2, 3});
            Tasklet<byte[]> reader = Tasklet.spawn(() -> in.readExactly(10));
            Tasklet.sleep(Duration.ofSeconds(1));
            reader.kill();
            assertFalse(reader.isAlive());
            assertEquals(4, in.buffered());
            send(pipe, new byte[] {4, 5, 6, 7, 8, 9});
            assertArrayEquals(counting(10), in.readExactly(10));
        });
    }

    @Test
    void aFlushIntoAFullPipeTimesOutAndTheUnwrittenBytesStayBuffered() {
        InTasklet.run(() -> {
            Pipe pipe = new Pipe(10);
            BufferedSink out = new BufferedSink(pipe.sink());
            out.write(counting(25));
            assertThrows(DeadlineExceededException.class, () -> out.flush(Duration.ofSeconds(1)));
            assertEquals(1000, millis());
            assertEquals(10, pipe.size());
            assertEquals(15, out.buffered());
            BufferedSource in = new BufferedSource(pipe.source());
            Tasklet<byte[]> reader = Tasklet.spawn(() -> in.readExactly(25));
            out.flush();
            assertArrayEquals(counting(25), reader.join());
        });
    }

    @Test
    void aReaderAndAWriterOnTwoTaskletsShareOneStream() {
        InTasklet.run(() -> {
            Pipe toServer = new Pipe(16);
            Pipe toClient = new Pipe(16);
            BufferedStream server = new BufferedStream(toServer.source(), toClient.sink());
            BufferedStream client = new BufferedStream(toClient.source(), toServer.sink());
            Tasklet<Integer> echo = Tasklet.spawn(() -> {
                int lines = 0;
                while (!server.reader().exhausted()) {
                    server.writer().writeString(server.reader().readLine().toUpperCase() + "\n").flush();
                    lines++;
                }
                server.close();
                return lines;
            });
            Tasklet<Void> sender = Tasklet.spawn(() -> {
                for (int i = 0; i < 50; i++) {
                    client.writer().writeString("line number " + i + "\n");
                }
                client.writer().flush();
                toServer.sink().close();
                return null;
            });
            for (int i = 0; i < 50; i++) {
                assertEquals("LINE NUMBER " + i, client.reader().readLine());
            }
            sender.join();
            assertEquals(50, echo.join());
            assertTrue(client.reader().exhausted());
        });
    }
}
