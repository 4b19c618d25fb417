package org.concurrence.io;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.time.Duration;
import java.util.Objects;
import org.concurrence.core.Tasklet;

/**
 * A UDP socket whose {@link #receive} and {@link #send} park only the calling tasklet: a non-blocking
 * {@link DatagramChannel} on its dispatcher's selector, like {@link Socket}.
 *
 * <pre>{@code
 * try (DatagramSocket udp = DatagramSocket.bind(new InetSocketAddress("127.0.0.1", 5353))) {
 *     ByteBuffer packet = ByteBuffer.allocate(1500);
 *     SocketAddress from = udp.receive(packet, Duration.ofSeconds(1));
 *     udp.send(packet.flip(), from);
 * }
 * }</pre>
 *
 * <p>Datagrams: each {@code send} is one datagram, sent whole or not at all; each {@code receive} takes one whole
 * datagram, and the part that does not fit in the buffer is discarded (give it room for the largest datagram
 * expected: 65,507 bytes at most over IPv4). UDP may lose, duplicate or reorder datagrams, also on loopback when a
 * receiver falls behind.
 *
 * <p>Connecting ({@link #connect}) fixes the peer: {@link #send(ByteBuffer)} goes to it, only its datagrams are
 * received, and an ICMP "port unreachable" it causes surfaces as {@link java.net.PortUnreachableException} from a
 * later call.
 *
 * <p>Blocking: {@code receive} waits for a datagram and {@code send} for room in the socket's buffer, under the
 * tasklet's deadline or the given {@code Duration} ({@link org.concurrence.core.DeadlineExceededException}; a
 * timed-out call took or sent nothing and leaves the socket usable); a kill raises
 * {@link org.concurrence.core.TaskletExit}; {@link #close()} from elsewhere wakes them with
 * {@link ClosedWhileWaitingException}.
 *
 * <p>Thread-safety: belongs to the dispatcher of the first tasklet that waits on it (using it from another
 * dispatcher's tasklet is an {@link IllegalStateException}); one tasklet may receive while another sends. {@link
 * #close()} is safe from anywhere.
 */
public final class DatagramSocket implements AutoCloseable {
    private final DatagramChannel channel;
    private final SocketAddress local;
    private final Confinement confinement;

    private DatagramSocket(DatagramChannel channel) throws IOException {
        this.channel = channel;
        this.local = channel.getLocalAddress();
        this.confinement = new Confinement(channel, this);
    }

    /**
     * Opens a UDP socket bound to {@code address}: an {@link InetSocketAddress} (port 0 for any free port), or null
     * for any free port on every local address.
     */
    public static DatagramSocket bind(SocketAddress address) throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        try {
            channel.configureBlocking(false);
            channel.bind(address);
            return new DatagramSocket(channel);
        } catch (java.net.SocketException e) {
            channel.close();
            // The JDK says what ("Address already in use", "Unix domain path too long") but not where.
            throw Socket.named("bind to " + address, e);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Fixes the peer to {@code remote} (see the class comment); never waits. Returns this socket. */
    public DatagramSocket connect(SocketAddress remote) throws IOException {
        Objects.requireNonNull(remote, "remote");
        channel.connect(remote);
        return this;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Receiving.

    /** Receives one datagram under the current deadline; see {@link #receive(ByteBuffer, Duration)}. */
    public SocketAddress receive(ByteBuffer destination) throws IOException {
        return receive(destination, null);
    }

    /**
     * Waits for one datagram, at most {@code timeout} (never past the current deadline), and puts it into
     * {@code destination} at its position (what does not fit is discarded).
     *
     * @return the sender's address
     */
    public SocketAddress receive(ByteBuffer destination, Duration timeout) throws IOException {
        confinement.beginCall();
        SocketAddress sender = channel.receive(destination);
        if (sender == null) {
            long deadline = Tasklet.deadline(timeout);
            do {
                confinement.registration().await(SelectionKey.OP_READ, deadline, "receive on");
            } while ((sender = channel.receive(destination)) == null);
        }
        return sender;
    }

    /** Takes a datagram that has already arrived, returning its sender, or returns null; never waits (nor yields). */
    public SocketAddress tryReceive(ByteBuffer destination) throws IOException {
        confinement.checkOwner();
        return channel.receive(destination);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Sending.

    /** Sends the remaining bytes of {@code datagram} to {@code target} as one datagram, under the current deadline. */
    public void send(ByteBuffer datagram, SocketAddress target) throws IOException {
        send(datagram, target, null);
    }

    /**
     * Sends the remaining bytes of {@code datagram} to {@code target} as one datagram, waiting at most {@code timeout}
     * (never past the current deadline) for room in the socket's buffer.
     *
     * @param target where to, or null for the connected peer
     */
    public void send(ByteBuffer datagram, SocketAddress target, Duration timeout) throws IOException {
        confinement.beginCall();
        if (!trySend(datagram, target)) {
            long deadline = Tasklet.deadline(timeout);
            do {
                confinement.registration().await(SelectionKey.OP_WRITE, deadline, "send on");
            } while (!trySend(datagram, target));
        }
    }

    /** Sends one datagram to the connected peer, under the current deadline. */
    public void send(ByteBuffer datagram) throws IOException {
        send(datagram, null, null);
    }

    /**
     * Sends the remaining bytes of {@code datagram} as one datagram if the socket's buffer has room now; never waits
     * (nor yields).
     *
     * @param target where to, or null for the connected peer
     * @return false if there was no room (nothing was sent)
     */
    public boolean trySend(ByteBuffer datagram, SocketAddress target) throws IOException {
        confinement.checkOwner();
        if (target == null) {
            if (!channel.isConnected()) {
                throw new IllegalStateException(this + " is not connected: give the target address");
            }
            return channel.write(datagram) > 0 || !datagram.hasRemaining();
        }
        return channel.send(datagram, target) > 0 || !datagram.hasRemaining();
    }

    // ---------------------------------------------------------------------------------------------------------

    /** The address it is bound to (with the actual port when bound to port 0). */
    public SocketAddress localAddress() {
        return local;
    }

    /** The connected peer, or null. */
    public SocketAddress remoteAddress() throws IOException {
        return channel.getRemoteAddress();
    }

    public <T> DatagramSocket setOption(SocketOption<T> option, T value) throws IOException {
        channel.setOption(option, value);
        return this;
    }

    public <T> T getOption(SocketOption<T> option) throws IOException {
        return channel.getOption(option);
    }

    /** False once {@link #close()} was called. */
    public boolean isOpen() {
        return !confinement.isClosed() && channel.isOpen();
    }

    /**
     * Closes the socket; a tasklet blocked in {@code receive} or {@code send} wakes with
     * {@link ClosedWhileWaitingException}. Idempotent; callable from any thread.
     */
    @Override
    public void close() throws IOException {
        confinement.close();
    }

    @Override
    public String toString() {
        return "UDP socket " + local + (confinement.isClosed() ? " (closed)" : "");
    }
}
