package org.concurrence.http.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.JoinError;
import org.concurrence.core.Mailbox;
import org.concurrence.core.Tasklet;
import org.concurrence.http.Response;
import org.concurrence.http.ResponseBody;
import org.concurrence.http.Status;
import org.concurrence.http.server.TestServer;
import org.concurrence.io.LimitExceededException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Response decompression: what the client asks for, gzip and deflate (zlib and raw) decoded streamed and whole, in
 * flat memory, stacked and unknown codings, a caller's own Accept-Encoding, decoding off, corrupt data failing only
 * its call, a bomb stopped by the buffered-body limit, and the inflater ended on every way a body ends.
 */
@Timeout(120)
class ClientDecompressionTest {
    private static final Duration PATIENCE = TestServer.PATIENCE;
    private static final String TEXT = "the quick brown fox jumps over the lazy dog\n".repeat(2000);
    private static final byte[] PLAIN = TEXT.getBytes(StandardCharsets.UTF_8);

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    /** Deflate data: with the zlib wrapper (what RFC 9110 calls deflate), or raw (what some servers send). */
    static byte[] deflate(byte[] data, boolean zlib) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, !zlib);
        try (DeflaterOutputStream d = new DeflaterOutputStream(out, deflater)) {
            d.write(data);
        } finally {
            deflater.end();
        }
        return out.toByteArray();
    }

    /** {@code body} with Content-Encoding {@code coding}, echoing the request's Accept-Encoding in X-Asked. */
    private static Response coded(org.concurrence.http.Request request, byte[] body, String coding) {
        Response r = Response.ok(ResponseBody.of(body), "text/plain; charset=UTF-8")
                .withHeader("X-Asked", String.valueOf(request.header("Accept-Encoding")));
        return coding == null ? r : r.withHeader("Content-Encoding", coding);
    }

    private static Response codings(org.concurrence.http.Request request) throws IOException {
        return switch (request.path()) {
            case "/gzip" -> coded(request, gzip(PLAIN), "gzip");
            case "/x-gzip" -> coded(request, gzip(PLAIN), "x-gzip");
            case "/deflate" -> coded(request, deflate(PLAIN, true), "deflate");
            case "/raw-deflate" -> coded(request, deflate(PLAIN, false), "Deflate");
            case "/twice" -> coded(request, gzip(gzip(PLAIN)), "gzip, gzip");
            case "/deflate-then-gzip" -> coded(request, gzip(deflate(PLAIN, true)), "identity, deflate, gzip");
            case "/members" -> { // two gzip members, one after the other (what concatenating .gz files gives)
                byte[] a = gzip(Arrays.copyOf(PLAIN, 1000));
                byte[] b = gzip(Arrays.copyOfRange(PLAIN, 1000, PLAIN.length));
                byte[] both = Arrays.copyOf(a, a.length + b.length);
                System.arraycopy(b, 0, both, a.length, b.length);
                yield coded(request, both, "gzip");
            }
            case "/chunked" -> Response.ok(ResponseBody.ofWriter(-1, out -> {
                try (GZIPOutputStream gz = new GZIPOutputStream(new Unclosed(out), 512)) {
                    for (int i = 0; i < PLAIN.length; i += 777) {
                        gz.write(PLAIN, i, Math.min(777, PLAIN.length - i));
                        gz.flush();
                    }
                }
            }), "text/plain").withHeader("Content-Encoding", "gzip");
            case "/br" -> coded(request, PLAIN, "br");
            case "/empty-chunked" -> Response.ok(ResponseBody.ofWriter(-1, out -> { }), "text/plain")
                    .withHeader("Content-Encoding", "gzip");
            default -> coded(request, PLAIN, null);
        };
    }

    @Test
    void gzipAndDeflateBodiesAreDecodedWholeAndStreamedOnOneConnection() {
        InTasklets.Counting handler = new InTasklets.Counting(ClientDecompressionTest::codings);
        try (TestServer server = TestServer.start(handler); HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                Map<String, String> paths = new LinkedHashMap<>();
                paths.put("/gzip", "gzip");
                paths.put("/x-gzip", "x-gzip");
                paths.put("/deflate", "deflate");
                paths.put("/raw-deflate", "Deflate");
                paths.put("/twice", "gzip, gzip");
                paths.put("/deflate-then-gzip", "identity, deflate, gzip");
                paths.put("/members", "gzip");
                paths.put("/chunked", "gzip");
                for (var path : paths.entrySet()) {
                    try (ClientResponse r = client.send(ClientRequest.get(server.uri(path.getKey())), PATIENCE)) {
                        assertEquals(path.getValue(), r.decodedContentEncoding(), path.getKey());
                        assertNull(r.header("Content-Encoding"), path.getKey());
                        assertNull(r.header("Content-Length"), "the coded length is not the body's");
                        assertTrue(r.header("Content-Type").startsWith("text/plain"), "other fields stay");
                        assertEquals(TEXT, r.text(), path.getKey());
                    }
                    // Streamed: byte by byte first, then in odd-sized reads.
                    try (ClientResponse r = client.send(ClientRequest.get(server.uri(path.getKey())), PATIENCE)) {
                        InputStream in = r.stream();
                        ByteArrayOutputStream got = new ByteArrayOutputStream();
                        for (int i = 0; i < 100; i++) {
                            got.write(in.read());
                        }
                        byte[] buffer = new byte[333];
                        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                            got.write(buffer, 0, n);
                        }
                        assertEquals(-1, in.read());
                        assertArrayEquals(PLAIN, got.toByteArray(), path.getKey());
                        assertFalse(r.holdsInflater(), "ended at the end of the body");
                    }
                }
                ClientResponse plain = client.send(ClientRequest.get(server.uri("/plain")), PATIENCE);
                assertNull(plain.decodedContentEncoding());
                assertEquals(String.valueOf(PLAIN.length), plain.header("Content-Length"));
                assertEquals("gzip, deflate", plain.header("X-Asked"), "what the client asks for by default");
                assertEquals(TEXT, plain.text());
            });
            assertEquals(1, handler.connections.size(), "every decoded body gave its connection back");
        }
    }

    @Test
    void aLargeGzipBodyIsDecodedAsItStreamsInFlatMemory() {
        long size = 96L * 1024 * 1024;
        try (TestServer server = TestServer.start(request -> Response.ok(ResponseBody.ofWriter(-1, out -> {
            try (GZIPOutputStream gz = new GZIPOutputStream(new Unclosed(out), 65536)) {
                byte[] chunk = new byte[65536];
                for (long done = 0; done < size; done += chunk.length) {
                    for (int i = 0; i < chunk.length; i++) {
                        chunk[i] = pattern(done + i);
                    }
                    gz.write(chunk);
                }
            }
        }), "application/octet-stream").withHeader("Content-Encoding", "gzip"));
             HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                long before = usedHeap();
                try (ClientResponse r = client.send(ClientRequest.get(server.uri("/big")), Duration.ofSeconds(100))) {
                    InputStream in = r.stream();
                    byte[] buffer = new byte[65536];
                    long total = 0;
                    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                        for (int i = 0; i < n; i += 4099) {
                            assertEquals(pattern(total + i), buffer[i], "byte " + (total + i));
                        }
                        total += n;
                        if (total > size / 2 && total - n <= size / 2) {
                            long grown = usedHeap() - before;
                            assertTrue(grown < size / 4, "heap grew by " + grown + " half way through");
                        }
                    }
                    assertEquals(size, total);
                }
            });
        }
    }

    private static byte pattern(long index) {
        return (byte) ((index % 251) ^ (index >> 16));
    }

    private static long usedHeap() {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    @Test
    void aCallerThatSetsAcceptEncodingGetsTheBodyAsSent() {
        try (TestServer server = TestServer.start(ClientDecompressionTest::codings);
             HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                ClientResponse r = client.send(ClientRequest.get(server.uri("/gzip"))
                        .withHeader("Accept-Encoding", "gzip"), PATIENCE);
                assertEquals("gzip", r.header("X-Asked"));
                assertEquals("gzip", r.header("Content-Encoding"));
                assertNull(r.decodedContentEncoding());
                assertArrayEquals(gzip(PLAIN), r.bytes());
            });
        }
    }

    @Test
    void withDecodingOffNothingIsAskedAndBodiesComeAsSent() {
        try (TestServer server = TestServer.start(ClientDecompressionTest::codings);
             HttpClient client = HttpClient.create(HttpClientOptions.defaults().withDecompression(false))) {
            InTasklets.run(() -> {
                ClientResponse r = client.send(ClientRequest.get(server.uri("/gzip")), PATIENCE);
                assertEquals("null", r.header("X-Asked"), "no Accept-Encoding sent");
                assertEquals("gzip", r.header("Content-Encoding"));
                assertNull(r.decodedContentEncoding());
                assertArrayEquals(gzip(PLAIN), r.bytes());
            });
        }
    }

    @Test
    void unknownCodingsPassRawAndTooManyStackedAreRefused() {
        try (TestServer server = TestServer.start(request -> switch (request.path()) {
            case "/four" -> coded(request, gzip(gzip(gzip(gzip(PLAIN)))), "gzip, gzip, gzip, gzip");
            default -> codings(request);
        }); HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                ClientResponse br = client.send(ClientRequest.get(server.uri("/br")), PATIENCE);
                assertEquals("br", br.header("Content-Encoding"));
                assertNull(br.decodedContentEncoding());
                assertEquals(TEXT, br.text(), "passed on as it came");
                ContentDecodingException e = assertThrows(ContentDecodingException.class,
                        () -> client.send(ClientRequest.get(server.uri("/four")), PATIENCE));
                assertTrue(e.getMessage().contains("stacks 4 content codings (gzip, gzip, gzip, gzip); at most 3"),
                        e.getMessage());
                assertEquals(server.port(), e.origin().port());
                ClientResponse empty = client.send(ClientRequest.get(server.uri("/empty-chunked")), PATIENCE);
                assertEquals("gzip", empty.decodedContentEncoding());
                assertEquals("", empty.text(), "an empty coded body is empty");
                assertEquals(TEXT, client.send(ClientRequest.get(server.uri("/gzip")), PATIENCE).text());
            });
        }
    }

    @Test
    void headAnd304NeedNoDecodingAndKeepTheirFields() {
        try (TestServer server = TestServer.start(request -> request.path().equals("/304")
                ? Response.of(Status.NOT_MODIFIED).withHeader("Content-Encoding", "gzip")
                : codings(request)); HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                ClientResponse head = client.send(ClientRequest.head(server.uri("/gzip")), PATIENCE);
                assertFalse(head.hasBody());
                assertEquals("gzip", head.header("Content-Encoding"));
                assertNull(head.decodedContentEncoding());
                assertEquals(0, head.bytes().length);
                ClientResponse notModified = client.send(ClientRequest.get(server.uri("/304")), PATIENCE);
                assertEquals(304, notModified.statusCode());
                assertEquals("gzip", notModified.header("Content-Encoding"));
                assertEquals("", notModified.text());
            });
        }
    }

    @Test
    void corruptDataFailsOnlyItsCallNamingTheOriginAndTheProblem() throws IOException {
        byte[] good = gzip(PLAIN);
        record Case(byte[] body, String coding, String problem) {}
        Map<String, Case> cases = new LinkedHashMap<>();
        byte[] flipped = deflate(PLAIN, true);
        flipped[flipped.length / 2] ^= 0x55;
        cases.put("/flipped", new Case(flipped, "deflate", "corrupt deflate data"));
        cases.put("/cut", new Case(Arrays.copyOf(good, good.length - 20), "gzip",
                "the body ended before the end of the compressed data"));
        byte[] badCrc = good.clone();
        badCrc[good.length - 8] ^= 1;
        cases.put("/crc", new Case(badCrc, "gzip", "the CRC-32 of the decoded data is"));
        byte[] badLength = good.clone();
        badLength[good.length - 4] ^= 1;
        cases.put("/length", new Case(badLength, "gzip", "bytes, the trailer says"));
        cases.put("/plain", new Case(PLAIN, "gzip", "it does not start with the gzip magic number"));
        byte[] reserved = good.clone();
        reserved[3] = (byte) 0x80;
        cases.put("/reserved", new Case(reserved, "gzip", "reserved flags set in the gzip header"));
        InTasklets.Counting handler = new InTasklets.Counting(request -> {
            Case c = cases.get(request.path());
            return c != null ? coded(request, c.body(), c.coding()) : codings(request);
        });
        try (TestServer server = TestServer.start(handler); HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                for (var c : cases.entrySet()) {
                    String problem = c.getValue().problem();
                    ClientResponse r = client.send(ClientRequest.get(server.uri(c.getKey())), PATIENCE);
                    ContentDecodingException e = assertThrows(ContentDecodingException.class, r::bytes, problem);
                    assertTrue(e.getMessage().startsWith("corrupt " + c.getValue().coding() + " data in the response "
                            + "body of GET " + server.uri(c.getKey()) + " from http://127.0.0.1:" + server.port()
                            + ": "), e.getMessage());
                    assertTrue(e.getMessage().contains(problem), problem + ": " + e.getMessage());
                    assertFalse(r.holdsInflater(), "ended on failure");
                    assertThrows(IOException.class, () -> r.stream().read(), "later reads fail too");
                    r.close();
                    assertEquals(TEXT, client.send(ClientRequest.get(server.uri("/gzip")), PATIENCE).text());
                }
            });
            assertEquals(cases.size() + 1, handler.connections.size(),
                    "no corrupt body's connection was reused; each good call's was");
        }
    }

    @Test
    void aDecompressionBombStopsAtTheBufferedBodyLimit() throws IOException {
        byte[] bomb = gzip(new byte[64 * 1024 * 1024]); // 64 MiB of zeros in ~64 KiB
        try (TestServer server = TestServer.start(request -> request.path().equals("/bomb")
                ? coded(request, bomb, "gzip") : codings(request));
             HttpClient client = HttpClient.create(HttpClientOptions.defaults().withMaxBufferedBodySize(1 << 20))) {
            InTasklets.run(() -> {
                ClientResponse r = client.send(ClientRequest.get(server.uri("/bomb")), PATIENCE);
                LimitExceededException e = assertThrows(LimitExceededException.class, r::bytes);
                assertTrue(e.getMessage().contains("decoded response body of GET " + server.uri("/bomb")
                        + " longer than the limit of 1048576 bytes"), e.getMessage());
                assertFalse(r.holdsInflater());
                assertEquals(TEXT, client.send(ClientRequest.get(server.uri("/gzip")), PATIENCE).text());
            });
        }
    }

    @Test
    void theInflaterIsEndedOnEveryWayABodyEnds() {
        String head = "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 100000\r\n\r\n";
        try (ScriptedServer stalls = new ScriptedServer((c, index) -> { // half a gzip body, then silence
            c.readHead();
            byte[] half = Arrays.copyOf(gzip(new byte[200_000]), 50);
            c.write(head + new String(half, StandardCharsets.ISO_8859_1));
            c.closedByClient();
        }); TestServer server = TestServer.start(ClientDecompressionTest::codings);
             HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                // Closed early, after a first read made the inflater.
                ClientResponse early = client.send(ClientRequest.get(server.uri("/gzip")), PATIENCE);
                assertFalse(early.holdsInflater(), "made on the first read, not before");
                assertTrue(early.stream().read() >= 0);
                assertTrue(early.holdsInflater());
                early.close();
                assertFalse(early.holdsInflater(), "ended by close");
                // Discarded: the coded rest dropped undecoded, the connection kept.
                ClientResponse discarded = client.send(ClientRequest.get(server.uri("/gzip")), PATIENCE);
                assertTrue(discarded.stream().read() >= 0);
                discarded.discard();
                assertFalse(discarded.holdsInflater(), "ended by discard");
                assertEquals(-1, discarded.stream().read());
                // The call's deadline passes while the body stalls.
                ClientResponse slow = client.send(ClientRequest.get(stalls.uri("/1")), Duration.ofMillis(300));
                assertTrue(slow.stream().read() >= 0);
                assertThrows(DeadlineExceededException.class, slow::bytes);
                assertFalse(slow.holdsInflater(), "ended by the timeout");
                // A kill while the reading tasklet waits for the stalled body.
                ClientResponse killed = client.send(ClientRequest.get(stalls.uri("/2")), PATIENCE);
                Tasklet<?> main = Tasklet.current();
                Tasklet<byte[]> reader = Tasklet.spawn(() -> {
                    assertTrue(killed.stream().read() >= 0);
                    main.send("reading");
                    return killed.bytes();
                });
                assertEquals("reading", Mailbox.receive(PATIENCE));
                reader.kill();
                assertInstanceOf(JoinError.class, assertThrows(JoinError.class, () -> reader.join(PATIENCE)));
                assertFalse(killed.holdsInflater(), "ended by the kill");
                killed.close();
            });
        }
    }

    /** A stream whose close does not close {@code out} (the server's body stream is closed by the server). */
    private static final class Unclosed extends java.io.FilterOutputStream {
        Unclosed(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
