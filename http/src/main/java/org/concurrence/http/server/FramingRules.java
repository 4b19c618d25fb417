package org.concurrence.http.server;

import java.util.List;
import org.concurrence.http.Headers;
import org.concurrence.http.HttpException;
import org.concurrence.http.Method;
import org.concurrence.http.Status;
import org.concurrence.http.Version;

/**
 * What the header fields of a parsed request mean for its framing and its connection, with the rules that stop
 * request smuggling (RFC 9112 §6): Content-Length and Transfer-Encoding together are 400; Content-Lengths that differ
 * or are not plain decimal are 400; a Transfer-Encoding whose final coding is not chunked is 400, and one with another
 * coding before chunked is 501; Transfer-Encoding on HTTP/1.0 is 400. HTTP/1.1 needs exactly one Host (400 otherwise).
 * A Content-Length over the body limit is 413 before a byte of the body is read. An expectation other than
 * {@code 100-continue} is 417.
 *
 * <p>Thread-safety: immutable.
 */
final class FramingRules {
    private final long maxBodySize;

    FramingRules(long maxBodySize) {
        this.maxBodySize = maxBodySize;
    }

    RequestHead check(Method method, String target, Version version, Headers headers) {
        // One pass over the fields notes what framing needs; the common request (a Host and a few others) then takes
        // no further scan and allocates nothing.
        int hosts = 0;
        boolean contentLength = false;
        boolean transferEncoding = false;
        boolean connection = false;
        int expects = 0;
        for (int i = 0; i < headers.size(); i++) {
            String name = headers.name(i);
            switch (name.length()) {
                case 4 -> hosts += name.equalsIgnoreCase("Host") ? 1 : 0;
                case 6 -> expects += name.equalsIgnoreCase("Expect") ? 1 : 0;
                case 10 -> connection |= name.equalsIgnoreCase("Connection");
                case 14 -> contentLength |= name.equalsIgnoreCase("Content-Length");
                case 17 -> transferEncoding |= name.equalsIgnoreCase("Transfer-Encoding");
                default -> { }
            }
        }
        if (hosts > 1) {
            throw new HttpException(Status.BAD_REQUEST, "more than one Host header");
        }
        if (hosts == 0 && version == Version.HTTP_1_1) {
            throw new HttpException(Status.BAD_REQUEST, "HTTP/1.1 request without a Host header");
        }
        long length = contentLength ? contentLength(headers) : -1;
        if (transferEncoding) {
            if (length >= 0) {
                throw new HttpException(Status.BAD_REQUEST, "both Content-Length and Transfer-Encoding");
            }
            if (version == Version.HTTP_1_0) {
                throw new HttpException(Status.BAD_REQUEST, "Transfer-Encoding in an HTTP/1.0 request");
            }
            checkChunkedLast(headers.all("Transfer-Encoding"));
            length = -1;
        } else if (length < 0) {
            length = 0;
        } else if (length > maxBodySize) {
            throw new HttpException(Status.CONTENT_TOO_LARGE,
                    "request body of " + length + " bytes is over the limit of " + maxBodySize);
        }
        boolean keepAlive;
        if (version == Version.HTTP_1_1) {
            keepAlive = !connection || !headers.containsToken("Connection", "close");
        } else {
            keepAlive = connection && headers.containsToken("Connection", "keep-alive")
                    && !headers.containsToken("Connection", "close");
        }
        boolean expectsContinue = expects > 0 && expectsContinue(headers, version, expects) && length != 0;
        return new RequestHead(method, target, version, headers, length, keepAlive, expectsContinue);
    }

    /** The one length every Content-Length value states, or -1 if there is none. */
    private static long contentLength(Headers headers) {
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
     * A Content-Length value: 1*DIGIT, else 400 whatever its length (RFC 9112 §6.3); a number of more than 18 digits,
     * which a long cannot be trusted to hold, is 413 (any body that long is over the limit).
     */
    /**
     * A Content-Length value: not 1*DIGIT is 400 however long it is (RFC 9112 §6.3); a number of more than 18
     * digits, more than a long surely holds, is 413 (a body that long is over any limit).
     */
    private static long decimal(String s) {
        long value = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new HttpException(Status.BAD_REQUEST, "Content-Length is not a decimal number: "
                        + Diagnostics.quote(s));
            }
            value = value * 10 + (c - '0'); // overflows past 18 digits: not used then
        }
        if (s.isEmpty() || s.length() > 18) {
            throw new HttpException(s.isEmpty() ? Status.BAD_REQUEST : Status.CONTENT_TOO_LARGE,
                    "Content-Length is empty or absurdly long: " + Diagnostics.quote(s));
        }
        return value;
    }

    private static void checkChunkedLast(List<String> fields) {
        String[] codings = String.join(",", fields).split(",", -1);
        for (int i = 0; i < codings.length; i++) {
            String coding = codings[i].strip();
            boolean chunked = coding.equalsIgnoreCase("chunked");
            boolean last = i == codings.length - 1;
            if (last && !chunked) {
                throw new HttpException(Status.BAD_REQUEST, "Transfer-Encoding does not end in chunked: "
                        + Diagnostics.quote(String.join(", ", fields)));
            }
            if (!last && chunked) {
                throw new HttpException(Status.BAD_REQUEST, "chunked applied more than once or not last: "
                        + Diagnostics.quote(String.join(", ", fields)));
            }
            if (!last) {
                throw new HttpException(Status.NOT_IMPLEMENTED, "transfer coding " + Diagnostics.quote(coding)
                        + " is not supported (only chunked)");
            }
        }
    }

    /** {@code Expect: 100-continue} on HTTP/1.1 (HTTP/1.0 clients cannot expect it: ignored); another one is 417. */
    private static boolean expectsContinue(Headers headers, Version version, int fields) {
        String expect = headers.get("Expect");
        if (expect == null || version == Version.HTTP_1_0) {
            return false;
        }
        if (fields == 1 && expect.equalsIgnoreCase("100-continue")) {
            return true;
        }
        throw new HttpException(Status.EXPECTATION_FAILED, "unsupported expectation: " + Diagnostics.quote(expect));
    }
}
