package org.concurrence.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.concurrence.http.HttpException;
import org.concurrence.http.Method;
import org.concurrence.http.Parameters;
import org.concurrence.http.Request;
import org.concurrence.http.Response;
import org.concurrence.web.cookie.Cookies;
import org.concurrence.web.form.Form;
import org.concurrence.web.form.Multipart;
import org.concurrence.web.form.MultipartLimits;
import org.concurrence.web.form.Part;
import org.junit.jupiter.api.Test;

/**
 * Seeded adversarial fuzzing of the web module's parsers against small reference models written from the specs:
 * multipart/form-data (RFC 7578, RFC 2046 §5.1), application/x-www-form-urlencoded (WHATWG URL §5), the Cookie header
 * (RFC 6265 §4.2, §5.4) and the router's matching of decoded paths.
 *
 * <p>A few thousand cases in the normal suite (about 2 s); {@code -Dwebfuzz.cases=N} for a long run (200,000 took
 * about a minute on two cores), {@code -Dwebfuzz.seed=S} to replay. Every failure names the seed of its case, so
 * {@code -Dwebfuzz.seed=S -Dwebfuzz.cases=1} replays it alone.
 */
class WebParsersFuzzTest {
    private static final int CASES = Integer.getInteger("webfuzz.cases", 3000);
    private static final long SEED = Long.getLong("webfuzz.seed", System.nanoTime());

    /** Runs {@code body} on {@code cases} cases, each with its own seed, reporting the seed of the one that fails. */
    private static void run(String what, int cases, FuzzCase body) {
        System.out.println("WebParsersFuzzTest " + what + ": " + cases + " cases, -Dwebfuzz.seed=" + SEED);
        Random master = new Random(SEED);
        for (int i = 0; i < cases; i++) {
            long seed = i == 0 ? SEED : master.nextLong();
            try {
                body.run(new Random(seed));
            } catch (Throwable t) {
                throw new AssertionError(what + " case " + i + " failed; replay with -Dwebfuzz.seed=" + seed
                        + " -Dwebfuzz.cases=1: " + t, t);
            }
        }
    }

    @FunctionalInterface
    private interface FuzzCase {
        void run(Random rnd) throws Exception;
    }

    /** Delivers {@code data} in reads of 1 to {@code max} bytes, never more than asked. */
    static final class ChoppyStream extends InputStream {
        private final byte[] data;
        private final Random rnd;
        private final int max;
        private int pos;

