package org.concurrence.http.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.concurrence.core.Dispatcher;
import org.concurrence.io.BufferedSink;
import org.concurrence.io.BufferedSource;
import org.concurrence.io.Sink;
import org.concurrence.io.Socket;
import org.concurrence.io.Source;
import org.concurrence.io.tls.TlsSocket;

/**
 * One connection to an origin: a socket, or a TLS session over one, with a buffered reader and writer, and the count
 * of bytes the transport has taken (so that "nothing of the request was written" can be told after a failure).
 *
 * <p>Thread-safety: used by one tasklet at a time, of the dispatcher it was opened on (its socket belongs to that
 * dispatcher); the pool hands it from tasklet to tasklet under its lock. {@link #close()} and {@link #abort()} are
 * safe from any thread.
 */
final class ClientConnection {
    final Origin origin;
    /** The pool the connection's slot belongs to: it goes back there. */
    final OriginPool pool;
    final Dispatcher dispatcher;
    private final Socket socket;
    private final TlsSocket tls;
    final BufferedSource in;
    final BufferedSink out;
    private final Counting counter;
    /** When the connection last went idle in the pool, on {@link System#nanoTime()}; guarded by the pool's lock. */
    long idleSince;
    /** Responses read to their end on this connection. */
    int served;

    /** Requests on this connection go to a forward proxy: absolute-form targets, with its authorization. */
    final boolean toProxy;

    private ClientConnection(Origin origin, OriginPool pool, Socket socket, TlsSocket tls, boolean toProxy) {
        this.origin = origin;
        this.toProxy = toProxy;
        this.pool = pool;
        this.dispatcher = Dispatcher.current();
        this.socket = socket;
        this.tls = tls;
        Source source = tls != null ? tls : socket;
        this.counter = new Counting(tls != null ? tls : socket);
        this.in = new BufferedSource(source);
        this.out = new BufferedSink(counter);
    }

    /**
     * Connects to {@code origin} (directly or through the options' proxy) and, for https, performs the TLS handshake,
     * all within {@code timeout} (and never past the current deadline). Nothing is left open on failure.
     */
    static ClientConnection open(Origin origin, OriginPool pool, HttpClientOptions options, Duration timeout)
            throws IOException {
        Dialer.Dialed dialed = Dialer.open(origin, options, timeout, false);
        return new ClientConnection(origin, pool, dialed.socket(), dialed.tls(), dialed.absoluteForm());
    }

    /** Bytes the transport has taken so far. */
    long written() {
        return counter.count;
    }

    /**
     * Whether the connection changed while it was idle in the pool, so it must not serve another request: bytes
     * arrived since the last response ended (in the reader's buffer, or in the kernel: a server that timed the idle
     * connection out with a 408, say) — they answer no request of ours — or the server closed it (end of stream, or a
     * reset). Reads at most one byte from the kernel, and only for a connection it then condemns; never waits.
     */
    boolean changedWhileIdle() {
        if (in.buffered() > 0) {
            return true;
        }
        try {
            return socket.readNow(ByteBuffer.allocate(1)) != 0;
        } catch (IOException reset) {
            return true;
        }
    }

    /** Whether a close-delimited body that just ended is whole: over TLS only if the server sent close_notify. */
    boolean endedCleanly() {
        return tls == null || tls.closeNotifyReceived();
    }

    boolean isOpen() {
        return tls != null ? tls.isOpen() : socket.isOpen();
    }

    /** Closes, quietly: over TLS with close_notify if it can go at once. Idempotent; from any thread. */
    void close() {
        try {
            if (tls != null) {
                tls.close();
            } else {
                socket.close();
            }
        } catch (IOException ignored) {
            // Nothing to do for a connection that is being dropped.
        }
    }

    /** Closes abortively (a reset; no close_notify): for a request cut part way. Idempotent; from any thread. */
    void abort() {
        try {
            if (tls != null) {
                tls.abort();
            } else {
                socket.abort();
            }
        } catch (IOException ignored) {
            // As for close.
        }
    }

    @Override
    public String toString() {
        return "connection to " + origin + " (" + (tls != null ? tls : socket) + ")";
    }

    /** A sink that counts the bytes its sink took, also when a write fails part way. */
    private static final class Counting implements Sink {
        private final Sink sink;
        private long count;

        Counting(Sink sink) {
            this.sink = sink;
        }

        @Override
        public void write(ByteBuffer source) throws IOException {
            write(source, null);
        }

        @Override
        public void write(ByteBuffer source, Duration timeout) throws IOException {
            int before = source.position();
            try {
                sink.write(source, timeout);
            } finally {
                count += source.position() - before;
            }
        }

        @Override
        public void close() throws IOException {
            sink.close();
        }
    }
}
