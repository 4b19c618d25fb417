package org.concurrence.io.tls;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Timeout;
import org.concurrence.io.BufferPool;
import org.concurrence.io.Sink;
import org.concurrence.io.Socket;
import org.concurrence.io.Source;
import org.concurrence.sync.Lock;

/*
 * Implementation notes. An SSLEngine turns plaintext into records (wrap) and records into plaintext (unwrap);
 * RecordLayer moves the records over the Socket. Two locks, always taken read-then-write: a reader sometimes has to
 * write (handshake messages, the answer to a TLS 1.3 key update, close_notify in TLS 1.2), a writer never reads. The
 * initial handshake takes both. A renegotiation (TLS 1.2) the peer starts is carried out by the reader; a writer
 * that finds the engine waiting for the peer fails instead of waiting for a reader that may never come.
 *
 * Record buffers (RecordLayer) are pooled: every operation ends by giving back, under the lock of its half, the
 * buffers that hold nothing (endRead, endWrite), or all of them once the session has ended (closed here, or its socket
 * closed). close() and abort() give back at once what a half holds if its lock is free; a half whose lock is held is
 * given back by the holder, which wakes from its wait on the closed socket. So each buffer goes back exactly once,
 * always by a tasklet holding the half's lock.
 */
/**
 * A TLS session over a {@link Socket}, read and written with the same blocking calls: a {@link Source} and a
 * {@link Sink}. Client or server, with SNI, ALPN, host name verification (on by default for clients) and
 * {@code close_notify}; built on {@link SSLEngine}, no other library.
 *
 * <pre>{@code
 * try (TlsSocket tls = TlsSocket.connect(address, "example.org", TlsOptions.client(), Duration.ofSeconds(5))) {
 *     tls.write(request);
 *     tls.read(response);
 * }
 * }</pre>
 *
 * <p><b>Handshake.</b> {@link #connect} performs it; a session made by {@link #client} or {@link #server} performs it
 * on the first read or write, or on an explicit {@link #handshake()}, under that call's deadline. A handshake that
 * fails (an untrusted certificate, a host name mismatch, no common application protocol, the peer closing) throws an
 * {@link SSLHandshakeException} naming the peer, sends the peer the alert, and closes the socket; one that times out
 * or is killed closes the socket too, since the session is then in an unknown state.
 *
 * <p><b>Blocking and deadlines</b> are those of {@link Socket}: every call honours the tasklet's deadline or the
 * {@code Duration} given, and a kill ends it with {@link org.concurrence.core.TaskletExit}. A read that timed out or
 * was killed leaves the session usable; a write that timed out may have taken part of its bytes (the buffer's
 * position says how many; those are sent before anything else the next write sends).
 *
 * <p><b>End of stream.</b> A read returns -1 once the peer sent {@code close_notify}, or closed the connection
 * without it after the handshake, between two records (as the JDK's own SSLSocket does by default); a protocol that
 * must tell truncation from the end needs framing of its own (HTTP's Content-Length does). A connection that ends in
 * the middle of a record fails the read with an {@link SSLException} instead, and the session with it. {@link #close()} sends {@code close_notify}
 * when it can without waiting, then closes the socket.
 *
 * <p><b>Memory.</b> The records in flight live in buffers of 17 KiB taken from a shared pool
 * ({@link #recordBufferPool()}, at most 16 idle per dispatcher) only while they hold bytes: a partial record, plaintext not yet read, records not yet sent (a write that timed out). A session
 * waiting in {@link #awaitReadable} or {@link #read} with nothing buffered holds none, so an idle connection costs the
 * {@code SSLEngine} and no record buffers.
 *
 * <p><b>Thread-safety</b>, as for the socket: it belongs to the socket's dispatcher; one tasklet may read while
 * another writes, and a second reader (or writer) waits for the first. {@link #close()} is safe from anywhere.
 */
public final class TlsSocket implements Source, Sink {
    private static final ByteBuffer EMPTY = RecordLayer.EMPTY;

