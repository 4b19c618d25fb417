package org.concurrence.http.server;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.concurrence.http.Headers;
import org.concurrence.http.HttpException;
import org.concurrence.http.Method;
import org.concurrence.http.Status;
import org.concurrence.http.Version;

/**
 * Parses a complete request head (RFC 9112 §3, §5) straight from the read buffer's bytes: no String per line, no
 * regular expression; Strings are made only for the method, the target and the field names and values handed out.
 *
 * <p>Strict by design, since a lenient parser in front of another one is how requests are smuggled: one space
 * between the parts of the request line; a target of visible ASCII only; field names are tokens followed at once by
 * a colon (whitespace before it is 400); values hold no control characters but tab (obs-text, 0x80-0xff, is
 * opaque data, RFC 9110 §5.5); obs-fold is 400; lines end in CRLF (bare LF is refused by {@link HeadScanner}). Then
 * the framing rules of {@link FramingRules}.
 *
 * <p>Thread-safety: stateless apart from the options; used by one connection at a time.
 */
final class HeadParser {
    /** Longer methods are refused with 501 before a String is made of them. */
    static final int MAX_METHOD_LENGTH = 24;
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

    private final FramingRules rules;
    private final int maxHeaderCount;

    HeadParser(HttpServerOptions options) {
        this.rules = new FramingRules(options.maxBodySize());
        this.maxHeaderCount = options.maxHeaderCount();
    }

    static boolean isTokenChar(byte b) {
        return TCHAR[b & 0xff];
    }

    /**
     * Parses {@code bytes[start, start + length)}, a head that {@link HeadScanner} found complete.
     *
     * @throws HttpException with the status the client gets (400, 413, 417, 431, 501, 505)
     */
    RequestHead parse(byte[] bytes, int start, int length) {
        return parse(bytes, start, length, 8);
    }

    /** {@link #parse(byte[], int, int)} of a head with {@code fieldLines} field lines, as the scanner counted them. */
    RequestHead parse(byte[] bytes, int start, int length, int fieldLines) {
        int end = start + length;
        int i = start;
        while (i < end && isTokenChar(bytes[i])) {
            i++;
        }
        int methodLength = i - start;
        if (methodLength > MAX_METHOD_LENGTH) {
            throw new HttpException(Status.NOT_IMPLEMENTED, "method longer than " + MAX_METHOD_LENGTH + " bytes");
        }
        if (methodLength == 0 || bytes[i] != ' ') {
            throw bad("malformed method in the request line", bytes, start, i);
        }
        Method method = method(bytes, start, methodLength);
        int targetStart = ++i;
        while (bytes[i] > 0x20 && bytes[i] < 0x7f) {
            i++;
        }
        if (i == targetStart || bytes[i] != ' ') {
            throw bad("malformed request target (one space, then visible ASCII only)", bytes, start, i);
        }
        String target = new String(bytes, targetStart, i - targetStart, StandardCharsets.ISO_8859_1);
        Version version = version(bytes, i + 1, start);
        checkTarget(method, target);
        i += 1 + 8 + 2;
        // Names and values checked here go into the request's Headers as they are, not checked again there.
        String[] fields = new String[Math.max(1, Math.min(fieldLines, maxHeaderCount + 1)) * 2];
        int count = 0;
        while (!(bytes[i] == '\r' && bytes[i + 1] == '\n')) {
            if (count * 2 == fields.length) {
                fields = Arrays.copyOf(fields, fields.length * 2);
            }
            i = field(bytes, i, start, fields, count * 2);
            if (++count > maxHeaderCount) {
                throw new HttpException(Status.REQUEST_HEADER_FIELDS_TOO_LARGE,
                        "more than " + maxHeaderCount + " header fields");
            }
        }
        return rules.check(method, target, version, Headers.ofParsed(fields, count));
    }

    private static Method method(byte[] bytes, int start, int length) {
        if (length == 3 && bytes[start] == 'G' && bytes[start + 1] == 'E' && bytes[start + 2] == 'T') {
            return Method.GET;
        }
        if (length == 4 && bytes[start] == 'P' && bytes[start + 1] == 'O' && bytes[start + 2] == 'S'
                && bytes[start + 3] == 'T') {
            return Method.POST;
        }
        return Method.of(new String(bytes, start, length, StandardCharsets.ISO_8859_1));
    }

    /** {@code HTTP/1.1} or {@code HTTP/1.0} then CRLF at {@code i}; another well-formed version is 505. */
    private static Version version(byte[] bytes, int i, int start) {
        boolean wellFormed = bytes[i] == 'H' && bytes[i + 1] == 'T' && bytes[i + 2] == 'T' && bytes[i + 3] == 'P'
                && bytes[i + 4] == '/' && isDigit(bytes[i + 5]) && bytes[i + 6] == '.' && isDigit(bytes[i + 7])
                && bytes[i + 8] == '\r' && bytes[i + 9] == '\n';
        if (!wellFormed) {
            throw bad("malformed HTTP version in the request line", bytes, start, i);
        }
        if (bytes[i + 5] == '1' && bytes[i + 7] == '1') {
            return Version.HTTP_1_1;
        }
        if (bytes[i + 5] == '1' && bytes[i + 7] == '0') {
            return Version.HTTP_1_0;
        }
        throw new HttpException(Status.HTTP_VERSION_NOT_SUPPORTED,
                "HTTP/" + (char) bytes[i + 5] + "." + (char) bytes[i + 7] + " is not supported; use HTTP/1.1");
    }

    /** Origin-form, absolute-form (http or https), or {@code *} for OPTIONS; CONNECT's authority-form is 501. */
    private static void checkTarget(Method method, String target) {
        if (method == Method.CONNECT) {
            throw new HttpException(Status.NOT_IMPLEMENTED, "CONNECT is not supported");
        }
        char first = target.charAt(0);
        boolean ok = first == '/'
                || (target.equals("*") && method == Method.OPTIONS)
                || target.regionMatches(true, 0, "http://", 0, 7) || target.regionMatches(true, 0, "https://", 0, 8);
        if (!ok) {
            throw new HttpException(Status.BAD_REQUEST, "request target is not origin-form or absolute-form: "
                    + Diagnostics.quote(target));
        }
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
     * Whether {@code b} may not appear in a field value (nor in a trailer or a chunk extension): a control character
     * other than tab. Read unsigned: obs-text (0x80-0xff) is opaque data, not control (RFC 9110 §5.5).
     */
    static boolean isControl(byte b) {
        int c = b & 0xff;
        return (c < 0x20 && c != '\t') || c == 0x7f;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    /**
     * A 400 naming what is wrong and where, with up to 8 bytes from there to the end of that line: every error is
     * inside a line of the head, which ends in LF, so nothing past the head (the next request, or a buffer's stale
     * bytes) is shown.
     */
    private static HttpException bad(String why, byte[] bytes, int start, int at) {
        int count = 0;
        while (count < 8 && at + count < bytes.length && bytes[at + count++] != '\n') {
            // up to and including the line's LF
        }
        return new HttpException(Status.BAD_REQUEST, why + " (at byte " + (at - start) + ": "
                + Diagnostics.hex(bytes, at, count) + ")");
    }
}
