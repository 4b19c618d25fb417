package org.concurrence.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.concurrence.core.Concurrence;
import org.concurrence.core.Tasklet;
import org.concurrence.io.BufferedSink;
import org.concurrence.io.BufferedSource;
import org.concurrence.io.Socket;
import org.concurrence.io.SocketServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real clients in the chat: names, joins, lines broadcast to every client, leaves, and a client that never reads. */
@Timeout(60)
class ChatTest {

    private record Client(BufferedSource in, BufferedSink out, Socket socket) {
        static Client connect(SocketServer server, String name) throws Exception {
            Socket s = Socket.connect(new InetSocketAddress("127.0.0.1", server.port()), Duration.ofSeconds(10));
            Client c = new Client(new BufferedSource(s), new BufferedSink(s), s);
            assertEquals("name? ", new String(c.in.readExactly(6, Duration.ofSeconds(10)), StandardCharsets.UTF_8));
            c.say(name);
            return c;
        }

        void say(String line) throws Exception {
            out.writeString(line + "\r\n").flush(Duration.ofSeconds(10));
        }

        String hear() throws Exception {
            return in.readLine(Duration.ofSeconds(10));
        }
    }

    @Test
    void linesReachEveryClientInTheRoom() {
        Concurrence.run(Concurrence.Options.defaults().withDispatchers(2), () -> {
            SocketServer server = SocketServer.start(new InetSocketAddress("127.0.0.1", 0), Chat::client);
            Client ann = Client.connect(server, "ann");
            assertEquals("* ann joined (1 here)", ann.hear());
            Client bob = Client.connect(server, "bob");
            assertEquals("* bob joined (2 here)", ann.hear());
            assertEquals("* bob joined (2 here)", bob.hear());
            ann.say("hello bob");
            assertEquals("ann: hello bob", ann.hear());
            assertEquals("ann: hello bob", bob.hear());
            bob.say("/quit");
            assertEquals("* bob left", ann.hear());
            ann.socket.close();
            bob.socket.close();
            server.stop(Duration.ofSeconds(5));
            return null;
        });
    }

    /**
     * A client that never reads is dropped once the room's lines have waited on it for the write timeout, and the
     * room hears it leave; lines of the longest length the reader accepts must not make its writer wait forever.
     */
    @Test
    void aClientThatNeverReadsIsDropped() {
        Concurrence.run(Concurrence.Options.defaults().withDispatchers(2), () -> {
            // A write timeout of 1 s rather than the example's 10 s, to keep the suite quick.
            SocketServer server = SocketServer.start(new InetSocketAddress("127.0.0.1", 0),
                    socket -> Chat.client(socket, Duration.ofSeconds(1)));
            Client ann = Client.connect(server, "ann");
            assertEquals("* ann joined (1 here)", ann.hear());
            Client deaf = Client.connect(server, "deaf");
            assertEquals("* deaf joined (2 here)", ann.hear());
            String longest = "x".repeat(BufferedSource.DEFAULT_MAX_LINE_LENGTH);
            ann.in.maxLineLength(BufferedSource.DEFAULT_MAX_LINE_LENGTH + 16); // "ann: " and the line
            // 24 MB: more than the kernel buffers between the room and deaf. Deaf may be dropped while this goes on
            // (its write timeout passes during the loop on a slow machine): its leaving may come between ann's lines.
            boolean deafLeft = false;
            for (int i = 0; i < 3000; i++) {
                ann.say(longest);
                String heard = ann.hear();
                if (heard.equals("* deaf left")) {
                    deafLeft = true;
                    heard = ann.hear();
                }
                assertEquals("ann: " + longest, heard);
            }
            while (!deafLeft) {
                String heard = ann.in.readLine(Duration.ofSeconds(30));
                assertTrue(heard.equals("* deaf left") || heard.startsWith("ann: "), heard);
                deafLeft = heard.equals("* deaf left");
            }
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (server.connectionCount() > 1 && System.nanoTime() < until) {
                Tasklet.sleep(Duration.ofMillis(20));
            }
            assertEquals(1, server.connectionCount(), "deaf's connection is closed");
            ann.socket.close();
            deaf.socket.close();
            server.stop(Duration.ofSeconds(5));
            return null;
        });
    }
}
