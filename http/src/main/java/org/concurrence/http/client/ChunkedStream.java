package org.concurrence.http.client;

import java.io.EOFException;
import java.io.IOException;
import java.time.Duration;
import org.concurrence.http.wire.Diagnostics;
import org.concurrence.http.wire.MessageSyntax;

/**
 * A chunked response body (RFC 9112 §7.1), decoded as it is read; see {@link BodyStream}. Chunk-size lines and
 * trailer lines are checked as {@link MessageSyntax} checks them (the server's rules); extensions are skipped, though
 * a size line, all of one body's extensions together, and its trailer section may not exceed the head size limit;
 * trailer fields are read, checked and dropped. A violation fails the read with {@link MalformedResponseException}
 * naming it.
 *
 * <p>Thread-safety: as for {@link BodyStream}.
 */
final class ChunkedStream extends BodyStream {
    private final int maxLine;
    private final int maxTrailers;
    private long chunkRemaining;
    private boolean afterData;
    private boolean done;
    /** Bytes of chunk extensions so far, bounded by {@link #maxLine}. */
    private int extensionBytes;
    /** The last chunk has been read: the trailer section is being read, this many fields and bytes of it so far. */
    private boolean inTrailers;
    private int trailerCount;
    private int trailerBytes;

    ChunkedStream(Exchange exchange, boolean keepAlive) {
        super(exchange, keepAlive);
        this.maxLine = exchange.options.maxHeadSize();
        this.maxTrailers = exchange.options.maxHeaderCount();
    }

    @Override
    int readBody(byte[] b, int off, int len, Duration wait) throws IOException {
        while (chunkRemaining == 0) {
            if (done) {
                return -1;
            }
            if (afterData) {
                crlf(wait);
                afterData = false;
            }
            if (!inTrailers) {
                long size = sizeLine(wait);
                if (size > 0) {
                    chunkRemaining = size;
                    continue;
                }
                inTrailers = true;
            }
            trailers(wait);
            done = true;
            return -1;
        }
        int n = readSome(b, off, len, chunkRemaining, wait);
        if (n < 0) {
            throw cut("the connection ended in the middle of a chunk (" + chunkRemaining + " bytes missing)", null);
        }
        chunkRemaining -= n;
        afterData = chunkRemaining == 0;
        return n;
    }

    private void crlf(Duration wait) throws IOException {
        byte[] crlf;
        try {
            crlf = in.readExactly(2, wait);
        } catch (EOFException e) {
            throw cut("the connection ended after a chunk's data", e);
        }
        if (crlf[0] != '\r' || crlf[1] != '\n') {
            throw new MalformedResponseException("chunk data not followed by CRLF (" + Diagnostics.hex(crlf, 0, 2)
                    + ")", connection.origin, null);
        }
    }

    private long sizeLine(Duration wait) throws IOException {
        byte[] line = line(maxLine, wait, "chunk size line");
        int end = MessageSyntax.chunkSizeEnd(line, 0, line.length);
        extensionBytes += line.length - end;
        if (extensionBytes > maxLine) {
            throw new MalformedResponseException("chunk extensions over " + maxLine + " bytes in all",
                    connection.origin, null);
        }
        return MessageSyntax.chunkSize(line, 0, end);
    }

    /**
     * Reads the trailer section to its empty line, checking each field line, and drops it. Resumable: the lines and
     * bytes counted so far are fields, so a read cut off by the caller's deadline goes on with the next line.
     */
    private void trailers(Duration wait) throws IOException {
        while (true) {
            byte[] line = line(Math.max(0, maxLine - trailerBytes), wait, "trailer section");
            if (line.length == 0) {
                return;
            }
            if (trailerCount == maxTrailers) {
                throw new MalformedResponseException("more than " + maxTrailers + " trailer fields", connection.origin,
                        null);
            }
            trailerBytes += line.length + 2;
            trailerCount++;
            MessageSyntax.checkTrailer(line, 0, line.length);
        }
    }

    @Override
    long remaining() {
        return done ? 0 : -1;
    }

    /** Only the rest of the current chunk: a chunk's CRLF and the next size line are framing, not body. */
    @Override
    long bufferedBody() {
        return Math.min(in.buffered(), chunkRemaining);
    }
}
