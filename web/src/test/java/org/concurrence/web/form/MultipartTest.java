package org.concurrence.web.form;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.concurrence.http.HttpException;
import org.concurrence.http.Method;
import org.concurrence.http.Request;
import org.concurrence.web.TestRequest;
import org.junit.jupiter.api.Test;

class MultipartTest {
    private static final String B = "----WebKitFormBoundary7MA4YWxkTrZu0gW";
    private static final String CT = "multipart/form-data; boundary=" + B;

    private static final String SIMPLE = "--" + B + "\r\n"
            + "Content-Disposition: form-data; name=\"title\"\r\n\r\n"
            + "Hello, world\r\n"
            + "--" + B + "\r\n"
            + "Content-Disposition: form-data; name=\"upload\"; filename=\"r\u00c3\u00a9sum\u00c3\u00a9.txt\"\r\n"
            + "Content-Type: text/plain\r\n\r\n"
            + "line 1\r\nline 2 with --" + B.substring(0, 10) + " inside\r\n"
            + "--" + B + "\r\n"
            + "Content-Disposition: form-data; name=\"empty\"\r\n\r\n"
            + "\r\n"
            + "--" + B + "--\r\n";

    private static Request request(InputStream body, String contentType) {
        return TestRequest.withStream(Method.POST, "/upload", body, "Content-Type", contentType);
    }

    private static Request request(String body) {
        return request(new ByteArrayInputStream(body.getBytes(StandardCharsets.ISO_8859_1)), CT);
    }

    @Test
    void partsComeInOrderWithNamesFileNamesTypesAndContent() throws Exception {
        Multipart form = Multipart.read(request(SIMPLE));
        Part title = form.next();
        assertEquals("title", title.name());
        assertNull(title.filename());
        assertFalse(title.isFile());
        assertEquals("text/plain", title.contentType());
        assertEquals("Hello, world", title.text());
        Part upload = form.next();
        assertEquals("upload", upload.name());
        assertEquals("résumé.txt", upload.filename());
        assertTrue(upload.isFile());
        assertEquals("line 1\r\nline 2 with --" + B.substring(0, 10) + " inside", upload.text());
        Part empty = form.next();
        assertEquals("", empty.text());
        assertNull(form.next());
        assertNull(form.next());
    }

