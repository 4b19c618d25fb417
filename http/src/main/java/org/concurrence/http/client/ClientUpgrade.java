package org.concurrence.http.client;

import java.io.IOException;
import java.time.Duration;
import org.concurrence.core.Timeout;
import org.concurrence.http.Headers;
import org.concurrence.http.Status;
import org.concurrence.io.BufferedSink;
import org.concurrence.io.BufferedSource;
import org.concurrence.io.Sink;
import org.concurrence.io.Socket;
import org.concurrence.io.tls.TlsSocket;

/**
 * The answer to a request that asks to switch protocols ({@link HttpClient#upgrade}), on a connection of its own: if
 * the server {@linkplain #switched() switched} (101), {@link #input()} and {@link #output()} speak the new protocol
 * (the input first returns what the server sent right behind its head); otherwise the status and fields are its
 * refusal, and {@link #input()} holds its body as the fields frame it. The connection never goes back to the pool:
 * {@link #close()} closes it.
 *
 * <p>Blocking: reads and writes park the calling tasklet under the timeout given and its deadline. Thread-safety:
 * confined to the dispatcher of the tasklet that made it; one reader and one writer at a time. {@code close()} is
 * callable from any thread.
 */
public final class ClientUpgrade implements AutoCloseable {
    private final ResponseHead head;
    private final BufferedSource input;
    private final Sink output;
    private final AutoCloseable connection;

    private ClientUpgrade(ResponseHead head, BufferedSource input, Sink output, AutoCloseable connection) {
        this.head = head;
        this.input = input;
        this.output = output;
        this.connection = connection;
    }

    /**
     * Connects to the request's origin (TLS as the options say), writes its head as {@link HttpClient#send} would, and
     * reads the answer's head, all within {@code timeout}.
     */
    static ClientUpgrade open(ClientRequest request, HttpClientOptions options, Duration timeout) throws IOException {
        Origin origin = request.origin();
        try (Timeout _ = Timeout.after(timeout)) {
            Socket socket;
            TlsSocket tls = null;
            if (origin.isSecure()) {
                tls = TlsSocket.connect(origin.address(), origin.host(), options.tlsOrDefault(), timeout);
                socket = tls.socket();
            } else {
                socket = Socket.connect(origin.address(), timeout);
            }
            AutoCloseable connection = tls != null ? tls : socket;
            try {
                BufferedSink out = new BufferedSink(tls != null ? tls : socket);
                RequestWriter.head(out, request, null, options);
                out.flush();
                BufferedSource in = new BufferedSource(tls != null ? tls : socket);
                ResponseHead head = ResponseHead.read(in, options.maxHeadSize(), options.maxHeaderCount(), origin);
                return new ClientUpgrade(head, in, tls != null ? tls : socket, connection);
            } catch (IOException | RuntimeException | Error e) {
                closeQuietly(connection);
                throw e;
            }
        }
    }

    /** Whether the server switched protocols (101). */
    public boolean switched() {
        return head.status().code() == 101;
    }

    public Status status() {
        return head.status();
    }

    /** The answer's fields, read-only. */
    public Headers headers() {
        return head.headers();
    }

    /** What the server sends after its head: the new protocol's bytes, or the refusal's body. */
    public BufferedSource input() {
        return input;
    }

    /** The way to the server, in the new protocol. */
    public Sink output() {
        return output;
    }

    /** Closes the connection (over TLS with close_notify if it can go at once). Idempotent; from any thread. */
    @Override
    public void close() {
        closeQuietly(connection);
    }

    private static void closeQuietly(AutoCloseable connection) {
        try {
            connection.close();
        } catch (Exception e) {
            // Closing a connection nobody will use again: nothing more to tell.
        }
    }
}
