package org.concurrence.http.server;

import java.util.ArrayList;
import java.util.List;
import org.concurrence.http.Headers;
import org.concurrence.http.HttpException;
import org.concurrence.http.Method;
import org.concurrence.http.Status;
import org.concurrence.http.Version;
import org.concurrence.http.wire.Diagnostics;
import org.concurrence.http.wire.MessageSyntax;

/**
 * What the header fields of a parsed request mean for its framing and its connection, with the rules that stop
 * request smuggling (RFC 9112 §6): Content-Length and Transfer-Encoding together are 400; Content-Lengths that differ
 * or are not plain decimal are 400; a Transfer-Encoding whose final coding is not chunked is 400, and one with another
 * coding before chunked is 501; Transfer-Encoding on HTTP/1.0 is 400. HTTP/1.1 needs exactly one Host, and a Host
 * must be a host with an optional port (400 otherwise, RFC 9112 §3.2).
 * A Content-Length over the body limit is 413 before a byte of the body is read. An expectation other than
 * {@code 100-continue} is 417.
 *
 * <p>Thread-safety: immutable.
 */
final class FramingRules {
    /** RFC 3986 unreserved and sub-delims: what a reg-name holds besides percent-encodings. */
    private static final boolean[] REG_NAME = new boolean[128];

    static {
        for (char c : ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~" + "!$&'()*+,;=")
                .toCharArray()) {
            REG_NAME[c] = true;
        }
    }

    private final long maxBodySize;

    FramingRules(long maxBodySize) {
        this.maxBodySize = maxBodySize;
    }

    RequestHead check(Method method, String target, Version version, Headers headers) {
        // One pass over the fields notes what framing needs; the common request (a Host and a few others) then takes
        // no further scan and allocates nothing.
        int hosts = 0;
        String host = null;
        boolean contentLength = false;
        boolean transferEncoding = false;
        boolean connection = false;
        boolean upgrade = false;
        int expects = 0;
        for (int i = 0; i < headers.size(); i++) {
            String name = headers.name(i);
            switch (name.length()) {
                case 4 -> {
                    if (name.equalsIgnoreCase("Host")) {
                        hosts++;
                        host = headers.value(i);
                    }
                }
                case 6 -> expects += name.equalsIgnoreCase("Expect") ? 1 : 0;
                case 7 -> upgrade |= name.equalsIgnoreCase("Upgrade");
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
        if (host != null && !isHost(host)) {
            throw new HttpException(Status.BAD_REQUEST, "invalid Host header: " + Diagnostics.quote(host));
        }
        if (target.charAt(0) == 'h' || target.charAt(0) == 'H') {
            headers = hostOfAbsoluteForm(target, headers, host);
        }
        long length = contentLength ? MessageSyntax.contentLength(headers) : -1;
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
        return new RequestHead(method, target, version, headers, length, keepAlive, expectsContinue, upgrade);
    }

    /**
     * An absolute-form target's authority replaces the Host field (RFC 9112 §3.2.2: the server "MUST ignore the
     * received Host header field ... and instead use the host information of the request-target"), so that a
     * handler reading Host sees the host the request was for. A target without a host, or with userinfo (which
     * RFC 9110 §4.2.4 tells a recipient to treat as an error), is 400.
     */
    private static Headers hostOfAbsoluteForm(String target, Headers headers, String host) {
        int start = target.indexOf("//") + 2;
        int end = start;
        while (end < target.length() && target.charAt(end) != '/' && target.charAt(end) != '?') {
            end++;
        }
        String authority = target.substring(start, end);
        if (authority.indexOf('@') >= 0) {
            throw new HttpException(Status.BAD_REQUEST, "userinfo in the request target: " + Diagnostics.quote(target));
        }
        if (authority.isEmpty() || authority.charAt(0) == ':' || !isHost(authority)) {
            throw new HttpException(Status.BAD_REQUEST, "no valid host in the request target: "
                    + Diagnostics.quote(target));
        }
        return authority.equals(host) ? headers
                : Headers.copyOf(headers).set("Host", authority).readOnly();
    }

    /**
     * Whether {@code value} is {@code uri-host [ ":" port ]} (RFC 9110 §7.2, RFC 3986 §3.2.2): an IP literal in
     * brackets, or a reg-name (IPv4 addresses are reg-names too), then an optional port of digits. Empty is allowed
     * (a target without an authority, RFC 9112 §3.2).
     */
    static boolean isHost(String value) {
        int n = value.length();
        int i = 0;
        if (n > 0 && value.charAt(0) == '[') {
            int close = value.indexOf(']');
            if (close < 0) {
                return false;
            }
            for (i = 1; i < close; i++) {
                char c = value.charAt(i);
                if (c >= 128 || !(REG_NAME[c] || c == ':')) {
                    return false;
                }
            }
            i = close + 1;
        } else {
            for (; i < n && value.charAt(i) != ':'; i++) {
                char c = value.charAt(i);
                if (c == '%') {
                    if (i + 2 >= n || Character.digit(value.charAt(i + 1), 16) < 0
                            || Character.digit(value.charAt(i + 2), 16) < 0) {
                        return false;
                    }
                    i += 2;
                } else if (c >= 128 || !REG_NAME[c]) {
                    return false;
                }
            }
        }
        if (i == n) {
            return true;
        }
        if (value.charAt(i) != ':') {
            return false;
        }
        for (i++; i < n; i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * The codings of all Transfer-Encoding fields, in order, must end in chunked, once. Empty list elements (as in
     * {@code chunked,} or {@code , chunked}) are skipped: RFC 9110 §5.6.1 tells a recipient to accept them.
     */
    private static void checkChunkedLast(List<String> fields) {
        List<String> codings = new ArrayList<>();
        for (String element : String.join(",", fields).split(",", -1)) {
            String coding = element.strip();
            if (!coding.isEmpty()) {
                codings.add(coding);
            }
        }
        if (codings.isEmpty()) {
            throw new HttpException(Status.BAD_REQUEST, "Transfer-Encoding names no coding: "
                    + Diagnostics.quote(String.join(", ", fields)));
        }
        for (int i = 0; i < codings.size(); i++) {
            String coding = codings.get(i);
            boolean chunked = coding.equalsIgnoreCase("chunked");
            boolean last = i == codings.size() - 1;
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