        ChoppyStream(byte[] data, Random rnd, int max) {
            this.data = data;
            this.rnd = rnd;
            this.max = max;
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (pos >= data.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, 1 + rnd.nextInt(max)), data.length - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    private static InputStream choppy(byte[] data, Random rnd) {
        int max = switch (rnd.nextInt(4)) {
            case 0 -> 1;
            case 1 -> 7;
            case 2 -> 100;
            default -> 1 << 16;
        };
        return new ChoppyStream(data, rnd, max);
    }

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** {@code s} as the Latin-1 string of its UTF-8 bytes, as it travels in a header. */
    private static String utf8AsLatin1(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    private static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i <= hay.length - needle.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (hay[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static String pick(Random rnd, String... choices) {
        return choices[rnd.nextInt(choices.length)];
    }

    private static String randomCase(Random rnd, String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            b.append(rnd.nextBoolean() ? Character.toUpperCase(c) : Character.toLowerCase(c));
        }
        return b.toString();
    }

    private static String ows(Random rnd) {
        return rnd.nextInt(3) == 0 ? pick(rnd, " ", "\t", "  ", " \t ") : "";
    }

    /** Text for a field or file name: printable ASCII with the specials of quoted strings, some non-ASCII. */
    private static String nameText(Random rnd, boolean allowEmpty) {
        int len = (allowEmpty ? 0 : 1) + rnd.nextInt(8);
        return text(rnd, len, NAME_SPECIALS, "é", "ü", "日本", "€", "\uD83D\uDE00");
    }

    private static final String[] NAME_SPECIALS = {" ", "\"", "\\", ";", "=", ",", ".", "-", "_", "/", ":", "'", "%",
        "+"};

    /** {@code len} pieces: half lower-case letters, 3 in 10 from {@code specials}, 2 in 10 from {@code nonAscii}. */
    private static String text(Random rnd, int len, String[] specials, String... nonAscii) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < len; i++) {
            int k = rnd.nextInt(10);
            if (k < 5) {
                b.append((char) ('a' + rnd.nextInt(26)));
            } else if (k < 8) {
                b.append(pick(rnd, specials));
            } else {
                b.append(pick(rnd, nonAscii));
            }
        }
        return b.toString();
    }

    /** A quoted-string (RFC 9110 §5.6.4) of {@code s}, escaping '"' and '\' with a backslash. */
    private static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (char c : s.toCharArray()) {
            if (c <= 0x20 || c >= 0x7f || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------------ multipart

    private static final String BCHARS_NOSPACE = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
            + "'()+_,-./:=?";

    /** A boundary of RFC 2046 §5.1.1: 1 to 70 bchars, the last not a space. */
    private static String boundary(Random rnd) {
        int len = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(3) : rnd.nextInt(5) == 0 ? 70 : 1 + rnd.nextInt(40);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < len; i++) {
            boolean space = i < len - 1 && rnd.nextInt(12) == 0;
            b.append(space ? ' ' : BCHARS_NOSPACE.charAt(rnd.nextInt(BCHARS_NOSPACE.length())));
        }
        return b.toString();
    }

    /** What a part should parse to. */
    record ModelPart(String name, String filename, String contentType, byte[] body, int headerSize) {}

    /** A generated body with its model: where the parts are and where the closing delimiter ends. */
    record MultipartCase(String contentType, String boundary, byte[] message, List<ModelPart> parts, int closeEnd) {}

    /** Content bytes biased towards CR, LF, dashes and pieces of the delimiter. */
    private static byte[] content(Random rnd, String boundary) {
        int len = switch (rnd.nextInt(6)) {
            case 0 -> 0;
            case 1 -> rnd.nextInt(4);
            case 2 -> rnd.nextInt(40000);
            default -> rnd.nextInt(300);
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String delimiter = "\r\n--" + boundary;
        while (out.size() < len) {
            switch (rnd.nextInt(8)) {
                case 0 -> out.writeBytes(latin1(delimiter.substring(0, rnd.nextInt(delimiter.length()))));
                case 1 -> out.writeBytes(latin1(pick(rnd, "\r", "\n", "\r\n", "-", "--", "\r\n-", "\r\r\n")));
                case 2 -> out.writeBytes(latin1("--" + boundary)); // not at a line start: content
                case 3 -> {
                    byte[] junk = new byte[1 + rnd.nextInt(64)];
                    rnd.nextBytes(junk);
                    out.writeBytes(junk);
                }
                default -> out.writeBytes(latin1("text ".repeat(1 + rnd.nextInt(5))));
            }
        }
        return out.toByteArray();
    }

    private static MultipartCase multipartCase(Random rnd) {
        String boundary = boundary(rnd);
        boolean mustQuote = !isToken(boundary);
        String bparam = mustQuote || rnd.nextBoolean() ? quoted(boundary) : boundary;
        String contentType = randomCase(rnd, "multipart/form-data") + ows(rnd) + ";" + ows(rnd)
                + (rnd.nextInt(4) == 0 ? "charset=utf-8;" + ows(rnd) : "") + randomCase(rnd, "boundary") + "="
                + bparam + (rnd.nextInt(4) == 0 ? "; foo=bar" : "");
        byte[] delimiter = latin1("\r\n--" + boundary);
        while (true) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            List<ModelPart> parts = new ArrayList<>();
            List<int[]> bodyRanges = new ArrayList<>();
            if (rnd.nextInt(3) == 0) {
                out.writeBytes(latin1(pick(rnd, "", "preamble", "This is a preamble.\r\n--", "x--" + boundary)));
                out.writeBytes(latin1("\r\n"));
            }
            int openAt = out.size();
            out.writeBytes(latin1("--" + boundary));
            int count = rnd.nextInt(10) == 0 ? 0 : 1 + rnd.nextInt(rnd.nextInt(8) == 0 ? 20 : 5);
            for (int i = 0; i < count; i++) {
                out.writeBytes(latin1(padding(rnd) + "\r\n"));
                String name = nameText(rnd, rnd.nextInt(10) == 0);
                String filename = rnd.nextInt(3) == 0 ? nameText(rnd, true) : null;
                String contentType1 = rnd.nextInt(3) == 0 ? pick(rnd, "text/plain; charset=utf-8",
                        "application/octet-stream", "image/png") : null;
                List<String> params = new ArrayList<>();
                params.add(randomCase(rnd, "name") + "=" + (isToken(name) && rnd.nextBoolean() ? name
                        : quoted(name)));
                if (filename != null) {
                    params.add(rnd.nextInt(params.size() + 1), randomCase(rnd, "filename") + "="
                            + (isToken(filename) && rnd.nextBoolean() ? filename : quoted(filename)));
                }
                if (rnd.nextInt(5) == 0) {
                    params.add(rnd.nextInt(params.size() + 1), "x-extra=" + quoted("a;b=c"));
                }
                StringBuilder disposition = new StringBuilder(randomCase(rnd, "form-data"));
                for (String p : params) {
                    disposition.append(ows(rnd)).append(';').append(ows(rnd)).append(p);
                }
                List<String> lines = new ArrayList<>();
                lines.add(randomCase(rnd, "Content-Disposition") + ":" + ows(rnd) + utf8AsLatin1(disposition.toString())
                        + ows(rnd));
                if (contentType1 != null) {
                    lines.add(rnd.nextInt(lines.size() + 1), randomCase(rnd, "content-type") + ":" + ows(rnd)
                            + contentType1);
                }
                if (rnd.nextInt(4) == 0) {
                    lines.add(rnd.nextInt(lines.size() + 1), "X-Note: " + "n".repeat(rnd.nextInt(100)));
                }
                int headerSize = 2;
                for (String line : lines) {
                    out.writeBytes(latin1(line + "\r\n"));
                    headerSize += line.length() + 2;
                }
                out.writeBytes(latin1("\r\n"));
                byte[] body = content(rnd, boundary);
                bodyRanges.add(new int[] {out.size(), out.size() + body.length});
                out.writeBytes(body);
                out.writeBytes(delimiter);
                parts.add(new ModelPart(name, filename, contentType1 == null ? "text/plain" : contentType1, body,
                        headerSize));
            }
            out.writeBytes(latin1("--"));
            int closeEnd = out.size();
            if (rnd.nextBoolean()) {
                out.writeBytes(latin1(pick(rnd, "\r\n", "", "\r\nepilogue\r\n--" + boundary + "\r\nmore", "--\r\n")));
            }
            byte[] message = out.toByteArray();
            // Content must not hold the delimiter (RFC 2046 §5.1.1): the delimiters found are exactly ours.
            byte[] framed = new byte[message.length + 2];
            framed[0] = '\r';
            framed[1] = '\n';
            System.arraycopy(message, 0, framed, 2, message.length);
            boolean clean = indexOf(framed, delimiter, 0) == openAt; // framed[openAt] is the CRLF before "--"
            int searchFrom = openAt + 1;
            for (int[] range : bodyRanges) {
                int found = indexOf(framed, delimiter, searchFrom);
                if (found != range[1] + 2) { // framed is 2 bytes ahead; the delimiter starts where the body ends
                    clean = false;
                    break;
                }
                searchFrom = found + 1;
            }
            if (clean) {
                return new MultipartCase(contentType, boundary, message, parts, closeEnd);
            }
        }
    }

    /** Transport padding after a boundary (RFC 2046 §5.1.1: linear white space before the CRLF). */
    private static String padding(Random rnd) {
        return rnd.nextInt(4) == 0 ? pick(rnd, " ", "\t", "  \t") : "";
    }

    private static Request multipartRequest(MultipartCase c, byte[] message, Random rnd) {
        return TestRequest.withStream(Method.POST, "/upload", choppy(message, rnd), "Content-Type", c.contentType());
    }

    private enum ReadMode { BYTES, STREAM, SKIP, PARTIAL }

    @Test
    void multipartParsesWellFormedBodiesAsTheModelSaysWhateverTheSplitPointsAndLimits() {
        run("multipart", CASES, rnd -> {
            MultipartCase c = multipartCase(rnd);
            try {
                wellFormed(c, rnd);
            } catch (Exception | AssertionError e) {
                throw new AssertionError("Content-Type: " + c.contentType() + ": " + e, e);
            }
        });
    }

    private static void wellFormed(MultipartCase c, Random rnd) throws Exception {
        boolean limited = rnd.nextInt(3) == 0;
        MultipartLimits limits = limited ? new MultipartLimits(1 + rnd.nextInt(6), 20 + rnd.nextInt(200),
                rnd.nextInt(200)) : rnd.nextBoolean() ? new MultipartLimits(1000, 8192, 1 << 20)
                : new MultipartLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE); // "no limit"
        Multipart form = Multipart.read(multipartRequest(c, c.message(), rnd), limits);
        Part previous = null;
        for (int i = 0; ; i++) {
            if (i == c.parts().size()) {
                assertEquals(null, form.next(), "no more parts");
                assertEquals(null, form.next(), "still no more parts");
                return;
            }
            ModelPart m = c.parts().get(i);
            Integer expected = i + 1 > limits.maxParts() || m.headerSize() > limits.maxHeaderSize() ? 413 : null;
            Part p;
            try {
                p = form.next();
            } catch (HttpException e) {
                assertEquals(expected, e.status().code(), "part " + i + ": " + e.getMessage());
                return;
            }
            assertEquals(null, expected, "part " + i + " should have failed");
            if (previous != null && rnd.nextBoolean()) {
                assertEquals(-1, previous.stream().read(), "a part's stream ends once the next is asked for");
            }
            previous = p;
            assertEquals(m.name(), p.name(), "part " + i + " name");
            assertEquals(m.filename(), p.filename(), "part " + i + " filename");
            assertEquals(m.contentType(), p.contentType(), "part " + i + " content type");
            switch (ReadMode.values()[rnd.nextInt(ReadMode.values().length)]) {
                case BYTES -> {
                    if (m.body().length > limits.maxFieldSize()) {
                        HttpException e = assertThrows(HttpException.class,
                                p::bytes);
                        assertEquals(413, e.status().code());
                        return;
                    }
                    assertArrayEquals(m.body(), p.bytes(), "part " + i + " bytes");
                }
                case STREAM -> assertArrayEquals(m.body(), readAll(p.stream(), rnd), "part " + i + " stream");
                case PARTIAL -> {
                    byte[] some = p.stream().readNBytes(rnd.nextInt(m.body().length + 1));
                    assertArrayEquals(java.util.Arrays.copyOf(m.body(), some.length), some);
                }
                case SKIP -> { }
            }
        }
    }

    private static byte[] readAll(InputStream in, Random rnd) throws java.io.IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 + rnd.nextInt(5000)];
        int n;
        int zeroes = 0;
        while ((n = in.read(buf, 0, 1 + rnd.nextInt(buf.length))) != -1) {
            if (n == 0 && ++zeroes > 1000) {
                fail("a part's stream returns 0 forever");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    @Test
    void aTruncatedMultipartBodyIs400AfterTheWholePartsBeforeTheCut() {
        run("multipart truncated", CASES / 2, rnd -> {
            MultipartCase c = multipartCase(rnd);
            int cut = rnd.nextInt(c.closeEnd());
            byte[] message = java.util.Arrays.copyOf(c.message(), cut);
            Multipart form = Multipart.read(multipartRequest(c, message, rnd), MultipartLimits.defaults());
            try {
                for (int i = 0; ; i++) {
                    Part p = form.next();
                    assertTrue(p != null, "a body cut before its closing boundary cannot end well");
                    assertTrue(i < c.parts().size());
                    assertEquals(c.parts().get(i).name(), p.name());
                    byte[] got = readAll(p.stream(), rnd);
                    assertArrayEquals(c.parts().get(i).body(), got, "part " + i + " (cut at " + cut + ")");
                }
            } catch (HttpException e) {
                assertEquals(400, e.status().code(), e.getMessage());
            }
        });
    }

    @Test
    void aMutatedMultipartBodyParsesOrFailsWith4xxAndNeverHangs() {
        run("multipart mutated", CASES / 2, rnd -> {
            MultipartCase c = multipartCase(rnd);
            byte[] m = c.message();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int at = rnd.nextInt(m.length + 1);
            out.write(m, 0, at);
            switch (rnd.nextInt(4)) {
                case 0 -> out.writeBytes(latin1(pick(rnd, "-", "\r", "\n", "\r\n", "--", " ", ":", "\"", "\0")));
                case 1 -> at = Math.min(m.length, at + 1 + rnd.nextInt(8)); // delete
                case 2 -> {
                    if (at < m.length) {
                        out.write(m[at] ^ (1 << rnd.nextInt(8)));
                        at++;
                    }
                }
                default -> out.writeBytes(latin1("\r\n--" + c.boundary() + pick(rnd, "", "\r\n", "--", "-", " x")));
            }
            out.write(m, at, m.length - at);
            MultipartLimits limits = new MultipartLimits(1 + rnd.nextInt(30), 1 + rnd.nextInt(500), rnd.nextInt(1000));
            try {
                Multipart form = Multipart.read(multipartRequest(c, out.toByteArray(), rnd), limits);
                int parts = 0;
                for (Part p = form.next(); p != null; p = form.next()) {
                    assertTrue(++parts <= limits.maxParts());
                    p.name();
                    p.filename();
                    p.headers();
                    if (rnd.nextBoolean()) {
                        p.text();
                    } else {
                        readAll(p.stream(), rnd);
                    }
                }
            } catch (HttpException e) {
                int code = e.status().code();
                assertTrue(code == 400 || code == 413, "status " + code + ": " + e.getMessage());
            }
        });
    }

    // ------------------------------------------------------------------------------------------------ forms

    /** A field name or value: ASCII with the form's specials, some non-ASCII. */
    private static String formText(Random rnd) {
        int len = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(10);
        return text(rnd, len, FORM_SPECIALS, "é", "日本", "€", "\uD83D\uDE00");
    }

    private static final String[] FORM_SPECIALS = {" ", "&", "=", "+", "%", ";", "*", "-", ".", "_", "~", "/", "?",
        "#"};

    /** Encodes {@code s}: unreserved bytes raw or escaped, space as '+' or %20, others escaped, in either hex case. */
    private static void formEncode(Random rnd, String s, Charset charset, boolean rawNonAscii,
            ByteArrayOutputStream out) {
        for (byte b : s.getBytes(charset)) {
            int c = b & 0xff;
            boolean safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '*' || c == '-' || c == '.' || c == '_';
            if (c == ' ' && rnd.nextBoolean()) {
                out.write('+');
            } else if ((safe || (rawNonAscii && c >= 0x80)) && rnd.nextInt(4) != 0) {
                out.write(c);
            } else {
                String hex = String.format("%%%02X", c);
                out.writeBytes(latin1(rnd.nextBoolean() ? hex : hex.toLowerCase()));
            }
        }
    }

    /**
     * The model of an urlencoded body (WHATWG URL §5.1): split on '&', skip empty sequences, split at the first '=',
     * '+' is a space, percent-decode to bytes, then decode the bytes in the charset. A '%' not followed by two hex
     * digits is 400 here (documented; WHATWG would keep it literally).
     */
    private static Map<String, List<String>> formModel(byte[] body, Charset charset) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        int start = 0;
        while (start <= body.length) {
            int end = start;
            while (end < body.length && body[end] != '&') {
                end++;
            }
            if (end > start) {
                int eq = start;
                while (eq < end && body[eq] != '=') {
                    eq++;
                }
                String name = formDecode(body, start, eq, charset);
                String value = eq < end ? formDecode(body, eq + 1, end, charset) : "";
                map.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            }
            start = end + 1;
        }
        return map;
    }

    private static String formDecode(byte[] b, int from, int to, Charset charset) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = from; i < to; i++) {
            int c = b[i] & 0xff;
            if (c == '+') {
                out.write(' ');
            } else if (c == '%') {
                int hi = i + 2 < to ? Character.digit(b[i + 1], 16) : -1;
                int lo = hi >= 0 ? Character.digit(b[i + 2], 16) : -1;
                if (lo < 0) {
                    throw new IllegalStateException("malformed");
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                out.write(c);
            }
        }
        return new String(out.toByteArray(), charset);
    }

