package org.concurrence.http.server;

import org.concurrence.http.HttpException;
import org.concurrence.http.Status;

/**
 * Finds the end of a request head as its bytes arrive, and enforces on the way what can be checked before the head is
 * complete: lines end in CRLF (a bare LF is refused with 400 at once, not waited on), the request line fits
 * {@code maxRequestLineLength} (else 414) and the header section fits {@code maxHeaderSize} (else 431). Scanning
 * resumes where it stopped, so a head that trickles in byte by byte costs linear time.
 *
 * <p>Thread-safety: confined to the connection's dispatcher.
 */
final class HeadScanner {
    private final int maxRequestLine;
    private final int maxHeaderSection;
    /** Bytes of the current head already scanned, from its first byte. */
    private int scanned;
    /** Length of the request line with its CRLF; -1 until its LF is seen. */
    private int lineLength = -1;
    /** Lines of the current head ended so far, the request line included. */
    private int lines;
    /** How many field lines the head found last held. */
    private int fieldCount;

    HeadScanner(HttpServerOptions options) {
        this.maxRequestLine = options.maxRequestLineLength();
        this.maxHeaderSection = options.maxHeaderSize();
    }

    /**
     * Scans {@code bytes[start, end)}, the current head's bytes so far.
     *
     * @return the head's length including its final empty line, or -1 if it is not complete yet
     * @throws HttpException 400 for a bare LF, 414 or 431 for a head over the limits
     */
    int scan(byte[] bytes, int start, int end) {
        for (int i = start + scanned; i < end; i++) {
            if (bytes[i] != '\n') {
                continue;
            }
            if (i == start || bytes[i - 1] != '\r') {
                throw new HttpException(Status.BAD_REQUEST, "bare LF in the request head at byte " + (i - start));
            }
            int length = i + 1 - start;
            lines++;
            if (lineLength < 0) {
                checkRequestLine(length - 2);
                lineLength = length;
            } else if (bytes[i - 2] == '\n') {
                checkHeaderSection(length - lineLength);
                fieldCount = lines - 2; // neither the request line nor the final empty line
                reset();
                return length;
            }
        }
        scanned = end - start;
        if (lineLength < 0) {
            checkRequestLine(scanned - 1); // a CR may still end the line
        } else {
            checkHeaderSection(scanned - lineLength - 2); // the final empty line may still end the head
        }
        return -1;
    }

    /** Forgets the head in progress (after a complete one, or an error). */
    void reset() {
        scanned = 0;
        lineLength = -1;
        lines = 0;
    }

    /** How many field lines the head that {@link #scan} found complete last holds (its parser sizes for them). */
    int fieldCount() {
        return fieldCount;
    }

    /** Whether some of a head has been seen but not its end. */
    boolean inProgress() {
        return scanned > 0;
    }

    private void checkRequestLine(int length) {
        if (length > maxRequestLine) {
            throw new HttpException(Status.URI_TOO_LONG,
                    "request line longer than " + maxRequestLine + " bytes (" + length + " so far)");
        }
    }

    private void checkHeaderSection(int length) {
        if (length > maxHeaderSection + 2) {
            throw new HttpException(Status.REQUEST_HEADER_FIELDS_TOO_LARGE,
                    "header section longer than " + maxHeaderSection + " bytes (" + length + " so far)");
        }
    }
}
