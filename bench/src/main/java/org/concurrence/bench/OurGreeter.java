package org.concurrence.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.concurrence.core.Concurrence;
import org.concurrence.core.DispatcherGroup;
import org.concurrence.io.Socket;
import org.concurrence.io.SocketServer;

/**
 * Our greeter as a server child of {@code bench greeter}: {@link SocketServer} with a tasklet per connection running
 * the greeting loop of {@code org.concurrence.examples.Greeter}, copied here verbatim ({@code Greeter.greet} is
 * package-private, and the example's {@code main} takes its dispatcher count from the machine).
 *
 * <p>{@code OurGreeter [--port=N] [--dispatchers=N] [--in-buffer=BYTES] [--out-replies=N]} (dispatchers: one per
 * available processor by default, i.e. per CPU the process is pinned to). The buffer sizes default to the example's
 * (8192-byte read buffer, room for 32 replies); they are knobs for measuring what per-connection buffers cost.
 */
public final class OurGreeter {
    private OurGreeter() {}

    public static void main(String[] args) throws IOException {
        inBuffer = GreeterServers.intOption(args, "in-buffer", 8192);
        outReplies = GreeterServers.intOption(args, "out-replies", 32);
        int dispatchers = GreeterServers.intOption(args, "dispatchers", Runtime.getRuntime().availableProcessors());
        DispatcherGroup group = DispatcherGroup.start(Concurrence.Options.defaults().withDispatchers(dispatchers)
                .withName("greeter"));
        SocketServer server = SocketServer.start(group, new InetSocketAddress("127.0.0.1",
                GreeterServers.port(args)), SocketServer.Options.defaults(), OurGreeter::greet);
        GreeterServers.readyAndServeCommands(server.port());
    }

    // ---- From here on a copy of org.concurrence.examples.Greeter's loop (same reply bytes, sizes as options). ----

    private static final byte[] KEEP_ALIVE = GreeterServers.KEEP_ALIVE;
    private static final byte[] CLOSE = GreeterServers.CLOSE;
    private static int inBuffer = 8192; // the example's sizes; see main
    private static int outReplies = 32;

    /** Serves one connection: a reply per request head, until the client closes or asks to. */
    static void greet(Socket socket) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(inBuffer);
        ByteBuffer out = ByteBuffer.allocate(KEEP_ALIVE.length * outReplies);
        int scanned = 0;
        while (true) {
            int end = headEnd(in, scanned);
            if (end < 0) {
                scanned = Math.max(0, in.position() - 3);
                if (!in.hasRemaining()) {
                    return; // a head larger than the buffer: not for this greeter
                }
                if (out.position() > 0) {
                    flush(socket, out); // answer what was pipelined before waiting for more
                }
                if (socket.read(in) < 0) {
                    return;
                }
                continue;
            }
            boolean close = wantsClose(in, end);
            out.put(close ? CLOSE : KEEP_ALIVE);
            in.flip().position(end);
            in.compact();
            scanned = 0;
            if (close || out.remaining() < KEEP_ALIVE.length) {
                flush(socket, out);
                if (close) {
                    return;
                }
            }
        }
    }

    private static void flush(Socket socket, ByteBuffer out) throws IOException {
        socket.write(out.flip());
        out.clear();
    }

    /** The index just past "\r\n\r\n" in {@code in}'s bytes [0, position), or -1. */
    private static int headEnd(ByteBuffer in, int from) {
        for (int i = from; i + 3 < in.position(); i++) {
            if (in.get(i) == '\r' && in.get(i + 1) == '\n' && in.get(i + 2) == '\r' && in.get(i + 3) == '\n') {
                return i + 4;
            }
        }
        return -1;
    }

    private static boolean wantsClose(ByteBuffer in, int end) {
        String head = new String(in.array(), 0, end, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
        boolean http10 = head.startsWith("http/1.0", head.indexOf(' ', head.indexOf(' ') + 1) + 1);
        return head.contains("\r\nconnection: close") || (http10 && !head.contains("\r\nconnection: keep-alive"));
    }
}