    @Test
    void urlencodedFormsParseAsTheModelSays() {
        run("form", CASES, rnd -> {
            boolean latin = rnd.nextInt(5) == 0;
            Charset charset = latin ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int fields = rnd.nextInt(4) == 0 ? 0 : 1 + rnd.nextInt(12);
            List<String> names = new ArrayList<>();
            for (int i = 0; i < fields; i++) {
                if (i > 0 || rnd.nextInt(6) == 0) {
                    out.writeBytes(latin1(pick(rnd, "&", "&", "&", "&&", "&&&")));
                }
                String name = !names.isEmpty() && rnd.nextInt(4) == 0 ? names.get(rnd.nextInt(names.size()))
                        : formText(rnd);
                names.add(name);
                String value = formText(rnd);
                if (latin) {
                    name = name.replaceAll("[^\\x00-\\xff]", "x");
                    value = value.replaceAll("[^\\x00-\\xff]", "x");
                }
                formEncode(rnd, name, charset, rnd.nextInt(3) == 0, out);
                if (!value.isEmpty() || rnd.nextBoolean()) {
                    out.write('=');
                    formEncode(rnd, value, charset, rnd.nextInt(3) == 0, out);
                }
            }
            if (rnd.nextInt(6) == 0) {
                out.write('&');
            }
            byte[] body = out.toByteArray();
            if (rnd.nextInt(5) == 0) {
                // malformed escapes, a stray '%', or an '=' in a value
                int at = rnd.nextInt(body.length + 1);
                ByteArrayOutputStream m = new ByteArrayOutputStream();
                m.write(body, 0, at);
                m.writeBytes(latin1(pick(rnd, "%G1", "%", "%4", "%%", "%+1", "%-1", "% 1", "=", "%0", ";")));
                m.write(body, at, body.length - at);
                body = m.toByteArray();
            }
            int maxSize = rnd.nextInt(4) == 0 ? rnd.nextInt(body.length + 2)
                    : rnd.nextInt(4) == 0 ? Integer.MAX_VALUE : Form.DEFAULT_MAX_SIZE;
            int maxFields = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(fields + 1)
                    : rnd.nextInt(4) == 0 ? Integer.MAX_VALUE : Form.DEFAULT_MAX_FIELDS;
            String type = randomCase(rnd, Form.URLENCODED) + (latin ? "; charset=ISO-8859-1"
                    : rnd.nextBoolean() ? "; charset=\"utf-8\"" : "");
            Request request = rnd.nextBoolean()
                    ? TestRequest.withBody(Method.POST, "/", body, "Content-Type", type)
                    : TestRequest.withStream(Method.POST, "/", choppy(body, rnd), "Content-Type", type);
            Integer expectedStatus = null;
            Map<String, List<String>> expected = null;
            int nonEmpty = 0;
            for (String f : new String(body, StandardCharsets.ISO_8859_1).split("&")) {
                nonEmpty += f.isEmpty() ? 0 : 1;
            }
            if (body.length > maxSize || nonEmpty > maxFields) {
                expectedStatus = 413;
            } else {
                try {
                    expected = formModel(body, charset);
                } catch (IllegalStateException e) {
                    expectedStatus = 400;
                }
            }
            String shown = new String(body, StandardCharsets.ISO_8859_1);
            try {
                Parameters got = Form.read(request, maxSize, maxFields);
                assertEquals(null, expectedStatus, "should have failed: " + shown);
                assertEquals(expected, got.asMap(), "body " + shown);
                assertEquals(List.copyOf(expected.keySet()), List.copyOf(got.names()));
            } catch (HttpException e) {
                assertEquals(expectedStatus, e.status().code(), "body " + shown + ": " + e.getMessage());
            }
        });
    }

