package org.concurrence.examples;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.concurrence.core.Concurrence;
import org.concurrence.core.Tasklet;
import org.concurrence.io.Socket;
import org.concurrence.io.SocketServer;

/**
 * The echo server of the course notes: a tasklet per connection reads what its client sends and writes it straight
 * back, until the client closes. Code that reads as plain blocking I/O; underneath, every connection is a tasklet
 * parked on its dispatcher's selector while it waits.
 *
 * <p>{@code ./concurrence run echo [--port 10000]}, then {@code nc 127.0.0.1 10000} in another terminal (a line typed
 * comes back); Ctrl-C stops it.
 */
public final class Echo {
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

    /** Serves one connection: echoes until the client closes; the server closes the socket when this returns. */
    static void echo(Socket client) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (client.read(buffer) >= 0) {
            client.write(buffer.flip());
            buffer.clear();
        }
    }
}
