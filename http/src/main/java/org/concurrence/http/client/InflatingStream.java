package org.concurrence.http.client;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/*
 * Implementation notes. The compressed bytes pass through one buffer: [pos, limit) is what the stream below gave and
 * nothing has consumed yet. While inflating, the inflater is given that range and pos follows its getRemaining();
 * outside (the gzip header and trailer, the bytes after the end) the range is read byte by byte. The Inflater, and its
 * native memory, is made on the first read and ended on every way out: the end of the data, a failure of any kind
 * (corrupt data, a timeout or a kill in the read below), close. Nothing is left to the Inflater's cleaner.
 */
/**
 * A response body with one content coding undone as it is read: gzip (RFC 1952: any header fields, several members
 * one after another, CRC-32 and length checked against each trailer) or deflate (the zlib format of RFC 1950, or raw
 * deflate data, which some servers send and browsers accept: told apart by the zlib header's check bits). An empty
 * body decodes to nothing; bytes after the end of the compressed data are read and dropped, as browsers do.
 * Corrupt data fails the read with a {@link ContentDecodingException}, and every later read fails.
 *
 * <p>Blocking: a read reads the stream below (the response body, under the call's deadline) when the inflater needs
 * more input; a failure there is passed on as it is. Memory: one 8 KiB buffer and one {@link Inflater} (its window
 * is native memory), whatever the body's size.
 *
 * <p>Thread-safety: one reading tasklet at a time; {@link #close()} may come from another tasklet (the inflater's own
 * lock orders an end against an inflate in progress, and the read then fails as closed).
 */
final class InflatingStream extends InputStream {
    private static final int BUFFER = 8192;
    private static final int GZIP_ID1 = 0x1f;
    private static final int GZIP_ID2 = 0x8b;
    private static final int GZIP_DEFLATE_METHOD = 8;
    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;
    private static final int FRESERVED = 0xe0;

    private enum Phase { HEADER, DATA, TRAILER, AFTER, DONE, FAILED, CLOSED }

    private final ContentCoding coding;
    private final InputStream in;
    private final ClientRequest request;
    private final Origin origin;
    private final byte[] buffer = new byte[BUFFER];
    private int pos;
    private int limit;
    private Inflater inflater;
    private final CRC32 crc = new CRC32();
    /** Bytes decoded from the current gzip member, for its trailer's ISIZE. */
    private long size;
    /** Whether the first gzip member (or the deflate data) is still to start: its absence is an empty body. */
    private boolean first = true;
    private volatile Phase phase = Phase.HEADER;
    private final byte[] single = new byte[1];

    /**
     * @param coding  the coding to undo
     * @param in      the coded bytes: the response body, or the stream that undoes a coding applied after this one
     * @param request the request the body answers, for messages
     */
    InflatingStream(ContentCoding coding, InputStream in, ClientRequest request) {
        this.coding = coding;
        this.in = in;
        this.request = request;
        this.origin = request.origin();
    }

