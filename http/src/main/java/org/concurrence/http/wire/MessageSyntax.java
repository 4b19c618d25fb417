package org.concurrence.http.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import org.concurrence.http.Headers;
import org.concurrence.http.HttpException;
import org.concurrence.http.Status;

/**
 * The parts of an HTTP/1.1 message that requests and responses write alike (RFC 9112), parsed straight from bytes:
 * field lines, Content-Length, chunk-size lines and trailer lines. The server parses requests with it and the client
 * responses, so both are exactly as strict: field names are tokens followed at once by a colon; values hold no
 * control characters but tab (obs-text, 0x80-0xff, is opaque data, RFC 9110 §5.5); obs-fold is refused; lines end in
 * CRLF; differing Content-Lengths are refused; a chunk size is hex digits, at most 16 after leading zeros; an
 * extension starts with {@code ;} and holds no control characters.
 *
 * <p>A violation is an {@link HttpException} carrying the status a server answers it with (400, 413 or 431) and a
 * message that names what was wrong, where, and the bytes there; the client reports it as a malformed response.
 *
 * <p>Stateless and thread-safe.
 */
public final class MessageSyntax {
    /** A chunk size may have this many hex digits after its leading zeros. */
    public static final int MAX_CHUNK_SIZE_DIGITS = 16;
    private static final boolean[] TCHAR = new boolean[256];
    private static final String[] COMMON_NAMES = {
        "Host", "Content-Length", "Content-Type", "Connection", "User-Agent", "Accept", "Accept-Encoding",
        "Accept-Language", "Transfer-Encoding", "Expect", "Cookie", "Authorization", "Cache-Control", "Referer",
        "host", "content-length", "content-type", "connection", "user-agent", "accept", "accept-encoding",
        "transfer-encoding", "expect", "cookie", "authorization"
    };

    static {
        for (int c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 'a' + 'A'] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
    }

    private MessageSyntax() {}

    /** Whether {@code b} may appear in a token (a method, a field name). */
    public static boolean isTokenChar(byte b) {
        return TCHAR[b & 0xff];
    }