    // ------------------------------------------------------------------------------------------------ cookies

    /**
     * The model of a Cookie header as the class documents it, from RFC 6265 §5.4 and §5.2: pairs split on ';', the
     * name before the first '=', whitespace (SP and HTAB, RFC 6265 §5.2 "WSP") dropped around name and value, one pair
     * of quotes removed, pairs without '=' or with an empty name skipped, the first of a duplicate name kept.
     */
    private static Map<String, String> cookieModel(String header) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String pair : header.split(";", -1)) {
            int eq = pair.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String name = wspTrim(pair.substring(0, eq));
            String value = wspTrim(pair.substring(eq + 1));
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1);
            }
            if (!name.isEmpty()) {
                map.putIfAbsent(name, value);
            }
        }
        return map;
    }

    private static String wspTrim(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
            from++;
        }
        while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
            to--;
        }
        return s.substring(from, to);
    }

    private static final String COOKIE_OCTETS = "!#$%&'()*+-./0123456789:<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`"
            + "abcdefghijklmnopqrstuvwxyz{|}~";

    @Test
    void cookieHeadersParseAsTheModelSays() {
        run("cookies", CASES, rnd -> {
            StringBuilder header = new StringBuilder();
            int pairs = rnd.nextInt(8);
            List<String> names = new ArrayList<>();
            for (int i = 0; i < pairs; i++) {
                if (i > 0) {
                    header.append(pick(rnd, "; ", "; ", ";", " ; ", ";; ", "; ;", ";\t"));
                }
                if (rnd.nextInt(10) == 0) {
                    header.append(pick(rnd, "noequals", "=novalue", " = ", "", "\""));
                    continue;
                }
                String name = !names.isEmpty() && rnd.nextInt(4) == 0 ? names.get(rnd.nextInt(names.size()))
                        : randomCookieText(rnd, "abcdefghijklmnopqrstuvwxyzABC0123456789-_.!#$%&'*+^`|~", 1);
                names.add(name);
                String value = randomCookieText(rnd, COOKIE_OCTETS, 0);
                if (rnd.nextInt(4) == 0) {
                    value = "\"" + value + "\"";
                }
                header.append(ows(rnd)).append(name).append(ows(rnd)).append('=').append(ows(rnd)).append(value)
                        .append(ows(rnd));
            }
            if (rnd.nextInt(5) == 0) {
                header.append(';');
            }
            String h = header.toString();
            if (rnd.nextInt(4) == 0) {
                // arbitrary octets a broken client might send
                StringBuilder junk = new StringBuilder(h);
                for (int k = rnd.nextInt(4); k >= 0; k--) {
                    junk.insert(rnd.nextInt(junk.length() + 1), (char) rnd.nextInt(256));
                }
                h = junk.toString();
            }
            assertEquals(cookieModel(h), Cookies.parse(h), "header " + h.chars().mapToObj(Integer::toHexString)
                    .toList());
            String second = "z" + rnd.nextInt(3) + "=second";
            Request request;
            try {
                request = TestRequest.get("/", "Cookie", h, "Cookie", second);
            } catch (IllegalArgumentException e) {
                return; // a header field the HTTP layer would not have let in
            }
            Map<String, String> both = cookieModel(h + ";" + second);
            assertEquals(both, Cookies.parse(request));
        });
    }

    private static String randomCookieText(Random rnd, String alphabet, int min) {
        int len = min + rnd.nextInt(8);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < len; i++) {
            b.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    // ------------------------------------------------------------------------------------------------ router

    private static final String[] TEMPLATE_SEGMENTS = {"a", "b", "{p}", "{rest...}", ""};
    private static final String[] PATH_SEGMENTS = {"a", "b", "c", "", "%2F", "%00", "..", ".", "%61", "a%20b",
            "%C3%A9", "%2e%2e"};

    /** The model's match of a decoded path against one template: the parameter values, or null. */
    private static Map<String, String> matchTemplate(String template, String path) {
        String[] t = template.substring(1).split("/", -1);
        if (!path.startsWith("/")) {
            return null;
        }
        String rest = path.substring(1);
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < t.length; i++) {
            if (t[i].endsWith("...}")) {
                if (rest == null) {
                    return null;
                }
                values.put(t[i].substring(1, t[i].length() - 4), rest);
                return values;
            }
            if (rest == null) {
                return null;
            }
            int slash = rest.indexOf('/');
            String seg = slash < 0 ? rest : rest.substring(0, slash);
            String next = slash < 0 ? null : rest.substring(slash + 1);
            if (t[i].startsWith("{")) {
                if (seg.isEmpty()) {
                    return null;
                }
                values.put(t[i].substring(1, t[i].length() - 1), seg);
            } else if (!t[i].equals(seg)) {
                return null;
            }
            rest = next;
        }
        return rest == null ? values : null;
    }

    /** The rank of a template for a path: segment by segment, literal (0) before parameter (1) before catch-all (2). */
    private static int[] rank(String template) {
        String[] t = template.substring(1).split("/", -1);
        int[] r = new int[t.length];
        for (int i = 0; i < t.length; i++) {
            r[i] = t[i].endsWith("...}") ? 2 : t[i].startsWith("{") ? 1 : 0;
        }
        return r;
    }

    private static int compareRanks(int[] a, int[] b) {
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            if (a[i] != b[i]) {
                return Integer.compare(a[i], b[i]);
            }
        }
        return Integer.compare(a.length, b.length);
    }

    @Test
    void theRouterMatchesDecodedPathsAsTheModelSays() {
        run("router", CASES / 2, rnd -> {
            List<String> templates = new ArrayList<>();
            Router.Builder builder = Router.builder();
            for (int i = rnd.nextInt(6) + 1; i > 0; i--) {
                StringBuilder t = new StringBuilder();
                int depth = 1 + rnd.nextInt(3);
                List<String> used = new ArrayList<>();
                for (int d = 0; d < depth; d++) {
                    String seg = TEMPLATE_SEGMENTS[rnd.nextInt(TEMPLATE_SEGMENTS.length)];
                    boolean last = d == depth - 1;
                    if ((seg.equals("{rest...}") || seg.isEmpty()) && !last || used.contains(seg)) {
                        seg = "b";
                    }
                    used.add(seg);
                    t.append('/').append(seg.equals("{p}") ? "{p" + d + "}" : seg);
                }
                String template = t.toString();
                if (templates.contains(template)) {
                    continue;
                }
                templates.add(template);
                builder.get(template, r -> Response.ok(r.attribute(Router.ROUTE) + " "
                        + new java.util.TreeMap<>(r.pathParams())));
            }
            Router router = builder.build();
            StringBuilder raw = new StringBuilder();
            for (int d = 1 + rnd.nextInt(4); d > 0; d--) {
                raw.append('/').append(PATH_SEGMENTS[rnd.nextInt(PATH_SEGMENTS.length)]);
            }
            TestRequest request = TestRequest.get(raw.toString());
            String path = request.path();
            String best = null;
            Map<String, String> bestValues = null;
            for (String t : templates) {
                Map<String, String> v = matchTemplate(t, path);
                if (v != null && (best == null || compareRanks(rank(t), rank(best)) < 0)) {
                    best = t;
                    bestValues = v;
                }
            }
            Response response = router.handle(request);
            if (best == null) {
                assertTrue(response.status().code() == 404 || response.status().code() == 308,
                        "no template matches " + path + " in " + templates + ": " + response.status());
            } else {
                assertEquals(200, response.status().code(), "path " + path + " in " + templates);
                assertEquals(best + " " + new java.util.TreeMap<>(bestValues), Responses.text(response),
                        "path " + path + " in " + templates);
            }
        });
    }
}
