package org.concurrence.io;

import org.concurrence.core.Dispatcher;

/**
 * A stream's (or a connection's) way into its {@link BufferPool}: caches the free list of the dispatcher it last ran
 * on, so taking and returning a buffer costs an identity check instead of {@link BufferPool#acquire}'s map lookup
 * under a lock. The buffered streams use one each, and so does a TLS session's record layer.
 *
 * <p>Not thread-safe: confined to its user, one tasklet at a time (tasklets of one dispatcher, or a thread that is not
 * a tasklet, for which acquire allocates and release drops, as with the pool itself).
 */
public final class PoolAccess {
    private final BufferPool pool;
    private Dispatcher owner;
    private BufferPool.FreeList list;

    /** An access to {@code pool}; make one per stream or connection. */
    public PoolAccess(BufferPool pool) {
        this.pool = pool;
    }

    /** The size of the pool's buffers. */
    public int bufferSize() {
        return pool.bufferSize();
    }

    /** A cleared buffer of the pool's size. */
    public Buffer acquire() {
        return pool.take(freeList());
    }

    /** A cleared buffer of at least {@code capacity} bytes: a pooled one if that is big enough. */
    public Buffer acquire(int capacity) {
        return capacity <= pool.bufferSize() ? acquire() : Buffer.allocate(capacity, pool.isDirect(), null);
    }

    /**
     * Gives {@code buffer} back if it came from the pool; a grown one (of another pool, or none) is dropped. The
     * caller must not touch it afterwards.
     *
     * @throws IllegalStateException if {@code buffer} is already in a pool's free list (released twice)
     */
    public void release(Buffer buffer) {
        if (buffer.inPool) {
            throw new IllegalStateException("buffer released twice: " + buffer);
        }
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
