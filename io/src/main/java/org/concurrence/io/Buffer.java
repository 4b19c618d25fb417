package org.concurrence.io;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.Objects;

/**
 * A fixed-size byte buffer with a position, a limit and a capacity, as in {@code java.nio}: {@code 0 <= position <=
 * limit <= capacity}. Relative gets and puts work between position and limit and advance the position; absolute ones
 * take an index below the limit and move nothing. Numbers come in both byte orders, named in the method: {@code
 * getInt} is big-endian (network order), {@code getIntLe} little-endian; the buffer itself has no order to set.
 *
 * <p>Every access is bounds-checked and fails without changing the buffer: a relative get that needs more than
 * remains throws {@link BufferUnderflowException}, a relative put that needs more than is free throws
 * {@link BufferOverflowException}, an absolute access outside {@code [0, limit)} throws
 * {@link IndexOutOfBoundsException}; each message gives the operation, the count asked, the position and the limit.
 * A put into a buffer over read-only bytes (see {@link #wrap(ByteBuffer)}) throws
 * {@link ReadOnlyBufferException}, also without changing it.
 *
 * <p>Heap or direct: {@link #allocate} gives a heap buffer, {@link #allocateDirect} a direct one. Both work with every
 * {@link Source} and {@link Sink}; see {@link BufferPool} for which the pools hand out and why. {@link #readFrom} and
 * {@link #writeTo} move bytes between the buffer and a source or sink without allocating; {@link #asByteBuffer} gives
 * a {@code java.nio} view for other APIs.
 *
 * <p>Not thread-safe: a buffer belongs to one tasklet at a time. {@link #duplicate} and the slices share the bytes
 * (a put through one is seen by the others) but have their own position and limit.
 */
