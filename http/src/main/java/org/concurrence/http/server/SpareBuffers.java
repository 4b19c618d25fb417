package org.concurrence.http.server;

import java.nio.ByteBuffer;

/**
 * The idle read and write buffers of one server on one dispatcher: a connection takes buffers when bytes arrive and
 * gives them back when it goes idle, so a keep-alive connection waiting for its next request holds none.
 *
 * <p>Thread-safety: confined to one dispatcher (all its users are tasklets of that dispatcher, which run one at a
 * time), so it takes no lock. Capped at {@value #MAX_IDLE} buffers; a buffer of another size (a grown one) is dropped.
 */
final class SpareBuffers {
    /** The size of every pooled buffer: a request head of a usual size, or a batch of small responses, fits. */
    static final int SIZE = 8192;
    private static final int MAX_IDLE = 64;

    private final ByteBuffer[] idle = new ByteBuffer[MAX_IDLE];
    private int count;

    /** A cleared buffer of {@link #SIZE} bytes. */
    ByteBuffer take() {
        if (count == 0) {
            return ByteBuffer.allocate(SIZE);
        }
        ByteBuffer buffer = idle[--count];
        idle[count] = null;
        return buffer.clear();
    }

    /** Takes {@code buffer} back for reuse, or drops it if it has another size or the list is full. */
    void give(ByteBuffer buffer) {
        if (buffer.capacity() == SIZE && count < MAX_IDLE) {
            idle[count++] = buffer;
        }
    }
}
