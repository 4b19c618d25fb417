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
import java.time.Duration;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.Tasklet;

/**
 * A listening stream socket, TCP or Unix domain; {@link #accept()} parks the calling tasklet until a connection
 * arrives.
 *
 * <p>Blocking: {@code accept} honours the tasklet's deadline or the given {@code Duration} and throws
 * {@link org.concurrence.core.DeadlineExceededException}; a kill raises {@link org.concurrence.core.TaskletExit};
 * {@link #close()} from another tasklet wakes it with {@link ClosedWhileWaitingException}.
 *
 * <p>Thread-safety: belongs to the dispatcher of the first tasklet that waits in {@code accept}; close from anywhere.
 */
public final class ServerSocket implements AutoCloseable {
    /** The default backlog, as in the original Concurrence. */
    public static final int DEFAULT_BACKLOG = 512;

    private final ServerSocketChannel channel;
    private Registration registration;
    private volatile boolean closed;

    private ServerSocket(ServerSocketChannel channel) {
        this.channel = channel;
    }

    /** Listens on {@code address} with the default backlog and address reuse. */
    public static ServerSocket bind(SocketAddress address) throws IOException {
        return bind(address, DEFAULT_BACKLOG, false);
    }

    /**
     * Listens on {@code address} ({@link InetSocketAddress}, port 0 for any free port, or
     * {@link UnixDomainSocketAddress}).
     *
     * @param reusePort set SO_REUSEPORT, so several server sockets (one per dispatcher) can share a port and the kernel
     *                  spreads connections over them
     */
    public static ServerSocket bind(SocketAddress address, int backlog, boolean reusePort) throws IOException {
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
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Waits for the next connection under the current deadline. */
    public Socket accept() throws IOException {
        return accept(null);
    }

    /** Waits for the next connection, at most {@code timeout} (never past the current deadline). */
    public Socket accept(Duration timeout) throws IOException {
        SocketChannel accepted = channel.accept();
        if (accepted == null) {
            long deadline = Tasklet.deadline(timeout);
            while (accepted == null) {
                registration().await(SelectionKey.OP_ACCEPT, deadline, "accept on");
                accepted = channel.accept();
            }
        }
        try {
            return Socket.of(accepted);
        } catch (IOException | RuntimeException e) {
            accepted.close();
            throw e;
        }
    }

    /** The address it listens on (with the actual port when bound to port 0). */
    public SocketAddress localAddress() throws IOException {
        return channel.getLocalAddress();
    }

    public boolean isOpen() {
        return !closed && channel.isOpen();
    }

    /** Stops listening; a tasklet blocked in {@link #accept} wakes with {@link ClosedWhileWaitingException}. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        Registration r = registration;
        if (r != null) {
            r.abort();
        }
        channel.close();
    }

    @Override
    public String toString() {
        try {
            return "server socket " + channel.getLocalAddress();
        } catch (IOException | RuntimeException closedAlready) {
            return "server socket (closed)";
        }
    }

    private Registration registration() throws IOException {
        Registration r = registration;
        if (r == null) {
            r = IoLoop.current().register(channel, this);
            registration = r;
        } else if (r.dispatcher() != Dispatcher.current()) {
            throw new IllegalStateException(this + " belongs to " + r.dispatcher().name());
        }
        return r;
    }
}
