package org.concurrence.io;

import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.concurrence.core.Dispatcher;

/**
 * Buffers of one size, kept for reuse per dispatcher with a fixed cap, so that a program with many connections holds
 * a buffer only where bytes are actually buffered and reuses it instead of allocating one per read.
 *
 * <p>{@link #acquire} takes a buffer from the current dispatcher's free list, or allocates one if the list is empty;
 * {@link #release} puts it back, or drops it (for the garbage collector) if the list already holds
 * {@link #maxPooledPerDispatcher()} buffers. So a dispatcher never keeps more than {@code maxPooledPerDispatcher *
 * bufferSize} bytes idle, however many connections it serves. Called from a thread that is not a tasklet (a test's
 * main thread, a blocking-pool worker), {@code acquire} allocates and {@code release} drops.
 *
 * <p>Heap, not direct, by default ({@link #standard()}): parsers (lines, headers, numbers, strings) read heap bytes
 * straight from the array, while a {@code SocketChannel} given a heap buffer copies through a temporary direct buffer
 * the JDK caches per carrier thread (here: one per dispatcher, reused, released before the tasklet parks), which costs
 * one copy of the bytes actually moved. Measured on loopback, 8 KiB reads of 1 GiB: heap and direct within noise of
 * each other (1.1–1.8 GB/s both). A socket that wants direct buffers can use a pool made with {@code direct = true};
 * every class here works with either.
 *
 * <p>Thread-safety: safe from any thread. Each dispatcher's free list is touched only by tasklets of that dispatcher,
 * which run one at a time on its carrier, so taking and returning a buffer needs no lock; finding the list takes a
 * short lock, and {@link BufferedSource} and {@link BufferedSink} do that once per stream, not per read.
 *
 * <p>A released buffer must not be used again by its releaser: the pool hands it to the next {@code acquire}.
 */
public final class BufferPool {
    /*
     * Implementation notes. No ThreadLocal (house rule 9): free lists are kept per Dispatcher in a WeakHashMap, so a
     * dispatcher of a closed group does not stay reachable through a pool. A per-dispatcher slot in core would make
     * the lookup unnecessary; until there is one, PoolAccess caches the list per stream.
     */
    /** The size of the buffers of {@link #standard()}: 8 KiB. */
    public static final int DEFAULT_BUFFER_SIZE = 8192;
    /** How many idle buffers {@link #standard()} keeps per dispatcher: 32 (256 KiB). */
    public static final int DEFAULT_MAX_POOLED = 32;

    private static final BufferPool STANDARD = new BufferPool(DEFAULT_BUFFER_SIZE, DEFAULT_MAX_POOLED, false);

    private final int bufferSize;
    private final int maxPooled;
    private final boolean direct;
    private final Map<Dispatcher, FreeList> lists = new WeakHashMap<>(); // guarded by itself
    private final LongAdder allocated = new LongAdder();

    private BufferPool(int bufferSize, int maxPooled, boolean direct) {
        this.bufferSize = bufferSize;
        this.maxPooled = maxPooled;
        this.direct = direct;
    }

    /** The shared pool the buffered streams use by default: 8 KiB heap buffers, at most 32 idle per dispatcher. */
    public static BufferPool standard() {
        return STANDARD;
    }

    /**
     * A new pool. Keep it in a constant and share it: each pool has its own free lists.
     *
     * @param bufferSize             the capacity of every buffer, at least 1
     * @param maxPooledPerDispatcher the most idle buffers kept per dispatcher; 0 pools nothing
     * @param direct                 true for off-heap buffers
     */
    public static BufferPool create(int bufferSize, int maxPooledPerDispatcher, boolean direct) {
        if (bufferSize < 1) {
            throw new IllegalArgumentException("bufferSize < 1: " + bufferSize);
        }
        if (maxPooledPerDispatcher < 0) {
            throw new IllegalArgumentException("maxPooledPerDispatcher < 0: " + maxPooledPerDispatcher);
        }
        return new BufferPool(bufferSize, maxPooledPerDispatcher, direct);
    }

    /** The capacity of this pool's buffers. */
    public int bufferSize() {
        return bufferSize;
    }

    /** The most idle buffers kept per dispatcher. */
    public int maxPooledPerDispatcher() {
        return maxPooled;
    }

    /** True if this pool's buffers are direct. */
    public boolean isDirect() {
        return direct;
    }

    /** A cleared buffer of {@link #bufferSize()}: a pooled one if the current dispatcher has one, else a new one. */
    public Buffer acquire() {
        Dispatcher dispatcher = Dispatcher.current();
        return take(dispatcher == null ? null : freeList(dispatcher));
    }

    /**
     * Returns {@code buffer} for reuse (or drops it if the current dispatcher's list is full or the caller is not a
     * tasklet). The caller must not touch it afterwards.
     *
     * @throws IllegalArgumentException if {@code buffer} was not allocated by this pool (a duplicate or slice of one
     *                                  was not either)
     * @throws IllegalStateException    if {@code buffer} is already in a pool
     */
    public void release(Buffer buffer) {
        if (buffer.pool != this) {
            throw new IllegalArgumentException("not a buffer of this pool: " + buffer
                    + (buffer.pool == null ? " was not allocated by a pool" : " belongs to another pool"));
        }
        if (buffer.inPool) {
            throw new IllegalStateException("buffer released twice: " + buffer);
        }
        Dispatcher dispatcher = Dispatcher.current();
        if (dispatcher != null) {
            freeList(dispatcher).give(buffer);
        }
    }

    /** How many idle buffers the current dispatcher's list holds; 0 when not called from a tasklet. */
    public int pooled() {
        Dispatcher dispatcher = Dispatcher.current();
        return dispatcher == null ? 0 : freeList(dispatcher).count;
    }

    /** How many buffers this pool has allocated so far, on every dispatcher and thread. */
    public long allocated() {
        return allocated.sum();
    }

    /** The free list of {@code dispatcher}, created on first use. */
    FreeList freeList(Dispatcher dispatcher) {
        synchronized (lists) {
            return lists.computeIfAbsent(dispatcher, d -> new FreeList(maxPooled));
        }
    }

    /** A buffer from {@code list} (which may be null: not a tasklet), or a new one. */
    Buffer take(FreeList list) {
        Buffer buffer = list == null ? null : list.take();
        if (buffer == null) {
            allocated.increment();
            buffer = Buffer.allocate(bufferSize, direct, this);
        }
        return buffer;
    }

    @Override
    public String toString() {
        return "BufferPool[bufferSize=" + bufferSize + ", maxPooledPerDispatcher=" + maxPooled
                + (direct ? ", direct]" : "]");
    }

    /** One dispatcher's idle buffers, last in first out. Confined to that dispatcher's carrier. */
    static final class FreeList {
        private final Buffer[] free;
        private int count;

        FreeList(int max) {
            free = new Buffer[max];
        }

        Buffer take() {
            if (count == 0) {
                return null;
            }
            Buffer buffer = free[--count];
            free[count] = null;
            buffer.inPool = false;
            return buffer.clear();
        }

        void give(Buffer buffer) {
            if (count < free.length) {
                buffer.inPool = true;
                free[count++] = buffer;
            }
        }
    }
}
