package org.concurrence.io;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
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
import org.concurrence.core.Dispatcher;
import org.concurrence.core.Tasklet;
import org.concurrence.core.TaskletExit;

/**
 * A stream socket — TCP, or a Unix domain socket — read and written by tasklets with plain blocking calls.
 *
 * <p>Underneath it is a non-blocking {@link SocketChannel}: a read or write is tried at once, and only when the
 * kernel has nothing (or no room) does the tasklet park until its dispatcher's selector reports the socket ready. No
 * other thread is involved.
 *
 * <p>Blocking and deadlines: every call that can wait honours the tasklet's deadline, or the {@code Duration} given
 * (the earlier of the two), and throws {@link DeadlineExceededException} when it passes; a kill raises
 * {@link TaskletExit}. A read that timed out or was killed consumed nothing and leaves the socket usable; a write that
 * timed out may have written part of its bytes (see {@link Sink}). {@link #close()} from another tasklet wakes a
 * blocked reader or writer with {@link ClosedWhileWaitingException}.
 *
 * <p>Thread-safety: a socket belongs to the dispatcher of the first tasklet that waits on it; one tasklet of that
 * dispatcher may read while another writes. Using it from another dispatcher's tasklet is an
 * {@link IllegalStateException}; {@link #close()} is safe from anywhere. TCP_NODELAY is on by default.
 */
public final class Socket implements Source, Sink {
    private final SocketChannel channel;
    private Registration registration;
    private volatile boolean closed;
    /** The socket's adaptor stream, used only to ask the kernel how many bytes wait (it never reads). */
    private java.io.InputStream availableProbe;

    private Socket(SocketChannel channel) {
        this.channel = channel;
    }

    /** Wraps a connected channel (from {@link ServerSocket#accept()}); makes it non-blocking. */
    static Socket of(SocketChannel channel) throws IOException {
        channel.configureBlocking(false);
        if (!(channel.getLocalAddress() instanceof UnixDomainSocketAddress)) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        return new Socket(channel);
    }

    /** Connects to {@code address} (an {@link InetSocketAddress} or a {@link UnixDomainSocketAddress}) under the current deadline. */
    public static Socket connect(SocketAddress address) throws IOException {
        return connect(address, null);
    }

    /**
     * Connects to {@code address}, waiting at most {@code timeout} (and never past the current deadline). An
     * unresolved host name is looked up on the blocking-work pool, so the dispatcher is never blocked by DNS.
     *
     * @throws java.net.ConnectException  if the peer refused (the connect error is checked, not assumed)
     * @throws DeadlineExceededException if the connection was not established in time; nothing is left open
     */
    public static Socket connect(SocketAddress address, Duration timeout) throws IOException {
        long deadline = Tasklet.deadline(timeout);
        SocketAddress target = resolve(address, timeout);
        SocketChannel channel = target instanceof UnixDomainSocketAddress
                ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
        Socket socket = null;
        try {
            channel.configureBlocking(false);
            if (!(target instanceof UnixDomainSocketAddress)) {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            socket = new Socket(channel);
            if (!channel.connect(target)) {
                while (true) {
                    socket.registration().await(SelectionKey.OP_CONNECT, deadline, "connect to " + target + " by");
                    if (channel.finishConnect()) {
                        break;
                    }
                }
            }
            return socket;
        } catch (IOException | RuntimeException | Error e) {
            if (socket != null) {
                socket.close();
            } else {
                channel.close();
            }
            throw e;
        }
    }

    private static SocketAddress resolve(SocketAddress address, Duration timeout) throws IOException {
        if (address instanceof InetSocketAddress inet && inet.isUnresolved()) {
            String host = inet.getHostString();
            InetAddress resolved = Blocking.call(timeout, () -> InetAddress.getByName(host));
            return new InetSocketAddress(resolved, inet.getPort());
        }
        return address;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Reading and writing.

    @Override
    public int read(ByteBuffer destination) throws IOException {
        return read(destination, null);
    }

    @Override
    public int read(ByteBuffer destination, Duration timeout) throws IOException {
        int n = channel.read(destination);
        if (n != 0 || !destination.hasRemaining()) {
            return n;
        }
        long deadline = Tasklet.deadline(timeout);
        while (true) {
            registration().await(SelectionKey.OP_READ, deadline, "read from");
            n = channel.read(destination);
            if (n != 0) {
                return n;
            }
        }
    }

    /**
     * Waits until bytes (or the end of the stream) can be read, without reading them; returns at once if the kernel
     * already holds some. See {@link Source#awaitReadable}.
     */
    @Override
    public void awaitReadable(Duration timeout) throws IOException {
        if (available() > 0) {
            return;
        }
        registration().await(SelectionKey.OP_READ, Tasklet.deadline(timeout), "read from");
    }

    /** Bytes the kernel holds for this socket now (FIONREAD), without reading them. */
    private int available() throws IOException {
        java.io.InputStream probe = availableProbe;
        if (probe == null) {
            probe = availableProbe = channel.socket().getInputStream();
        }
        return probe.available();
    }

    @Override
    public void write(ByteBuffer source) throws IOException {
        write(source, null);
    }

    @Override
    public void write(ByteBuffer source, Duration timeout) throws IOException {
        long deadline = 0;
        boolean waited = false;
        while (source.hasRemaining()) {
            if (channel.write(source) == 0) {
                if (!waited) {
                    deadline = Tasklet.deadline(timeout);
                    waited = true;
                }
                registration().await(SelectionKey.OP_WRITE, deadline, "write to");
            }
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

    public boolean isOpen() {
        return !closed && channel.isOpen();
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

    public SocketAddress localAddress() throws IOException {
        return channel.getLocalAddress();
    }

    public SocketAddress remoteAddress() throws IOException {
        return channel.getRemoteAddress();
    }

    @Override
    public String toString() {
        try {
            return "socket " + channel.getLocalAddress() + "->" + channel.getRemoteAddress();
        } catch (IOException | RuntimeException closedAlready) {
            return "socket (closed)";
        }
    }

    /** The registration with the current tasklet's dispatcher, made on the first wait. */
    private Registration registration() throws IOException {
        Registration r = registration;
        if (r == null) {
            r = IoLoop.current().register(channel, this);
            registration = r;
            return r;
        }
        Dispatcher here = Dispatcher.current();
        if (r.dispatcher() != here) {
            throw new IllegalStateException(this + " belongs to " + r.dispatcher().name()
                    + "; use it from tasklets of that dispatcher, not " + (here == null ? Thread.currentThread() : here.name()));
        }
        return r;
    }
}
