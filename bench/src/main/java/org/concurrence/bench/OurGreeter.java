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
        inBuffer = ServerMain.intOption(args, "in-buffer", 8192);
        outReplies = ServerMain.intOption(args, "out-replies", 32);
        int dispatchers = ServerMain.intOption(args, "dispatchers", Runtime.getRuntime().availableProcessors());
        DispatcherGroup group = DispatcherGroup.start(Concurrence.Options.defaults().withDispatchers(dispatchers)
                .withName("greeter"));
        SocketServer server = SocketServer.start(group, new InetSocketAddress("127.0.0.1",
                ServerMain.port(args)), SocketServer.Options.defaults(), OurGreeter::greet);
        ServerMain.readyAndServeCommands(server.port());
    }

    // ---- From here on a copy of org.concurrence.examples.Greeter's loop (same reply bytes, sizes as options). ----

    private static final byte[] KEEP_ALIVE = GreeterServers.KEEP_ALIVE;
    private static final byte[] CLOSE = GreeterServers.CLOSE;
    private static int inBuffer = 8192; // the example's sizes; see main
    private static int outReplies = 32;

    /** Serves one connection: a reply per request head, until the client closes or asks to. */
    static void greet(Socket socket) throws IOException {
        Buffers spare = Buffers.ofCurrentDispatcher();
        ByteBuffer in = null;
        ByteBuffer out = null;
        int scanned = 0;
        try {
            while (true) {
                if (in == null) {
                    // Idle between requests: park holding no buffer, take them back when bytes arrive.
                    socket.awaitReadable(null);
                    in = spare.take(inBuffer);
                    out = spare.take(KEEP_ALIVE.length * outReplies);
                    if (socket.read(in) < 0) {
                        return;
                    }
                }
                int end = headEnd(in, scanned);
                if (end < 0) {
                    scanned = Math.max(0, in.position() - 3);
                    if (!in.hasRemaining()) {
                        return; // a head larger than the buffer: not for this greeter
                    }
                    if (out.position() > 0) {
                        flush(socket, out); // answer what was pipelined before waiting for more
                    }
                    if (in.position() == 0) {
                        spare.give(in);
                        spare.give(out);
                        in = out = null;
                        continue;
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
        } finally {
            if (in != null) {
                spare.give(in);
                spare.give(out);
            }
        }
    }

    /**
     * Spare buffers of one dispatcher: a connection holds buffers only while it has bytes to handle. Touched only by
     * the dispatcher's own tasklets, so the list needs no lock; capped, so an idle server keeps little.
     */
    private static final class Buffers {
        private static final java.util.Map<org.concurrence.core.Dispatcher, Buffers> BY_DISPATCHER =
                new java.util.concurrent.ConcurrentHashMap<>();
        private final java.util.ArrayDeque<ByteBuffer> free = new java.util.ArrayDeque<>();

        static Buffers ofCurrentDispatcher() {
            return BY_DISPATCHER.computeIfAbsent(org.concurrence.core.Dispatcher.current(), d -> new Buffers());
        }

        ByteBuffer take(int size) {
            for (var it = free.iterator(); it.hasNext(); ) {
                ByteBuffer b = it.next();
                if (b.capacity() == size) {
                    it.remove();
                    return b.clear();
                }
            }
            return ByteBuffer.allocate(size);
        }

        void give(ByteBuffer b) {
            if (free.size() < 64) {
                free.addFirst(b);
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
