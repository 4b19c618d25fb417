package org.concurrence.http.client;

import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.concurrence.http.Headers;
import org.concurrence.http.HttpException;
import org.concurrence.http.Status;
import org.concurrence.http.Version;
import org.concurrence.http.wire.Diagnostics;
import org.concurrence.http.wire.MessageSyntax;
import org.concurrence.io.BufferedSource;
import org.concurrence.io.LimitExceededException;

/**
 * A response's status line and header fields (RFC 9112 §4, §5), read and checked as {@link MessageSyntax} checks a
 * request's: lines end in CRLF, field lines are strict, the head fits {@code maxHeadSize} bytes and
 * {@code maxHeaderCount} fields. The status line is {@code HTTP/1.x SP 3DIGIT [SP reason]}: the space before an empty
 * reason may be missing (many servers leave it out), and any HTTP/1 minor version is read as 1.1 (RFC 9110 §2.5).
 *
 * @param version the response's version
 * @param status  the status, with the server's reason phrase if it is printable and not the registered one
 * @param headers the fields, read-only
 */
record ResponseHead(Version version, Status status, Headers headers) {

    /**
     * Reads one head under the current deadline.
     *
     * @throws MalformedResponseException naming what was wrong (with the bytes there) or that the head was too big
     * @throws EOFException               if the stream ended before the head was complete
     */
    static ResponseHead read(BufferedSource in, int maxHeadSize, int maxHeaderCount, Origin origin)
            throws IOException {
        byte[] head = new byte[256];
        int length = 0;
        int lines = 0;
        while (true) {
            byte[] line;
            try {
                line = in.readUntil((byte) '\n', Math.max(0, maxHeadSize - length));
            } catch (LimitExceededException e) {
                throw new MalformedResponseException("response head longer than " + maxHeadSize + " bytes", origin, e);
            }
            if (line.length == 0 || line[line.length - 1] != '\r') {
                throw new MalformedResponseException("bare LF in the response head at byte " + (length + line.length),
                        origin, null);
            }
            if (length + line.length + 1 > head.length) {
                head = Arrays.copyOf(head, Math.max(head.length * 2, length + line.length + 1));
            }
            System.arraycopy(line, 0, head, length, line.length);
            head[length + line.length] = '\n';
            length += line.length + 1;
            if (line.length == 1 && lines > 0) {
                return parse(head, length, lines - 1, maxHeaderCount, origin);
            }
            lines++;
        }
    }

    private static ResponseHead parse(byte[] head, int length, int fieldLines, int maxHeaderCount, Origin origin)
            throws MalformedResponseException {
        int lineEnd = 0;
        while (head[lineEnd] != '\r') {
            lineEnd++;
        }
        Version version = version(head, lineEnd, origin);
        Status status = status(head, lineEnd, origin);
        try {
            return new ResponseHead(version, status,
                    MessageSyntax.parseFields(head, lineEnd + 2, 0, fieldLines, maxHeaderCount));
        } catch (HttpException e) {
            throw new MalformedResponseException(e.getMessage(), origin, e);
        }
    }

    /** {@code HTTP/1.x} and a space. */
    private static Version version(byte[] h, int lineEnd, Origin origin) throws MalformedResponseException {
        boolean ok = lineEnd >= 12 && h[0] == 'H' && h[1] == 'T' && h[2] == 'T' && h[3] == 'P' && h[4] == '/'
                && h[5] == '1' && h[6] == '.' && isDigit(h[7]) && h[8] == ' ';
        if (!ok) {
            throw badStatusLine(h, lineEnd, origin);
        }
        return h[7] == '0' ? Version.HTTP_1_0 : Version.HTTP_1_1;
    }

    /** {@code 3DIGIT}, then the end of the line or a space and a reason of printable text. */
    private static Status status(byte[] h, int lineEnd, Origin origin) throws MalformedResponseException {
        if (!isDigit(h[9]) || !isDigit(h[10]) || !isDigit(h[11]) || h[9] == '0'
                || (lineEnd > 12 && h[12] != ' ')) {
            throw badStatusLine(h, lineEnd, origin);
        }
        int code = (h[9] - '0') * 100 + (h[10] - '0') * 10 + (h[11] - '0');
        Status known = Status.of(code);
        if (lineEnd <= 13) {
            return known;
        }
        for (int i = 13; i < lineEnd; i++) {
            if (MessageSyntax.isControl(h[i])) {
                throw badStatusLine(h, lineEnd, origin);
            }
        }
        String reason = new String(h, 13, lineEnd - 13, StandardCharsets.ISO_8859_1);
        return reason.equals(known.reason()) ? known : new Status(code, reason);
    }

    private static MalformedResponseException badStatusLine(byte[] h, int lineEnd, Origin origin) {
        String line = new String(h, 0, lineEnd, StandardCharsets.ISO_8859_1);
        return new MalformedResponseException("bad status line " + Diagnostics.quote(line) + " ("
                + Diagnostics.hex(h, 0, Math.min(lineEnd, 16)) + ")", origin, null);
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }
}
