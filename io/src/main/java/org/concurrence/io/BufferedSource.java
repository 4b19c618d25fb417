package org.concurrence.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.TaskletExit;

/**
 * A {@link Source} with a buffer in front: reads lines, exact byte counts, whatever is available, bytes up to a
 * delimiter, and numbers in both byte orders, however the bytes were split into packets.
 *
 * <p>Blocking: a read waits (parking only the calling tasklet) until the bytes it needs have arrived, the stream ends,
 * the deadline passes or the tasklet is killed. Without a {@code Duration} a read honours the tasklet's current
 * deadline; with one it waits at most that long in total, however many reads from the source it takes (and never past
 * the current deadline). A read that the buffered bytes can satisfy never waits and never times out.
 *
 * <p>What a failed read leaves: every read consumes nothing when it fails with {@link EOFException},
 * {@link DeadlineExceededException} or {@link TaskletExit} — the bytes that had arrived stay buffered, so the stream
 * stays usable after a timeout and the next read starts where this one did. The exceptions are {@link #skip} (bytes
 * skipped stay skipped) and {@link #read(ByteBuffer)} (which never fails at the end of the stream, it returns -1).
 * After an {@link IOException} from the source, the source is unusable.
 *
 * <p>The end of the stream is an {@link EOFException} whose message says what the read wanted and how many bytes it
 * got, with their hex. To tell a clean end (between messages) from a truncated one, ask {@link #exhausted()} first.
 *
 * <p>Memory: the buffer comes from a {@link BufferPool} when a read needs one and goes back as soon as every buffered
 * byte is consumed, so an idle stream holds none. A read in progress holds one while it waits for the source. A line
 * or a number longer than the pool's buffers grows a private buffer for as long as it is buffered.
 *
 * <p>Thread-safety: one reader at a time (not thread-safe). The sibling {@link BufferedSink} of a connection may be
 * used by another tasklet at the same time.
 */
public final class BufferedSource implements Source {
    /** The default {@link #maxLineLength()}: 8192 bytes. */
    public static final int DEFAULT_MAX_LINE_LENGTH = 8192;
    private static final byte LF = '\n';
    private static final byte CR = '\r';
    private static final int HEX_PREVIEW = 32;
    /** The most {@link #readAnnounced} allocates before the bytes are there. */
    private static final int UP_FRONT = 8192;

    private final Source source;
    private final ReadBuffer in;
    private int maxLineLength = DEFAULT_MAX_LINE_LENGTH;
    private boolean closed;

    /** A buffered source over {@code source} with buffers from {@link BufferPool#standard()}. */
    public BufferedSource(Source source) {
        this(source, BufferPool.standard());
    }

