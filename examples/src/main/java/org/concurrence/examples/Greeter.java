package org.concurrence.examples;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.concurrence.core.Concurrence;
import org.concurrence.core.Tasklet;
import org.concurrence.io.Socket;
import org.concurrence.io.SocketServer;

/**
 * The original's greeter: a tasklet per connection answers every HTTP request with a fixed reply. It reads request
 * heads up to the blank line (so keep-alive and pipelined requests work), answers each with {@code Hello World!}, and
 * closes after a request that asks for it (HTTP/1.0 without keep-alive, or {@code Connection: close}).
 *
 * <p>{@code ./concurrence run greeter [--port 8080]}; Ctrl-C stops it.
 */
public final class Greeter {
    private static final byte[] KEEP_ALIVE = response("keep-alive");
    private static final byte[] CLOSE = response("close");

    private Greeter() {}

    private static byte[] response(String connection) {
        return ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 12\r\nConnection: " + connection
                + "\r\n\r\nHello World!").getBytes(StandardCharsets.US_ASCII);
    }

    public static void main(String[] args) {
        int port = Args.port(args, 8080);
        Concurrence.dispatch(() -> {
            try {
                SocketServer server = SocketServer.start(new InetSocketAddress("127.0.0.1", port), Greeter::greet);
                System.out.println("greeter listening on http://127.0.0.1:" + server.port() + "/ ("
                        + Tasklet.current().dispatcher().group().size() + " dispatchers); Ctrl-C stops it");
            } catch (IOException e) {
                System.err.println("greeter: cannot listen on port " + port + ": " + e.getMessage());
                Concurrence.quit(Concurrence.EXIT_FAILURE);
            }
        });
    }

    /**
     * Serves one connection: a reply per request head, until the client closes or asks to. A
     * {@link SocketServer.Handler}; {@code bench greeter} runs this very loop.
     *
     * <p>Blocking: runs in the connection's tasklet until the connection ends; waits without deadline for the next
     * request. Holds no buffer while the connection is idle.
     */
    public static void greet(Socket socket) throws IOException {
        Buffers spare = Buffers.ofCurrentDispatcher();
        ByteBuffer in = null;
        ByteBuffer out = null;
        int scanned = 0;
        try {
            while (true) {
                if (in == null) {
                    // Idle between requests: park holding no buffer, take them back when bytes arrive.
                    socket.awaitReadable(null);
                    in = spare.take(8192);
                    out = spare.take(KEEP_ALIVE.length * 32);
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
        String head = new String(in.array(), 0, end, StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT);
        boolean http10 = head.startsWith("http/1.0", head.indexOf(' ', head.indexOf(' ') + 1) + 1);
        return head.contains("\r\nconnection: close") || (http10 && !head.contains("\r\nconnection: keep-alive"));
    }
}
