package org.concurrence.http.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLSession;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Timeout;
import org.concurrence.io.Socket;
import org.concurrence.io.tls.TlsSocket;

/**
 * The byte stream of one connection: the accepted socket itself, or a TLS session over it (HTTPS). The connection
 * reads, writes, waits and closes through it; addresses and socket options are the TCP socket's.
 *
 * <p>Blocking, timeouts and thread-safety: those of {@link Socket} and {@link TlsSocket}; {@link #close()} is
 * callable from any thread.
 */
sealed interface Transport permits Transport.Plain, Transport.Secure {

    /** Reads at least one byte (-1 at the end), waiting at most {@code timeout}. */
    int read(ByteBuffer destination, Duration timeout) throws IOException;

    /** Writes every remaining byte, waiting at most {@code timeout} for the client to take them. */
    void write(ByteBuffer source, Duration timeout) throws IOException;

    /** Waits, holding no buffer, until a read would not wait (at most {@code timeout}). */
    void awaitReadable(Duration timeout) throws IOException;

    /**
     * Whether the socket's readiness alone tells when there is more to read (nothing is buffered above it), so the
     * connection may rest without a tasklet until then.
     */
    boolean readWaitsForSocket();

    /** Ends the output: a FIN, after TLS's close_notify for a secure one. */
    void shutdownOutput() throws IOException;

    void close() throws IOException;

    /**
     * Closes abortively (a reset, and for TLS no close_notify): the connection broke or a response failed part way,
     * and the client must see an error rather than a clean end.
     */
    void abort() throws IOException;

    /**
     * Ends a connection that served its last response: for TLS, sends close_notify and the FIN (waiting at most
     * {@code timeout}), so that a close-delimited body is seen to be whole (RFC 8446 §6.1, RFC 9112 §9.8); for plain
     * TCP nothing, the socket's close is the end.
     */
    void endGracefully(Duration timeout);

    boolean isOpen();

    /** The TCP socket: addresses and options. */
    Socket socket();

    /** The TLS session of an HTTPS connection; empty for plain HTTP. */
    Optional<SSLSession> tlsSession();

    /** Plain HTTP: the socket. */
    record Plain(Socket socket) implements Transport {
        @Override
        public int read(ByteBuffer destination, Duration timeout) throws IOException {
            return socket.read(destination, timeout);
        }

        @Override
        public void write(ByteBuffer source, Duration timeout) throws IOException {
            socket.write(source, timeout);
        }

        @Override
        public void awaitReadable(Duration timeout) throws IOException {
            socket.awaitReadable(timeout);
        }

        @Override
        public boolean readWaitsForSocket() {
            return true;
        }

        @Override
        public void shutdownOutput() throws IOException {
            socket.shutdownOutput();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }

        @Override
        public void abort() throws IOException {
            socket.abort();
        }

        @Override
        public void endGracefully(Duration timeout) {
        }

        @Override
        public boolean isOpen() {
            return socket.isOpen();
        }

        @Override
        public Optional<SSLSession> tlsSession() {
            return Optional.empty();
        }

        @Override
        public String toString() {
            return socket.toString();
        }
    }

    /** HTTPS: a TLS session whose handshake has completed. */
    record Secure(TlsSocket tls) implements Transport {
        @Override
        public int read(ByteBuffer destination, Duration timeout) throws IOException {
            return tls.read(destination, timeout);
        }

        @Override
        public void write(ByteBuffer source, Duration timeout) throws IOException {
            tls.write(source, timeout);
        }

        @Override
        public void awaitReadable(Duration timeout) throws IOException {
            tls.awaitReadable(timeout);
        }

        @Override
        public boolean readWaitsForSocket() {
            return tls.readWaitsForSocket();
        }

        @Override
        public void shutdownOutput() throws IOException {
            tls.shutdownOutput();
        }

        @Override
        public void close() throws IOException {
            tls.close();
        }

        @Override
        public void abort() throws IOException {
            tls.abort();
        }

        @Override
        public void endGracefully(Duration timeout) {
            try (Timeout _ = Timeout.after(timeout)) {
                tls.shutdownOutput();
            } catch (IOException | DeadlineExceededException goneOrSlow) {
                // The client left or stopped reading: the socket's close follows all the same.
            }
        }

        @Override
        public boolean isOpen() {
            return tls.isOpen();
        }

        @Override
        public Socket socket() {
            return tls.socket();
        }

        @Override
        public Optional<SSLSession> tlsSession() {
            return Optional.of(tls.session());
        }

        @Override
        public String toString() {
            return tls.toString();
        }
    }
}
