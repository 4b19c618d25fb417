package org.concurrence.io;

import java.io.EOFException;
import java.io.IOException;
import java.time.Duration;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.TaskletExit;

/**
 * Length-prefixed messages, as asyncoro's {@code send_msg} / {@code recv_msg}: each message is a 4-byte big-endian
 * length, then that many bytes of payload. A receiving loop:
 * <pre>{@code
 * MessageFraming framing = new MessageFraming(1 << 20);
 * while (!in.exhausted()) {               // a clean end between messages
 *     handle(framing.readMessage(in));
 * }
 * }</pre>
 * and a sender writes one or more messages, then flushes: {@code framing.writeMessage(out, m); out.flush();}.
 *
 * <p>A length over {@link #maxMessageSize()} fails before anything is allocated, and the payload's array grows as its
 * bytes arrive (8 KiB first, then doubling): a peer cannot make the reader allocate more than the limit, nor much more
 * than it actually sent. Blocking is {@link BufferedSource}'s: {@link #readMessage(BufferedSource)} honours the
 * tasklet's deadline and kill, {@link #readMessage(BufferedSource, Duration)} takes a timeout as well; a read that
 * fails with a timeout, a kill or the end of the stream consumes nothing (the length prefix included), so the stream
 * stays at the start of the message.
 *
 * <p>Thread-safety: immutable; the streams it is given follow their own rules.
 */
public final class MessageFraming {
    /** The default {@link #maxMessageSize()}: 16 MiB. */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 16 << 20;
    private static final int PREFIX = 4;

    private final int maxMessageSize;

    /** Framing with messages of at most {@link #DEFAULT_MAX_MESSAGE_SIZE} bytes. */
    public MessageFraming() {
        this(DEFAULT_MAX_MESSAGE_SIZE);
    }

    /** Framing with messages of at most {@code maxMessageSize} bytes (0 to {@code Integer.MAX_VALUE - 16}). */
    public MessageFraming(int maxMessageSize) {
        if (maxMessageSize < 0 || maxMessageSize > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("maxMessageSize not in [0, " + (Integer.MAX_VALUE - 16) + "]: "
                    + maxMessageSize);
        }
        this.maxMessageSize = maxMessageSize;
    }

    /** The largest payload accepted, in bytes. */
    public int maxMessageSize() {
        return maxMessageSize;
    }

    /**
     * Reads one message and returns its payload.
     *
     * @throws EOFException           if the stream ends before the whole message (consumes nothing)
     * @throws LimitExceededException if the length prefix is over {@link #maxMessageSize()} (consumes nothing; close
     *                                the connection)
     */
    public byte[] readMessage(BufferedSource in) throws IOException {
        return readMessage(in, null);
    }

    /** {@link #readMessage(BufferedSource)}, waiting at most {@code timeout} for the whole message. */
    public byte[] readMessage(BufferedSource in, Duration timeout) throws IOException {
        long deadline = Waits.deadline(timeout);
        in.require(PREFIX, deadline, "readMessage");
        long length = in.peekUnsignedInt();
        if (length > maxMessageSize) {
            throw new LimitExceededException("message of " + length + " bytes is over the limit of "
                    + maxMessageSize + " bytes", maxMessageSize);
        }
        in.consume(PREFIX);
        try {
            return in.readAnnounced((int) length, deadline, "readMessage");
        } catch (EOFException | DeadlineExceededException | TaskletExit e) {
            in.unread(prefix((int) length), 0, PREFIX); // the payload read so far was put back first
            throw e;
        }
    }

    /**
     * Writes {@code message} as one framed message into {@code out}'s buffer; {@link BufferedSink#flush()} sends it.
     *
     * @throws IllegalArgumentException if {@code message} is longer than {@link #maxMessageSize()}: the peer would
     *                                  refuse it
     */
    public void writeMessage(BufferedSink out, byte[] message) throws IOException {
        writeMessage(out, message, 0, message.length);
    }

    /** Writes {@code message[offset, offset + length)} as one framed message; see {@link #writeMessage(BufferedSink, byte[])}. */
    public void writeMessage(BufferedSink out, byte[] message, int offset, int length) throws IOException {
        java.util.Objects.checkFromIndexSize(offset, length, message.length);
        if (length > maxMessageSize) {
            throw new IllegalArgumentException("message of " + length + " bytes is over the limit of "
                    + maxMessageSize + " bytes");
        }
        out.writeInt(length).write(message, offset, length);
    }

    private static byte[] prefix(int length) {
        return new byte[] {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
    }

    @Override
    public String toString() {
        return "MessageFraming[maxMessageSize=" + maxMessageSize + "]";
    }
}
