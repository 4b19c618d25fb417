package org.concurrence.examples;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.concurrence.core.Concurrence;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Tasklet;
import org.concurrence.io.Socket;
import org.concurrence.io.SocketServer;

/**
 * The echo server of the course notes: a tasklet per connection reads what its client sends and writes it straight
 * back, until the client closes. Code that reads as plain blocking I/O; underneath, every connection is a tasklet
 * parked on its dispatcher's selector while it waits. A client that stops reading what comes back is closed after
 * {@link #WRITE_TIMEOUT}.
 *
 * <p>{@code ./concurrence run echo [--port 10000]}, then {@code nc 127.0.0.1 10000} in another terminal (a line typed
 * comes back); Ctrl-C stops it.
 */
public final class Echo {
    /** How long an echo may wait for its client to read it before the connection is closed. */
    static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);

    private Echo() {}

    public static void main(String[] args) {
        int port = Args.port(args, 10000);
        Concurrence.dispatch(() -> {
            try {
                SocketServer server = SocketServer.start(new InetSocketAddress("127.0.0.1", port), Echo::echo);
                System.out.println("echo server listening on 127.0.0.1:" + server.port() + " ("
                        + Tasklet.current().dispatcher().group().size() + " dispatchers); try: nc 127.0.0.1 "
                        + server.port() + "; Ctrl-C stops it");
            } catch (IOException e) {
                System.err.println("echo: cannot listen on port " + port + ": " + e.getMessage());
                Concurrence.quit(Concurrence.EXIT_FAILURE);
            }
        });
    }

    /**
     * Serves one connection: echoes until the client closes, or until it has not read an echo for
     * {@link #WRITE_TIMEOUT}; the server closes the socket when this returns.
     */
    static void echo(Socket client) throws IOException {
        echo(client, WRITE_TIMEOUT);
    }

    /** {@link #echo(Socket)} closing a client that does not read an echo within {@code writeTimeout}. */
    static void echo(Socket client, Duration writeTimeout) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (client.read(buffer) >= 0) {
            try {
                client.write(buffer.flip(), writeTimeout);
            } catch (DeadlineExceededException e) {
                return; // the client does not read what it sends
            }
            buffer.clear();
        }
    }
}
