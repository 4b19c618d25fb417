package org.concurrence.http.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.concurrence.http.server.TestServer;

/**
 * A server on plain JDK sockets (a platform thread per connection) that answers with exactly the bytes a test script
 * writes: for responses no real server would send (malformed, interim, close-delimited, stale connections, silence).
 */
public final class ScriptedServer implements AutoCloseable {
    /** What the server does with one connection; {@code index} counts connections from 0. */
    public interface Script {
        void serve(Connection connection, int index) throws IOException;
    }

    private final ServerSocket listener;
    private final AtomicInteger connections = new AtomicInteger();
    private final Thread acceptor;

    public ScriptedServer(Script script) {
        try {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        acceptor = Thread.ofPlatform().daemon().name("scripted-acceptor").start(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket socket = listener.accept();
                    int index = connections.getAndIncrement();
                    Thread.ofPlatform().daemon().name("scripted-" + index).start(() -> {
                        try (Connection c = new Connection(socket)) {
                            script.serve(c, index);
                        } catch (IOException ignored) {
                            // The client went away: the script is over.
                        }
                    });
                } catch (IOException closed) {
                    return;
                }
            }
        });
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + listener.getLocalPort() + path);
    }

    @Override
    public void close() {
        try {
            listener.close();
            acceptor.join(TestServer.PATIENCE.toMillis());
        } catch (IOException | InterruptedException ignored) {
            // Test cleanup.
        }
    }

    /** One accepted connection, read and written by a script. */
    public static final class Connection implements AutoCloseable {
        public final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Connection(Socket socket) throws IOException {
            this.socket = socket;
            socket.setSoTimeout((int) TestServer.PATIENCE.toMillis());
            socket.setTcpNoDelay(true);
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        /** The next request head up to its empty line, or null if the client closed first. */
        public String readHead() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    return null;
                }
                head.write(b);
                matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            return head.toString(StandardCharsets.ISO_8859_1);
        }

        /** Reads and returns {@code n} bytes (a request body). */
        public byte[] readBytes(int n) throws IOException {
            return in.readNBytes(n);
        }

        public Connection write(String text) throws IOException {
            return write(text.getBytes(StandardCharsets.ISO_8859_1));
        }

        public Connection write(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
            return this;
        }

        /** Whether the client closed the connection (end of stream or reset) within the test's patience. */
        public boolean closedByClient() {
            try {
                while (in.read() >= 0) {
                    // Drain whatever the client still sends.
                }
                return true;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException reset) {
                return true;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
