package org.concurrence.io;

import org.concurrence.core.Dispatcher;

/**
 * A stream's way into its {@link BufferPool}: caches the free list of the dispatcher it last ran on, so taking and
 * returning a buffer costs an identity check instead of a map lookup. Confined to the stream's user.
 */
final class PoolAccess {
    private final BufferPool pool;
    private Dispatcher owner;
    private BufferPool.FreeList list;

    PoolAccess(BufferPool pool) {
        this.pool = pool;
    }

    int bufferSize() {
        return pool.bufferSize();
    }

    /** A cleared buffer of the pool's size. */
    Buffer acquire() {
        return pool.take(freeList());
    }

    /** A cleared buffer of at least {@code capacity} bytes: a pooled one if that is big enough. */
    Buffer acquire(int capacity) {
        return capacity <= pool.bufferSize() ? acquire() : Buffer.allocate(capacity, pool.isDirect(), null);
    }

    /** Gives {@code buffer} back if it came from the pool; a grown one is dropped. */
    void release(Buffer buffer) {
        if (buffer.pool == pool) {
            BufferPool.FreeList free = freeList();
            if (free != null) {
                free.give(buffer);
            }
        }
    }

    private BufferPool.FreeList freeList() {
        Dispatcher current = Dispatcher.current();
        if (current == null) {
            return null;
        }
        if (current != owner) {
            list = pool.freeList(current);
            owner = current;
        }
        return list;
    }
}
