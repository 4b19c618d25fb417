package org.concurrence.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.concurrence.http.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every malformed or ambiguous request gets its status with {@code Connection: close}, the connection is closed, the
 * handler never sees it, and a fresh connection is served normally afterwards.
 */
@Timeout(120)
class MalformedRequestTest {
    private static final AtomicInteger HANDLED = new AtomicInteger();
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(HttpServerOptions.defaults().withMaxRequestLineLength(200).withMaxHeaderSize(400)
                .withMaxHeaderCount(10).withMaxBodySize(1000), request -> {
                    HANDLED.incrementAndGet();
                    request.body().discard();
                    return Response.ok("handled " + request.target());
                });
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Stream<Arguments> badRequests() {
        String h = "Host: x\r\n";
        return Stream.of(
                bad("Content-Length and Transfer-Encoding", 400,
                        "POST / HTTP/1.1\r\n" + h + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                                + "0\r\n\r\n"),
                bad("two different Content-Lengths", 400,
                        "POST / HTTP/1.1\r\n" + h + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
                bad("a list of different Content-Lengths", 400,
                        "POST / HTTP/1.1\r\n" + h + "Content-Length: 5, 6\r\n\r\nhello!"),
                bad("userinfo in an absolute-form target", 400, "GET http://user@x/ HTTP/1.1\r\n" + h + "\r\n"),
                bad("an absolute-form target without a host", 400, "GET http:///a HTTP/1.1\r\n" + h + "\r\n"),
                bad("an absolute-form target with a bad host", 400, "GET http://a<b/ HTTP/1.1\r\n" + h + "\r\n"),
                bad("non-numeric Content-Length", 400, "POST / HTTP/1.1\r\n" + h + "Content-Length: 5x\r\n\r\nhello"),
                bad("signed Content-Length", 400, "POST / HTTP/1.1\r\n" + h + "Content-Length: +5\r\n\r\nhello"),
                bad("Transfer-Encoding not ending in chunked", 400,
                        "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked, identity\r\n\r\n"),
                bad("Transfer-Encoding gzip alone", 400, "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: gzip\r\n\r\n"),
                bad("an unsupported coding before chunked", 501,
                        "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
                bad("chunked twice", 400, "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                bad("Transfer-Encoding on HTTP/1.0", 400,
                        "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                bad("obs-fold", 400, "GET / HTTP/1.1\r\n" + h + "X-A: one\r\n two\r\n\r\n"),
                bad("whitespace before the colon", 400, "GET / HTTP/1.1\r\n" + h + "X-A : one\r\n\r\n"),
                bad("a space in a header name", 400, "GET / HTTP/1.1\r\n" + h + "X A: one\r\n\r\n"),
                bad("an empty header name", 400, "GET / HTTP/1.1\r\n" + h + ": one\r\n\r\n"),
                bad("a NUL in a header value", 400, "GET / HTTP/1.1\r\n" + h + "X-A: o\0ne\r\n\r\n"),
                bad("a CR inside a header value", 400, "GET / HTTP/1.1\r\n" + h + "X-A: o\rne\r\n\r\n"),
                bad("a bare LF ending a header line", 400, "GET / HTTP/1.1\r\n" + h + "X-A: one\n\r\n"),
                bad("bare LFs throughout", 400, "GET / HTTP/1.1\nHost: x\n\n"),
                bad("a control character in the target", 400, "GET /a\u0001b HTTP/1.1\r\n" + h + "\r\n"),
                bad("a non-ASCII byte in the target", 400, "GET /caf\u00e9 HTTP/1.1\r\n" + h + "\r\n"),
                bad("two spaces after the method", 400, "GET  / HTTP/1.1\r\n" + h + "\r\n"),
                bad("a target that is not a path", 400, "GET index.html HTTP/1.1\r\n" + h + "\r\n"),
                bad("a missing Host on HTTP/1.1", 400, "GET / HTTP/1.1\r\n\r\n"),
                bad("two Hosts", 400, "GET / HTTP/1.1\r\n" + h + "Host: y\r\n\r\n"),
                // RFC 9112 §3.2: a Host with an invalid value is 400 like a missing or repeated one.
                bad("a Host with a space", 400, "GET / HTTP/1.1\r\nHost: a b\r\n\r\n"),
                bad("a Host with a path", 400, "GET / HTTP/1.1\r\nHost: x/y\r\n\r\n"),
                bad("a Host with userinfo", 400, "GET / HTTP/1.1\r\nHost: user@x\r\n\r\n"),
                bad("a Host with a non-numeric port", 400, "GET / HTTP/1.1\r\nHost: x:8o\r\n\r\n"),
                bad("a Host with an unclosed IP literal", 400, "GET / HTTP/1.1\r\nHost: [::1:80\r\n\r\n"),
                bad("an invalid Host on HTTP/1.0", 400, "GET / HTTP/1.0\r\nHost: a\"b\r\n\r\n"),
                bad("an unknown version", 505, "GET / HTTP/2.0\r\n" + h + "\r\n"),
                bad("a version from the future", 505, "GET / HTTP/1.2\r\n" + h + "\r\n"),
                bad("a malformed version", 400, "GET / HTTP/1.1x\r\n" + h + "\r\n"),
                bad("no version", 400, "GET /\r\n" + h + "\r\n"),
                bad("an absurd method", 501, "A".repeat(40) + " / HTTP/1.1\r\n" + h + "\r\n"),
                bad("a method with a separator", 400, "GE(T / HTTP/1.1\r\n" + h + "\r\n"),
                bad("CONNECT", 501, "CONNECT example.com:443 HTTP/1.1\r\n" + h + "\r\n"),
                bad("an unsupported expectation", 417,
                        "POST / HTTP/1.1\r\n" + h + "Expect: 200-ok\r\nContent-Length: 1\r\n\r\nx"),
                bad("a request line over the limit", 414, "GET /" + "a".repeat(300) + " HTTP/1.1\r\n" + h + "\r\n"),
                bad("a request line over the limit without its end", 414, "GET /" + "a".repeat(300)),
                bad("a header section over the limit", 431,
                        "GET / HTTP/1.1\r\n" + h + "X-Big: " + "b".repeat(500) + "\r\n\r\n"),
                bad("too many header fields", 431, "GET / HTTP/1.1\r\n" + h + "X-A: 1\r\n".repeat(11) + "\r\n"),
                bad("a Content-Length over the body limit", 413,
                        "POST / HTTP/1.1\r\n" + h + "Content-Length: 1001\r\n\r\n"),
                bad("an absurdly long Content-Length", 413,
                        "POST / HTTP/1.1\r\n" + h + "Content-Length: 99999999999999999999999\r\n\r\n"),
                // RFC 9112 §6.3 (5): an invalid Content-Length is 400 however long it is (was 413 from 19 characters).
                bad("a long non-numeric Content-Length", 400,
                        "POST / HTTP/1.1\r\n" + h + "Content-Length: 5, " + "x".repeat(20) + "\r\n\r\nhello"),
                bad("a chunk size that is not hex", 400,
                        "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"),
                bad("a chunk size of 17 significant digits", 400, "POST / HTTP/1.1\r\n" + h
                        + "Transfer-Encoding: chunked\r\n\r\n10000000000000005\r\nhello\r\n0\r\n\r\n"),
                bad("a chunk size of 17 significant digits that overflows a long to 0", 400, "POST / HTTP/1.1\r\n"
                        + h + "Transfer-Encoding: chunked\r\n\r\n10000000000000000\r\nhello\r\n0\r\n\r\n"),
                bad("a Transfer-Encoding of empty list elements only", 400,
                        "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: ,\r\n\r\n0\r\n\r\n"),
                bad("chunk data without its CRLF", 400,
                        "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n"),
                bad("a chunk line ending in a bare LF", 400,
                        "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n"),
                bad("a chunk extension without a semicolon", 400,
                        "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n5 x\r\nhello\r\n0\r\n\r\n"),
                bad("chunk extension abuse", 400, "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n"
                        + ("1;ext=" + "e".repeat(100) + "\r\nx\r\n").repeat(10) + "0\r\n\r\n"),
                bad("a chunked body over the limit", 413, "POST / HTTP/1.1\r\n" + h
                        + "Transfer-Encoding: chunked\r\n\r\n" + "3e8\r\n" + "x".repeat(1000) + "\r\n1\r\nx\r\n0\r\n\r\n"),
                bad("chunk sizes whose sum overflows past the body limit", 413, "POST / HTTP/1.1\r\n" + h
                        + "Transfer-Encoding: chunked\r\n\r\n1\r\nx\r\n7fffffffffffffff\r\n" + "x".repeat(2000)),
                bad("a malformed trailer", 400,
                        "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n"),
                bad("trailers over the header limit", 431, "POST / HTTP/1.1\r\n" + h
                        + "Transfer-Encoding: chunked\r\n\r\n0\r\n" + "X-T: 1234567890\r\n".repeat(40) + "\r\n"),
                bad("too many empty lines before the request", 400, "\r\n".repeat(20) + "GET / HTTP/1.1\r\n" + h
                        + "\r\n"));
    }

    private static Arguments bad(String what, int status, String request) {
        return Arguments.of(what, status, request);
    }

    /**
     * Valid framing that a too literal reading refused: leading zeros are still {@code 1*DIGIT} / {@code 1*HEXDIG}
     * (only the significant digits are limited), and empty list elements in Transfer-Encoding are ignored (RFC 9110
     * §5.6.1).
     */
    static Stream<Arguments> unusualButValidFraming() {
        String h = "Host: x\r\n";
        String chunkedHello = "\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
        return Stream.of(
                Arguments.of("a Content-Length of 30 digits, most of them leading zeros",
                        "POST / HTTP/1.1\r\n" + h + "Content-Length: " + "0".repeat(29) + "5\r\n\r\nhello"),
                Arguments.of("a chunk size with 20 leading zeros", "POST / HTTP/1.1\r\n" + h
                        + "Transfer-Encoding: chunked\r\n\r\n" + "0".repeat(20) + "5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("a last chunk of many zeros", "POST / HTTP/1.1\r\n" + h
                        + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n" + "0".repeat(20) + "\r\n\r\n"),
                Arguments.of("Transfer-Encoding: chunked, (a trailing empty element)",
                        "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked," + chunkedHello),
                Arguments.of("Transfer-Encoding: , chunked (a leading empty element)",
                        "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: , chunked" + chunkedHello),
                Arguments.of("an empty Transfer-Encoding field before one saying chunked",
                        "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding:\r\nTransfer-Encoding: chunked" + chunkedHello));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unusualButValidFraming")
    void unusualButValidFramingIsServedAndTheConnectionKept(String what, String request) {
        try (RawClient c = server.connect()) {
            c.send(request + "GET /after HTTP/1.1\r\nHost: x\r\n\r\n");
            RawClient.Response r = c.read();
            assertEquals(200, r.status(), what + ": " + r.text());
            assertEquals("handled /", r.text(), what);
            assertEquals("handled /after", c.read().text(), what);
        }
    }

    @Test
    void theErrorShowsTheBytesWhereTheHeadIsWrongButNothingPastThatLine() {
        try (RawClient c = server.connect()) {
            c.send("GET / HTTP/1.1\r\nHost: x\r\nX: a\u0001\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n");
            RawClient.Response r = c.read();
            assertEquals(400, r.status());
            assertTrue(r.text().strip().endsWith("(at byte 29: 01 0d 0a)"), r.text());
        }
    }

    @ParameterizedTest(name = "{0} → {1}")
    @MethodSource("badRequests")
    void isRefusedWithItsStatusAndTheConnectionIsClosed(String what, int status, String request) {
        try (RawClient c = server.connect()) {
            c.send(request);
            RawClient.Response r = c.read();
            assertEquals(status, r.status(), what + ": " + r.text());
            assertEquals("close", r.header("Connection"), what);
            c.assertClosed();
        }
        try (RawClient fresh = server.connect()) {
            fresh.send("GET /after HTTP/1.1\r\nHost: x\r\n\r\n");
            RawClient.Response r = fresh.read();
            assertEquals(200, r.status());
            assertEquals("handled /after", r.text());
        }
    }

    @ParameterizedTest(name = "{0} → {1}")
    @MethodSource("badRequests")
    void aBadRequestBehindAGoodOneIsAnsweredInOrderAndNothingAfterItIsRead(String what, int status,
            String request) {
        try (RawClient c = server.connect()) {
            c.send("GET /first HTTP/1.1\r\nHost: x\r\n\r\n" + request + "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("handled /first", c.read().text());
            RawClient.Response r = c.read();
            if (r.status() == 200) {
                // A body-level error (chunked framing) is found by the handler's read: its discard() fails, the
                // error status is what the client gets; it must not be a 200 for the smuggled request.
                assertTrue(!r.text().contains("smuggled"), what + ": the smuggled request was answered");
            }
            assertEquals(status, r.status(), what + ": " + r.text());
            c.assertClosed();
        }
    }
}
