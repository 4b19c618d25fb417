package org.concurrence.examples;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.concurrence.channel.BroadcastChannel;
import org.concurrence.core.Concurrence;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Mailbox;
import org.concurrence.core.Tasklet;
import org.concurrence.core.Timeout;
import org.concurrence.io.BufferedSink;
import org.concurrence.io.BufferedSource;
import org.concurrence.io.Socket;
import org.concurrence.io.SocketServer;

/**
 * The original's telnet chat: {@code ./concurrence run chat [--port 9010]}, then {@code telnet 127.0.0.1 9010} from
 * several terminals. Each client gets three tasklets, as in the original: the connection's controller (the handler),
 * a reader that turns lines into messages to the controller, and a writer that writes what the room broadcasts.
 * Lines go to every client through a {@link BroadcastChannel}; {@code /quit} leaves. A client that does not take a
 * line within {@link #WRITE_TIMEOUT} is dropped, so a client that never reads cannot hold its connection open.
 */
public final class Chat {
    /** What a client's controller receives: a line its reader read, or the end of its input. */
    private sealed interface Input permits Line, Gone {}

    private record Line(String text) implements Input {}

    private record Gone(String why) implements Input {}

    /** How long a line may wait for its client to read it before that client is dropped. */
    static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);

    private static final BroadcastChannel<String> ROOM = new BroadcastChannel<>("chat room");

    private Chat() {}

    public static void main(String[] args) {
        int port = Args.port(args, 9010);
        Concurrence.dispatch(() -> {
            try {
                SocketServer server = SocketServer.start(new InetSocketAddress("127.0.0.1", port), Chat::client);
                System.out.println("chat on telnet 127.0.0.1 " + server.port() + "; Ctrl-C stops it");
            } catch (IOException e) {
                System.err.println("chat: cannot listen on port " + port + ": " + e.getMessage());
                Concurrence.quit(Concurrence.EXIT_FAILURE);
            }
        });
    }

    /** The controller of one client: asks a name, then relays its lines to the room until it leaves. */
    static void client(Socket socket) throws IOException {
        client(socket, WRITE_TIMEOUT);
    }

    /** {@link #client(Socket)} dropping a client that does not take a line within {@code writeTimeout}. */
    static void client(Socket socket, Duration writeTimeout) throws IOException {
        BufferedSource in = new BufferedSource(socket);
        BufferedSink out = new BufferedSink(socket);
        out.writeString("name? ").flush();
        String name = in.readLine(StandardCharsets.UTF_8, Duration.ofMinutes(1)).strip();
        if (name.isEmpty()) {
            name = "guest-" + Tasklet.current().id();
        }
        Tasklet<?> controller = Tasklet.current();
        Tasklet<Void> writer = Tasklet.builder().name("writer " + name)
                .spawn(() -> writeLines(out, controller, writeTimeout));
        Tasklet<Void> reader = Tasklet.builder().name("reader " + name).spawn(() -> readLines(in, controller));
        ROOM.subscribe(writer);
        ROOM.send("* " + name + " joined (" + ROOM.subscriberCount() + " here)");
        try {
            while (true) {
                switch ((Input) Mailbox.receive()) {
                    case Line(var text) when text.equals("/quit") -> {
                        return;
                    }
                    case Line(var text) -> ROOM.send(name + ": " + text);
                    case Gone(var why) -> {
                        return;
                    }
                }
            }
        } finally {
            ROOM.unsubscribe(writer);
            ROOM.send("* " + name + " left");
            reader.kill();
            writer.kill();
        }
    }

    private static void readLines(BufferedSource in, Tasklet<?> controller) {
        try {
            while (true) {
                controller.send(new Line(in.readLine(StandardCharsets.UTF_8, Duration.ofHours(1))));
            }
        } catch (EOFException e) {
            controller.send(new Gone("end of input"));
        } catch (IOException | RuntimeException e) {
            controller.send(new Gone(e.toString()));
        }
    }

    private static void writeLines(BufferedSink out, Tasklet<?> controller, Duration writeTimeout) {
        try {
            while (true) {
                String line = Mailbox.receive(String.class);
                // One deadline for the write and the flush: a line as long as the buffer goes straight to the socket.
                try (Timeout ignored = Timeout.after(writeTimeout)) {
                    out.writeString(line + "\r\n", StandardCharsets.UTF_8).flush();
                }
            }
        } catch (IOException | DeadlineExceededException e) {
            // The client is gone or does not read: the reader may never hear of it, so tell the controller here.
            controller.send(new Gone(e.toString()));
        }
    }
}
