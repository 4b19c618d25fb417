package org.concurrence.web.form;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.concurrence.http.Headers;
import org.concurrence.http.HttpException;
import org.concurrence.http.Status;

/*
 * Implementation notes. One fixed buffer (16 KiB, or more for a long boundary) slides over the body. The delimiter is
 * CRLF "--" boundary (RFC 2046 §5.1.1); the buffer starts with a CRLF of our own so that the first boundary line,
 * which has no CRLF before it, is found the same way and a preamble is simply a body that nobody reads. A body read
 * returns bytes up to the next possible delimiter start: if the delimiter is in the buffer, up to it; otherwise all
 * but the last (delimiter length - 1) bytes, which might begin one. The search is naive (boundaries are at most 70
 * bytes) but bounded: every byte is compared at most delimiter-length times. Memory is the buffer alone, whatever the
 * size of the parts.
 */
/** Scans a multipart body: the bytes of each part up to the next boundary, then the next part's headers. */
final class MultipartScanner {
    private final InputStream in;
    private final byte[] delimiter;
    private final byte[] buf;
    private int pos;
    private int limit;
    private boolean eof;
    private boolean inBody = true;

    MultipartScanner(InputStream in, String boundary) {
        this.in = in;
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        this.buf = new byte[Math.max(16 * 1024, 4 * delimiter.length)];
        buf[0] = '\r';
        buf[1] = '\n';
        limit = 2;
    }

    /** Reads body bytes of the current part; -1 at its end. */
    int read(byte[] b, int off, int len) throws IOException {
        if (!inBody) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        while (true) {
            int found = find();
            if (found == pos) {
                pos += delimiter.length;
                inBody = false;
                return -1;
            }
            int safe = found >= 0 ? found : limit - (delimiter.length - 1);
            if (safe > pos) {
                int n = Math.min(len, safe - pos);
                System.arraycopy(buf, pos, b, off, n);
                pos += n;
                return n;
            }
            if (eof) {
                throw new HttpException(Status.BAD_REQUEST, "multipart body ended before its closing boundary");
            }
            fill();
        }
    }

    /** The index of the delimiter in buf[pos, limit), or -1. */
    private int find() {
        int last = limit - delimiter.length;
        byte first = delimiter[0];
        outer:
        for (int i = pos; i <= last; i++) {
            if (buf[i] != first) {
                continue;
            }
            for (int k = 1; k < delimiter.length; k++) {
                if (buf[i + k] != delimiter[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Moves the unread bytes to the front and reads more; sets eof at the end of the stream. */
    private void fill() throws IOException {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, limit - pos);
            limit -= pos;
            pos = 0;
        }
        int n = in.read(buf, limit, buf.length - limit);
        if (n < 0) {
            eof = true;
        } else {
            limit += n;
        }
    }

    private int peek() throws IOException {
        while (pos >= limit) {
            if (eof) {
                return -1;
            }
            fill();
        }
        return buf[pos] & 0xff;
    }

    /**
     * Skips what is left of the current part, then reads the rest of the boundary line: true if a part follows, false
     * after the closing boundary.
     */
    boolean nextPart() throws IOException {
        byte[] scratch = new byte[4096];
        while (read(scratch, 0, scratch.length) >= 0) {
            // skipped
        }
        int c = peek();
        if (c == '-') {
            pos++;
            if (peek() == '-') {
                pos++;
                return false;
            }
            throw malformed("a boundary followed by a single '-'");
        }
        while (c == ' ' || c == '\t') {
            pos++;
            c = peek();
        }
        if (c == '\r') {
            pos++;
            c = peek();
        }
        if (c != '\n') {
            throw malformed(c < 0 ? "the body ends after a boundary" : "text after a boundary");
        }
        pos++;
        inBody = true;
        return true;
    }

    /** Reads the header lines of a part up to the empty line, at most {@code maxSize} bytes in all. */
    Headers readHeaders(int maxSize) throws IOException {
        Headers headers = new Headers();
        int total = 0;
        StringBuilder line = new StringBuilder();
        while (true) {
            int c = peek();
            if (c < 0) {
                throw malformed("the body ends inside a part's headers");
            }
            pos++;
            if (++total > maxSize) {
                throw new HttpException(Status.CONTENT_TOO_LARGE, "multipart part headers larger than " + maxSize
                        + " bytes");
            }
            if (c == '\n') {
                int end = line.length() > 0 && line.charAt(line.length() - 1) == '\r' ? line.length() - 1
                        : line.length();
                if (end == 0) {
                    return headers;
                }
                addHeader(headers, line.substring(0, end));
                line.setLength(0);
            } else {
                line.append((char) c);
            }
        }
    }

    private static void addHeader(Headers headers, String line) {
        int colon = line.indexOf(':');
        if (colon <= 0) {
            throw malformed("a part header line without a name: \"" + line + "\"");
        }
        try {
            headers.add(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
        } catch (IllegalArgumentException e) {
            throw new HttpException(Status.BAD_REQUEST, "malformed multipart part header: " + e.getMessage(), e);
        }
    }

    private static HttpException malformed(String what) {
        return new HttpException(Status.BAD_REQUEST, "malformed multipart body: " + what);
    }
}
