package org.concurrence.http.websocket;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.concurrence.http.Response;
import org.concurrence.sync.Lock;

/**
 * Writes server frames (unmasked, unfragmented), one at a time: a lock serialises the tasklets that send, so frames
 * never interleave.
 *
 * <p>Blocking: waits for the lock, then for the client to take the bytes, at most the server's write timeout per
 * frame (and the caller's deadline). A write that fails or times out may have sent part of a frame: every later write
 * then fails at once, as the client could not tell where the next frame starts. Thread-safety: any tasklet of the
 * connection's dispatcher.
 */
final class FrameWriter {
    private static final int COPY_MAX = 16 * 1024;
    private final Response.UpgradedConnection connection;
    private final Lock lock = new Lock("websocket-writer");
    private Throwable broken;

    FrameWriter(Response.UpgradedConnection connection) {
        this.connection = connection;
    }

    void write(int opcode, byte[] payload) throws IOException {
        write(opcode, payload, false);
    }

    /** Writes one frame; {@code compressed} sets RSV1 (a permessage-deflate message). */
    void write(int opcode, byte[] payload, boolean compressed) throws IOException {
        int length = payload.length;
        int headerLength = length <= 125 ? 2 : length <= 0xFFFF ? 4 : 10;
        byte[] frame = new byte[headerLength + (length <= COPY_MAX ? length : 0)];
        frame[0] = (byte) (0x80 | (compressed ? 0x40 : 0) | opcode);
        if (length <= 125) {
            frame[1] = (byte) length;
        } else if (length <= 0xFFFF) {
            frame[1] = 126;
            frame[2] = (byte) (length >>> 8);
            frame[3] = (byte) length;
        } else {
            frame[1] = 127;
            for (int i = 0; i < 8; i++) {
                frame[2 + i] = (byte) ((long) length >>> (56 - 8 * i));
            }
        }
        try (var _ = lock.acquire()) {
            if (broken != null) {
                throw new IOException("an earlier send on this WebSocket failed part way: " + broken, broken);
            }
            try {
                if (length <= COPY_MAX) {
                    System.arraycopy(payload, 0, frame, headerLength, length);
                    connection.write(ByteBuffer.wrap(frame), connection.writeTimeout());
                } else {
                    connection.write(ByteBuffer.wrap(frame), connection.writeTimeout());
                    connection.write(ByteBuffer.wrap(payload), connection.writeTimeout());
                }
            } catch (IOException | RuntimeException e) {
                broken = e;
                throw e;
            }
        }
    }
}
