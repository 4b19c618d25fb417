package org.concurrence.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.concurrence.core.Concurrence;
import org.concurrence.core.DispatcherGroup;
import org.concurrence.core.Tasklet;

/**
 * The greeter on the JDK's own blocking sockets, run by our tasklets: {@link ServerSocket#accept()} in a tasklet, and
 * a tasklet per connection doing blocking {@link InputStream#read} / {@link OutputStream#write}. The JDK parks the
 * tasklet's virtual thread when a socket is not ready and its poller thread(s) wake it, through our dispatcher's
 * scheduler, from another thread. The other I/O model of the comparison: our {@code io} module instead polls a
 * selector in the dispatcher's own loop.
 *
 * <p>Same greeting loop as {@link org.concurrence.examples.Greeter#greet} (same buffers, same flushing), on byte arrays.
 *
 * <p>Where the JDK's pollers run: on JDK 25 (Linux) the default poller mode has one platform "MasterPoller" thread and
 * sub-pollers that are virtual threads; a virtual thread started without a scheduler by a thread that has a custom
 * one inherits it, so the sub-pollers, created by the first blocking socket call (the acceptor's), run on dispatcher 0
 * like our tasklets (a thread dump shows no ForkJoinPool carrier at all). A tasklet's wake-up is then mostly a
 * same-carrier unpark; only the MasterPoller's wake-up of a sub-poller crosses threads. With
 * {@code -Djdk.pollerMode=1} the pollers are platform threads and every wake-up crosses threads.
 *
 * <p>{@code JdkSocketGreeter [--port=N] [--dispatchers=N]}; the JDK's poller is set up by its own system properties
 * ({@code jdk.pollerMode}, {@code jdk.readPollers}).
 */
public final class JdkSocketGreeter {
    private JdkSocketGreeter() {}

    public static void main(String[] args) throws Exception {
        int dispatchers = ServerMain.intOption(args, "dispatchers", Runtime.getRuntime().availableProcessors());
        DispatcherGroup group = DispatcherGroup.start(Concurrence.Options.defaults().withDispatchers(dispatchers)
                .withName("jdkgreeter"));
        ServerSocket listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(new InetSocketAddress("127.0.0.1", ServerMain.port(args)),
                org.concurrence.io.ServerSocket.DEFAULT_BACKLOG); // the same backlog as ours
        Tasklet.builder().name("acceptor").daemon(true).on(group.dispatcher(0)).spawn(() -> accept(listener, group));
        ServerMain.readyAndServeCommands(listener.getLocalPort());
    }

    private static void accept(ServerSocket listener, DispatcherGroup group) {
        while (true) {
            Socket connection;
            try {
                connection = listener.accept();
                connection.setTcpNoDelay(true);
            } catch (IOException e) {
                System.err.println("accept failed: " + e);
                return;
            }
            Tasklet.builder().daemon(true).on(group.next()).spawn(() -> serve(connection));
        }
    }

    private static void serve(Socket socket) {
        try (socket) {
            greet(socket.getInputStream(), socket.getOutputStream());
        } catch (IOException ignored) {
            // The client went away: nothing to answer.
        }
    }

    /** A reply per request head, until the client closes or asks to. */
    static void greet(InputStream input, OutputStream output) throws IOException {
        byte[] in = new byte[8192];
        byte[] out = new byte[GreeterServers.KEEP_ALIVE.length * 32];
        int filled = 0;
        int outLength = 0;
        int scanned = 0;
        int start = 0;
        while (true) {
            int end = GreeterServers.headEnd(in, scanned, filled);
            if (end < 0) {
                if (start > 0) { // compact
                    System.arraycopy(in, start, in, 0, filled - start);
                    filled -= start;
                    start = 0;
                }
                scanned = Math.max(0, filled - 3);
                if (filled == in.length) {
                    return;
                }
                if (outLength > 0) {
                    output.write(out, 0, outLength);
                    outLength = 0;
                }
                int n = input.read(in, filled, in.length - filled);
                if (n < 0) {
                    return;
                }
                filled += n;
                continue;
            }
            boolean close = GreeterServers.wantsClose(in, start, end);
            byte[] reply = close ? GreeterServers.CLOSE : GreeterServers.KEEP_ALIVE;
            System.arraycopy(reply, 0, out, outLength, reply.length);
            outLength += reply.length;
            start = end;
            scanned = end;
            if (close || out.length - outLength < GreeterServers.KEEP_ALIVE.length) {
                output.write(out, 0, outLength);
                outLength = 0;
                if (close) {
                    return;
                }
            }
        }
    }
}