    /** A buffered source over {@code source} with buffers from {@code pool}. */
    public BufferedSource(Source source, BufferPool pool) {
        this.source = Objects.requireNonNull(source, "source");
        this.in = new ReadBuffer(source, new PoolAccess(pool));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Settings and state.

    /** The longest line {@link #readLine} accepts, in bytes, not counting its terminator. */
    public int maxLineLength() {
        return maxLineLength;
    }

    /** Sets {@link #maxLineLength()}; 0 accepts only empty lines. */
    public BufferedSource maxLineLength(int maxLength) {
        if (maxLength < 0 || maxLength > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("maxLength not in [0, " + (Integer.MAX_VALUE - 16) + "]: "
                    + maxLength);
        }
        this.maxLineLength = maxLength;
        return this;
    }

    /** The count of bytes buffered and not yet read; never waits. */
    public int buffered() {
        return in.buffered();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Waiting for bytes without consuming them.

    /** True if the stream has ended and every byte has been read; waits for a byte or the end to tell. */
    public boolean exhausted() throws IOException {
        return exhausted(null);
    }

    /** {@link #exhausted()}, waiting at most {@code timeout}. */
    public boolean exhausted(Duration timeout) throws IOException {
        checkOpen();
        return in.buffered() == 0 && in.fill(Waits.deadline(timeout), 1) < 0;
    }

    /** Buffers at least {@code byteCount} bytes, consuming none. @return false if the stream ended first */
    public boolean request(int byteCount) throws IOException {
        return request(byteCount, null);
    }

    /** {@link #request(int)}, waiting at most {@code timeout}. */
    public boolean request(int byteCount, Duration timeout) throws IOException {
        checkOpen();
        checkCount(byteCount);
        return in.request(byteCount, Waits.deadline(timeout));
    }

    /**
     * Buffers at least {@code byteCount} bytes, consuming none: afterwards reads of up to that many bytes (numbers,
     * say) never wait. {@code require(4, timeout)} then {@code readInt()} is a number read with a timeout.
     *
     * @throws EOFException if the stream ended first
     */
    public void require(int byteCount) throws IOException {
        require(byteCount, null);
    }

    /** {@link #require(int)}, waiting at most {@code timeout}. */
    public void require(int byteCount, Duration timeout) throws IOException {
        checkOpen();
        checkCount(byteCount);
        require(byteCount, Waits.deadline(timeout), "require");
    }

    /** Buffers {@code byteCount} bytes under {@code deadline}, or fails with an EOFException naming the operation. */
    Buffer require(int byteCount, long deadline, String operation) throws IOException {
        checkOpen();
        if (!in.request(byteCount, deadline)) {
            int got = in.buffered();
            throw endOfStream(operation + " wanted " + bytes(byteCount) + ", got " + got
                    + (got == 0 ? "" : ": " + in.buffer.hex(in.buffer.position(), HEX_PREVIEW)));
        }
        return in.buffer;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Lines and delimiters.

    /**
     * Reads a line terminated by LF or CR LF and returns it decoded as UTF-8, without the terminator. A CR not
     * followed by LF is part of the line, also when the CR ends one packet and the LF starts the next.
     *
     * @throws EOFException            if the stream ends before a LF, also in the middle of a line: a line must be
     *                                 terminated (the unterminated bytes stay buffered; {@link #readAvailable()}
     *                                 returns them)
     * @throws LimitExceededException  if the line is longer than {@link #maxLineLength()} (consumes nothing)
     */
    public String readLine() throws IOException {
        return readLine(StandardCharsets.UTF_8, null);
    }

    /** {@link #readLine()}, waiting at most {@code timeout}. */
    public String readLine(Duration timeout) throws IOException {
        return readLine(StandardCharsets.UTF_8, timeout);
    }

    /** {@link #readLine()}, decoding with {@code charset}. */
    public String readLine(Charset charset) throws IOException {
        return readLine(charset, null);
    }

    /** {@link #readLine()}, decoding with {@code charset} and waiting at most {@code timeout}. */
    public String readLine(Charset charset, Duration timeout) throws IOException {
        checkOpen();
        int max = maxLineLength;
        int lf = in.indexOf(LF, max + 1, Waits.deadline(timeout)); // room for a CR before the LF
        if (lf == ReadBuffer.END) {
            int got = in.buffered();
            throw endOfStream("readLine wanted a line feed" + (got == 0 ? ", got 0 bytes" : ", got "
                    + bytes(got) + " without one: " + in.buffer.hex(in.buffer.position(), HEX_PREVIEW)));
        }
        Buffer b = in.buffer;
        int from = b.position();
        int length = lf > 0 && b.getByte(from + lf - 1) == CR ? lf - 1 : lf;
        if (lf == ReadBuffer.TOO_LONG || length > max) {
            throw new LimitExceededException("line longer than the limit of " + bytes(max) + ": "
                    + (lf == ReadBuffer.TOO_LONG ? "no line feed in the first " + bytes(max + 2)
                    : "a line of " + bytes(length)) + ": " + b.hex(from, HEX_PREVIEW), max);
        }
        String line = b.decode(from, length, charset);
        in.consume(lf + 1);
        return line;
    }

    /**
     * Reads the bytes before the next {@code delimiter} and consumes the delimiter too (a NUL-terminated string,
     * say).
     *
     * @param maxLength the most bytes accepted before the delimiter
     * @throws EOFException           if the stream ends before the delimiter (consumes nothing)
     * @throws LimitExceededException if more than {@code maxLength} bytes come before it (consumes nothing)
     */
    public byte[] readUntil(byte delimiter, int maxLength) throws IOException {
        return readUntil(delimiter, maxLength, null);
    }

    /** {@link #readUntil(byte, int)}, waiting at most {@code timeout}. */
    public byte[] readUntil(byte delimiter, int maxLength, Duration timeout) throws IOException {
        checkOpen();
        checkCount(maxLength);
        int at = in.indexOf(delimiter, maxLength, Waits.deadline(timeout));
        if (at == ReadBuffer.END) {
            int got = in.buffered();
            throw endOfStream("readUntil wanted " + hexByte(delimiter) + ", got " + bytes(got) + " without it"
                    + (got == 0 ? "" : ": " + in.buffer.hex(in.buffer.position(), HEX_PREVIEW)));
        }
        if (at == ReadBuffer.TOO_LONG) {
            throw new LimitExceededException("no " + hexByte(delimiter) + " within the limit of " + bytes(maxLength)
                    + ": " + in.buffer.hex(in.buffer.position(), HEX_PREVIEW), maxLength);
        }
        byte[] result = in.buffer.getBytes(at);
        in.consume(1);
        return result;
    }

    /** {@code 0x0a}: a delimiter as error messages name it (made only for a failure: formatting costs ~0.5 µs). */
    private static String hexByte(byte b) {
        return String.format("0x%02x", b & 0xff);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Byte counts.

    /**
     * Reads exactly {@code byteCount} bytes, across as many packets as it takes. The array is allocated up front (and
     * a large read goes from the source straight into it): bound {@code byteCount} before trusting a count from the
     * peer, or read such a count with {@link MessageFraming}, which allocates only as the bytes arrive.
     *
     * @throws EOFException if the stream ends first (consumes nothing)
     */
    public byte[] readExactly(int byteCount) throws IOException {
        return readExactly(byteCount, null);
    }

    /** {@link #readExactly(int)}, waiting at most {@code timeout}. */
    public byte[] readExactly(int byteCount, Duration timeout) throws IOException {
        checkOpen();
        checkCount(byteCount);
        return readExactly(byteCount, Waits.deadline(timeout), "readExactly");
    }

    byte[] readExactly(int byteCount, long deadline, String operation) throws IOException {
        byte[] result = new byte[byteCount];
        readFully(result, 0, byteCount, deadline, operation);
        return result;
    }

    /**
     * {@link #readExactly}, for a count announced by the peer (a length prefix): the array is allocated up front only
     * up to {@link #UP_FRONT} bytes (or what is buffered already) and grows as the bytes arrive, so a peer that
     * announces much and sends little costs no more memory than it sent (about twice that at most).
     */
    byte[] readAnnounced(int byteCount, long deadline, String operation) throws IOException {
        byte[] result = new byte[Math.min(byteCount, Math.max(UP_FRONT, in.buffered()))];
        int got = 0;
        try {
            while (got < byteCount) {
                // Grow (doubling: each byte is copied about once more on average) while the room left is less than a
                // buffer, so that a large read still goes from the source straight into the array.
                if (result.length - got < Math.min(in.bufferSize(), byteCount - got)) {
                    long grown = Math.max(2L * result.length, (long) got + in.bufferSize());
                    result = Arrays.copyOf(result, (int) Math.min(byteCount, grown));
                }
                int n = transfer(result, got, result.length - got, deadline);
                if (n < 0) {
                    throw truncated(result, 0, got, byteCount, operation);
                }
                got += n;
            }
            return result;
        } catch (DeadlineExceededException | TaskletExit e) {
            in.unread(result, 0, got); // consume nothing: the stream stays usable
            throw e;
        }
    }

    /** Fills {@code destination}; see {@link #readFully(byte[], int, int)}. */
    public void readFully(byte[] destination) throws IOException {
        readFully(destination, 0, destination.length, null);
    }

    /**
     * Fills {@code destination[offset, offset + length)}, across as many packets as it takes; large reads go from the
     * source straight into the array.
     *
     * @throws EOFException if the stream ends first (consumes nothing: the bytes already copied are put back)
     */
    public void readFully(byte[] destination, int offset, int length) throws IOException {
        readFully(destination, offset, length, null);
    }

    /** {@link #readFully(byte[], int, int)}, waiting at most {@code timeout}. */
    public void readFully(byte[] destination, int offset, int length, Duration timeout) throws IOException {
        checkOpen();
        Objects.checkFromIndexSize(offset, length, destination.length);
        readFully(destination, offset, length, Waits.deadline(timeout), "readFully");
    }

    private void readFully(byte[] destination, int offset, int length, long deadline, String operation)
            throws IOException {
        int got = 0;
        try {
            while (got < length) {
                int n = transfer(destination, offset + got, length - got, deadline);
                if (n < 0) {
                    throw truncated(destination, offset, got, length, operation);
                }
                got += n;
            }
        } catch (DeadlineExceededException | TaskletExit e) {
            in.unread(destination, offset, got); // consume nothing: the stream stays usable
            throw e;
        }
    }

    /** The end of the stream after {@code got} of {@code wanted} bytes: puts them back and says so. */
    private EOFException truncated(byte[] destination, int offset, int got, int wanted, String operation) {
        in.unread(destination, offset, got);
        return endOfStream(operation + " wanted " + bytes(wanted) + ", got " + got
                + (got == 0 ? "" : ": " + in.buffer.hex(in.buffer.position(), HEX_PREVIEW)));
    }

    /**
     * Moves up to {@code length > 0} bytes into the array: buffered ones, else one read's worth (straight into the
     * array if it is at least a buffer long). @return the count, or -1 at the end of the stream
     */
    private int transfer(byte[] destination, int offset, int length, long deadline) throws IOException {
        if (in.buffered() == 0) {
            if (length >= in.bufferSize()) {
                return in.readDirect(ByteBuffer.wrap(destination, offset, length), deadline);
            }
            if (in.fill(deadline, length) < 0) {
                return -1;
            }
        }
        int n = Math.min(length, in.buffered());
        in.buffer.get(destination, offset, n);
        in.releaseIfEmpty();
        return n;
    }

    /** For {@link SourceInputStream}: up to {@code length} bytes, one read's worth at most; -1 at the end. */
    int readSome(byte[] destination, int offset, int length) throws IOException {
        checkOpen();
        return length == 0 ? 0 : transfer(destination, offset, length, Waits.CURRENT);
    }

    /**
     * Returns the bytes buffered, or if there are none, what one read from the source brings (at least one byte).
     *
     * @throws EOFException if nothing is buffered and the stream has ended
     */
    public byte[] readAvailable() throws IOException {
        return readAvailable(null);
    }

    /** {@link #readAvailable()}, waiting at most {@code timeout}. */
    public byte[] readAvailable(Duration timeout) throws IOException {
        checkOpen();
        if (in.buffered() == 0 && in.fill(Waits.deadline(timeout), 1) < 0) {
            throw endOfStream("readAvailable wanted at least 1 byte, got 0");
        }
        byte[] result = in.buffer.getBytes(in.buffered());
        in.releaseIfEmpty();
        return result;
    }

    /**
     * Reads into {@code destination} as {@link Source#read(ByteBuffer)} specifies: buffered bytes first, else one
     * read from the source (straight into {@code destination} if it has room for a whole buffer).
     *
     * @return the count read, 0 only if {@code destination} had no room, or -1 at the end of the stream
     */
    @Override
    public int read(ByteBuffer destination) throws IOException {
        return read(destination, null);
    }

    /**
     * Waits until a read would not wait: at once if bytes are buffered, else on the source beneath, holding no buffer
     * meanwhile ({@link Source#awaitReadable}) — so a reader that parks here between messages, as a WebSocket
     * session does, costs no buffer while its peer is silent. Returns at once if the source beneath cannot tell.
     */
    @Override
    public void awaitReadable(Duration timeout) throws IOException {
        checkOpen();
        if (in.buffered() == 0) {
            source.awaitReadable(timeout);
        }
    }

    /** {@link #read(ByteBuffer)}, waiting at most {@code timeout}. */
    @Override
    public int read(ByteBuffer destination, Duration timeout) throws IOException {
        checkOpen();
        int room = destination.remaining();
        if (room == 0) {
            return 0;
        }
        long deadline = Waits.deadline(timeout);
        if (in.buffered() == 0) {
            if (room >= in.bufferSize()) {
                return in.readDirect(destination, deadline);
            }
            if (in.fill(deadline, room) < 0) {
                return -1;
            }
        }
        int n = Math.min(room, in.buffered());
        in.buffer.get(destination, n);
        in.releaseIfEmpty();
        return n;
    }

    /**
     * Discards {@code byteCount} bytes, waiting for them to arrive.
     *
     * @throws EOFException if the stream ends first; unlike the reads, the bytes skipped until then stay skipped
     */
    public void skip(long byteCount) throws IOException {
        skip(byteCount, null);
    }

    /** {@link #skip(long)}, waiting at most {@code timeout}; on timeout the bytes skipped stay skipped. */
    public void skip(long byteCount, Duration timeout) throws IOException {
        checkOpen();
        if (byteCount < 0) {
            throw new IllegalArgumentException("byteCount < 0: " + byteCount);
        }
        long deadline = Waits.deadline(timeout);
        long left = byteCount;
        while (left > 0) {
            if (in.buffered() == 0 && in.fill(deadline, Math.min(left, in.bufferSize())) < 0) {
                throw endOfStream("skip wanted " + byteCount + " bytes, got " + (byteCount - left));
            }
            int n = (int) Math.min(left, in.buffered());
            in.consume(n);
            left -= n;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Numbers: wait for their bytes under the current deadline (use require(n, timeout) first for a timeout).

    /** Reads one byte. */
    public byte readByte() throws IOException {
        byte value = number(1, "readByte").getByte();
        in.releaseIfEmpty();
        return value;
    }

    /** Reads one byte as 0..255. */
    public int readUnsignedByte() throws IOException {
        int value = number(1, "readUnsignedByte").getUnsignedByte();
        in.releaseIfEmpty();
        return value;
    }

    /** Reads a big-endian short. */
    public short readShort() throws IOException {
        short value = number(2, "readShort").getShort();
        in.releaseIfEmpty();
        return value;
    }

    /** Reads a little-endian short. */
    public short readShortLe() throws IOException {
        short value = number(2, "readShortLe").getShortLe();
        in.releaseIfEmpty();
        return value;
    }

    /** Reads a big-endian unsigned short, 0..65535. */
    public int readUnsignedShort() throws IOException {
        int value = number(2, "readUnsignedShort").getUnsignedShort();
        in.releaseIfEmpty();
        return value;
    }

    /** Reads a little-endian unsigned short, 0..65535. */
    public int readUnsignedShortLe() throws IOException {
        int value = number(2, "readUnsignedShortLe").getUnsignedShortLe();
        in.releaseIfEmpty();
        return value;
    }

    /** Reads a big-endian int. */
    public int readInt() throws IOException {
        int value = number(4, "readInt").getInt();
        in.releaseIfEmpty();
        return value;
    }

    /** Reads a little-endian int. */
    public int readIntLe() throws IOException {
        int value = number(4, "readIntLe").getIntLe();
        in.releaseIfEmpty();
        return value;
    }

    /** Reads a big-endian unsigned int, 0..2^32-1. */
    public long readUnsignedInt() throws IOException {
        long value = number(4, "readUnsignedInt").getUnsignedInt();
        in.releaseIfEmpty();
        return value;
    }

    /** Reads a little-endian unsigned int, 0..2^32-1. */
    public long readUnsignedIntLe() throws IOException {
        long value = number(4, "readUnsignedIntLe").getUnsignedIntLe();
        in.releaseIfEmpty();
        return value;
    }

    /** Reads a big-endian long. */
    public long readLong() throws IOException {
        long value = number(8, "readLong").getLong();
        in.releaseIfEmpty();
        return value;
    }

    /** Reads a little-endian long. */
    public long readLongLe() throws IOException {
        long value = number(8, "readLongLe").getLongLe();
        in.releaseIfEmpty();
        return value;
    }

    private Buffer number(int size, String operation) throws IOException {
        return require(size, Waits.CURRENT, operation);
    }

    // ---------------------------------------------------------------------------------------------------------
    // For this package.

    /** The big-endian unsigned int at the read position, not consumed; at least 4 bytes must be buffered. */
    long peekUnsignedInt() {
        return in.buffer.getUnsignedInt(in.buffer.position());
    }

    /** Consumes {@code count} bytes known to be buffered. */
    void consume(int count) {
        in.consume(count);
    }

    /** Puts bytes back in front of the buffered ones. */
    void unread(byte[] bytes, int offset, int length) {
        in.unread(bytes, offset, length);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Views and closing.

    /**
     * An {@link InputStream} over this source, for libraries that want one: {@code read} returns -1 at the end of the
     * stream, {@code available} the count buffered, {@code close} closes this source. Reads honour the tasklet's
     * deadline and fail with the unchecked {@link DeadlineExceededException}.
     */
    public InputStream asInputStream() {
        return new SourceInputStream(this);
    }

    /** Drops what is buffered, gives the buffer back and closes the source. Closing twice does nothing. */
    @Override
    public void close() throws IOException {
        if (closeBuffer()) {
            source.close();
        }
    }

    /** Drops the buffer without closing the source; true the first time. */
    boolean closeBuffer() {
        if (closed) {
            return false;
        }
        closed = true;
        in.clear();
        return true;
    }

    /** For {@link SourceInputStream}, whose contract wants an {@code IOException} once closed. */
    boolean isClosed() {
        return closed;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
    }

    private static void checkCount(int byteCount) {
        if (byteCount < 0) {
            throw new IllegalArgumentException("byteCount < 0: " + byteCount);
        }
    }

    private static EOFException endOfStream(String what) {
        return new EOFException("end of stream: " + what);
    }

    private static String bytes(long count) {
        return count == 1 ? "1 byte" : count + " bytes";
    }

    @Override
    public String toString() {
        return "BufferedSource[buffered=" + in.buffered() + ", source=" + source + "]";
    }
}
