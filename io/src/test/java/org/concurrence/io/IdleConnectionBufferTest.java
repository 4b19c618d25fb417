package org.concurrence.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.concurrence.core.Concurrence;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Tasklet;
import org.concurrence.sync.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A connection parked waiting for its next line holds no pooled buffer; one is taken only while bytes are buffered. */
@Timeout(60)
class IdleConnectionBufferTest {
    private static final int CONNECTIONS = 200;

    @Test
    void aBufferedSourceAwaitsReadableWithoutABufferAndAtOnceWhenBytesAreBuffered() {
        BufferPool pool = BufferPool.create(8192, 4, false);
        Concurrence.run(Concurrence.Options.defaults().withDispatchers(1), () -> {
            ServerSocket server = ServerSocket.bind(new InetSocketAddress("127.0.0.1", 0));
            try (Socket client = Socket.connect(server.localAddress(), Duration.ofSeconds(10));
                    Socket end = server.accept(Duration.ofSeconds(10))) {
                BufferedSource in = new BufferedSource(end, pool);
                Event parked = new Event();
                Tasklet<String> reader = Tasklet.spawn(() -> {
                    parked.set();
                    in.awaitReadable(Duration.ofSeconds(30));
                    return in.readLine(Duration.ofSeconds(30));
                });
                parked.await(Duration.ofSeconds(10));
                Tasklet.yield(); // the reader is parked in awaitReadable
                assertEquals(0, pool.allocated(), "no buffer while waiting");
                client.write(ByteBuffer.wrap("one\r\ntwo\r\n".getBytes(StandardCharsets.US_ASCII)));
                assertEquals("one", reader.join(Duration.ofSeconds(30)));
                in.awaitReadable(Duration.ZERO); // "two" is buffered: no wait, so no timeout even with none left
                assertEquals("two", in.readLine(Duration.ofSeconds(30)));
                assertThrows(DeadlineExceededException.class, () -> in.awaitReadable(Duration.ofMillis(1)),
                        "nothing buffered and nothing coming: it waits, under the timeout");
            } finally {
                server.close();
            }
            return null;
        });
    }

    @Test
    void readersWaitingOnIdleSocketsHoldNoBuffers() {
        BufferPool pool = BufferPool.create(8192, 4, false);
        Concurrence.run(Concurrence.Options.defaults().withDispatchers(1), () -> {
            ServerSocket server = ServerSocket.bind(new InetSocketAddress("127.0.0.1", 0));
            List<Socket> clients = new ArrayList<>();
            List<Socket> accepted = new ArrayList<>();
            List<Tasklet<String>> readers = new ArrayList<>();
            Event allWaiting = new Event();
            int[] waiting = {0};
            for (int i = 0; i < CONNECTIONS; i++) {
                clients.add(Socket.connect(server.localAddress(), Duration.ofSeconds(10)));
                Socket end = server.accept(Duration.ofSeconds(10));
                accepted.add(end);
                readers.add(Tasklet.spawn(() -> {
                    BufferedSource in = new BufferedSource(end, pool);
                    if (++waiting[0] == CONNECTIONS) {
                        allWaiting.set();
                    }
                    return in.readLine(Duration.ofSeconds(30));
                }));
            }
            allWaiting.await(Duration.ofSeconds(10));
            Tasklet.yield(); // every reader is now parked in readLine
            assertEquals(0, pool.allocated(), "buffers taken by idle connections");
            for (int i = 0; i < CONNECTIONS; i++) {
                clients.get(i).write(ByteBuffer.wrap(("line " + i + "\r\n").getBytes(StandardCharsets.US_ASCII)));
            }
            for (int i = 0; i < CONNECTIONS; i++) {
                assertEquals("line " + i, readers.get(i).join(Duration.ofSeconds(30)));
            }
            // 200 readers took turns with a handful of buffers, and every one came back to this dispatcher's list.
            assertTrue(pool.allocated() <= 4, "buffers allocated: " + pool.allocated());
            assertEquals(pool.allocated(), pool.pooled(), "buffers given back");
            for (Socket c : clients) {
                c.close();
            }
            for (Socket a : accepted) {
                a.close(); // or 200 descriptors stay open in CLOSE_WAIT for the rest of the io suite
            }
            server.close();
            return null;
        });
    }
}
