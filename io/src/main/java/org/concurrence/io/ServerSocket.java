package org.concurrence.io;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.concurrence.core.Tasklet;

/**
 * A listening stream socket, TCP or Unix domain; {@link #accept()} parks the calling tasklet until a connection
 * arrives.
 *
 * <p>Blocking: {@code accept} honours the tasklet's deadline or the given {@code Duration} and throws
 * {@link org.concurrence.core.DeadlineExceededException}; a kill raises {@link org.concurrence.core.TaskletExit};
 * {@link #close()} from another tasklet wakes it with {@link ClosedWhileWaitingException}. Neither a timeout nor a
 * kill affects the listener, which goes on queueing connections for the next {@code accept}.
 *
 * <p>Unix domain: the socket file is created by {@link #bind} and deleted by {@link #close()}.
 *
 * <p>Thread-safety: belongs to the dispatcher of the first tasklet that waits in {@code accept} (using it from
 * another dispatcher's tasklet is an {@link IllegalStateException}); close from anywhere.
 */
public final class ServerSocket implements AutoCloseable {
    /**
     * The default backlog: as deep as the kernel allows (Linux caps it at {@code net.core.somaxconn}, 4096 on current
     * kernels), as Netty does. A shallow queue overflows during a burst of connections or a short stall of the
     * dispatcher, and every overflow is a dropped SYN that the client retries only after a second.
     */
    public static final int DEFAULT_BACKLOG = 65_535;

    private final ServerSocketChannel channel;
    private final SocketAddress address;
    private final Confinement confinement;
    private final AtomicBoolean socketFileDeleted = new AtomicBoolean();

    private ServerSocket(ServerSocketChannel channel) throws IOException {
        this.channel = channel;
        this.address = channel.getLocalAddress();
        this.confinement = new Confinement(channel, this);
    }

    /** Listens on {@code address} with the default backlog and address reuse. */
    public static ServerSocket bind(SocketAddress address) throws IOException {
        return bind(address, DEFAULT_BACKLOG, false);
    }

    /**
     * Listens on {@code address} ({@link InetSocketAddress}, port 0 for any free port, or
     * {@link UnixDomainSocketAddress}, whose file must not exist yet).
     *
     * @param backlog   how many connections the kernel queues before they are accepted (at least 1; the kernel caps
     *                  it at {@code net.core.somaxconn})
     * @param reusePort set SO_REUSEPORT, so several server sockets (one per dispatcher) can share a port and the kernel
     *                  spreads connections over them
     */
    public static ServerSocket bind(SocketAddress address, int backlog, boolean reusePort) throws IOException {
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be at least 1: " + backlog);
        }
        boolean unix = address instanceof UnixDomainSocketAddress;
        ServerSocketChannel channel = unix ? ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                : ServerSocketChannel.open();
        try {
            channel.configureBlocking(false);
            if (!unix) {
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                if (reusePort) {
                    channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                }
            }
            channel.bind(address, backlog);
            return new ServerSocket(channel);
        } catch (java.net.SocketException e) {
            channel.close();
            // The JDK says what ("Address already in use", "Unix domain path too long") but not where.
            throw Socket.named("bind to " + address, e);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Waits for the next connection under the current deadline. */
    public Socket accept() throws IOException {
        return accept(null);
    }

    /**
     * Waits for the next connection, at most {@code timeout} (never past the current deadline).
     *
     * @return the connection, not yet bound to a dispatcher: it belongs to the first dispatcher that waits on it, so
     *         an acceptor may hand it to a tasklet on another dispatcher
     */
    public Socket accept(Duration timeout) throws IOException {
        confinement.beginCall();
        Socket accepted = tryAccept();
        if (accepted == null) {
            long deadline = Tasklet.deadline(timeout);
            do {
                awaitConnection(deadline);
            } while ((accepted = tryAccept()) == null);
        }
        return accepted;
    }

    /** Takes a connection that is already waiting, or returns null; never waits (nor yields). */
    public Socket tryAccept() throws IOException {
        confinement.checkOwner();
        SocketChannel accepted = channel.accept();
        if (accepted == null) {
            return null;
        }
        try {
            return Socket.of(accepted);
        } catch (IOException | RuntimeException e) {
            accepted.close();
            throw e;
        }
    }

    /**
     * Waits until a connection is queued, without taking it (so it stays in the kernel's backlog until
     * {@link #tryAccept()}): how a server waits for a connection before it takes a permit for it. May return with
     * nothing queued after all (the connection was reset meanwhile); {@code tryAccept} then returns null.
     */
    void awaitConnection(long deadline) throws IOException {
        confinement.registration().await(SelectionKey.OP_ACCEPT, deadline, "accept on");
    }

    /** The address it listens on (with the actual port when bound to port 0); still known after close. */
    public SocketAddress localAddress() {
        return address;
    }

    /** False once {@link #close()} was called. */
    public boolean isOpen() {
        return !confinement.isClosed() && channel.isOpen();
    }

    /**
     * Stops listening; a tasklet blocked in {@link #accept} wakes with {@link ClosedWhileWaitingException}, and
     * connections queued but not accepted are reset. Deletes the socket file of a Unix domain listener. When it
     * returns, the port is released: new connects are refused (it waits for the owning dispatcher to deregister the
     * channel, which is when the JDK really closes it: at once on that dispatcher, otherwise a poll pass there).
     * Idempotent; callable from any thread.
     */
    @Override
    public void close() throws IOException {
        try {
            confinement.closeAndRelease();
        } finally {
            if (address instanceof UnixDomainSocketAddress unix && !unix.getPath().toString().isEmpty()
                    && socketFileDeleted.compareAndSet(false, true)) {
                Files.deleteIfExists(unix.getPath());
            }
        }
    }

    @Override
    public String toString() {
        return "server socket " + address + (confinement.isClosed() ? " (closed)" : "");
    }
}
