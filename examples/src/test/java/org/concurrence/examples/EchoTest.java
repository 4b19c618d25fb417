package org.concurrence.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.concurrence.core.Concurrence;
import org.concurrence.core.Tasklet;
import org.concurrence.io.BufferedSource;
import org.concurrence.io.Socket;
import org.concurrence.io.SocketServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The echo server with real clients: what is sent comes back; a client that never reads is closed. */
@Timeout(60)
class EchoTest {

    @Test
    void echoesWhatItIsSent() {
        Concurrence.run(() -> {
            SocketServer server = SocketServer.start(new InetSocketAddress("127.0.0.1", 0), Echo::echo);
            try (Socket s = Socket.connect(new InetSocketAddress("127.0.0.1", server.port()), Duration.ofSeconds(10))) {
                s.write(ByteBuffer.wrap("hello\n".getBytes(StandardCharsets.UTF_8)), Duration.ofSeconds(10));
                assertEquals("hello", new BufferedSource(s).readLine(Duration.ofSeconds(10)));
            }
            server.stop(Duration.ofSeconds(5));
            return null;
        });
    }

    @Test
    void aClientThatNeverReadsIsClosed() {
        Concurrence.run(() -> {
            // A write timeout of 300 ms rather than the example's 10 s, to keep the suite quick.
            SocketServer server = SocketServer.start(new InetSocketAddress("127.0.0.1", 0),
                    client -> Echo.echo(client, Duration.ofMillis(300)));
            Socket deaf = Socket.connect(new InetSocketAddress("127.0.0.1", server.port()), Duration.ofSeconds(10));
            ByteBuffer chunk = ByteBuffer.allocate(1 << 16);
            // Send until nothing more goes in: the echoes fill the way back, then the server stops reading (the write
            // times out), or has closed the connection already (the write fails).
            assertThrows(Exception.class, () -> {
                for (int i = 0; i < 10_000; i++) {
                    deaf.write(chunk.clear(), Duration.ofSeconds(1));
                }
            });
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (server.connectionCount() > 0 && System.nanoTime() < until) {
                Tasklet.sleep(Duration.ofMillis(20));
            }
            assertEquals(0, server.connectionCount(), "the deaf client's connection is closed");
            deaf.close();
            server.stop(Duration.ofSeconds(5));
            return null;
        });
    }
}
