package org.concurrence.http.client;

import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import org.concurrence.core.DeadlineExceededException;
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
 * refusal, and {@link #input()} returns the bytes after the head as they come, unframed: the body with its framing
 * (a {@code Content-Length} to honour, {@code chunked} size lines, or bytes up to the connection's end), which the
 * caller reads as the fields say, or not at all. The connection never goes back to the pool: {@link #close()} closes
 * it.
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
    private final SocketAddress remoteAddress;

    private ClientUpgrade(ResponseHead head, BufferedSource input, Sink output, AutoCloseable connection,
            SocketAddress remoteAddress) {
        this.head = head;
        this.input = input;
        this.output = output;
        this.connection = connection;
        this.remoteAddress = remoteAddress;
    }

    /**
     * Connects to the request's origin (TLS as the options say; through a forward proxy's {@code CONNECT} tunnel if
     * the options name one for it) within the options' connect timeout, as {@link HttpClient#send} does, writes its
     * head as {@code send} would, and reads the answer's head, all within {@code timeout}; a step that runs out of
     * time is reported as that step.
     */
    static ClientUpgrade open(ClientRequest request, HttpClientOptions options, Duration timeout) throws IOException {
        Origin origin = request.origin();
        CallDeadline deadline = CallDeadline.after(timeout);
        String step = origin.isSecure() ? "connecting (TLS) to" : "connecting to";
        AutoCloseable connection = null;
        try (Timeout _ = deadline.scope()) {
            // Through a forward proxy always by a tunnel: a proxy would not pass the new protocol's bytes otherwise.
            // The connect timeout ends a connect that hangs before the call's timeout would, as for a send: a caller
            // (the reverse proxy) may try another server then.
            Dialer.Dialed dialed = Dialer.open(origin, options, options.connectTimeout(), true);
            Socket socket = dialed.socket();
            TlsSocket tls = dialed.tls();
            connection = dialed.closeable();
            step = "writing the upgrade request to";
            BufferedSink out = new BufferedSink(tls != null ? tls : socket);
            RequestWriter.head(out, request, null, options);
            out.flush();
            step = "waiting for the answer's head from";
            BufferedSource in = new BufferedSource(tls != null ? tls : socket);
            ResponseHead head = ResponseHead.read(in, options.maxHeadSize(), options.maxHeaderCount(), origin);
            return new ClientUpgrade(head, in, tls != null ? tls : socket, connection, socket.remoteAddress());
        } catch (DeadlineExceededException e) {
            closeQuietly(connection);
            throw deadline.timedOut(request, step, e);
        } catch (IOException | RuntimeException | Error e) {
            closeQuietly(connection);
            throw e;
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

    /**
     * What the server sends after its head, from the first byte behind it: the new protocol's bytes, or the refusal's
     * body as sent (raw: see the class comment).
     */
    public BufferedSource input() {
        return input;
    }

    /** The way to the server, in the new protocol. */
    public Sink output() {
        return output;
    }

    /** The address connected to (resolved): the server's, or the forward proxy's if it went through one. */
    public SocketAddress remoteAddress() {
        return remoteAddress;
    }

    /** Closes the connection (over TLS with close_notify if it can go at once). Idempotent; from any thread. */
    @Override
    public void close() {
        closeQuietly(connection);
    }

    private static void closeQuietly(AutoCloseable connection) {
        if (connection == null) {
            return;
        }
        try {
            connection.close();
        } catch (Exception e) {
            // Closing a connection nobody will use again: nothing more to tell.
        }
    }
}
