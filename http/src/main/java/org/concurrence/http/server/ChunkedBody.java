package org.concurrence.http.server;

import java.io.IOException;
import org.concurrence.http.HttpException;
import org.concurrence.http.Status;
import org.concurrence.http.wire.MessageSyntax;

/**
 * A chunked body (RFC 9112 §7.1), decoded as it is read; see {@link BodyInput}.
 *
 * <p>Strict: chunk-size lines and trailer lines as {@link MessageSyntax} checks them (which the client shares), and
 * the extensions of one body together may not exceed the header size limit (a client cannot make the server parse
 * megabytes of them); data must be followed by CRLF; lines end in CRLF.
 * Violations are 400. The decoded body may not exceed {@code maxBodySize} (413, detected as the chunk sizes arrive).
 * Trailer fields are checked for syntax, bounded by the header limits (431), and dropped.
 *
 * <p>Thread-safety: as for {@link BodyInput}.
 */
final class ChunkedBody extends BodyInput {
    private final long maxBodySize;
    private final int maxHeaderSize;
    private final int maxHeaderCount;
    private long chunkRemaining;
    private boolean afterData;
    private boolean done;
    private long total;
    private int extensionBytes;

    ChunkedBody(ConnectionInput in, Events events, HttpServerOptions options) {
        super(in, options, events);
        this.maxBodySize = options.maxBodySize();
        this.maxHeaderSize = options.maxHeaderSize();
        this.maxHeaderCount = options.maxHeaderCount();
    }

    @Override
    int readBody(byte[] b, int off, int len) throws IOException {
        while (chunkRemaining == 0) {
            if (done) {
                return -1;
            }
            if (afterData) {
                expectCrlf();
                afterData = false;
            }
            long size = sizeLine();
            if (size == 0) {
                trailers();
                done = true;
                return -1;
            }
            if (size > maxBodySize - total) { // not total + size > max: a size near 2^63 would overflow the sum
                throw new HttpException(Status.CONTENT_TOO_LARGE,
                        "chunked request body over the limit of " + maxBodySize + " bytes");
            }
            total += size;
            chunkRemaining = size;
        }
        int n = readPart(b, off, len, chunkRemaining);
        chunkRemaining -= n;
        afterData = chunkRemaining == 0;
        return n;
    }

    /**
     * Body bytes readable without waiting: the rest of the current chunk that is buffered — not the CRLF and size line
     * that follow it, nor a pipelined request behind the body (which the connection's buffer also holds).
     */
    @Override
    public int available() {
        return (int) Math.min(super.available(), chunkRemaining);
    }

    private void expectCrlf() throws IOException {
        ensure(2);
        byte[] a = in.array();
        int s = in.start();
        if (a[s] != '\r' || a[s + 1] != '\n') {
            throw bad("chunk data not followed by CRLF", a, s);
        }
        in.consume(2);
    }

    /** Reads {@code chunk-size [ chunk-ext ] CRLF}; returns the size. */
    private long sizeLine() throws IOException {
        int length = line(maxHeaderSize, Status.BAD_REQUEST, "chunk size line");
        byte[] a = in.array();
        int s = in.start();
        int end = MessageSyntax.chunkSizeEnd(a, s, s + length - 2);
        int extension = s + length - 2 - end;
        if (extension > 0) {
            extensionBytes += extension;
            if (extensionBytes > maxHeaderSize) {
                throw MessageSyntax.badChunk("chunk extensions over " + maxHeaderSize + " bytes in all", a, s);
            }
        }
        long size = MessageSyntax.chunkSize(a, s, end);
        in.consume(length);
        return size;
    }

    /** Reads and drops the trailer section, checking each field line's syntax against the header limits. */
    private void trailers() throws IOException {
        int bytes = 0;
        int count = 0;
        while (true) {
            int length = line(maxHeaderSize + 2 - bytes, Status.REQUEST_HEADER_FIELDS_TOO_LARGE, "trailer section");
            byte[] a = in.array();
            int s = in.start();
            bytes += length;
            if (length == 2) {
                in.consume(2);
                return;
            }
            if (++count > maxHeaderCount) {
                throw new HttpException(Status.REQUEST_HEADER_FIELDS_TOO_LARGE,
                        "more than " + maxHeaderCount + " trailer fields");
            }
            MessageSyntax.checkTrailer(a, s, s + length - 2);
            in.consume(length);
        }
    }

    /**
     * Waits until a whole line is buffered; returns its length with the CRLF (at the buffer's start). The limit
     * holds however the line arrives: checked on a whole line, and on a partial one as soon as it must exceed it.
     *
     * @throws HttpException 400 for a bare LF, {@code tooLong} for a line longer than {@code max} with its CRLF (which
     *     makes {@code what} longer than its limit)
     */
    private int line(int max, Status tooLong, String what) throws IOException {
        int scanned = 0;
        while (true) {
            byte[] a = in.array();
            int s = in.start();
            int available = in.available();
            for (int i = s + scanned; i < s + available; i++) {
                if (a[i] == '\n') {
                    if (i == s || a[i - 1] != '\r') {
                        throw bad("bare LF in chunked framing", a, i);
                    }
                    if (i + 1 - s > max) {
                        throw tooLong(tooLong, what);
                    }
                    return i + 1 - s;
                }
            }
            scanned = available;
            if (available >= max) { // its LF is still to come
                throw tooLong(tooLong, what);
            }
            ensure(available + 1);
        }
    }

    private HttpException tooLong(Status status, String what) {
        return new HttpException(status, what + " longer than " + maxHeaderSize + " bytes");
    }

    private static HttpException bad(String why, byte[] a, int at) {
        return MessageSyntax.badChunk(why, a, at);
    }
}
