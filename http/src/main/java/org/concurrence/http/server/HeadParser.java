package org.concurrence.http.server;

import java.nio.charset.StandardCharsets;
import org.concurrence.http.Headers;
import org.concurrence.http.HttpException;
import org.concurrence.http.Method;
import org.concurrence.http.Status;
import org.concurrence.http.Version;
import org.concurrence.http.wire.Diagnostics;
import org.concurrence.http.wire.MessageSyntax;

/**
 * Parses a complete request head (RFC 9112 §3, §5) straight from the read buffer's bytes: no String per line, no
 * regular expression; Strings are made only for the method, the target and the field names and values handed out.
 *
 * <p>Strict by design, since a lenient parser in front of another one is how requests are smuggled: one space
 * between the parts of the request line; a target of visible ASCII only; field lines as strict as
 * {@link MessageSyntax} makes them (which the client shares); lines end in CRLF (bare LF is refused by
 * {@link HeadScanner}). Then the framing rules of {@link FramingRules}.
 *
 * <p>Thread-safety: stateless apart from the options; used by one connection at a time.
 */
final class HeadParser {
    /** Longer methods are refused with 501 before a String is made of them. */
    static final int MAX_METHOD_LENGTH = 24;

    private final FramingRules rules;
    private final int maxHeaderCount;

    HeadParser(HttpServerOptions options) {
        this.rules = new FramingRules(options.maxBodySize());
        this.maxHeaderCount = options.maxHeaderCount();
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
        while (i < end && MessageSyntax.isTokenChar(bytes[i])) {
            i++;
        }
        int methodLength = i - start;
        if (methodLength > MAX_METHOD_LENGTH) {
            throw new HttpException(Status.NOT_IMPLEMENTED, "method longer than " + MAX_METHOD_LENGTH + " bytes");
        }
        if (methodLength == 0 || bytes[i] != ' ') {
            throw MessageSyntax.bad("malformed method in the request line", bytes, start, i);
        }
        Method method = method(bytes, start, methodLength);
        int targetStart = ++i;
        while (bytes[i] > 0x20 && bytes[i] < 0x7f) {
            i++;
        }
        if (i == targetStart || bytes[i] != ' ') {
            throw MessageSyntax.bad("malformed request target (one space, then visible ASCII only)", bytes, start, i);
        }
        String target = new String(bytes, targetStart, i - targetStart, StandardCharsets.ISO_8859_1);
        Version version = version(bytes, i + 1, start);
        checkTarget(method, target);
        i += 1 + 8 + 2;
        Headers headers = MessageSyntax.parseFields(bytes, i, start, fieldLines, maxHeaderCount);
        return rules.check(method, target, version, headers);
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
            throw MessageSyntax.bad("malformed HTTP version in the request line", bytes, start, i);
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

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }
}