    @Test
    void theBoundaryIsFoundWhenTheBodyArrivesOneByteAtATime() throws Exception {
        InputStream slow = new ByteArrayInputStream(SIMPLE.getBytes(StandardCharsets.ISO_8859_1)) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1));
            }
        };
        Map<String, String> fields = Multipart.read(request(slow, CT)).fields();
        assertEquals(Map.of("title", "Hello, world", "empty", ""), fields);
    }

    @Test
    void aPartLeftUnreadIsSkippedAndItsStreamEnds() throws Exception {
        Multipart form = Multipart.read(request(SIMPLE));
        Part title = form.next();
        assertEquals('H', title.stream().read());
        Part upload = form.next();
        assertEquals(-1, title.stream().read());
        assertEquals("upload", upload.name());
    }

    @Test
    void aPreambleAndAnEpilogueAreIgnoredAndAQuotedBoundaryWorks() throws Exception {
        String body = "This is a preamble.\r\n" + SIMPLE + "epilogue";
        Request r = request(new ByteArrayInputStream(body.getBytes(StandardCharsets.ISO_8859_1)),
                "multipart/form-data; charset=utf-8; boundary=\"" + B + "\"");
        assertEquals(List.of("title", "empty"), List.copyOf(Multipart.read(r).fields().keySet()));
    }

    @Test
    void aLargeFilePartStreamsWithoutTheBodyBeingReadAhead() throws Exception {
        long size = 64L * 1024 * 1024;
        String head = "--" + B + "\r\nContent-Disposition: form-data; name=\"big\"; filename=\"big.bin\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n";
        String tail = "\r\n--" + B + "--\r\n";
        CountingPattern content = new CountingPattern(size);
        InputStream body = new SequenceInputStream(java.util.Collections.enumeration(List.of(
                new ByteArrayInputStream(head.getBytes(StandardCharsets.ISO_8859_1)), content,
                new ByteArrayInputStream(tail.getBytes(StandardCharsets.ISO_8859_1)))));
        Part big = Multipart.read(request(body, CT)).next();
        InputStream in = big.stream();
        byte[] chunk = new byte[8192];
        long total = 0;
        long expected = 0;
        int n;
        while ((n = in.read(chunk)) > 0) {
            for (int i = 0; i < n; i++) {
                if (chunk[i] != CountingPattern.at(expected++)) {
                    throw new AssertionError("wrong byte at " + (expected - 1));
                }
            }
            total += n;
            long readAhead = content.produced - total;
            assertTrue(readAhead <= 64 * 1024, "the parser read " + readAhead + " bytes ahead of the handler");
        }
        assertEquals(size, total);
    }

    @Test
    void tooManyPartsIs413() {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            body.append("--").append(B).append("\r\nContent-Disposition: form-data; name=\"f").append(i)
                    .append("\"\r\n\r\nv\r\n");
        }
        body.append("--").append(B).append("--\r\n");
        Multipart form = Multipart.read(request(body.toString()), new MultipartLimits(3, 1024, 1024));
        HttpException e = assertThrows(HttpException.class, form::fields);
        assertEquals(413, e.status().code());
        assertEquals("multipart body has more than 3 parts", e.getMessage());
    }

    @Test
    void partHeadersOverTheLimitAre413() {
        String body = "--" + B + "\r\nContent-Disposition: form-data; name=\"a\"\r\nX-Long: " + "y".repeat(500)
                + "\r\n\r\nv\r\n--" + B + "--\r\n";
        Multipart form = Multipart.read(request(body), new MultipartLimits(10, 100, 1024));
        HttpException e = assertThrows(HttpException.class, form::next);
        assertEquals(413, e.status().code());
        assertEquals("multipart part headers larger than 100 bytes", e.getMessage());
    }

    @Test
    void aFieldLargerThanTheFieldLimitIs413ButStreamsFine() throws Exception {
        String body = "--" + B + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n" + "z".repeat(50) + "\r\n--"
                + B + "--\r\n";
        Part a = Multipart.read(request(body), new MultipartLimits(10, 1024, 10)).next();
        assertEquals("multipart field \"a\" is larger than 10 bytes; read it as a stream",
                assertThrows(HttpException.class, a::text).getMessage());
        Part again = Multipart.read(request(body), new MultipartLimits(10, 1024, 10)).next();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        again.stream().transferTo(out);
        assertEquals(50, out.size());
    }

    @Test
    void fieldsTogetherLargerThanTheFieldLimitAre413() throws Exception {
        // Each field under the limit, yet 100 of them would be 100 times the memory the limit promises.
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            body.append("--").append(B).append("\r\nContent-Disposition: form-data; name=\"f").append(i)
                    .append("\"\r\n\r\n").append("z".repeat(40)).append("\r\n");
        }
        body.append("--").append(B).append("--\r\n");
        MultipartLimits limits = new MultipartLimits(10, 1024, 100);
        HttpException e = assertThrows(HttpException.class, Multipart.read(request(body.toString()), limits)::fields);
        assertEquals(413, e.status().code());
        assertEquals("multipart fields larger than 100 bytes in all; read the parts one by one with next()",
                e.getMessage());
        assertEquals(3, Multipart.read(request(body.toString()), new MultipartLimits(10, 1024, 120)).fields().size(),
                "exactly at the limit");
    }

    @Test
    void limitsOfIntegerMaxValueMeanNoLimit() throws Exception {
        // bytes() read maxFieldSize + 1 bytes to tell "too large" from "just fits": at Integer.MAX_VALUE that
        // overflowed to a negative length and an IllegalArgumentException (a 500) instead of the field.
        MultipartLimits none = new MultipartLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE);
        Multipart form = Multipart.read(request(SIMPLE), none);
        assertEquals("Hello, world", form.next().text());
        assertEquals("line 1\r\nline 2 with --" + B.substring(0, 10) + " inside", new String(form.next().bytes(),
                StandardCharsets.ISO_8859_1));
    }

    @Test
    void malformedBodiesAre400WithTheReason() {
        assertEquals("malformed multipart body: the body ends inside a part's headers",
                failure("--" + B + "\r\nContent-Disposition: form-data; name=\"a\"\r\n").getMessage());
        assertEquals("multipart body ended before its closing boundary",
                failure("--" + B + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end").getMessage());
        assertEquals("multipart part without Content-Disposition",
                failure("--" + B + "\r\nContent-Type: text/plain\r\n\r\nx\r\n--" + B + "--").getMessage());
        assertEquals("multipart part without a name: form-data; filename=\"a\"",
                failure("--" + B + "\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r\nx\r\n--" + B + "--")
                        .getMessage());
        assertEquals("malformed multipart body: text after a boundary",
                failure("--" + B + "junk\r\n").getMessage());
        assertEquals("multipart body ended before its closing boundary", failure("no boundary at all").getMessage());
    }

    private static HttpException failure(String body) {
        HttpException e = assertThrows(HttpException.class, () -> {
            Multipart form = Multipart.read(request(body));
            for (Part p = form.next(); p != null; p = form.next()) {
                p.stream().transferTo(java.io.OutputStream.nullOutputStream());
            }
        });
        assertEquals(400, e.status().code(), e.getMessage());
        return e;
    }

    private static String textPart(String name, String contentType, String content) {
        return "--" + B + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\nContent-Type: " + contentType
                + "\r\n\r\n" + content + "\r\n";
    }

    @Test
    void aPartDecodesInTheCharsetOfItsContentType() throws Exception {
        String body = textPart("note", "text/plain; charset=ISO-8859-1", "caf\u00e9") + "--" + B + "--\r\n";
        assertEquals(Map.of("note", "café"), Multipart.read(request(body)).fields());
    }

    @Test
    void aPartNamingAnUnknownCharsetIs400NamingTheCharsetAndThePart() throws Exception {
        // 415 is about the request's media type, which is fine here: the fault is inside the body
        String body = textPart("note", "text/plain; charset=x-no-such-charset", "a")
                + textPart("bad name", "text/plain; charset=\"utf 8\"", "b")
                + textPart("title", "text/plain", "still readable") + "--" + B + "--\r\n";
        Multipart form = Multipart.read(request(body));
        HttpException unknown = assertThrows(HttpException.class, form.next()::text);
        assertEquals(400, unknown.status().code());
        assertEquals("multipart part \"note\" names an unknown charset: x-no-such-charset", unknown.getMessage());
        HttpException illegal = assertThrows(HttpException.class, form.next()::text);
        assertEquals(400, illegal.status().code());
        assertEquals("multipart part \"bad name\" names an unknown charset: utf 8", illegal.getMessage());
        assertEquals("still readable", form.next().text());
        assertEquals(400, assertThrows(HttpException.class, () -> Multipart.read(request(body)).fields())
                .status().code());
    }

    @Test
    void spaceInsideAQuotedBoundaryOrNameIsKept() throws Exception {
        // RFC 2046 §5.1.1: a boundary may hold spaces (not as its last character); RFC 9110 §5.6.4: a quoted-string
        // is its content exactly. Stripping the quoted value lost the leading space and with it every delimiter.
        String b = " lead";
        String body = "--" + b + "\r\nContent-Disposition: form-data; name=\" a \"; filename=\" f.txt \"\r\n\r\n"
                + "x\r\n--" + b + "--\r\n";
        Multipart form = Multipart.read(request(new ByteArrayInputStream(body.getBytes(StandardCharsets.ISO_8859_1)),
                "multipart/form-data; boundary=\"" + b + "\""));
        Part p = form.next();
        assertEquals(" a ", p.name());
        assertEquals(" f.txt ", p.filename());
        assertEquals("x", p.text());
        assertNull(form.next());
    }

    @Test
    void aBackslashInAQuotedNameIsKeptUnlessItEscapesAQuoteOrABackslash() throws Exception {
        // Browsers do not escape a backslash in file names (WHATWG's multipart/form-data encoding escapes only CR, LF
        // and '"', as %0D, %0A, %22), so a file called a\b.txt arrives as filename="a\b.txt"; unescaping every
        // backslash made it "ab.txt". As Go's parser does, only \" and \\ are escapes.
        String body = "--" + B + "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\\b.txt\"\r\n\r\n"
                + "x\r\n--" + B + "\r\nContent-Disposition: form-data; name=\"q\\\"uote\\\\d\"\r\n\r\ny\r\n"
                + "--" + B + "--\r\n";
        Multipart form = Multipart.read(request(new ByteArrayInputStream(body.getBytes(StandardCharsets.ISO_8859_1)),
                "multipart/form-data; boundary=" + B));
        assertEquals("a\\b.txt", form.next().filename());
        assertEquals("q\"uote\\d", form.next().name());
        assertNull(form.next());
    }

    @Test
    void aRequestThatIsNotMultipartIs415AndAMissingBoundary400() {
        assertEquals(415, assertThrows(HttpException.class,
                () -> Multipart.read(request(InputStream.nullInputStream(), "text/plain"))).status().code());
        HttpException e = assertThrows(HttpException.class,
                () -> Multipart.read(request(InputStream.nullInputStream(), "multipart/form-data")));
        assertEquals(400, e.status().code());
        assertTrue(e.getMessage().startsWith("multipart Content-Type needs a boundary"));
    }

    @Test
    void binaryContentWithCrLfAndDashesSurvives() throws Exception {
        byte[] data = new byte[3000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) "\r\n--x".charAt(i % 5);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + B + "\r\nContent-Disposition: form-data; name=\"bin\"; filename=\"b\"\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        body.writeBytes(data);
        body.writeBytes(("\r\n--" + B + "--").getBytes(StandardCharsets.ISO_8859_1));
        Part p = Multipart.read(request(new ByteArrayInputStream(body.toByteArray()), CT)).next();
        assertArrayEquals(data, p.bytes());
    }

    /** Produces {@code size} bytes of a known pattern, counting how many were taken. */
    private static final class CountingPattern extends InputStream {
        private final long size;
        long produced;

        CountingPattern(long size) {
            this.size = size;
        }

        static byte at(long i) {
            return (byte) (i * 31 + (i >>> 13));
        }

        @Override
        public int read() {
            return produced < size ? at(produced++) & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (produced >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - produced);
            for (int i = 0; i < n; i++) {
                b[off + i] = at(produced++);
            }
            return n;
        }
    }
}
