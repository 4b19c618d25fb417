package org.concurrence.http.websocket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import org.concurrence.core.Timeout;
import org.concurrence.io.Sink;
import org.concurrence.sync.Lock;

/**
 * Writes whole (unfragmented) frames, one at a time: a lock serialises the tasklets that send, so frames never
 * interleave. A client's frames are masked with a fresh key each (RFC 6455 §5.3), a server's are not (the
 * {@link Role}).
 *
 * <p>Blocking: waits for the lock, then for the peer to take the bytes, at most the timeout given for the whole frame
 * (and the caller's deadline). A write that fails or times out may have sent part of a frame: every later write then
 * fails at once, as the peer could not tell where the next frame starts. Thread-safety: any tasklet of the
 * connection's dispatcher.
 */
final class FrameWriter {
    /** Payloads up to this size are copied behind the header and leave in one write; a client masks in such chunks. */
    private static final int COPY_MAX = 16 * 1024;
    private static final int KEYS_AT_ONCE = 16;
    private static final SecureRandom KEYS = new SecureRandom();
    private final Sink connection;
    private final Role role;
    private final Lock lock = new Lock("websocket-writer");
    private Throwable broken;
    /** A client's masking keys, drawn {@link #KEYS_AT_ONCE} at a time; null until the first frame. Under the lock. */
    private byte[] keys;
    private int keyAt;

    FrameWriter(Sink connection, Role role) {
        this.connection = connection;
        this.role = role;
    }

    /**
     * Writes one frame within {@code timeout} (null: the caller's deadline only); {@code compressed} sets RSV1 (a
     * permessage-deflate message).
     */
    void write(int opcode, byte[] payload, boolean compressed, Duration timeout) throws IOException {
        int length = payload.length;
        boolean masked = role.writesMasked();
        int lengthBytes = length <= 125 ? 0 : length <= 0xFFFF ? 2 : 8;
        int headerLength = 2 + lengthBytes + (masked ? 4 : 0);
        boolean direct = !masked && length > COPY_MAX;
        byte[] frame = new byte[headerLength + (direct ? 0 : Math.min(length, COPY_MAX))];
        frame[0] = (byte) (0x80 | (compressed ? 0x40 : 0) | opcode);
        frame[1] = (byte) ((masked ? 0x80 : 0) | (lengthBytes == 0 ? length : lengthBytes == 2 ? 126 : 127));
        for (int i = 0; i < lengthBytes; i++) {
            frame[2 + i] = (byte) ((long) length >>> (8 * (lengthBytes - 1 - i)));
        }
        byte[] key = masked ? new byte[4] : null;
        try (Timeout _ = timeout == null ? null : Timeout.after(timeout); var _ = lock.acquire()) {
            if (broken != null) {
                throw new IOException("an earlier send on this WebSocket failed part way: " + broken, broken);
            }
            if (masked) {
                nextKey(key);
                System.arraycopy(key, 0, frame, 2 + lengthBytes, 4);
            }
            try {
                if (direct) {
                    connection.write(ByteBuffer.wrap(frame));
                    connection.write(ByteBuffer.wrap(payload));
                } else {
                    writeCopied(frame, headerLength, payload, key);
                }
            } catch (IOException | RuntimeException e) {
                broken = e;
                throw e;
            }
        }
    }

    /**
     * The next masking key into {@code key}; under the lock. RFC 6455 §5.3 asks for keys from a strong source of
     * entropy, unpredictable to the application (a script in a browser must not choose the bytes a proxy sees, §10.3):
     * they come from one shared {@link SecureRandom}, {@link #KEYS_AT_ONCE} at a time, so a frame costs no call into it
     * and a session holds 64 bytes of keys.
     */
    private void nextKey(byte[] key) {
        if (keys == null || keyAt == keys.length) {
            if (keys == null) {
                keys = new byte[KEYS_AT_ONCE * 4];
            }
            KEYS.nextBytes(keys);
            keyAt = 0;
        }
        System.arraycopy(keys, keyAt, key, 0, 4);
        keyAt += 4;
    }

    /** Writes the header in {@code frame}, then the payload copied (masked with {@code key} unless null) into it. */
    private void writeCopied(byte[] frame, int headerLength, byte[] payload, byte[] key) throws IOException {
        int at = headerLength;
        int done = 0;
        do {
            int n = Math.min(payload.length - done, frame.length - at);
            if (key == null) {
                System.arraycopy(payload, done, frame, at, n);
            } else {
                for (int i = 0; i < n; i++) {
                    frame[at + i] = (byte) (payload[done + i] ^ key[(done + i) & 3]);
                }
            }
            connection.write(ByteBuffer.wrap(frame, 0, at + n));
            done += n;
            at = 0;
        } while (done < payload.length);
    }
}