public final class Buffer {
    /*
     * Implementation notes. The bytes live in a ByteBuffer whose own position and limit are never touched (its limit
     * stays at its capacity), so it can be shared by duplicates; this class keeps its own position and limit.
     * Numbers go through byte-buffer view VarHandles with an explicit order, which work on heap and direct memory
     * alike and ignore ByteBuffer.order(). Source and Sink calls go through `io`, a duplicate made on first use whose
     * position and limit are set just before each call and read back after it.
     */
    private static final VarHandle SHORT_BE = view(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle SHORT_LE = view(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_BE = view(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_LE = view(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_BE = view(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG_LE = view(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final ByteBuffer bytes;
    private final int capacity;
    /** The bytes are a read-only buffer's: relative puts must fail before they move the position. */
    private final boolean readOnly;
    private int position;
    private int limit;
    private ByteBuffer io;
    /** The pool that allocated this buffer, or null; see {@link BufferPool#release}. */
    final BufferPool pool;
    /** True while the buffer sits in a pool's free list: a second release is a bug. */
    boolean inPool;

    private Buffer(ByteBuffer bytes, int position, int limit, BufferPool pool) {
        this.bytes = bytes;
        this.capacity = bytes.capacity();
        this.readOnly = bytes.isReadOnly();
        this.position = position;
        this.limit = limit;
        this.pool = pool;
    }

    private static VarHandle view(Class<?> arrayType, ByteOrder order) {
        return MethodHandles.byteBufferViewVarHandle(arrayType, order);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Creating.

    /** A heap buffer of {@code capacity} bytes, all zero; position 0, limit {@code capacity}. */
    public static Buffer allocate(int capacity) {
        return new Buffer(ByteBuffer.allocate(checkCapacity(capacity)), 0, capacity, null);
    }

    /** A direct (off-heap) buffer of {@code capacity} bytes, all zero; position 0, limit {@code capacity}. */
    public static Buffer allocateDirect(int capacity) {
        return new Buffer(ByteBuffer.allocateDirect(checkCapacity(capacity)), 0, capacity, null);
    }

    static Buffer allocate(int capacity, boolean direct, BufferPool pool) {
        ByteBuffer bytes = direct ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity);
        return new Buffer(bytes, 0, capacity, pool);
    }

    /** A buffer over all of {@code array}, sharing it; position 0, limit and capacity {@code array.length}. */
    public static Buffer wrap(byte[] array) {
        return new Buffer(ByteBuffer.wrap(array), 0, array.length, null);
    }

    /**
     * A buffer over {@code array[offset, offset + length)}, sharing it; index 0 of the buffer is {@code
     * array[offset]}; position 0, limit and capacity {@code length}.
     */
    public static Buffer wrap(byte[] array, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, array.length);
        return new Buffer(ByteBuffer.wrap(array, offset, length).slice(), 0, length, null);
    }

    /**
     * A buffer over the remaining bytes of {@code source} (from its position to its limit), sharing them; index 0 of
     * the buffer is {@code source}'s position. The two positions and limits are independent afterwards. A read-only
     * {@code source} gives a buffer whose puts throw {@link java.nio.ReadOnlyBufferException}.
     */
    public static Buffer wrap(ByteBuffer source) {
        ByteBuffer bytes = source.slice();
        return new Buffer(bytes, 0, bytes.capacity(), null);
    }

    private static int checkCapacity(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity < 0: " + capacity);
        }
        return capacity;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Position, limit, capacity.

    /** The number of bytes the buffer holds. */
    public int capacity() {
        return capacity;
    }

    /** The index of the next byte a relative get or put touches. */
    public int position() {
        return position;
    }

    /**
     * Sets the position.
     *
     * @throws IllegalArgumentException if {@code newPosition} is negative or above the limit
     */
    public Buffer position(int newPosition) {
        if (newPosition < 0 || newPosition > limit) {
            throw new IllegalArgumentException(newPosition < 0 ? "position < 0: " + newPosition
                    : "position " + newPosition + " > limit " + limit);
        }
        position = newPosition;
        return this;
    }

    /** The index of the first byte relative gets and puts must not touch. */
    public int limit() {
        return limit;
    }

    /**
     * Sets the limit; a position above the new limit is moved down to it.
     *
     * @throws IllegalArgumentException if {@code newLimit} is negative or above the capacity
     */
    public Buffer limit(int newLimit) {
        if (newLimit < 0 || newLimit > capacity) {
            throw new IllegalArgumentException(newLimit < 0 ? "limit < 0: " + newLimit
                    : "limit " + newLimit + " > capacity " + capacity);
        }
        limit = newLimit;
        position = Math.min(position, newLimit);
        return this;
    }

    /** {@code limit - position}: the bytes a relative get can take, or the room a relative put has. */
    public int remaining() {
        return limit - position;
    }

    /** True if {@code position < limit}. */
    public boolean hasRemaining() {
        return position < limit;
    }

    /** Makes the buffer ready to be filled again: position 0, limit the capacity. The bytes are not erased. */
    public Buffer clear() {
        position = 0;
        limit = capacity;
        return this;
    }

    /** Makes what was put readable: the limit becomes the position, the position 0. */
    public Buffer flip() {
        limit = position;
        position = 0;
        return this;
    }

    /** Makes the bytes before the limit readable again: position 0, limit unchanged. */
    public Buffer rewind() {
        position = 0;
        return this;
    }

    /**
     * Moves the remaining bytes to the start and makes the rest free for puts: the position becomes the count of
     * bytes moved, the limit the capacity (as {@link ByteBuffer#compact}).
     */
    public Buffer compact() {
        int count = limit - position;
        if (position > 0 && count > 0) {
            if (bytes.hasArray()) {
                byte[] array = bytes.array();
                int base = bytes.arrayOffset();
                System.arraycopy(array, base + position, array, base, count);
            } else {
                bytes.put(0, bytes, position, count); // forward copy, and a memmove underneath: overlap is safe
            }
        }
        position = count;
        limit = capacity;
        return this;
    }

    /**
     * Advances the position by {@code byteCount} without reading the bytes.
     *
     * @throws IllegalArgumentException if {@code byteCount} is negative
     * @throws BufferUnderflowException if fewer than {@code byteCount} bytes remain
     */
    public Buffer skip(int byteCount) {
        if (byteCount < 0) {
            throw new IllegalArgumentException("byteCount < 0: " + byteCount);
        }
        advanceGet(byteCount, "skip");
        return this;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Views.

    /** A buffer over the same bytes with, initially, the same position and limit; each moves its own afterwards. */
    public Buffer duplicate() {
        return new Buffer(bytes, position, limit, null);
    }

    /** A buffer over the bytes from position to limit, sharing them: its index 0 is this buffer's position. */
    public Buffer slice() {
        return slice(position, limit - position);
    }

    /**
     * A buffer over the bytes {@code [index, index + length)}, sharing them: its index 0 is {@code index}.
     *
     * @throws IndexOutOfBoundsException if the range is not within {@code [0, limit)}
     */
    public Buffer slice(int index, int length) {
        Objects.checkFromIndexSize(index, length, limit);
        return new Buffer(bytes.slice(index, length), 0, length, null);
    }

    /**
     * A new {@code java.nio} view of the bytes from position to limit, sharing them, in big-endian order. Its
     * position and limit are its own: reading or writing through it does not move this buffer's position. For
     * passing a {@code Source} or {@code Sink} prefer {@link #readFrom} and {@link #writeTo}, which do move it and
     * allocate nothing.
     */
    public ByteBuffer asByteBuffer() {
        return bytes.slice(position, limit - position).order(ByteOrder.BIG_ENDIAN);
    }

    /** True if the bytes are off-heap. */
    public boolean isDirect() {
        return bytes.isDirect();
    }

    /** True if the bytes are in an accessible {@code byte[]} ({@link #array()}): a writable heap buffer. */
    public boolean hasArray() {
        return bytes.hasArray();
    }

    /**
     * The array holding the bytes, for code that scans them fast; index {@code i} of the buffer is {@code
     * array()[arrayOffset() + i]}.
     *
     * @throws UnsupportedOperationException if the buffer is direct
     * @throws java.nio.ReadOnlyBufferException if the buffer wraps a read-only buffer
     */
    public byte[] array() {
        return bytes.array();
    }

    /** The index in {@link #array()} of the buffer's index 0. */
    public int arrayOffset() {
        return bytes.arrayOffset();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Relative gets.

    /** The byte at the position; advances it by 1. */
    public byte getByte() {
        return bytes.get(advanceGet(1, "getByte"));
    }

    /** The byte at the position as 0..255; advances it by 1. */
    public int getUnsignedByte() {
        return bytes.get(advanceGet(1, "getUnsignedByte")) & 0xff;
    }

    /** A big-endian short; advances the position by 2. */
    public short getShort() {
        return (short) SHORT_BE.get(bytes, advanceGet(2, "getShort"));
    }

    /** A little-endian short; advances the position by 2. */
    public short getShortLe() {
        return (short) SHORT_LE.get(bytes, advanceGet(2, "getShortLe"));
    }

    /** A big-endian unsigned short, 0..65535; advances the position by 2. */
    public int getUnsignedShort() {
        return (short) SHORT_BE.get(bytes, advanceGet(2, "getUnsignedShort")) & 0xffff;
    }

    /** A little-endian unsigned short, 0..65535; advances the position by 2. */
    public int getUnsignedShortLe() {
        return (short) SHORT_LE.get(bytes, advanceGet(2, "getUnsignedShortLe")) & 0xffff;
    }

    /** A big-endian int; advances the position by 4. */
    public int getInt() {
        return (int) INT_BE.get(bytes, advanceGet(4, "getInt"));
    }

    /** A little-endian int; advances the position by 4. */
    public int getIntLe() {
        return (int) INT_LE.get(bytes, advanceGet(4, "getIntLe"));
    }

    /** A big-endian unsigned int, 0..2^32-1; advances the position by 4. */
    public long getUnsignedInt() {
        return Integer.toUnsignedLong((int) INT_BE.get(bytes, advanceGet(4, "getUnsignedInt")));
    }

    /** A little-endian unsigned int, 0..2^32-1; advances the position by 4. */
    public long getUnsignedIntLe() {
        return Integer.toUnsignedLong((int) INT_LE.get(bytes, advanceGet(4, "getUnsignedIntLe")));
    }

    /** A big-endian long; advances the position by 8. */
    public long getLong() {
        return (long) LONG_BE.get(bytes, advanceGet(8, "getLong"));
    }

    /** A little-endian long; advances the position by 8. */
    public long getLongLe() {
        return (long) LONG_LE.get(bytes, advanceGet(8, "getLongLe"));
    }

    /** Fills {@code destination} from the position; advances it by {@code destination.length}. */
    public Buffer get(byte[] destination) {
        return get(destination, 0, destination.length);
    }

    /** Copies {@code length} bytes from the position into {@code destination[offset, offset + length)}. */
    public Buffer get(byte[] destination, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, destination.length);
        bytes.get(advanceGet(length, "get"), destination, offset, length);
        return this;
    }

    /** Copies {@code length} bytes from the position into {@code destination} at its position; advances both. */
    Buffer get(ByteBuffer destination, int length) {
        int at = advanceGet(length, "get");
        destination.put(destination.position(), bytes, at, length);
        destination.position(destination.position() + length);
        return this;
    }

    /** The next {@code byteCount} bytes as a new array; advances the position by {@code byteCount}. */
    public byte[] getBytes(int byteCount) {
        if (byteCount < 0) {
            throw new IllegalArgumentException("byteCount < 0: " + byteCount);
        }
        byte[] result = new byte[byteCount];
        bytes.get(advanceGet(byteCount, "getBytes"), result, 0, byteCount);
        return result;
    }

    /** The next {@code byteCount} bytes decoded with {@code charset}; advances the position by {@code byteCount}. */
    public String getString(int byteCount, Charset charset) {
        if (byteCount < 0) {
            throw new IllegalArgumentException("byteCount < 0: " + byteCount);
        }
        return decode(advanceGet(byteCount, "getString"), byteCount, charset);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Absolute gets: index in [0, limit - size].

    /** The byte at {@code index}. */
    public byte getByte(int index) {
        return bytes.get(checkIndex(index, 1, "getByte"));
    }

    /** The byte at {@code index} as 0..255. */
    public int getUnsignedByte(int index) {
        return bytes.get(checkIndex(index, 1, "getUnsignedByte")) & 0xff;
    }

    /** The big-endian short at {@code index}. */
    public short getShort(int index) {
        return (short) SHORT_BE.get(bytes, checkIndex(index, 2, "getShort"));
    }

    /** The little-endian short at {@code index}. */
    public short getShortLe(int index) {
        return (short) SHORT_LE.get(bytes, checkIndex(index, 2, "getShortLe"));
    }

    /** The big-endian unsigned short at {@code index}. */
    public int getUnsignedShort(int index) {
        return (short) SHORT_BE.get(bytes, checkIndex(index, 2, "getUnsignedShort")) & 0xffff;
    }

    /** The little-endian unsigned short at {@code index}. */
    public int getUnsignedShortLe(int index) {
        return (short) SHORT_LE.get(bytes, checkIndex(index, 2, "getUnsignedShortLe")) & 0xffff;
    }

    /** The big-endian int at {@code index}. */
    public int getInt(int index) {
        return (int) INT_BE.get(bytes, checkIndex(index, 4, "getInt"));
    }

    /** The little-endian int at {@code index}. */
    public int getIntLe(int index) {
        return (int) INT_LE.get(bytes, checkIndex(index, 4, "getIntLe"));
    }

    /** The big-endian unsigned int at {@code index}. */
    public long getUnsignedInt(int index) {
        return Integer.toUnsignedLong((int) INT_BE.get(bytes, checkIndex(index, 4, "getUnsignedInt")));
    }

    /** The little-endian unsigned int at {@code index}. */
    public long getUnsignedIntLe(int index) {
        return Integer.toUnsignedLong((int) INT_LE.get(bytes, checkIndex(index, 4, "getUnsignedIntLe")));
    }

    /** The big-endian long at {@code index}. */
    public long getLong(int index) {
        return (long) LONG_BE.get(bytes, checkIndex(index, 8, "getLong"));
    }

    /** The little-endian long at {@code index}. */
    public long getLongLe(int index) {
        return (long) LONG_LE.get(bytes, checkIndex(index, 8, "getLongLe"));
    }

    /**
     * The index of the first {@code b} in {@code [fromIndex, toIndex)}, or -1.
     *
     * @throws IndexOutOfBoundsException if not {@code 0 <= fromIndex <= toIndex <= limit}
     */
    public int indexOf(byte b, int fromIndex, int toIndex) {
        Objects.checkFromToIndex(fromIndex, toIndex, limit);
        if (bytes.hasArray()) {
            byte[] array = bytes.array();
            int base = bytes.arrayOffset();
            for (int i = base + fromIndex, end = base + toIndex; i < end; i++) {
                if (array[i] == b) {
                    return i - base;
                }
            }
            return -1;
        }
        for (int i = fromIndex; i < toIndex; i++) {
            if (bytes.get(i) == b) {
                return i;
            }
        }
        return -1;
    }

    /** The index of the first {@code b} between position and limit, or -1. */
    public int indexOf(byte b) {
        return indexOf(b, position, limit);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Relative puts.

    /** Puts the low 8 bits of {@code b}; advances the position by 1. */
    public Buffer putByte(int b) {
        bytes.put(advancePut(1, "putByte"), (byte) b);
        return this;
    }

    /** Puts the low 16 bits of {@code s} big-endian (a short or an unsigned short); advances the position by 2. */
    public Buffer putShort(int s) {
        SHORT_BE.set(bytes, advancePut(2, "putShort"), (short) s);
        return this;
    }

    /** Puts the low 16 bits of {@code s} little-endian; advances the position by 2. */
    public Buffer putShortLe(int s) {
        SHORT_LE.set(bytes, advancePut(2, "putShortLe"), (short) s);
        return this;
    }

    /** Puts {@code i} big-endian (for an unsigned int, pass {@code (int) value}); advances the position by 4. */
    public Buffer putInt(int i) {
        INT_BE.set(bytes, advancePut(4, "putInt"), i);
        return this;
    }

    /** Puts {@code i} little-endian; advances the position by 4. */
    public Buffer putIntLe(int i) {
        INT_LE.set(bytes, advancePut(4, "putIntLe"), i);
        return this;
    }

    /** Puts {@code l} big-endian; advances the position by 8. */
    public Buffer putLong(long l) {
        LONG_BE.set(bytes, advancePut(8, "putLong"), l);
        return this;
    }

    /** Puts {@code l} little-endian; advances the position by 8. */
    public Buffer putLongLe(long l) {
        LONG_LE.set(bytes, advancePut(8, "putLongLe"), l);
        return this;
    }

    /** Puts all of {@code source}; advances the position by its length. */
    public Buffer put(byte[] source) {
        return put(source, 0, source.length);
    }

    /** Puts {@code source[offset, offset + length)}; advances the position by {@code length}. */
    public Buffer put(byte[] source, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, source.length);
        bytes.put(advancePut(length, "put"), source, offset, length);
        return this;
    }

    /**
     * Puts the remaining bytes of {@code source}; advances both positions by that count.
     *
     * @throws IllegalArgumentException if {@code source} is this buffer (a duplicate or a slice is fine)
     */
    public Buffer put(Buffer source) {
        if (source == this) {
            throw new IllegalArgumentException("a buffer cannot be put into itself: " + this);
        }
        int count = source.remaining();
        int at = advancePut(count, "put");
        bytes.put(at, source.bytes, source.position, count);
        source.position += count;
        return this;
    }

    /** Puts the remaining bytes of {@code source}; advances both positions by that count. */
    public Buffer put(ByteBuffer source) {
        int count = source.remaining();
        int at = advancePut(count, "put");
        bytes.put(at, source, source.position(), count);
        source.position(source.position() + count);
        return this;
    }

    /** Puts {@code s} encoded with {@code charset}; advances the position by the encoded length. */
    public Buffer putString(String s, Charset charset) {
        return put(s.getBytes(charset));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Absolute puts: index in [0, limit - size].

    /** Puts the low 8 bits of {@code b} at {@code index}. */
    public Buffer putByte(int index, int b) {
        bytes.put(checkIndex(index, 1, "putByte"), (byte) b);
        return this;
    }

    /** Puts the low 16 bits of {@code s} big-endian at {@code index}. */
    public Buffer putShort(int index, int s) {
        SHORT_BE.set(bytes, checkIndex(index, 2, "putShort"), (short) s);
        return this;
    }

    /** Puts the low 16 bits of {@code s} little-endian at {@code index}. */
    public Buffer putShortLe(int index, int s) {
        SHORT_LE.set(bytes, checkIndex(index, 2, "putShortLe"), (short) s);
        return this;
    }

    /** Puts {@code i} big-endian at {@code index}. */
    public Buffer putInt(int index, int i) {
        INT_BE.set(bytes, checkIndex(index, 4, "putInt"), i);
        return this;
    }

    /** Puts {@code i} little-endian at {@code index}. */
    public Buffer putIntLe(int index, int i) {
        INT_LE.set(bytes, checkIndex(index, 4, "putIntLe"), i);
        return this;
    }

    /** Puts {@code l} big-endian at {@code index}. */
    public Buffer putLong(int index, long l) {
        LONG_BE.set(bytes, checkIndex(index, 8, "putLong"), l);
        return this;
    }

    /** Puts {@code l} little-endian at {@code index}. */
    public Buffer putLongLe(int index, long l) {
        LONG_LE.set(bytes, checkIndex(index, 8, "putLongLe"), l);
        return this;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Sources and sinks.

    /**
     * Reads from {@code source} into the bytes between position and limit, under the current tasklet deadline, and
     * advances the position by the count read. Blocks as {@link Source#read(ByteBuffer)} does: until at least one
     * byte, the end of the stream, the deadline ({@link org.concurrence.core.DeadlineExceededException}) or a kill
     * ({@link org.concurrence.core.TaskletExit}); a read that fails leaves the buffer as it was.
     *
     * @return the number of bytes read (0 only if nothing remained), or -1 at the end of the stream
     */
    public int readFrom(Source source) throws IOException {
        return readFrom(source, null);
    }

    /** {@link #readFrom(Source)}, waiting at most {@code timeout} (never past the current deadline); null: none. */
    public int readFrom(Source source, Duration timeout) throws IOException {
        ByteBuffer view = ioView(position, limit);
        int n = timeout == null ? source.read(view) : source.read(view, timeout);
        position = view.position();
        return n;
    }

    /**
     * Writes every byte between position and limit to {@code sink}, under the current tasklet deadline, advancing the
     * position. Blocks as {@link Sink#write(ByteBuffer)} does; if the write fails or times out, the position says how
     * many bytes were written.
     */
    public void writeTo(Sink sink) throws IOException {
        writeTo(sink, null);
    }

    /** {@link #writeTo(Sink)}, waiting at most {@code timeout} (never past the current deadline); null: none. */
    public void writeTo(Sink sink, Duration timeout) throws IOException {
        ByteBuffer view = ioView(position, limit);
        try {
            if (timeout == null) {
                sink.write(view);
            } else {
                sink.write(view, timeout);
            }
        } finally {
            position = view.position();
        }
    }

    /**
     * Reads once from {@code source} into the free bytes after the limit (up to the capacity) and extends the limit
     * by the count read: how a reader that keeps unread bytes between position and limit refills.
     *
     * @return the count read, or -1 at the end of the stream
     */
    int appendFrom(Source source, Duration timeout) throws IOException {
        ByteBuffer view = ioView(limit, capacity);
        int n = timeout == null ? source.read(view) : source.read(view, timeout);
        limit = view.position();
        return n;
    }

    private ByteBuffer ioView(int from, int to) {
        ByteBuffer view = io;
        if (view == null) {
            view = io = bytes.duplicate();
        }
        view.limit(to).position(from);
        return view;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers for this package.

    /** Decodes {@code [index, index + length)} without moving the position; the range is known to be valid. */
    String decode(int index, int length, Charset charset) {
        if (bytes.hasArray()) {
            return new String(bytes.array(), bytes.arrayOffset() + index, length, charset);
        }
        byte[] copy = new byte[length];
        bytes.get(index, copy, 0, length);
        return new String(copy, charset);
    }

    /** Copies {@code [index, index + length)} into {@code destination} without moving the position. */
    void copyTo(int index, byte[] destination, int offset, int length) {
        bytes.get(index, destination, offset, length);
    }

    /** Lower-case hex of at most {@code max} bytes from {@code index} (up to the limit), with … if cut short. */
    String hex(int index, int max) {
        int count = Math.min(max, limit - index);
        StringBuilder out = new StringBuilder(count * 2 + 1);
        for (int i = index; i < index + count; i++) {
            byte b = bytes.get(i);
            out.append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
        }
        return index + count < limit ? out.append('…').toString() : out.toString();
    }

    private int advanceGet(int count, String operation) {
        int at = position;
        if (limit - at < count) {
            throw new BufferUnderflowException(operation + " needs " + bytes(count) + " but " + (limit - at)
                    + " remain: position=" + at + ", limit=" + limit);
        }
        position = at + count;
        return at;
    }

    private int advancePut(int count, String operation) {
        if (readOnly) {
            throw new ReadOnlyBufferException();
        }
        int at = position;
        if (limit - at < count) {
            throw new BufferOverflowException(operation + " needs " + bytes(count) + " but " + (limit - at)
                    + " are free: position=" + at + ", limit=" + limit);
        }
        position = at + count;
        return at;
    }

    private int checkIndex(int index, int size, String operation) {
        if (index < 0 || index > limit - size) {
            throw new IndexOutOfBoundsException(operation + " at index " + index + " needs " + bytes(size)
                    + (index < 0 ? " but the index is negative" : " but the limit is " + limit));
        }
        return index;
    }

    private static String bytes(int count) {
        return count == 1 ? "1 byte" : count + " bytes";
    }

    /** For debugging: position, limit, capacity and kind, e.g. {@code Buffer[position=0, limit=8, capacity=8]}. */
    @Override
    public String toString() {
        return "Buffer[position=" + position + ", limit=" + limit + ", capacity=" + capacity
                + (bytes.isDirect() ? ", direct]" : "]");
    }
}
