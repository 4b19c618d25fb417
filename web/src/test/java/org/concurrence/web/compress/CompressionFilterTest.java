package org.concurrence.web.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.concurrence.http.Handler;
import org.concurrence.http.Method;
import org.concurrence.http.Response;
import org.concurrence.http.ResponseBody;
import org.concurrence.http.Status;
import org.concurrence.web.Responses;
import org.concurrence.web.TestRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CompressionFilterTest {
    private static final String TEXT = "Concurrence compresses repetitive text well. ".repeat(100);
    private static final CompressionFilter GZIP = CompressionFilter.gzip();

    private static Response run(Handler handler, String... requestHeaders) throws Exception {
        return GZIP.wrap(handler).handle(TestRequest.get("/", requestHeaders));
    }

    static byte[] gunzip(byte[] compressed) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aTextBodyIsGzippedForAClientThatAcceptsIt() throws Exception {
        Response r = run(request -> Response.ok(TEXT), "Accept-Encoding", "gzip, deflate, br");
        assertEquals("gzip", r.headers().get("Content-Encoding"));
        assertEquals("Accept-Encoding", r.headers().get("Vary"));
        byte[] compressed = assertInstanceOf(ResponseBody.Bytes.class, r.body()).bytes();
        assertTrue(compressed.length < TEXT.length() / 10, "compressed to " + compressed.length);
        assertEquals(TEXT, new String(gunzip(compressed), StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "Accept-Encoding: \"{0}\" → gzip {1}")
    @CsvSource(delimiter = '|', value = {
        "gzip|true", "GZIP|true", "x-gzip|true", "deflate, gzip;q=0.5|true", "*|true", "br;q=1, *;q=0.1|true",
        "gzip;q=0|false", "gzip;q=0.000|false", "*;q=0|false", "gzip;q=0, *|false", "identity|false",
        "br|false", "''|false", "gzip;q=2|false", "gzip;q=abc|false", "gzip ; q=1.0|true", "gzip;level=1|true"})
    void acceptEncodingIsReadWithItsWeights(String acceptEncoding, boolean gzip) {
        assertEquals(gzip, AcceptEncoding.acceptsGzip(List.of(acceptEncoding)), acceptEncoding);
    }

    @Test
    void withoutAcceptEncodingNothingIsCompressedButTheResponseStillVaries() throws Exception {
        Response r = run(request -> Response.ok(TEXT));
        assertNull(r.headers().get("Content-Encoding"));
        assertEquals("Accept-Encoding", r.headers().get("Vary"));
        assertEquals(TEXT, Responses.text(r));
    }

    @Test
    void smallBodiesAndIncompressibleTypesAreLeftAlone() throws Exception {
        Response small = run(request -> Response.ok("short"), "Accept-Encoding", "gzip");
        assertNull(small.headers().get("Content-Encoding"));
        assertEquals("short", Responses.text(small));
        Response png = run(request -> Response.ok(ResponseBody.of(new byte[5000]), "image/png"),
                "Accept-Encoding", "gzip");
        assertNull(png.headers().get("Content-Encoding"));
        assertNull(png.headers().get("Vary"), "not a type this filter would ever compress: no Vary");
        Response events = run(request -> Response.ok(ResponseBody.ofWriter(-1, out -> out.write(new byte[5000])),
                "text/event-stream"), "Accept-Encoding", "gzip");
        assertNull(events.headers().get("Content-Encoding"));
    }

    @Test
    void aBodyThatGzipWouldMakeLargerIsSentAsItIs() throws Exception {
        byte[] random = new byte[4096];
        new java.util.Random(1).nextBytes(random);
        Response r = run(request -> Response.ok(ResponseBody.of(random), "application/json"),
                "Accept-Encoding", "gzip");
        assertNull(r.headers().get("Content-Encoding"));
        assertArrayEquals(random, Responses.bytes(r));
        assertEquals("Accept-Encoding", r.headers().get("Vary"));
    }

    @Test
    void responsesThatMustNotBeRecodedAreLeftAlone() throws Exception {
        List<Response> untouched = new ArrayList<>();
        untouched.add(Response.of(Status.NO_CONTENT));
        untouched.add(Response.of(Status.NOT_MODIFIED));
        untouched.add(Response.builder(Status.PARTIAL_CONTENT).contentType("text/plain")
                .header("Content-Range", "bytes 0-4499/9000").body(TEXT).build());
        untouched.add(Response.ok(TEXT).withHeader("Content-Encoding", "br"));
        untouched.add(Response.ok(TEXT).withHeader("Cache-Control", "public, no-transform"));
        for (Response original : untouched) {
            Response r = run(request -> original, "Accept-Encoding", "gzip");
            assertFalse("gzip".equals(r.headers().get("Content-Encoding")), original.toString());
            assertArrayEquals(Responses.bytes(original), Responses.bytes(r), original.toString());
        }
    }

    @Test
    void anExistingVaryIsExtendedAndAStrongETagBecomesWeak() throws Exception {
        Response r = run(request -> Response.ok(TEXT).withHeader("Vary", "Origin").withHeader("ETag", "\"v1\"")
                .withHeader("Accept-Ranges", "bytes"), "Accept-Encoding", "gzip");
        assertEquals(List.of("Origin", "Accept-Encoding"), r.headers().all("Vary"));
        assertEquals("W/\"v1\"", r.headers().get("ETag"));
        assertNull(r.headers().get("Accept-Ranges"), "ranges would address the uncompressed bytes");
        Response weak = run(request -> Response.ok(TEXT).withHeader("ETag", "W/\"v2\"")
                .withHeader("Vary", "accept-encoding"), "Accept-Encoding", "gzip");
        assertEquals("W/\"v2\"", weak.headers().get("ETag"));
        assertEquals(List.of("accept-encoding"), weak.headers().all("Vary"));
    }

    @Test
    void aStreamedBodyIsCompressedAsItIsWrittenAndEachFlushGoesOut() throws Exception {
        List<Integer> sentAtFlush = new ArrayList<>();
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        Response r = run(request -> Response.ok(ResponseBody.ofWriter(TEXT.length() * 3L, out -> {
            for (int i = 0; i < 3; i++) {
                out.write(TEXT.getBytes(StandardCharsets.UTF_8));
                out.flush();
                sentAtFlush.add(wire.size());
            }
        }), "text/plain; charset=UTF-8"), "Accept-Encoding", "gzip");
        assertEquals("gzip", r.headers().get("Content-Encoding"));
        ResponseBody.Streamed body = assertInstanceOf(ResponseBody.Streamed.class, r.body());
        assertEquals(-1, body.length(), "compressed length unknown before writing: the server chunks it");
        body.writer().writeTo(new OutputStream() {
            @Override
            public void write(int b) {
                wire.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                wire.write(b, off, len);
            }

            @Override
            public void close() {
                throw new AssertionError("the body must not close the server's stream");
            }
        });
        assertEquals(3, sentAtFlush.size());
        assertTrue(sentAtFlush.get(0) > 0 && sentAtFlush.get(0) < sentAtFlush.get(1)
                && sentAtFlush.get(1) < sentAtFlush.get(2), "each flush sent what was compressed: " + sentAtFlush);
        assertEquals(TEXT.repeat(3), new String(gunzip(wire.toByteArray()), StandardCharsets.UTF_8));
    }

    @Test
    void aStreamedBodyThatFailsGetsNoGzipTrailer() throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        Response r = run(request -> Response.ok(ResponseBody.ofWriter(-1, out -> {
            out.write(TEXT.getBytes(StandardCharsets.UTF_8));
            throw new IOException("the source failed");
        }), "text/plain"), "Accept-Encoding", "gzip");
        ResponseBody.Streamed body = assertInstanceOf(ResponseBody.Streamed.class, r.body());
        assertThrows(IOException.class, () -> body.writer().writeTo(wire));
        assertThrows(java.io.EOFException.class, () -> {
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(wire.toByteArray()))) {
                in.readAllBytes();
            }
        }, "a cut body must not look whole");
    }

    @Test
    void aCompressedStreamedBodyThatIsNotSentClosesItsSource() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
        java.io.InputStream source = new ByteArrayInputStream(TEXT.getBytes(StandardCharsets.UTF_8)) {
            @Override
            public void close() {
                closed.set(true);
            }
        };
        Response r = run(request -> Response.ok(ResponseBody.ofStream(-1, source), "text/plain"),
                "Accept-Encoding", "gzip");
        assertEquals("gzip", r.headers().get("Content-Encoding"));
        ((ResponseBody.Streamed) r.body()).writer().discard(); // a HEAD, or a connection that ended first
        assertTrue(closed.get(), "the handler's stream was closed through the gzip writer");
    }

    @Test
    void headIsAnsweredAsGetWould() throws Exception {
        Response r = GZIP.wrap(request -> Response.ok(TEXT))
                .handle(TestRequest.of(Method.HEAD, "/", "Accept-Encoding", "gzip"));
        assertEquals("gzip", r.headers().get("Content-Encoding"));
    }

    @Test
    void settingsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> GZIP.withLevel(0));
        assertThrows(IllegalArgumentException.class, () -> GZIP.withLevel(10));
        assertThrows(IllegalArgumentException.class, () -> GZIP.withMinimumLength(-1));
        assertThrows(NullPointerException.class, () -> GZIP.withTypes(null));
    }

    @Test
    void levelMinimumAndTypesCanBeChosen() throws Exception {
        CompressionFilter custom = CompressionFilter.gzip().withLevel(1).withMinimumLength(0)
                .withTypes(type -> type.equals("application/x-custom") || CompressionFilter.isCompressible(type));
        Response r = custom.wrap(request -> Response.ok(ResponseBody.of("tiny".getBytes(StandardCharsets.UTF_8)),
                "application/x-custom")).handle(TestRequest.get("/", "Accept-Encoding", "gzip"));
        // Four bytes grow under gzip: kept as they are, but the type was taken as compressible.
        assertEquals("Accept-Encoding", r.headers().get("Vary"));
        Response big = custom.wrap(request -> Response.ok(ResponseBody.of(TEXT.getBytes(StandardCharsets.UTF_8)),
                "Application/X-Custom; charset=UTF-8")).handle(TestRequest.get("/", "Accept-Encoding", "gzip"));
        assertEquals("gzip", big.headers().get("Content-Encoding"));
        assertEquals(TEXT, new String(gunzip(Responses.bytes(big)), StandardCharsets.UTF_8));
    }
}
