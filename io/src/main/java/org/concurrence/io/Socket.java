package org.concurrence.io;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import org.concurrence.core.Blocking;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Tasklet;
import org.concurrence.core.TaskletExit;

/**
 * A stream socket — TCP, or a Unix domain socket — read and written by tasklets with plain blocking calls.
 *
 * <p>Underneath it is a non-blocking {@link SocketChannel}: a read or write is tried at once, and only when the
 * kernel has nothing (or no room) does the tasklet park until its dispatcher's selector reports the socket ready. No
 * other thread is involved. So that a socket that never makes its reader wait cannot monopolise the dispatcher, every
 * 16th call in a row that did not wait (and every 16th step of a long write) yields to the other tasklets first.
 *
 * <p>Blocking and deadlines: every call that can wait honours the tasklet's deadline, or the {@code Duration} given
 * (the earlier of the two), and throws {@link DeadlineExceededException} when it passes; a kill raises
 * {@link TaskletExit}. A read that timed out or was killed consumed nothing and leaves the socket usable; a write that
 * timed out may have written part of its bytes (see {@link Sink}). {@link #close()} from another tasklet wakes a
 * blocked reader or writer with {@link ClosedWhileWaitingException} (an {@link IOException}). Using a socket needs a
 * tasklet on a dispatcher running on real time: virtual time cannot see the network.
 *
 * <p>Thread-safety: a socket belongs to the dispatcher of the first tasklet that waits on it; one tasklet of that
 * dispatcher may read while another writes. Using it from another dispatcher's tasklet is an
 * {@link IllegalStateException}; {@link #close()} is safe from anywhere. TCP_NODELAY is on by default.
 */
public final class Socket implements Source, Sink {
    private final SocketChannel channel;
    private final Confinement confinement;
    /**
     * A stream over the channel, used only to ask the kernel how many bytes wait (FIONREAD); it never reads and is
     * never closed. {@code Channels.newInputStream}, not the socket adaptor's stream: {@code SocketChannel.socket()}
     * exists for TCP only and throws for a Unix domain socket.
     */
    private java.io.InputStream availableProbe;
    /**
     * The addresses once connected, taken when the socket is made so that {@link #toString()} never touches the
     * channel: it is called from error paths on other threads (a close that wakes a waiter names the socket), where
     * taking the channel's state lock could deadlock against a carrier deregistering the channel.
     */
    private volatile SocketAddress local;
    private volatile SocketAddress remote;
    /**
     * The last read returned less than it offered room for, so the kernel had no more: the next read or readiness
     * wait goes straight to the selector instead of first trying a system call that almost always fails with EAGAIN
     * (a request/response connection reads once per request). Readiness is level-triggered and the read interest
     * stays set, so bytes that came meanwhile are reported by the next poll. Confined to the reading tasklet.
     */
    private boolean drained;
    /** The handler that goes on with this connection once it is readable: see {@link SocketServer}. */
    SocketServer.Handler resumption;

    private Socket(SocketChannel channel) {
        this.channel = channel;
        this.confinement = new Confinement(channel, this);
    }

    /** Wraps a connected channel (from {@link ServerSocket#accept()}); makes it non-blocking. */
    static Socket of(SocketChannel channel) throws IOException {
        channel.configureBlocking(false);
        SocketAddress localAddress = channel.getLocalAddress();
        if (!(localAddress instanceof UnixDomainSocketAddress)) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        Socket socket = new Socket(channel);
        socket.local = localAddress;
        socket.remote = channel.getRemoteAddress();
        return socket;
    }

    /**
     * Connects to {@code address} (an {@link InetSocketAddress} or a {@link UnixDomainSocketAddress}) under the
     * current deadline.
     */
    public static Socket connect(SocketAddress address) throws IOException {
        return connect(address, null);
    }

