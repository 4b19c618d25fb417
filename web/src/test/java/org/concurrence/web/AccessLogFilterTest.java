package org.concurrence.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.concurrence.http.HttpException;
import org.concurrence.http.Method;
import org.concurrence.http.Response;
import org.concurrence.http.ResponseBody;
import org.concurrence.http.Status;
import org.junit.jupiter.api.Test;

class AccessLogFilterTest {
    /** Combined Log Format plus the seconds taken. */
    private static final String LINE = "127\\.0\\.0\\.1 - - \\[\\d\\d/[A-Z][a-z]{2}/\\d{4}:\\d\\d:\\d\\d:\\d\\d \\+0000\\] "
            + "\"%s\" %s %s \"%s\" \"%s\" \\d+\\.\\d{3}";
    private final List<String> lines = new ArrayList<>();
    private final AccessLogFilter filter = AccessLogFilter.to(lines::add);

    private static String pattern(String requestLine, int status, String bytes, String referer, String agent) {
        return LINE.formatted(requestLine, status, bytes, referer, agent);
    }

    private void assertLogged(String regex) {
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.getFirst().matches(regex), lines.getFirst() + "\n  does not match\n" + regex);
    }

    @Test
    void aResponseInMemoryIsLoggedInTheCombinedFormat() throws Exception {
        filter.wrap(r -> Response.ok("hello")).handle(TestRequest.get("/a?b=c", "Referer", "http://x/",
                "User-Agent", "curl/8.5.0"));
        assertLogged(pattern("GET /a\\?b=c HTTP/1\\.1", 200, "5", "http://x/", "curl/8\\.5\\.0"));
    }

    @Test
    void aStreamedBodyIsLoggedWhenWrittenWithTheBytesItWrote() throws Exception {
        Response r = filter.wrap(req -> Response.ok(ResponseBody.ofWriter(-1, out -> {
            out.write(new byte[300]);
            out.write(7);
        }), "application/octet-stream")).handle(TestRequest.get("/stream"));
        assertEquals(List.of(), lines, "nothing is logged before the body is written");
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        ((ResponseBody.Streamed) r.body()).writer().writeTo(wire);
        assertEquals(301, wire.size());
        assertLogged(pattern("GET /stream HTTP/1\\.1", 200, "301", "-", "-"));
    }

    @Test
    void aStreamedBodyThatFailsIsLoggedWithWhatItWrote() throws Exception {
        Response r = filter.wrap(req -> Response.ok(ResponseBody.ofWriter(-1, out -> {
            out.write(new byte[10]);
            throw new IOException("source gone");
        }), "text/plain")).handle(TestRequest.get("/cut"));
        assertThrows(IOException.class, () -> ((ResponseBody.Streamed) r.body()).writer()
                .writeTo(new ByteArrayOutputStream()));
        assertLogged(pattern("GET /cut HTTP/1\\.1", 200, "10", "-", "-"));
    }

    @Test
    void aStreamedBodyThatIsNotSentIsLoggedWithoutBytesAndLetGo() throws Exception {
        java.util.concurrent.atomic.AtomicInteger discards = new java.util.concurrent.atomic.AtomicInteger();
        Response r = filter.wrap(req -> Response.ok(ResponseBody.ofWriter(-1, new ResponseBody.BodyWriter() {
            @Override
            public void writeTo(java.io.OutputStream out) throws IOException {
                out.write(1);
            }

            @Override
            public void discard() {
                discards.incrementAndGet();
            }
        }), "text/plain")).handle(TestRequest.get("/gone"));
        ((ResponseBody.Streamed) r.body()).writer().discard(); // what the server does when the connection ended first
        assertEquals(1, discards.get(), "the handler's writer was told");
        assertLogged(pattern("GET /gone HTTP/1\\.1", 200, "-", "-", "-"));
    }

    @Test
    void aThrowingHandlerIsLoggedWithTheStatusTheClientGets() throws Exception {
        assertThrows(HttpException.class, () -> filter.wrap(r -> {
            throw new HttpException(Status.NOT_FOUND, "no");
        }).handle(TestRequest.get("/missing")));
        assertThrows(IllegalStateException.class, () -> filter.wrap(r -> {
            throw new IllegalStateException("bug");
        }).handle(TestRequest.get("/bug")));
        assertEquals(2, lines.size());
        assertTrue(lines.get(0).matches(pattern("GET /missing HTTP/1\\.1", 404, "-", "-", "-")), lines.get(0));
        assertTrue(lines.get(1).matches(pattern("GET /bug HTTP/1\\.1", 500, "-", "-", "-")), lines.get(1));
    }

    @Test
    void headAndBodilessStatusesLogNoBytes() throws Exception {
        Response r = filter.wrap(req -> Response.ok(ResponseBody.ofWriter(5, out -> out.write(new byte[5])),
                "text/plain")).handle(TestRequest.of(Method.HEAD, "/h"));
        assertTrue(r.body() instanceof ResponseBody.Streamed, "the body is left for the server to frame");
        filter.wrap(req -> Response.of(Status.NOT_MODIFIED)).handle(TestRequest.get("/n"));
        assertEquals(2, lines.size());
        assertTrue(lines.get(0).matches(pattern("HEAD /h HTTP/1\\.1", 200, "-", "-", "-")), lines.get(0));
        assertTrue(lines.get(1).matches(pattern("GET /n HTTP/1\\.1", 304, "-", "-", "-")), lines.get(1));
    }

    @Test
    void quotesBackslashesAndOtherBytesAreEscapedSoNoLineOrFieldCanBeForged() throws Exception {
        filter.wrap(r -> Response.ok("x")).handle(TestRequest.get("/\"q\\", "User-Agent",
                "evil\" 200 \"\u00e9\\", "Referer", "\t"));
        assertEquals(1, lines.size());
        assertTrue(lines.getFirst().contains("\"GET /\\x22q\\x5C HTTP/1.1\" 200 1 \"\\x09\" "
                + "\"evil\\x22 200 \\x22\\xE9\\x5C\""), lines.getFirst());
    }

    @Test
    void timesAreInUtcUnlessAZoneIsChosen() throws Exception {
        AccessLogFilter.to(lines::add).withZone(ZoneId.of("Asia/Kolkata")).wrap(r -> Response.ok("x"))
                .handle(TestRequest.get("/"));
        assertTrue(lines.getFirst().matches(".*\\[\\d\\d/\\w{3}/\\d{4}:\\d\\d:\\d\\d:\\d\\d \\+0530\\].*"),
                lines.getFirst());
    }
}