    @Override
    public int read() throws IOException {
        int n = read(single, 0, 1);
        return n < 0 ? -1 : single[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        switch (phase) {
            case DONE -> {
                return -1;
            }
            case CLOSED -> throw closed(null);
            case FAILED -> throw new IOException("an earlier read of the " + coding + " data of the response body of "
                    + request + " failed");
            default -> { }
        }
        if (len == 0) {
            return 0;
        }
        try {
            while (true) {
                switch (phase) {
                    case HEADER -> {
                        if (!header()) {
                            return done();
                        }
                    }
                    case DATA -> {
                        int n = inflate(b, off, len);
                        if (n > 0) {
                            return n;
                        }
                    }
                    case TRAILER -> trailer();
                    case AFTER -> {
                        if (!nextMember()) {
                            return done();
                        }
                    }
                    default -> throw closed(null); // closed by another tasklet meanwhile
                }
            }
        } catch (IOException | Error e) {
            endInflater(Phase.FAILED);
            throw e;
        } catch (RuntimeException e) {
            boolean wasClosed = phase == Phase.CLOSED;
            endInflater(Phase.FAILED);
            if (wasClosed) {
                throw closed(e); // the inflater was ended under an inflate in progress
            }
            throw e;
        }
    }

    /**
     * Reads a gzip member's header, or tells zlib from raw deflate data, and makes the inflater; false if the body is
     * empty.
     */
    private boolean header() throws IOException {
        if (!ensure(1)) {
            if (first) {
                return false; // an empty body: nothing was coded (browsers take it so)
            }
            throw truncated("before the next gzip member");
        }
        if (coding == ContentCoding.GZIP) {
            gzipHeader();
            if (inflater == null) {
                inflater = new Inflater(true);
            } else {
                inflater.reset();
            }
            crc.reset();
            size = 0;
        } else {
            inflater = new Inflater(!zlibHeader());
        }
        first = false;
        phase = Phase.DATA;
        return true;
    }

    /** RFC 1952 §2.3: the magic number, method 8, the flags and the optional fields they announce. */
    private void gzipHeader() throws IOException {
        if (u8("header") != GZIP_ID1 || u8("header") != GZIP_ID2) {
            throw corrupt("it does not start with the gzip magic number 1f 8b", null);
        }
        int method = u8("header");
        if (method != GZIP_DEFLATE_METHOD) {
            throw corrupt("compression method " + method + " in the gzip header (only 8, deflate, exists)", null);
        }
        int flags = u8("header");
        if ((flags & FRESERVED) != 0) {
            throw corrupt("reserved flags set in the gzip header (" + Integer.toHexString(flags) + ")", null);
        }
        skip(6, "header"); // MTIME, XFL, OS
        if ((flags & FEXTRA) != 0) {
            skip(u8("header") | u8("header") << 8, "header's extra field");
        }
        if ((flags & FNAME) != 0) {
            skipZeroTerminated("header's file name");
        }
        if ((flags & FCOMMENT) != 0) {
            skipZeroTerminated("header's comment");
        }
        if ((flags & FHCRC) != 0) {
            skip(2, "header");
        }
    }

    /** Whether the deflate data starts with a zlib header (RFC 1950 §2.2: method 8, window ≤ 32 KiB, check bits). */
    private boolean zlibHeader() throws IOException {
        if (!ensure(2)) {
            return false;
        }
        int cmf = buffer[pos] & 0xff;
        int flg = buffer[pos + 1] & 0xff;
        return (cmf & 0x0f) == 8 && (cmf >> 4) <= 7 && ((cmf << 8) | flg) % 31 == 0;
    }

    /** Decodes into {@code b}; 0 if this step decoded nothing yet (input taken, or the data's end reached). */
    private int inflate(byte[] b, int off, int len) throws IOException {
        if (inflater.needsInput()) {
            if (pos == limit && !fill()) {
                throw truncated("before the end of the compressed data");
            }
            inflater.setInput(buffer, pos, limit - pos);
        }
        int n;
        try {
            n = inflater.inflate(b, off, len);
        } catch (DataFormatException e) {
            throw corrupt(e.getMessage() != null ? e.getMessage() : "invalid deflate data", e);
        }
        pos = limit - inflater.getRemaining();
        if (n > 0 && coding == ContentCoding.GZIP) {
            crc.update(b, off, n);
            size += n;
        }
        if (inflater.finished()) {
            phase = coding == ContentCoding.GZIP ? Phase.TRAILER : Phase.AFTER;
        } else if (n == 0 && inflater.needsDictionary()) {
            throw corrupt("the zlib data asks for a preset dictionary, which HTTP has no way to give", null);
        }
        return n;
    }

    /** RFC 1952 §2.3.1: CRC-32 and ISIZE (the length modulo 2^32) of the member's decoded data. */
    private void trailer() throws IOException {
        long expectedCrc = u32("trailer");
        long expectedSize = u32("trailer");
        if (expectedCrc != crc.getValue()) {
            throw corrupt("the CRC-32 of the decoded data is " + Long.toHexString(crc.getValue()) + ", the trailer says "
                    + Long.toHexString(expectedCrc), null);
        }
        if (expectedSize != (size & 0xffffffffL)) {
            throw corrupt("decoded " + size + " bytes, the trailer says " + expectedSize + " (modulo 2^32)", null);
        }
        phase = Phase.AFTER;
    }

    /**
     * After the compressed data: true if another gzip member follows; else reads and drops what is left to the end
     * of the body (garbage after the end is tolerated, as browsers do) and returns false.
     */
    private boolean nextMember() throws IOException {
        if (!ensure(1)) {
            return false;
        }
        if (coding == ContentCoding.GZIP && ensure(2) && (buffer[pos] & 0xff) == GZIP_ID1
                && (buffer[pos + 1] & 0xff) == GZIP_ID2) {
            phase = Phase.HEADER;
            return true;
        }
        pos = limit;
        while (fill()) {
            pos = limit;
        }
        return false;
    }

    private int done() {
        endInflater(Phase.DONE);
        return -1;
    }

    /** Reads more coded bytes into the empty buffer; false at the end of the stream below. */
    private boolean fill() throws IOException {
        pos = 0;
        limit = 0;
        int n = in.read(buffer, 0, BUFFER);
        if (phase == Phase.CLOSED) {
            throw closed(null);
        }
        if (n < 0) {
            return false;
        }
        limit = n;
        return true;
    }

    /** Makes at least {@code n} (at most 2) unconsumed bytes buffered; false if the stream below ends first. */
    private boolean ensure(int n) throws IOException {
        if (pos == limit) {
            if (!fill()) {
                return false;
            }
        }
        while (limit - pos < n) {
            System.arraycopy(buffer, pos, buffer, 0, limit - pos);
            limit -= pos;
            pos = 0;
            int got = in.read(buffer, limit, BUFFER - limit);
            if (got < 0) {
                return false;
            }
            limit += got;
        }
        return true;
    }

    private int u8(String where) throws IOException {
        if (!ensure(1)) {
            throw truncated("in the gzip " + where);
        }
        return buffer[pos++] & 0xff;
    }

    private long u32(String where) throws IOException {
        return u8(where) | (long) u8(where) << 8 | (long) u8(where) << 16 | (long) u8(where) << 24;
    }

    private void skip(int n, String where) throws IOException {
        for (int i = 0; i < n; i++) {
            u8(where);
        }
    }

    private void skipZeroTerminated(String where) throws IOException {
        while (u8(where) != 0) {
            // A name or comment: nothing to keep.
        }
    }

    private ContentDecodingException truncated(String where) {
        return corrupt("the body ended " + where, null);
    }

    private ContentDecodingException corrupt(String problem, Throwable cause) {
        return new ContentDecodingException("corrupt " + coding + " data in the response body of " + request
                + " from " + origin + ": " + problem, origin, cause);
    }

    private IOException closed(Throwable cause) {
        return new IOException("the response body of " + request + " is closed", cause);
    }

    /** Ends the inflater (its native memory) now, and moves to {@code next}. Idempotent; never throws. */
    private void endInflater(Phase next) {
        if (phase != Phase.CLOSED) {
            phase = next; // closed stays closed: a read that failed because of the close says so next time too
        }
        Inflater i = inflater;
        if (i != null) {
            i.end();
        }
    }

    /** Whether an inflater was made and not yet ended (its native memory held): for tests. */
    boolean holdsInflater() {
        Inflater i = inflater;
        return i != null && phase != Phase.DONE && phase != Phase.FAILED && phase != Phase.CLOSED;
    }

    /** Ends the inflater without touching the stream below: for a body whose rest is dropped undecoded. */
    void abandon() {
        endInflater(Phase.CLOSED);
    }

    /** Ends the inflater and closes the stream below (the response body: drained if short, else its connection). */
    @Override
    public void close() throws IOException {
        endInflater(Phase.CLOSED);
        in.close();
    }

    @Override
    public String toString() {
        return coding + " decoder of the response body of " + request + " (" + phase + ")";
    }
}