    private final Socket socket;
    private final SSLEngine engine;
    private final String peer;
    private final Lock readLock = new Lock("TLS read");
    private final Lock writeLock = new Lock("TLS write");
    private final RecordLayer records;
    private volatile boolean handshaken;
    private boolean inboundDone;
    private volatile boolean closed;
    /** The peer's close_notify arrived: the end of the stream was the peer's own, not a cut. */
    private volatile boolean closeNotifyReceived;
    /** Why the session failed after its handshake; null while it has not. */
    private volatile SSLException failure;

    private TlsSocket(Socket socket, SSLEngine engine, String peer, BufferPool pool) {
        this.socket = socket;
        this.engine = engine;
        this.peer = peer;
        this.records = new RecordLayer(engine, socket, pool);
    }

    /**
     * The pool every session's record buffers come from: 17,408-byte (17 KiB) heap buffers, at most 16 kept idle per
     * dispatcher. Its {@link BufferPool#allocated()} counts the record buffers ever made.
     */
    public static BufferPool recordBufferPool() {
        return RecordLayer.POOL;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Making sessions.

    /**
     * Connects to {@code address} and performs the handshake, both within {@code timeout} (and never past the current
     * deadline).
     *
     * @param serverName the name the server's certificate must carry, also sent as SNI; null for the host of
     *                   {@code address} as given (an IP address literal is verified but not sent as SNI)
     * @throws SSLHandshakeException if the handshake fails; nothing is left open
     */
    public static TlsSocket connect(SocketAddress address, String serverName, TlsOptions options, Duration timeout)
            throws IOException {
        String name = serverName != null ? serverName : hostOf(address);
        try (Timeout _ = scope(timeout)) {
            Socket socket = Socket.connect(address);
            try {
                TlsSocket tls = client(socket, name, options);
                tls.handshake(); // closes the socket itself if it fails
                return tls;
            } catch (IllegalArgumentException | IllegalStateException e) {
                socket.close();
                throw e;
            }
        }
    }

    /**
     * A client session over a connected socket; the handshake happens on first use or {@link #handshake()}.
     *
     * @param serverName the name the server's certificate must carry (if {@link TlsOptions#verifyHostname()}), also
     *                   sent as SNI unless it is an IP address literal; null for none (then host name verification
     *                   must be off)
     */
    public static TlsSocket client(Socket socket, String serverName, TlsOptions options) throws IOException {
        return client(socket, serverName, options, RecordLayer.POOL);
    }

    /** {@link #client(Socket, String, TlsOptions)} with record buffers from {@code pool} (for tests). */
    static TlsSocket client(Socket socket, String serverName, TlsOptions options, BufferPool pool)
            throws IOException {
        if (!options.clientMode()) {
            throw new IllegalArgumentException("TlsSocket.client needs client options, not a server's");
        }
        if (serverName == null && options.verifyHostname()) {
            throw new IllegalArgumentException("host name verification is on but no server name was given for "
                    + socket);
        }
        int port = socket.remoteAddress() instanceof InetSocketAddress inet ? inet.getPort() : -1;
        SSLEngine engine = options.newEngine(serverName, port);
        return new TlsSocket(socket, engine, (serverName != null ? serverName + " at " : "") + socket.remoteAddress(),
                pool);
    }

    /** A server session over an accepted socket; the handshake happens on first use or {@link #handshake()}. */
    public static TlsSocket server(Socket socket, TlsOptions options) throws IOException {
        return server(socket, options, RecordLayer.POOL);
    }

    /** {@link #server(Socket, TlsOptions)} with record buffers from {@code pool} (for tests). */
    static TlsSocket server(Socket socket, TlsOptions options, BufferPool pool) throws IOException {
        if (options.clientMode()) {
            throw new IllegalArgumentException("TlsSocket.server needs server options, not a client's");
        }
        // The client's address (an IP literal: no name lookup) and port, for the context that makes the engine: the
        // JDK adapter's HttpsParameters.getClientAddress() reads them.
        SSLEngine engine = socket.remoteAddress() instanceof InetSocketAddress inet
                ? options.newEngine(inet.getAddress().getHostAddress(), inet.getPort()) : options.newEngine(null, -1);
        return new TlsSocket(socket, engine, "client at " + socket.remoteAddress(), pool);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The handshake and what it settled.

    /** Performs the handshake now, if it has not been, under the current deadline. */
    public void handshake() throws IOException {
        handshake(null);
    }

    /**
     * Performs the handshake now, if it has not been, within {@code timeout} (and never past the current deadline).
     *
     * @throws SSLHandshakeException     if it fails; the socket is then closed
     * @throws DeadlineExceededException if it did not finish in time; the socket is then closed
     */
    public void handshake(Duration timeout) throws IOException {
        if (handshaken) {
            return;
        }
        try (Timeout _ = scope(timeout)) {
            readLock.lock();
            try {
                writeLock.lock();
                try {
                    if (!handshaken) {
                        handshakeLocked();
                    }
                } finally {
                    writeLock.unlock();
                }
            } finally {
                readLock.unlock();
            }
        }
    }

    private void handshakeLocked() throws IOException {
        boolean done = false;
        try {
            engine.beginHandshake();
            HandshakeStatus status = engine.getHandshakeStatus();
            while (status != HandshakeStatus.FINISHED && status != HandshakeStatus.NOT_HANDSHAKING) {
                status = switch (status) {
                    case NEED_WRAP -> records.wrapAndFlush(EMPTY).getHandshakeStatus();
                    case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> handshakeUnwrap();
                    case NEED_TASK -> records.runTasks();
                    default -> throw new IllegalStateException("unexpected handshake status " + status);
                };
            }
            handshaken = true;
            done = true;
        } catch (SSLException e) {
            sendAlert();
            SSLHandshakeException failed = new SSLHandshakeException("TLS handshake with " + peer + " failed: "
                    + e.getMessage());
            failed.initCause(e);
            throw failed;
        } finally {
            if (!done) {
                socket.close(); // failed, timed out or killed: the session is unusable
            }
            endRead();
            endWrite();
        }
    }

    private HandshakeStatus handshakeUnwrap() throws IOException {
        SSLEngineResult result = records.unwrap();
        if (result == null) {
            throw new SSLException("the peer closed the connection during the handshake");
        }
        if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
            throw new SSLException("the peer closed the session during the handshake");
        }
        return result.getHandshakeStatus();
    }

    /**
     * The application protocol the handshake settled on by ALPN; empty if none.
     *
     * @throws IllegalStateException before the handshake
     */
    public Optional<String> applicationProtocol() {
        requireHandshake("the application protocol");
        String protocol = engine.getApplicationProtocol();
        return protocol == null || protocol.isEmpty() ? Optional.empty() : Optional.of(protocol);
    }

    /**
     * The host name the client asked for by SNI: on a server, what the client sent (empty if it sent none); on a
     * client, what it sent.
     *
     * @throws IllegalStateException before the handshake
     */
    public Optional<String> serverName() {
        requireHandshake("the server name");
        List<SNIServerName> names = engine.getUseClientMode() ? engine.getSSLParameters().getServerNames()
                : engine.getSession() instanceof ExtendedSSLSession session ? session.getRequestedServerNames()
                : List.of();
        return names.stream().filter(SNIHostName.class::isInstance).map(n -> ((SNIHostName) n).getAsciiName())
                .findFirst();
    }

    /**
     * The session: protocol version, cipher suite, peer certificates.
     *
     * @throws IllegalStateException before the handshake
     */
    public SSLSession session() {
        requireHandshake("the session");
        return engine.getSession();
    }

    private void requireHandshake(String what) {
        if (!handshaken) {
            throw new IllegalStateException(what + " of " + this + " is known only after the handshake; call "
                    + "handshake() first");
        }
    }

    /** The socket underneath. Reading or writing it directly would corrupt the session. */
    public Socket socket() {
        return socket;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Reading.

    @Override
    public int read(ByteBuffer destination) throws IOException {
        return read(destination, null);
    }

    /**
     * Reads at least one byte of plaintext, performing the handshake first if it has not been; -1 at the end of the
     * stream (see the class comment). Waits as {@link Socket#read(ByteBuffer, Duration)} does.
     */
    @Override
    public int read(ByteBuffer destination, Duration timeout) throws IOException {
        if (!destination.hasRemaining()) {
            return 0;
        }
        try (Timeout _ = scope(timeout)) {
            handshake();
            readLock.lock();
            try {
                failedEarlier(); // the engine reads as closed after a failure: that is not the end of the stream
                unwrapUntilPlaintextOrEnd();
                return records.hasPlaintext() ? records.deliver(destination) : -1;
            } catch (SSLException e) {
                throw broken(e);
            } finally {
                try {
                    endRead();
                } finally {
                    readLock.unlock();
                }
            }
        }
    }

    /**
     * Waits until a {@link #read} would not wait for the socket: plaintext or part of a record is buffered already,
     * or the socket is readable (under the current deadline, or at most {@code timeout}). Before the handshake it
     * returns at once (the read performs the handshake). Lets a server park an idle TLS connection on the socket
     * under its idle timeout; a record that arrives only in part still makes the read wait for the rest. Records that
     * carry no data (a KeyUpdate, a session ticket) are taken and answered here, and the wait goes on: they wake the
     * socket but are nothing to read, and a read after them would wait under another timeout (a server's head
     * timeout) for data that was never sent.
     */
    @Override
    public void awaitReadable(Duration timeout) throws IOException {
        try (Timeout _ = scope(timeout)) {
            while (readWaitsForSocket()) {
                socket.awaitReadable(null);
                records.readable(); // the read that follows need not ask the socket again before taking a buffer
                if (!tookOnlyRecordsWithoutData()) {
                    return;
                }
            }
        }
    }

    /**
     * Reads what the socket holds now, never waiting, and unwraps the records in it while they carry no data, answering
     * them. True if that was all there was — no plaintext, nothing left in part, the stream not ended — so the socket
     * is to be waited for again; false when a read would not wait.
     */
    private boolean tookOnlyRecordsWithoutData() throws IOException {
        readLock.lock();
        try {
            failedEarlier();
            try (Timeout _ = Timeout.after(Duration.ZERO)) { // every wait for the socket fails at once
                unwrapUntilPlaintextOrEnd();
                return false; // data, or the end of the stream: the read delivers it
            } catch (DeadlineExceededException nothingMoreNow) {
                return !records.hasBufferedInput(); // part of a record: the read waits for the rest
            }
        } catch (SSLException e) {
            throw broken(e);
        } finally {
            try {
                endRead();
            } finally {
                readLock.unlock();
            }
        }
    }

    /**
     * Unwraps records (reading the socket under the current deadline) until there is plaintext to deliver or the
     * stream has ended (close_notify, or the end between records), answering what carries no data; call holding the
     * read lock.
     */
    private void unwrapUntilPlaintextOrEnd() throws IOException {
        while (!records.hasPlaintext() && !inboundDone) {
            SSLEngineResult result = records.unwrap();
            if (result == null) {
                endOfStreamWithoutCloseNotify();
            } else if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                closeNotifyReceived(result.getHandshakeStatus());
            } else {
                answer(result.getHandshakeStatus());
            }
        }
    }

    /**
     * Whether a read now would have to wait for the socket: the handshake is done, nothing read from the socket waits
     * in this session's buffers (plaintext or part of a record), and the stream has not ended. Then the socket's own
     * readiness tells when the session has something to read — what a server needs to know before it lets an idle
     * connection rest without a tasklet ({@code SocketServer.resumeWhenReadable}). Call from the reading tasklet.
     */
    public boolean readWaitsForSocket() {
        return handshaken && !records.hasBufferedInput() && !inboundDone;
    }

    /** What the engine needs after an unwrap outside the initial handshake: tasks run, answers sent. */
    private void answer(HandshakeStatus status) throws IOException {
        while (status == HandshakeStatus.NEED_TASK || status == HandshakeStatus.NEED_WRAP) {
            if (status == HandshakeStatus.NEED_TASK) {
                status = records.runTasks();
            } else {
                writeLock.lock();
                try {
                    status = records.wrapAndFlush(EMPTY).getHandshakeStatus();
                } finally {
                    try {
                        endWrite();
                    } finally {
                        writeLock.unlock();
                    }
                }
            }
        }
    }

    /**
     * The peer sent close_notify: the end of the stream. A TLS 1.2 engine then wants to answer with its own, which is
     * sent if the peer is still there; a peer that already went away does not turn the end into an error.
     */
    private void closeNotifyReceived(HandshakeStatus status) throws IOException {
        inboundDone = true;
        closeNotifyReceived = true;
        try {
            answer(status);
        } catch (SSLException e) {
            throw e;
        } catch (IOException goneAlready) {
            // Reset or closed after its close_notify: the stream has ended all the same.
        }
    }

    private void endOfStreamWithoutCloseNotify() {
        inboundDone = true;
        try {
            engine.closeInbound();
        } catch (SSLException truncated) {
            // "Inbound closed before receiving peer's close_notify": read as the end, as the JDK's SSLSocket does.
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Writing.

    @Override
    public void write(ByteBuffer source) throws IOException {
        write(source, null);
    }

    /**
     * Encrypts and sends every remaining byte of {@code source}, performing the handshake first if it has not been.
     * Waits as {@link Socket#write(ByteBuffer, Duration)} does.
     *
     * @throws SSLException if the session was closed for writing ({@link #shutdownOutput()}) or the peer started a
     *                      renegotiation, which is not supported
     */
    @Override
    public void write(ByteBuffer source, Duration timeout) throws IOException {
        try (Timeout _ = scope(timeout)) {
            handshake();
            writeLock.lock();
            try {
                failedEarlier();
                records.flush(); // what a write that timed out left
                while (source.hasRemaining()) {
                    SSLEngineResult result;
                    try {
                        result = records.wrapAndFlush(source);
                    } catch (SSLException e) {
                        throw broken(e);
                    }
                    if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
                        throw new SSLException("TLS session with " + peer + " is closed for writing");
                    }
                    HandshakeStatus status = result.getHandshakeStatus();
                    while (status == HandshakeStatus.NEED_TASK) {
                        status = records.runTasks();
                    }
                    if (result.bytesConsumed() == 0 && status == HandshakeStatus.NEED_UNWRAP) {
                        throw new SSLException("TLS session with " + peer + ": the peer started a renegotiation, "
                                + "which is not supported");
                    }
                }
            } finally {
                try {
                    endWrite();
                } finally {
                    writeLock.unlock();
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Ending.

    /**
     * Sends {@code close_notify} and half-closes the socket: the peer reads the end of the stream and may still send
     * (TLS 1.3; a TLS 1.2 peer usually answers with its own close_notify). Waits, under the current deadline, for the
     * socket to take it.
     */
    public void shutdownOutput() throws IOException {
        writeLock.lock();
        try {
            engine.closeOutbound();
            if (handshaken) {
                records.wrapAndFlush(EMPTY);
            }
            socket.shutdownOutput();
        } finally {
            try {
                endWrite();
            } finally {
                writeLock.unlock();
            }
        }
    }

    /**
     * Sends {@code close_notify} if the socket can take it at once (and no writer is in the middle of a record), then
     * closes the socket; a tasklet blocked reading or writing wakes with
     * {@link org.concurrence.io.ClosedWhileWaitingException}. Never waits. Idempotent; callable from any thread,
     * though only a tasklet of the socket's dispatcher sends {@code close_notify}.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (!writeLock.isHeldByCurrent() && writeLock.tryLock()) {
                try {
                    if (handshaken && socket.isOpen()) {
                        engine.closeOutbound();
                        records.wrapAndSendNow();
                    }
                } catch (IOException | RuntimeException notNow) {
                    // No room, another dispatcher, or the peer is gone: the socket closes without it.
                } finally {
                    try {
                        records.discardOutbound();
                    } finally {
                        writeLock.unlock();
                    }
                }
            }
        } finally {
            socket.close();
            discardIfFree();
        }
    }

    /**
     * Whether the stream ended with the peer's {@code close_notify} (RFC 8446 §6.1) rather than with the connection
     * alone: for data whose end is the connection's end (an HTTP/1.0 body without a length), only this tells a whole
     * stream from a cut one. False while the stream has not ended.
     */
    public boolean closeNotifyReceived() {
        return closeNotifyReceived;
    }

    /**
     * Closes the socket without {@code close_notify}, abortively (a reset): the peer sees an error or a cut, never a
     * clean end. For a session whose data is known to be incomplete (a response that failed part way). Idempotent;
     * callable from any thread.
     */
    public void abort() throws IOException {
        closed = true;
        try {
            socket.abort();
        } finally {
            discardIfFree();
        }
    }

    /** False once {@link #close()} was called or the socket closed. */
    public boolean isOpen() {
        return !closed && socket.isOpen();
    }

    @Override
    public String toString() {
        return "TLS session with " + peer + (isOpen() ? "" : " (closed)");
    }

    // ---------------------------------------------------------------------------------------------------------

    /**
     * The session failed after its handshake (a fatal alert from the peer, a record that does not decrypt): the alert
     * goes out if it can, the socket is closed, and the failure is named.
     */
    private SSLException broken(SSLException e) throws IOException {
        SSLException failed = new SSLException("TLS session with " + peer + " failed: " + e.getMessage(), e);
        failure = failed;
        sendAlert();
        socket.close();
        return failed;
    }

    /** Throws if the session failed before: every later read or write fails too, naming the first failure. */
    private void failedEarlier() throws SSLException {
        SSLException first = failure;
        if (first != null) {
            throw new SSLException(first.getMessage() + " (earlier)", first);
        }
    }

    /**
     * Sends the alert the engine has after a failure, if no writer is in the middle of a record and the socket takes
     * it at once; best effort.
     */
    private void sendAlert() {
        boolean held = writeLock.isHeldByCurrent();
        if (!held && !writeLock.tryLock()) {
            return;
        }
        try {
            engine.closeOutbound();
            records.wrapAndSendNow();
        } catch (IOException | RuntimeException ignored) {
            // The failure being reported matters more than the alert.
        } finally {
            records.discardOutbound(); // the socket closes next, whoever called
            if (!held) {
                writeLock.unlock();
            }
        }
    }

    /** True once the session can no longer be used: closed here, or its socket closed (a failure, a close below). */
    private boolean ended() {
        return closed || !socket.isOpen();
    }

    /** At the end of anything done under the read lock: the inbound buffers go back if empty, or all if ended. */
    private void endRead() {
        if (ended()) {
            records.discardInbound();
        } else {
            records.releaseIdleInbound();
        }
    }

    /** At the end of anything done under the write lock: netOut goes back if all was sent, or whatever if ended. */
    private void endWrite() {
        if (ended()) {
            records.discardOutbound();
        } else {
            records.releaseIdleOutbound();
        }
    }

    /**
     * After a close: gives back the buffers of each half whose lock is free. A half whose lock is held (a reader or
     * writer waking from the closed socket, or the caller itself) gives them back as it ends.
     */
    private void discardIfFree() {
        if (!readLock.isHeldByCurrent() && readLock.tryLock()) {
            try {
                records.discardInbound();
            } finally {
                readLock.unlock();
            }
        }
        if (!writeLock.isHeldByCurrent() && writeLock.tryLock()) {
            try {
                records.discardOutbound();
            } finally {
                writeLock.unlock();
            }
        }
    }

    private static Timeout scope(Duration timeout) {
        return timeout == null ? null : Timeout.after(timeout);
    }

    private static String hostOf(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return inet.getHostString();
        }
        throw new IllegalArgumentException("a TLS client needs a server name to connect to " + address);
    }
}
