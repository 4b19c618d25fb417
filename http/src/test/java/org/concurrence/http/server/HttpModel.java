package org.concurrence.http.server;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * A reference model of what the server must answer to a byte stream, written from RFC 9112 / 9110 and the rules
 * docs/ARCHITECTURE.md states ("Strictness"), independently of the server's code, for {@link HttpFuzzTest}: given the
 * whole input it lists the responses in order — an echo from {@link HttpFuzzTest}'s handler, or a refusal with the
 * statuses that may answer it — and says whether the connection is then open, closed, or waits for bytes that never
 * come. Where the server may legitimately answer differently depending on how the bytes are split across reads (a
 * limit passed before a later error is seen), a refusal allows each of those statuses.
 *
 * <p>The handler it models ({@link HttpFuzzTest#echo}): echoes the request; reads the body to its end unless the
 * target contains {@code noread}; with {@code stream} in the target, reads it in the response's body writer.
 */
final class HttpModel {
    static final int MAX_EMPTY_LINES = 8;
    static final int MAX_METHOD_LENGTH = 24;
    /** uri-host [ ":" port ], RFC 9110 §7.2 with RFC 3986 §3.2.2 (an IP literal's inside loosely). */
    private static final Pattern HOST = Pattern.compile(
            "(\\[[A-Za-z0-9._~!$&'()*+,;=:-]*]|([A-Za-z0-9._~!$&'()*+,;=-]|%[0-9A-Fa-f]{2})*)(:[0-9]*)?");

    record Limits(int maxLine, int maxHeader, int maxCount, long maxBody, long maxDrain, int maxRequests) {
        static Limits of(HttpServerOptions o) {
            return new Limits(o.maxRequestLineLength(), o.maxHeaderSize(), o.maxHeaderCount(), o.maxBodySize(),
                    o.maxDrainSize(), o.maxRequestsPerConnection());
        }
    }

    sealed interface Outcome permits Answered, Refused {}

    /**
     * A 200 from the echo handler: {@code echo} in its X-Echo header, {@code body} as its body (null for HEAD).
     * {@code close}: the response says {@code Connection: close}; {@code expect100}: a {@code 100 Continue} comes
     * first.
     */
    record Answered(String echo, String body, boolean head, boolean http10, boolean close, boolean expect100)
            implements Outcome {}

    /** An error response with one of {@code statuses} and {@code Connection: close}; {@code head}: without a body. */
    record Refused(Set<Integer> statuses, boolean head, String why) implements Outcome {}

    /** After the outcomes: the server waits for the next request, closes, or waits for bytes of this one. */
    enum End { OPEN, CLOSED, MORE }

    record Result(List<Outcome> outcomes, End end) {}

    private final Limits limits;

    HttpModel(Limits limits) {
        this.limits = limits;
    }

    /** What the server does with {@code in}; {@code eof}: the client half-closes after it. */
    Result run(byte[] in, boolean eof) {
        List<Outcome> out = new ArrayList<>();
        int n = in.length;
        int pos = 0;
        int requests = 0;
        while (true) {
            int empties = 0;
            while (pos + 2 <= n && in[pos] == '\r' && in[pos + 1] == '\n') {
                if (empties == MAX_EMPTY_LINES) {
                    out.add(refused("too many empty lines", 400));
                    return new Result(out, End.CLOSED);
                }
                pos += 2;
                empties++;
            }
            if (pos == n) {
                return new Result(out, eof ? End.CLOSED : End.OPEN);
            }
            // The head: CRLF lines, limits checked as the bytes come.
            int lineLength = -1;
            int headLength = -1;
            for (int i = pos; i < n; i++) {
                if (in[i] != '\n') {
                    continue;
                }
                if (i == pos || in[i - 1] != '\r') {
                    List<Integer> statuses = new ArrayList<>(List.of(400));
                    if (lineLength < 0 && i - pos - 1 > limits.maxLine) {
                        statuses.add(414);
                    }
                    if (lineLength >= 0 && i - pos - lineLength - 2 > limits.maxHeader + 2) {
                        statuses.add(431);
                    }
                    out.add(new Refused(Set.copyOf(statuses), false, "bare LF in the head"));
                    return new Result(out, End.CLOSED);
                }
                int length = i + 1 - pos;
                if (lineLength < 0) {
                    if (length - 2 > limits.maxLine) {
                        out.add(refused("request line too long", 414));
                        return new Result(out, End.CLOSED);
                    }
                    lineLength = length;
                } else if (in[i - 2] == '\n') {
                    if (length - lineLength > limits.maxHeader + 2) {
                        out.add(refused("header section too long", 431));
                        return new Result(out, End.CLOSED);
                    }
                    headLength = length;
                    break;
                }
            }
            if (headLength < 0) {
                int available = n - pos;
                boolean over = lineLength < 0 ? available - 1 > limits.maxLine
                        : available - lineLength - 2 > limits.maxHeader + 2;
                if (over) {
                    out.add(refused("incomplete head over a limit", lineLength < 0 ? 414 : 431));
                    return new Result(out, End.CLOSED);
                }
                return new Result(out, eof ? End.CLOSED : End.MORE);
            }
            Head head;
            try {
                head = parse(in, pos, lineLength, headLength);
            } catch (Refusal r) {
                out.add(new Refused(r.statuses, false, r.getMessage()));
                return new Result(out, End.CLOSED);
            }
            pos += headLength;
            if (++requests >= limits.maxRequests) {
                head = head.closing(); // the connection's last request: its response says close
            }
            boolean noread = head.target.contains("noread");
            boolean stream = !noread && head.target.contains("stream");
            String prefix = head.echoPrefix();
            boolean http10 = head.http10;
            Body body = head.length == 0 ? Body.ok(new byte[0], pos)
                    : head.length > 0 ? fixed(in, pos, head.length) : chunked(in, pos);
            String echo = body.kind == Kind.OK ? prefix + " b=" + body.bytes.length + " bd=" + crc(body.bytes) : null;
            if (stream && !head.isHead()) {
                // The response's writer reads the body as it writes: 100 Continue goes out ahead of the response's
                // head; the response is chunked, or close-delimited on HTTP/1.0. A body that fails takes the response
                // back (none of it has gone out) and its status answers instead, as when the handler reads it.
                boolean close = !head.keepAlive || http10
                        || (head.length != 0 && (head.expectContinue || head.length > limits.maxDrain));
                switch (body.kind) {
                    case OK -> {
                        out.add(new Answered(prefix + " b=streamed", echo, false, http10, close, head.expectContinue));
                        if (close) {
                            return new Result(out, End.CLOSED);
                        }
                        pos = body.end;
                        continue;
                    }
                    case ERROR -> {
                        out.add(new Refused(body.statuses, false, body.why));
                        return new Result(out, End.CLOSED);
                    }
                    case MORE -> {
                        if (!eof) {
                            return new Result(out, End.MORE);
                        }
                        out.add(new Refused(Set.of(400), false, "body cut by the client's close"));
                        return new Result(out, End.CLOSED);
                    }
                }
            }
            if (noread || stream) {
                // The handler leaves the body (a HEAD's streamed body is never written, so never reads it either).
                String unread = prefix + (stream ? " b=streamed" : " b=unread");
                boolean close = !head.keepAlive
                        || (head.length != 0 && (head.expectContinue || head.length > limits.maxDrain));
                out.add(new Answered(unread, head.isHead() ? null : unread, head.isHead(), http10, close, false));
                if (close) {
                    return new Result(out, End.CLOSED);
                }
                // Drained after the response: a bad or unfinished body, or one over the drain limit, closes.
                switch (body.kind) {
                    case OK -> {
                        if (body.bytes.length > limits.maxDrain) {
                            return new Result(out, End.CLOSED);
                        }
                        pos = body.end;
                    }
                    case ERROR -> {
                        return new Result(out, End.CLOSED);
                    }
                    case MORE -> {
                        return new Result(out, eof ? End.CLOSED : End.MORE);
                    }
                }
                continue;
            }
            switch (body.kind) {
                case OK -> {
                    out.add(new Answered(echo, head.isHead() ? null : echo, head.isHead(), http10, !head.keepAlive,
                            head.expectContinue));
                    if (!head.keepAlive) {
                        return new Result(out, End.CLOSED);
                    }
                    pos = body.end;
                }
                case ERROR -> {
                    out.add(new Refused(body.statuses, head.isHead(), body.why));
                    return new Result(out, End.CLOSED);
                }
                case MORE -> {
                    if (!eof) {
                        return new Result(out, End.MORE);
                    }
                    // RFC 9112 §8: an incomplete request may be answered before the close; it is the client's
                    // fault (400), never the server's (500).
                    out.add(new Refused(Set.of(400), head.isHead(), "body cut by the client's close"));
                    return new Result(out, End.CLOSED);
                }
            }
        }
    }

    private static Refused refused(String why, int status) {
        return new Refused(Set.of(status), false, why);
    }

    /** A refusal found while parsing. */
    private static final class Refusal extends RuntimeException {
        final Set<Integer> statuses;

        Refusal(String why, Integer... statuses) {
            super(why, null, false, false);
            this.statuses = Set.copyOf(List.of(statuses));
        }
    }

    /** A parsed head and what its fields mean. */
    private record Head(String method, String target, boolean http10, List<String[]> fields, long length,
            boolean keepAlive, boolean expectContinue) {
        boolean isHead() {
            return method.equals("HEAD");
        }

        Head closing() {
            return new Head(method, target, http10, fields, length, false, expectContinue);
        }

        String echoPrefix() {
            CRC32 c = new CRC32();
            for (String[] f : fields) {
                c.update((f[0] + ":" + f[1] + "\n").getBytes(StandardCharsets.ISO_8859_1));
            }
            String path = path(target);
            return method + " " + echoTarget(target) + " v=" + (http10 ? "1.0" : "1.1") + " h=" + fields.size() + " hd="
                    + Long.toHexString(c.getValue()) + " p=" + (path == null ? "!" : crc(path.getBytes(
                    StandardCharsets.UTF_8)));
        }
    }

    private Head parse(byte[] in, int pos, int lineLength, int headLength) {
        int lineEnd = pos + lineLength - 2; // the CR ending the request line
        int i = pos;
        while (i < lineEnd && tchar(in[i])) {
            i++;
        }
        if (i - pos > MAX_METHOD_LENGTH) {
            throw new Refusal("method too long", 501);
        }
        if (i == pos || in[i] != ' ') {
            throw new Refusal("malformed method", 400);
        }
        String method = latin1(in, pos, i);
        int t = i + 1;
        int te = t;
        while (te < lineEnd && (in[te] & 0xff) > 0x20 && (in[te] & 0xff) < 0x7f) {
            te++;
        }
        if (te == t || te >= lineEnd || in[te] != ' ') {
            throw new Refusal("malformed target", 400);
        }
        String target = latin1(in, t, te);
        String version = latin1(in, te + 1, lineEnd);
        if (!version.matches("HTTP/[0-9]\\.[0-9]")) {
            throw new Refusal("malformed version", 400);
        }
        boolean http10;
        if (version.equals("HTTP/1.1")) {
            http10 = false;
        } else if (version.equals("HTTP/1.0")) {
            http10 = true;
        } else {
            throw new Refusal("unsupported version", 505);
        }
        if (method.equals("CONNECT")) {
            throw new Refusal("CONNECT", 501);
        }
        String lower = target.toLowerCase(Locale.ROOT);
        if (!(target.startsWith("/") || (target.equals("*") && method.equals("OPTIONS"))
                || lower.startsWith("http://") || lower.startsWith("https://"))) {
            throw new Refusal("target form", 400);
        }
        List<String[]> fields = new ArrayList<>();
        int p = pos + lineLength;
        int end = pos + headLength - 2; // the final empty line
        while (p < end) {
            int lf = p;
            while (in[lf] != '\n') {
                lf++;
            }
            int cr = lf - 1;
            for (int k = p; k < cr; k++) {
                if (in[k] == '\r') {
                    throw new Refusal("CR inside a field line", 400);
                }
            }
            int colon = p;
            while (colon < cr && tchar(in[colon])) {
                colon++;
            }
            if (colon == p || colon == cr || in[colon] != ':') {
                throw new Refusal("malformed field name (or obs-fold)", 400);
            }
            int v = colon + 1;
            while (v < cr && (in[v] == ' ' || in[v] == '\t')) {
                v++;
            }
            int ve = cr;
            while (ve > v && (in[ve - 1] == ' ' || in[ve - 1] == '\t')) {
                ve--;
            }
            for (int k = v; k < ve; k++) {
                int b = in[k] & 0xff;
                if ((b < 0x20 && b != '\t') || b == 0x7f) { // RFC 9110 §5.5: obs-text (0x80-0xff) is allowed
                    throw new Refusal("control character in a field value", 400);
                }
            }
            fields.add(new String[] {latin1(in, p, colon), latin1(in, v, ve)});
            if (fields.size() > limits.maxCount) {
                throw new Refusal("too many fields", 431);
            }
            p = lf + 1;
        }
        return framing(method, target, http10, fields);
    }

    private Head framing(String method, String target, boolean http10, List<String[]> fields) {
        List<String> hosts = values(fields, "Host");
        if (hosts.size() > 1 || (hosts.isEmpty() && !http10)) {
            throw new Refusal("Host missing or repeated", 400);
        }
        if (hosts.size() == 1 && !HOST.matcher(hosts.get(0)).matches()) {
            throw new Refusal("Host not a host", 400); // RFC 9112 §3.2
        }
        String lower = target.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            // RFC 9112 §3.2.2: the target's authority is the host; RFC 9110 §4.2.4: userinfo is an error
            int start = target.indexOf("//") + 2;
            int end = start;
            while (end < target.length() && target.charAt(end) != '/' && target.charAt(end) != '?') {
                end++;
            }
            String authority = target.substring(start, end);
            if (authority.contains("@") || authority.isEmpty() || authority.startsWith(":")
                    || !HOST.matcher(authority).matches()) {
                throw new Refusal("absolute-form target without a valid host", 400);
            }
            fields = new ArrayList<>(fields);
            boolean replaced = false;
            for (int k = 0; k < fields.size(); k++) {
                if (fields.get(k)[0].equalsIgnoreCase("Host")) {
                    fields.set(k, new String[] {fields.get(k)[0], authority});
                    replaced = true;
                }
            }
            if (!replaced) {
                fields.add(new String[] {"Host", authority});
            }
        }
        long length = -1;
        for (String value : values(fields, "Content-Length")) {
            for (String part : value.split(",", -1)) {
                String s = trimOws(part);
                if (s.isEmpty()) {
                    throw new Refusal("empty Content-Length", 400);
                }
                if (!s.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw new Refusal("Content-Length not decimal", 400); // RFC 9112 §6.3 (5): invalid is 400
                }
                if (s.replaceFirst("^0+", "").length() > 18) { // leading zeros are still 1*DIGIT
                    throw new Refusal("absurd Content-Length", 413);
                }
                long l = Long.parseLong(s);
                if (length >= 0 && l != length) {
                    throw new Refusal("different Content-Lengths", 400);
                }
                length = l;
            }
        }
        List<String> te = values(fields, "Transfer-Encoding");
        if (!te.isEmpty()) {
            if (length >= 0) {
                throw new Refusal("Content-Length and Transfer-Encoding", 400);
            }
            if (http10) {
                throw new Refusal("Transfer-Encoding on HTTP/1.0", 400);
            }
            // RFC 9110 §5.6.1: empty list elements are accepted (and ignored).
            String[] codings = Arrays.stream(String.join(",", te).split(",", -1)).map(HttpModel::trimOws)
                    .filter(c -> !c.isEmpty()).toArray(String[]::new);
            if (codings.length == 0) {
                throw new Refusal("no transfer coding", 400);
            }
            for (int k = 0; k < codings.length; k++) {
                boolean chunked = codings[k].equalsIgnoreCase("chunked");
                boolean last = k == codings.length - 1;
                if (last != chunked) {
                    throw new Refusal("chunked not last, or twice", 400);
                }
                if (!last) {
                    throw new Refusal("unsupported coding", 501);
                }
            }
            length = -1;
        } else if (length < 0) {
            length = 0;
        } else if (length > limits.maxBody) {
            throw new Refusal("Content-Length over the limit", 413);
        }
        boolean keepAlive = http10 ? hasToken(fields, "Connection", "keep-alive") && !hasToken(fields, "Connection",
                "close") : !hasToken(fields, "Connection", "close");
        List<String> expects = values(fields, "Expect");
        boolean expectContinue = false;
        if (!expects.isEmpty() && !http10) {
            if (expects.size() != 1 || !expects.get(0).equalsIgnoreCase("100-continue")) {
                throw new Refusal("unsupported expectation", 417);
            }
            expectContinue = length != 0;
        }
        return new Head(method, target, http10, fields, length, keepAlive, expectContinue);
    }

    private enum Kind { OK, ERROR, MORE }

    /** A body as framed: its bytes and where it ends, or why it cannot be read. */
    private record Body(Kind kind, byte[] bytes, int end, Set<Integer> statuses, String why) {
        static Body ok(byte[] bytes, int end) {
            return new Body(Kind.OK, bytes, end, Set.of(), null);
        }

        static Body error(String why, Integer... statuses) {
            return new Body(Kind.ERROR, null, -1, Set.copyOf(List.of(statuses)), why);
        }

        static Body more() {
            return new Body(Kind.MORE, null, -1, Set.of(), null);
        }
    }

    private static Body fixed(byte[] in, int pos, long length) {
        if (in.length - pos < length) {
            return Body.more();
        }
        return Body.ok(Arrays.copyOfRange(in, pos, pos + (int) length), pos + (int) length);
    }

    /** RFC 9112 §7.1, with the server's documented limits (ChunkedBody's class comment). */
    private Body chunked(byte[] in, int pos) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int n = in.length;
        int p = pos;
        long total = 0;
        int extensionBytes = 0;
        while (true) {
            Line line = line(in, p, limits.maxHeader, 400);
            if (line.body != null) {
                return line.body;
            }
            int cr = line.end - 2;
            int i = p;
            long size = 0;
            int significant = 0; // leading zeros are still 1*HEXDIG; digits from the first non-zero one count
            while (i < cr && hex(in[i]) >= 0) {
                size = (size << 4) | hex(in[i]);
                significant += significant > 0 || size != 0 ? 1 : 0;
                i++;
            }
            int digits = i - p;
            if (digits == 0 || significant > 16 || size < 0) {
                return Body.error("chunk size", 400);
            }
            if (i < cr) {
                int k = i;
                while (k < cr && (in[k] == ' ' || in[k] == '\t')) {
                    k++;
                }
                if (k == cr || in[k] != ';') {
                    return Body.error("chunk extension without ;", 400);
                }
                for (; k < cr; k++) {
                    int b = in[k] & 0xff;
                    if ((b < 0x20 && b != '\t') || b == 0x7f) {
                        return Body.error("control character in a chunk extension", 400);
                    }
                }
                extensionBytes += cr - i;
                if (extensionBytes > limits.maxHeader) {
                    return Body.error("chunk extensions too long", 400);
                }
            }
            p = line.end;
            if (size == 0) {
                return trailers(in, p, body.toByteArray());
            }
            if (size > limits.maxBody - total) {
                return Body.error("chunked body over the limit", 413);
            }
            total += size;
            if (n - p < size) {
                return Body.more();
            }
            body.write(in, p, (int) size);
            p += (int) size;
            if (n - p < 2) {
                return Body.more();
            }
            if (in[p] != '\r' || in[p + 1] != '\n') {
                return Body.error("chunk data not followed by CRLF", 400);
            }
            p += 2;
        }
    }

    private Body trailers(byte[] in, int p, byte[] bytes) {
        int used = 0;
        int count = 0;
        while (true) {
            Line line = line(in, p, limits.maxHeader + 2 - used, 431);
            if (line.body != null) {
                return line.body;
            }
            int length = line.end - p;
            used += length;
            if (length == 2) {
                return Body.ok(bytes, line.end);
            }
            if (++count > limits.maxCount) {
                return Body.error("too many trailers", 431);
            }
            int cr = line.end - 2;
            int i = p;
            while (i < cr && tchar(in[i])) {
                i++;
            }
            if (i == p || i == cr || in[i] != ':') {
                return Body.error("malformed trailer", 400);
            }
            for (; i < cr; i++) {
                int b = in[i] & 0xff;
                if ((b < 0x20 && b != '\t') || b == 0x7f) {
                    return Body.error("control character in a trailer", 400);
                }
            }
            p = line.end;
        }
    }

    /** A CRLF line at {@code p} of at most {@code max} bytes with its CRLF: where it ends, or the body's failure. */
    private record Line(int end, Body body) {}

    private static Line line(byte[] in, int p, int max, int tooLong) {
        for (int i = p; i < in.length; i++) {
            if (in[i] == '\n') {
                if (i == p || in[i - 1] != '\r') {
                    // Split reads may find the line too long before they reach the bare LF.
                    return new Line(-1, i - p >= max ? Body.error("bare LF in chunked framing", 400, tooLong)
                            : Body.error("bare LF in chunked framing", 400));
                }
                if (i + 1 - p > max) {
                    return new Line(-1, Body.error("chunked framing line too long", tooLong));
                }
                return new Line(i + 1, null);
            }
        }
        return new Line(-1, in.length - p >= max ? Body.error("chunked framing line too long", tooLong) : Body.more());
    }

    /** What the echo handler sees as the decoded path, or null where decoding fails (400 from the server). */
    static String path(String target) {
        String raw;
        if (target.equals("*")) {
            raw = "*";
        } else if (target.startsWith("/")) {
            int q = target.indexOf('?');
            raw = q < 0 ? target : target.substring(0, q);
        } else {
            int authority = target.indexOf("//") + 2;
            int slash = target.indexOf('/', authority);
            int q = target.indexOf('?', authority);
            raw = slash < 0 || (q >= 0 && q < slash) ? "/" : target.substring(slash, q < 0 ? target.length() : q);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '%') {
                bytes.write(c);
            } else if (i + 2 < raw.length() && hex((byte) raw.charAt(i + 1)) >= 0
                    && hex((byte) raw.charAt(i + 2)) >= 0) {
                bytes.write(hex((byte) raw.charAt(i + 1)) << 4 | hex((byte) raw.charAt(i + 2)));
                i += 2;
            } else {
                return null;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /**
     * The target as the echo shows it: a long one by its CRC, so that a response head stays within the server's
     * output buffer (a head bigger than it goes out in parts, and a streamed response's 100 Continue then depends on
     * whether the body has arrived yet: FuzzRegressionTest covers that case).
     */
    static String echoTarget(String target) {
        return target.length() <= 1000 ? target : "t" + target.length() + "#" + crc(
                target.getBytes(StandardCharsets.ISO_8859_1));
    }

    static String crc(byte[] bytes) {
        CRC32 c = new CRC32();
        c.update(bytes);
        return Long.toHexString(c.getValue());
    }

    private static List<String> values(List<String[]> fields, String name) {
        List<String> values = new ArrayList<>();
        for (String[] f : fields) {
            if (f[0].equalsIgnoreCase(name)) {
                values.add(f[1]);
            }
        }
        return values;
    }

    private static boolean hasToken(List<String[]> fields, String name, String token) {
        for (String value : values(fields, name)) {
            for (String part : value.split(",", -1)) {
                if (trimOws(part).equalsIgnoreCase(token)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String trimOws(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && (s.charAt(a) == ' ' || s.charAt(a) == '\t')) {
            a++;
        }
        while (b > a && (s.charAt(b - 1) == ' ' || s.charAt(b - 1) == '\t')) {
            b--;
        }
        return s.substring(a, b);
    }

    /** RFC 9110 §5.6.2 tchar. */
    static boolean tchar(byte b) {
        int c = b & 0xff;
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    private static int hex(byte b) {
        int c = b & 0xff;
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }

    private static String latin1(byte[] in, int from, int to) {
        return new String(in, from, to - from, StandardCharsets.ISO_8859_1);
    }
}
