package org.concurrence.web.form;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.concurrence.http.HttpException;
import org.concurrence.http.Method;
import org.concurrence.http.Parameters;
import org.concurrence.web.TestRequest;
import org.junit.jupiter.api.Test;

class FormTest {

    @Test
    void aUrlEncodedBodyBecomesParameters() throws Exception {
        var request = TestRequest.withBody(Method.POST, "/signup", "name=Ada+Lovelace&lang=en&lang=fr&note=caf%C3%A9",
                "Content-Type", "application/x-www-form-urlencoded");
        Parameters form = Form.read(request);
        assertEquals("Ada Lovelace", form.get("name"));
        assertEquals(List.of("en", "fr"), form.all("lang"));
        assertEquals("café", form.get("note"));
    }

    @Test
    void theCharsetOfTheContentTypeDecodesEscapes() throws Exception {
        var request = TestRequest.withBody(Method.POST, "/", "note=caf%E9",
                "Content-Type", "application/x-www-form-urlencoded; charset=ISO-8859-1");
        assertEquals("café", Form.read(request).get("note"));
    }

    @Test
    void anotherContentTypeIs415() {
        var request = TestRequest.withBody(Method.POST, "/", "a=1", "Content-Type", "application/json");
        HttpException e = assertThrows(HttpException.class, () -> Form.read(request));
        assertEquals(415, e.status().code());
        assertEquals("expected Content-Type application/x-www-form-urlencoded, not application/json", e.getMessage());
    }

    @Test
    void anUnknownCharsetInTheRequestsContentTypeIs415NamingIt() {
        // Unlike a multipart part's charset, this one is part of the request's own media type (RFC 9110 §15.5.16)
        var request = TestRequest.withBody(Method.POST, "/", "a=1",
                "Content-Type", "application/x-www-form-urlencoded; charset=x-no-such-charset");
        HttpException e = assertThrows(HttpException.class, () -> Form.read(request));
        assertEquals(415, e.status().code());
        assertEquals("unknown charset in Content-Type: x-no-such-charset", e.getMessage());
    }

    @Test
    void aBodyOverTheLimitIs413WhetherDeclaredOrStreamed() {
        String body = "a=" + "x".repeat(100);
        var declared = TestRequest.withBody(Method.POST, "/", body, "Content-Type", Form.URLENCODED);
        HttpException e = assertThrows(HttpException.class, () -> Form.read(declared, 50));
        assertEquals(413, e.status().code());
        assertEquals("form body larger than 50 bytes (102 bytes declared)", e.getMessage());
        var chunked = TestRequest.withStream(Method.POST, "/", new java.io.ByteArrayInputStream(body.getBytes()),
                "Content-Type", Form.URLENCODED);
        assertEquals("form body larger than 50 bytes (more sent)",
                assertThrows(HttpException.class, () -> Form.read(chunked, 50)).getMessage());
    }

    @Test
    void tooManyFieldsAre413BeforeTheyAreDecoded() throws Exception {
        // 1 MiB of "f1&f2&..." would be some 200,000 map entries, tens of MiB per request: capped as multipart parts.
        StringBuilder body = new StringBuilder();
        for (int i = 0; i <= Form.DEFAULT_MAX_FIELDS; i++) {
            body.append("&f").append(i).append("=");
        }
        var request = TestRequest.withBody(Method.POST, "/", body.toString(), "Content-Type", Form.URLENCODED);
        HttpException e = assertThrows(HttpException.class, () -> Form.read(request));
        assertEquals(413, e.status().code());
        assertEquals("form has more than 1000 fields", e.getMessage());
        var emptyPairs = TestRequest.withBody(Method.POST, "/", "&".repeat(5000) + "a=1", "Content-Type",
                Form.URLENCODED);
        assertEquals("1", Form.read(emptyPairs).get("a"), "empty pairs are not fields");
        var fewer = TestRequest.withBody(Method.POST, "/", "a=1&b=2&c=3", "Content-Type", Form.URLENCODED);
        assertEquals("3", Form.read(fewer, 100, 3).get("c"));
        assertEquals(413, assertThrows(HttpException.class, () -> Form.read(
                TestRequest.withBody(Method.POST, "/", "a=1&b=2&c=3", "Content-Type", Form.URLENCODED), 100, 2))
                .status().code());
    }

    @Test
    void rawNonAsciiBytesDecodeInTheCharsetLikeEscapedOnes() throws Exception {
        // WHATWG URL §5.1: the body's bytes are percent-decoded, then the bytes decoded in the charset; raw UTF-8
        // (as curl -d sends it) read as Latin-1 came out as "cafÃ©", and raw bytes mixed with escapes as U+FFFD.
        byte[] body = "note=café&mixed=日本".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] mixed = {'m', '=', (byte) 0xE6, '%', '9', '7', (byte) 0xA5};
        var raw = TestRequest.withBody(Method.POST, "/", body, "Content-Type", Form.URLENCODED);
        Parameters form = Form.read(raw);
        assertEquals("café", form.get("note"));
        assertEquals("日本", form.get("mixed"));
        assertEquals("日", Form.read(TestRequest.withBody(Method.POST, "/", mixed, "Content-Type", Form.URLENCODED))
                .get("m"));
        var latin = TestRequest.withBody(Method.POST, "/", new byte[] {'a', '=', (byte) 0xE9}, "Content-Type",
                Form.URLENCODED + "; charset=ISO-8859-1");
        assertEquals("é", Form.read(latin).get("a"));
    }

    @Test
    void aLimitOfIntegerMaxValueMeansNoLimit() throws Exception {
        // read maxSize + 1 bytes to tell "too large" from "just fits": at Integer.MAX_VALUE that overflowed to a
        // negative length and an IllegalArgumentException (a 500) instead of the form.
        var chunked = TestRequest.withStream(Method.POST, "/", new java.io.ByteArrayInputStream("a=1".getBytes()),
                "Content-Type", Form.URLENCODED);
        assertEquals("1", Form.read(chunked, Integer.MAX_VALUE, Integer.MAX_VALUE).get("a"));
    }

    @Test
    void aMalformedEscapeIs400() {
        var request = TestRequest.withBody(Method.POST, "/", "a=%zz", "Content-Type", Form.URLENCODED);
        assertEquals(400, assertThrows(HttpException.class, () -> Form.read(request)).status().code());
    }
}