    /**
     * Whether {@code b} may not appear in a field value (nor in a trailer or a chunk extension): a control character
     * other than tab. Read unsigned: obs-text (0x80-0xff) is opaque data, not control (RFC 9110 §5.5).
     */
    public static boolean isControl(byte b) {
        int c = b & 0xff;
        return (c < 0x20 && c != '\t') || c == 0x7f;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Field lines.

    /**
     * Parses the field lines of a complete head, from {@code bytes[i]} up to the empty line that ends it, into
     * read-only {@link Headers}. {@code start} is where the head begins (for the byte offsets in errors).
     *
     * @param fieldLines how many field lines the caller counted, to size the array (a guess is fine)
     * @param maxCount   the most fields accepted
     * @throws HttpException 400 naming a malformed line, 431 for more than {@code maxCount} fields
     */
    public static Headers parseFields(byte[] bytes, int i, int start, int fieldLines, int maxCount) {
        // Names and values checked here go into the Headers as they are, not checked again there.
        String[] fields = new String[Math.max(1, Math.min(fieldLines, maxCount + 1)) * 2];
        int count = 0;
        while (!(bytes[i] == '\r' && bytes[i + 1] == '\n')) {
            if (count * 2 == fields.length) {
                fields = Arrays.copyOf(fields, fields.length * 2);
            }
            i = field(bytes, i, start, fields, count * 2);
            if (++count > maxCount) {
                throw new HttpException(Status.REQUEST_HEADER_FIELDS_TOO_LARGE, "more than " + maxCount
                        + " header fields");
            }
        }
        return Headers.ofParsed(fields, count);
    }

    /**
     * Parses the field line at {@code i} into {@code fields[at]} (the name) and {@code fields[at + 1]} (the value);
     * returns the index after its CRLF.
     */
    private static int field(byte[] bytes, int i, int start, String[] fields, int at) {
        int nameStart = i;
        while (isTokenChar(bytes[i])) {
            i++;
        }
        if (i == nameStart || bytes[i] != ':') {
            String why = i == nameStart && (bytes[i] == ' ' || bytes[i] == '\t') ? "obs-fold (a line that continues"
                    + " the previous field) is not accepted" : i == nameStart ? "empty or invalid header field name"
                    : bytes[i] == ' ' || bytes[i] == '\t' ? "whitespace between a header field name and its colon"
                    : "invalid character in a header field name";
            throw bad(why, bytes, start, i);
        }
        String name = name(bytes, nameStart, i - nameStart);
        i++;
        while (bytes[i] == ' ' || bytes[i] == '\t') {
            i++;
        }
        int valueStart = i;
        int valueEnd = i;
        while (true) {
            byte b = bytes[i];
            if (b == '\r') {
                break;
            }
            if (isControl(b)) {
                throw bad("control character in the value of header " + name, bytes, start, i);
            }
            i++;
            if (b != ' ' && b != '\t') {
                valueEnd = i;
            }
        }
        if (bytes[i + 1] != '\n') {
            throw bad("CR without LF in header " + name, bytes, start, i);
        }
        fields[at] = name;
        fields[at + 1] = new String(bytes, valueStart, valueEnd - valueStart, StandardCharsets.ISO_8859_1);
        return i + 2;
    }

    /** A common field name as a constant when spelled exactly so, else a new String. */
    private static String name(byte[] bytes, int start, int length) {
        for (String common : COMMON_NAMES) {
            if (common.length() == length && matches(common, bytes, start)) {
                return common;
            }
        }
        return new String(bytes, start, length, StandardCharsets.ISO_8859_1);
    }

    private static boolean matches(String s, byte[] bytes, int start) {
        for (int k = 0; k < s.length(); k++) {
            if (s.charAt(k) != bytes[start + k]) {
                return false;
            }
        }
        return true;
    }

    /**
     * A 400 naming what is wrong and where, with up to 8 bytes from there to the end of that line: every error is
     * inside a line of the head, which ends in LF, so nothing past the head (the next message, or a buffer's stale
     * bytes) is shown.
     */
    public static HttpException bad(String why, byte[] bytes, int start, int at) {
        int count = 0;
        while (count < 8 && at + count < bytes.length && bytes[at + count++] != '\n') {
            // up to and including the line's LF
        }
        return new HttpException(Status.BAD_REQUEST, why + " (at byte " + (at - start) + ": "
                + Diagnostics.hex(bytes, at, count) + ")");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Content-Length and Content-Type.

    /**
     * The one length every Content-Length value of {@code headers} states, or -1 if there is none. Repeated fields
     * (or a list in one field) must all state the same length (RFC 9112 §6.3).
     *
     * @throws HttpException 400 for values that differ or are not decimal, 413 for one of more than 18 digits
     */
    public static long contentLength(Headers headers) {
        long length = -1;
        for (int i = 0; i < headers.size(); i++) {
            if (!headers.name(i).equalsIgnoreCase("Content-Length")) {
                continue;
            }
            for (String part : headers.value(i).split(",", -1)) {
                long value = decimal(part.strip());
                if (length >= 0 && value != length) {
                    throw new HttpException(Status.BAD_REQUEST, "Content-Length values differ: "
                            + Diagnostics.quote(headers.all("Content-Length").toString()));
                }
                length = value;
            }
        }
        return length;
    }

    /**
     * A Content-Length value: not 1*DIGIT is 400 however long it is (RFC 9112 §6.3); a number of more than 18
     * digits after any leading zeros, more than a long surely holds, is 413 (a body that long is over any limit).
     */
    private static long decimal(String s) {
        long value = 0;
        int significant = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new HttpException(Status.BAD_REQUEST, "Content-Length is not a decimal number: "
                        + Diagnostics.quote(s));
            }
            value = value * 10 + (c - '0'); // overflows past 18 significant digits: not used then
            if (value != 0) {
                significant++;
            }
        }
        if (s.isEmpty() || significant > 18) {
            throw new HttpException(s.isEmpty() ? Status.BAD_REQUEST : Status.CONTENT_TOO_LARGE,
                    "Content-Length is empty or absurdly long: " + Diagnostics.quote(s));
        }
        return value;
    }