    /**
     * Connects to {@code address}, waiting at most {@code timeout} (and never past the current deadline). An
     * unresolved host name is looked up on the blocking-work pool, so the dispatcher is never blocked by DNS.
     *
     * @throws java.net.ConnectException  if the peer refused (the connect error is checked, not assumed); the message
     *                                   names the address
     * @throws java.net.SocketException   naming the address, for the other failures; among them a Unix domain
     *                                   listener whose backlog is full ("Resource temporarily unavailable", at once:
     *                                   the kernel gives a non-blocking connect nothing to wait on, where a TCP
     *                                   client would retry its SYN)
     * @throws DeadlineExceededException if the connection was not established in time; nothing is left open
     */
    public static Socket connect(SocketAddress address, Duration timeout) throws IOException {
        long deadline = Tasklet.deadline(timeout);
        SocketAddress target = resolve(address, timeout);
        SocketChannel channel = target instanceof UnixDomainSocketAddress
                ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
        Socket socket = new Socket(channel);
        try {
            channel.configureBlocking(false);
            if (!(target instanceof UnixDomainSocketAddress)) {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            if (!channel.connect(target)) {
                Registration registration = socket.confinement.registration();
                do {
                    registration.await(SelectionKey.OP_CONNECT, deadline, "connect to " + target + " by");
                } while (!channel.finishConnect());
                registration.connected();
            }
            socket.local = channel.getLocalAddress();
            socket.remote = channel.getRemoteAddress();
            return socket;
        } catch (SocketException e) {
            socket.close();
            throw named("connect to " + target, e);
        } catch (IOException | RuntimeException | Error e) {
            socket.close(); // every path out without a socket closes the channel: nothing is left open
            throw e;
        }
    }

    /**
     * The JDK's connect and bind errors say what went wrong but not where ("Connection refused", "Address already in
     * use", "Unix domain path too long"); this names the operation and its address ({@code what}), and keeps the type
     * for the kinds a caller may tell apart.
     */
    static SocketException named(String what, SocketException e) {
        String message = what + " failed: " + e.getMessage();
        SocketException named = switch (e) {
            case ConnectException _ -> new ConnectException(message);
            case NoRouteToHostException _ -> new NoRouteToHostException(message);
            case BindException _ -> new BindException(message);
            default -> e.getClass() == SocketException.class ? new SocketException(message) : null;
        };
        if (named == null) {
            return e;
        }
        named.initCause(e);
        return named;
    }

    /** Looks an unresolved host name up on the blocking-work pool, under the connect's deadline. */
    private static SocketAddress resolve(SocketAddress address, Duration timeout) throws IOException {
        if (address instanceof InetSocketAddress inet && inet.isUnresolved()) {
            String host = inet.getHostString();
            Blocking.Work<InetAddress, IOException> lookup = () -> InetAddress.getByName(host);
            InetAddress resolved = timeout == null ? Blocking.call(lookup) : Blocking.call(timeout, lookup);
            return new InetSocketAddress(resolved, inet.getPort());
        }
        return address;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Reading and writing.

    /** Reads at least one byte, under the current deadline; see {@link #read(ByteBuffer, Duration)}. */
    @Override
    public int read(ByteBuffer destination) throws IOException {
        return read(destination, null);
    }

    /**
     * Reads at least one byte into {@code destination}, waiting at most {@code timeout} (never past the current
     * deadline) for some to arrive.
     *
     * @return how many bytes were read; -1 at the end of the stream (the peer closed or shut down its output); 0 only
     *         if {@code destination} has no room
     * @throws DeadlineExceededException   if nothing arrived in time; nothing was consumed
     * @throws ClosedWhileWaitingException if another tasklet or thread closed the socket meanwhile
     * @throws IllegalStateException       from a tasklet of another dispatcher than the socket's, or while another
     *                                     tasklet is waiting to read it
     */
    @Override
    public int read(ByteBuffer destination, Duration timeout) throws IOException {
        confinement.beginCall();
        if (!drained || !destination.hasRemaining()) {
            int offered = destination.remaining();
            int n = channel.read(destination);
            if (n != 0 || offered == 0) {
                drained = n > 0 && n < offered;
                return n;
            }
        }
        long deadline = Tasklet.deadline(timeout);
        while (true) {
            confinement.registration().await(SelectionKey.OP_READ, deadline, "read from");
            int offered = destination.remaining();
            int n = channel.read(destination);
            if (n != 0) {
                drained = n > 0 && n < offered;
                return n;
            }
        }
    }

    /**
     * Waits until bytes (or the end of the stream) can be read, without reading them; returns at once if the kernel
     * already holds some. A buffered reader parks here without holding a buffer; see {@link Source#awaitReadable}.
     */
    @Override
    public void awaitReadable(Duration timeout) throws IOException {
        confinement.beginCall();
        if (!drained && available() > 0) {
            return;
        }
        confinement.registration().await(SelectionKey.OP_READ, Tasklet.deadline(timeout), "read from");
        drained = false;
    }

    /**
     * Runs {@code action} once the socket is readable or closed, with no tasklet parked meanwhile (see
     * {@link SocketServer#resumeWhenReadable}); the action runs on the dispatcher's carrier or on a closing thread
     * and must be short and not throw. Call from a tasklet of the socket's dispatcher.
     */
    void whenReadable(Runnable action) throws IOException {
        confinement.checkOwner();
        confinement.registration().whenReadable(action);
    }

    /** The operations its loop asks the kernel about for this socket (OP_READ, OP_WRITE...): for tests. */
    int interestOps() throws IOException {
        return confinement.registration().key.interestOps();
    }

    /**
     * Runs the action {@link #whenReadable} registered now, as if the socket had become readable; false if none is
     * registered (it ran already, or none was). Callable from any thread: the action is taken once.
     */
    boolean runReadinessAction() {
        Registration r = confinement.registered();
        return r != null && r.runInboundAction();
    }

    /**
     * Bytes that arrived and wait in the kernel for this socket now (FIONREAD), without reading them; never waits.
     * Zero at the end of the stream too: it tells that the peer sent something, not that it closed. A pool uses it to
     * tell that an idle connection received what no request asked for.
     */
    public int available() throws IOException {
        java.io.InputStream probe = availableProbe;
        if (probe == null) {
            probe = availableProbe = java.nio.channels.Channels.newInputStream(channel);
        }
        return probe.available();
    }

    /**
     * Reads what the kernel holds for this socket now, never waiting: unlike {@link #available()} it also tells the
     * end of the stream. A pool uses it to find an idle connection the peer closed (a FIN, no bytes) before handing
     * it out.
     *
     * @return how many bytes were read; 0 if none were waiting (or {@code destination} has no room); -1 at the end of
     *         the stream
     * @throws IOException           if the connection failed (a reset, say)
     * @throws IllegalStateException from a tasklet of another dispatcher than the socket's
     */
    public int readNow(ByteBuffer destination) throws IOException {
        confinement.beginCall();
        int offered = destination.remaining();
        int n = channel.read(destination);
        drained = n >= 0 && n < offered;
        return n;
    }

    /** Writes every remaining byte, under the current deadline; see {@link #write(ByteBuffer, Duration)}. */
    @Override
    public void write(ByteBuffer source) throws IOException {
        write(source, null);
    }

    /**
     * Writes every remaining byte of {@code source}, waiting while the peer does not take them, for at most
     * {@code timeout} in all (never past the current deadline).
     *
     * @throws DeadlineExceededException   if not all went in time: {@code source}'s position says how many did
     * @throws ClosedWhileWaitingException if another tasklet or thread closed the socket meanwhile
     * @throws IllegalStateException       from a tasklet of another dispatcher than the socket's, or while another
     *                                     tasklet is waiting to write it
     */
    @Override
    public void write(ByteBuffer source, Duration timeout) throws IOException {
        confinement.beginCall();
        // One deadline for the whole write, however many steps it takes: taken at the start, but the clock is read
        // only when the first step leaves bytes behind (a response usually goes in one step).
        long deadline = 0;
        boolean timed = false;
        while (true) {
            int n = channel.write(source);
            if (!source.hasRemaining()) {
                return;
            }
            if (!timed) {
                deadline = Tasklet.deadline(timeout);
                timed = true;
            }
            if (n > 0) {
                confinement.takeTurn(); // a big write to a fast reader must not hold the dispatcher throughout
                continue;
            }
            confinement.registration().await(SelectionKey.OP_WRITE, deadline, "write to");
        }
    }

    /** Half-closes: sends end-of-stream to the peer, which can still send to us. */
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    /**
     * Closes the socket. A tasklet blocked reading or writing it wakes with {@link ClosedWhileWaitingException}.
     * Idempotent; callable from any thread.
     */
    @Override
    public void close() throws IOException {
        confinement.close();
    }

    /**
     * Closes abortively: the connection is reset ({@code SO_LINGER} 0) rather than ended with a FIN, so the peer sees
     * an error instead of a clean end (for data known to be cut). Otherwise as {@link #close()}: idempotent, callable
     * from any thread.
     */
    public void abort() throws IOException {
        try {
            channel.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException | RuntimeException closedAlready) {
            // Nothing left to reset.
        }
        close();
    }

    /** False once {@link #close()} was called. */
    public boolean isOpen() {
        return !confinement.isClosed() && channel.isOpen();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Options and addresses.

    public <T> Socket setOption(SocketOption<T> option, T value) throws IOException {
        channel.setOption(option, value);
        return this;
    }

    public <T> T getOption(SocketOption<T> option) throws IOException {
        return channel.getOption(option);
    }

    /** The local address; known (and kept after close) once connected. */
    public SocketAddress localAddress() throws IOException {
        SocketAddress l = local;
        return l != null ? l : channel.getLocalAddress();
    }

    /** The peer's address; known (and kept after close) once connected. */
    public SocketAddress remoteAddress() throws IOException {
        SocketAddress r = remote;
        return r != null ? r : channel.getRemoteAddress();
    }

    /** {@code socket /127.0.0.1:50000->/127.0.0.1:8080}; the addresses stay known after the socket is closed. */
    @Override
    public String toString() {
        SocketAddress r = remote;
        String d = r == null ? "socket (not connected)" : "socket " + local + "->" + r;
        return confinement.isClosed() ? d + " (closed)" : d;
    }
}
