package org.concurrence.http.websocket;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.concurrence.io.Buffer;
import org.concurrence.io.BufferPool;
import org.concurrence.io.PoolAccess;
import org.concurrence.io.Source;

/**
 * Reads the peer's frames (RFC 6455 §5.2) from an upgraded connection and checks them as it goes: masked if the peer
 * is a client, unmasked if it is a server (the {@link Role}), RSV bits 0,
 * known opcodes, control frames short and whole, no 64-bit length with its top bit set, nothing that would make a
 * message longer than the limit (the limit is checked on the header, before the payload is read or allocated).
 *
 * <p>Memory: between frames, with nothing buffered, the reader parks in {@code awaitReadable} holding no buffer, and
 * takes an 8 KiB one from the dispatcher's {@link BufferPool#standard() pool} when bytes arrive, so an idle session
 * (a chat member who says nothing) costs no read buffer.
 *
 * <p>Resumable: a read that times out (under the caller's deadline) loses nothing; the next call goes on with the
 * frame where it stopped. Blocking: reads park under the caller's deadline. Thread-safety: one reader at a time, on the
 * connection's dispatcher.
 */
final class FrameReader {
    private final Source connection;
    private final Role role;
    private final long maxMessageSize;
    /** permessage-deflate is in use: RSV1 may mark a message's first frame. */
    private final boolean deflate;
    /** The standard pool, through an access that caches the dispatcher's free list: no lookup per message. */
    private final PoolAccess pool = new PoolAccess(BufferPool.standard());
    /** The pooled buffer bytes are read into, and its array; both null while idle. */
    private Buffer held;
    private byte[] buffer;
    private int start;
    private int end;
    // The frame being read: its header is parsed once the whole header is buffered.
    private boolean inFrame;
    private boolean fin;
    private int opcode;
    private boolean rsv1;
    private boolean masked;
    private final byte[] mask = new byte[4];
    private byte[] payload;
    private int filled;

    FrameReader(Source connection, Role role, long maxMessageSize, boolean deflate) {
        this.connection = connection;
        this.role = role;
        this.maxMessageSize = maxMessageSize;
        this.deflate = deflate;
    }

    /**
     * The next frame, unmasked.
     *
     * @param messageSoFar bytes of the fragmented message in progress, counted against the limit
     * @return null at the end of the stream (the connection closed without a close frame)
     */
    Frame next(long messageSoFar) throws IOException, ProtocolError {
        if (!inFrame) {
            if (start == end) {
                releaseBuffer();
                connection.awaitReadable(null);
            }
            if (!parseHeader(messageSoFar)) {
                return null;
            }
        }
        while (filled < payload.length) {
            int buffered = end - start;
            if (buffered > 0) {
                int n = Math.min(buffered, payload.length - filled);
                System.arraycopy(buffer, start, payload, filled, n);
                start += n;
                filled += n;
            } else if (payload.length - filled >= pool.bufferSize()) {
                int n = connection.read(ByteBuffer.wrap(payload, filled, payload.length - filled));
                if (n < 0) {
                    return null;
                }
                filled += n;
            } else if (fill() < 0) {
                return null;
            }
        }
        if (masked) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i & 3];
            }
        }
        inFrame = false;
        Frame frame = new Frame(fin, opcode, payload, rsv1);
        payload = null;
        return frame;
    }

    /** Parses the next header once it is whole in the buffer; false at the end of the stream. */
    private boolean parseHeader(long messageSoFar) throws IOException, ProtocolError {
        if (!ensure(2)) {
            return false;
        }
        int b0 = buffer[start] & 0xFF;
        int b1 = buffer[start + 1] & 0xFF;
        int op = b0 & 0x0F;
        boolean rsv1Bit = (b0 & 0x40) != 0;
        if ((b0 & 0x30) != 0 || rsv1Bit && !deflate) {
            throw new ProtocolError(CloseCodes.PROTOCOL_ERROR, "RSV bits set without an extension");
        }
        if (rsv1Bit && op != Frame.TEXT && op != Frame.BINARY) {
            throw new ProtocolError(CloseCodes.PROTOCOL_ERROR,
                    "RSV1 (compressed) set on a frame that does not begin a message");
        }
        if (op != Frame.CONTINUATION && op != Frame.TEXT && op != Frame.BINARY && op != Frame.CLOSE
                && op != Frame.PING && op != Frame.PONG) {
            throw new ProtocolError(CloseCodes.PROTOCOL_ERROR, "unknown opcode " + op);
        }
        boolean finBit = (b0 & 0x80) != 0;
        boolean maskBit = (b1 & 0x80) != 0;
        if (maskBit != role.readsMasked()) {
            throw new ProtocolError(CloseCodes.PROTOCOL_ERROR, role.peer() + " frame " + (maskBit ? "masked"
                    : "not masked"));
        }
        int maskLength = maskBit ? 4 : 0;
        int len7 = b1 & 0x7F;
        int extended = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
        if (Frame.isControl(op) && (!finBit || len7 > 125)) {
            throw new ProtocolError(CloseCodes.PROTOCOL_ERROR, "control frame fragmented or longer than 125 bytes");
        }
        if (!ensure(2 + extended + maskLength)) {
            return false;
        }
        long length = len7;
        if (extended == 2) {
            length = ((buffer[start + 2] & 0xFF) << 8) | (buffer[start + 3] & 0xFF);
        } else if (extended == 8) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = (length << 8) | (buffer[start + 2 + i] & 0xFF);
            }
            if (length < 0) {
                throw new ProtocolError(CloseCodes.PROTOCOL_ERROR, "64-bit frame length with its top bit set");
            }
        }
        if (!Frame.isControl(op) && length > maxMessageSize - messageSoFar) {
            throw new ProtocolError(CloseCodes.TOO_BIG, "message longer than " + maxMessageSize + " bytes");
        }
        System.arraycopy(buffer, start + 2 + extended, mask, 0, maskLength);
        start += 2 + extended + maskLength;
        masked = maskBit;
        fin = finBit;
        opcode = op;
        rsv1 = rsv1Bit;
        payload = new byte[(int) length];
        filled = 0;
        inFrame = true;
        return true;
    }

    /** Buffers at least {@code n} bytes (n at most 14); false at the end of the stream. */
    private boolean ensure(int n) throws IOException {
        while (end - start < n) {
            if (fill() < 0) {
                return false;
            }
        }
        return true;
    }

    private int fill() throws IOException {
        if (buffer == null) {
            held = pool.acquire();
            buffer = held.array(); // the standard pool's buffers are heap arrays from offset 0
            start = end = 0;
        } else if (start == end) {
            start = end = 0;
        } else if (end == buffer.length) {
            System.arraycopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
        }
        int n = connection.read(ByteBuffer.wrap(buffer, end, buffer.length - end));
        if (n > 0) {
            end += n;
        }
        return n;
    }

    /** Gives the buffer back to the pool; only when it holds no bytes. */
    private void releaseBuffer() {
        if (held != null) {
            pool.release(held);
            held = null;
            buffer = null;
            start = end = 0;
        }
    }
}