    /**
     * The {@code charset} parameter of a Content-Type value, unquoted, or null if {@code contentType} is null or has
     * none. Whether the JDK knows the charset is the caller's question.
     */
    public static String charsetParameter(String contentType) {
        if (contentType == null) {
            return null;
        }
        int at = contentType.toLowerCase(Locale.ROOT).indexOf("charset=");
        if (at < 0) {
            return null;
        }
        return contentType.substring(at + 8).split(";", 2)[0].strip().replace("\"", "");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Chunked framing (RFC 9112 §7.1).

    /**
     * Checks a chunk-size line, {@code chunk-size [ chunk-ext ]} in {@code a[from, to)} without its CRLF, and returns
     * where the size's hex digits end (the extension, if any, runs from there to {@code to}); {@link #chunkSize}
     * then reads the size.
     *
     * @throws HttpException 400 for a missing size, more than {@value #MAX_CHUNK_SIZE_DIGITS} significant digits, or
     *                       a malformed extension
     */
    public static int chunkSizeEnd(byte[] a, int from, int to) {
        int i = from;
        long size = 0;
        // Leading zeros are valid (1*HEXDIG) and change nothing: only the digits from the first non-zero one are
        // limited. Counted as digits, not by the value: "1" and sixteen zeros overflows a long to 0, and read as the
        // last chunk it would end the body where a peer that reads it as huge does not (a smuggling vector).
        int significant = 0;
        while (i < to && hexValue(a[i]) >= 0) {
            size = (size << 4) | hexValue(a[i]);
            if (significant > 0 || size != 0) {
                significant++;
            }
            i++;
        }
        if (i == from || significant > MAX_CHUNK_SIZE_DIGITS || size < 0) {
            throw badChunk(i == from ? "missing chunk size" : "chunk size too large", a, from);
        }
        if (i < to) {
            checkExtension(a, i, to);
        }
        return i;
    }

    /** The size in {@code a[from, end)}, hex digits that {@link #chunkSizeEnd} checked. */
    public static long chunkSize(byte[] a, int from, int end) {
        long size = 0;
        for (int i = from; i < end; i++) {
            size = (size << 4) | hexValue(a[i]);
        }
        return size;
    }

    private static void checkExtension(byte[] a, int from, int to) {
        int i = from;
        while (i < to && (a[i] == ' ' || a[i] == '\t')) {
            i++;
        }
        if (i == to || a[i] != ';') {
            throw badChunk("malformed chunk size or extension", a, from);
        }
        for (; i < to; i++) {
            if (isControl(a[i])) {
                throw badChunk("control character in a chunk extension", a, i);
            }
        }
    }

    /**
     * Checks a trailer field line in {@code a[from, to)} without its CRLF: a token, a colon, no control characters.
     *
     * @throws HttpException 400 naming what is wrong
     */
    public static void checkTrailer(byte[] a, int from, int to) {
        int i = from;
        while (i < to && isTokenChar(a[i])) {
            i++;
        }
        if (i == from || i == to || a[i] != ':') {
            throw badChunk("malformed trailer field", a, from);
        }
        for (; i < to; i++) {
            if (isControl(a[i])) {
                throw badChunk("control character in a trailer field", a, i);
            }
        }
    }

    /** A 400 for chunked framing, with the 8 bytes from {@code at} as hex. */
    public static HttpException badChunk(String why, byte[] a, int at) {
        return new HttpException(Status.BAD_REQUEST, why + " (" + Diagnostics.hex(a, at, 8) + ")");
    }

    private static int hexValue(byte b) {
        return b >= '0' && b <= '9' ? b - '0' : b >= 'a' && b <= 'f' ? b - 'a' + 10 : b >= 'A' && b <= 'F'
                ? b - 'A' + 10 : -1;
    }
}
