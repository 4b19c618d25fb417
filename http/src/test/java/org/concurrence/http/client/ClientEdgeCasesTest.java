package org.concurrence.http.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Tasklet;
import org.concurrence.http.Version;
import org.concurrence.http.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client against scripted raw-socket servers: what real servers rarely send, and what broken ones do. */
@Timeout(120)
class ClientEdgeCasesTest {
    private static final Duration PATIENCE = TestServer.PATIENCE;
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    /** Answers every request on every connection with {@code response}, keeping the connection. */
    private static ScriptedServer always(String response) {
        return new ScriptedServer((c, index) -> {
            while (c.readHead() != null) {
                c.write(response);
            }
        });
    }

    @Test
    void aBodyWithoutLengthEndsWithTheConnection() {
        try (ScriptedServer server = new ScriptedServer((c, index) -> {
            c.readHead();
            c.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it, until the close");
        }); HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                assertEquals("all of it, until the close", client.send(ClientRequest.get(server.uri("/a")),
                        PATIENCE).text());
                assertEquals("all of it, until the close", client.send(ClientRequest.get(server.uri("/b")),
                        PATIENCE).text());
            });
            assertEquals(2, server.connections(), "a close-delimited response's connection is not reused");
        }
    }

    @Test
    void availableCountsOnlyBodyBytesNotTheChunkFramingAfterThem() {
        try (ScriptedServer server = always("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"); HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                try (ClientResponse r = client.send(ClientRequest.get(server.uri("/")), PATIENCE)) {
                    java.io.InputStream in = r.stream();
                    byte[] chunk = new byte[64];
                    assertEquals(5, in.read(chunk), "a read returns one chunk's data");
                    assertEquals(0, in.available(), "the CRLF and the next size line are framing, not body");
                    assertEquals(6, in.read(chunk));
                    assertEquals(-1, in.read(chunk));
                }
            });
        }
    }

    @Test
    void http10KeepsTheConnectionOnlyWhenItSaysKeepAlive() {
        try (ScriptedServer server = new ScriptedServer((c, index) -> {
            while (c.readHead() != null) {
                c.write("HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nka");
                if (c.readHead() == null) {
                    return;
                }
                c.write("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nno");
            }
        }); HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                ClientResponse first = client.send(ClientRequest.get(server.uri("/1")), PATIENCE);
                assertEquals(Version.HTTP_1_0, first.version());
                assertEquals("ka", first.text());
                assertEquals("no", client.send(ClientRequest.get(server.uri("/2")), PATIENCE).text());
                assertEquals("ka", client.send(ClientRequest.get(server.uri("/3")), PATIENCE).text());
            });
            assertEquals(2, server.connections());
        }
    }

    @Test
    void interimResponsesAreSkipped() {
        try (ScriptedServer server = always("HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n"
                + "HTTP/1.1 100 Continue\r\n\r\n" + OK); HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                for (int i = 0; i < 3; i++) {
                    ClientResponse r = client.send(ClientRequest.get(server.uri("/")), PATIENCE);
                    assertEquals(200, r.statusCode());
                    assertEquals("ok", r.text());
                }
            });
            assertEquals(1, server.connections());
        }
    }

    @Test
    void chunkExtensionsAndTrailersAreReadAndDropped() {
        try (ScriptedServer server = always("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;name=value\r\nhello\r\n007 ; x\r\n, world\r\n0\r\nExpires: never\r\nX-Sum: 12\r\n\r\n");
             HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                for (int i = 0; i < 3; i++) {
                    assertEquals("hello, world", client.send(ClientRequest.get(server.uri("/")), PATIENCE).text());
                }
            });
            assertEquals(1, server.connections(), "the trailers were consumed: the connection went on");
        }
    }

    @Test
    void bytesAfterAResponseAreNotTakenForTheNextOne() {
        try (ScriptedServer server = new ScriptedServer((c, index) -> {
            while (c.readHead() != null) { // one write, so the stray response arrives with the first
                c.write(OK + "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n");
            }
        }); HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                assertEquals("ok", client.send(ClientRequest.get(server.uri("/1")), PATIENCE).text());
                ClientResponse second = client.send(ClientRequest.get(server.uri("/2")), PATIENCE);
                assertEquals(200, second.statusCode());
                assertEquals("ok", second.text());
            });
            assertEquals(2, server.connections(), "the connection with stray bytes was dropped");
        }
    }

    @Test
    void aResponseTheServerSentWhileTheConnectionWasIdleIsNotTakenForTheNextOne() {
        CountDownLatch firstRead = new CountDownLatch(1);
        AtomicBoolean strayWritten = new AtomicBoolean();
        try (ScriptedServer server = new ScriptedServer((c, index) -> {
            if (index == 0) { // answers, then times the idle connection out as servers do: a 408, its output closed
                c.readHead();
                c.write(OK);
                try {
                    firstRead.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS); // the connection is idle in the pool
                } catch (InterruptedException e) {
                    return;
                }
                c.write("HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
                c.socket.shutdownOutput();
                strayWritten.set(true);
                c.closedByClient();
                return;
            }
            while (c.readHead() != null) {
                c.write(OK);
            }
        }); HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                assertEquals("ok", client.send(ClientRequest.get(server.uri("/1")), PATIENCE).text());
                firstRead.countDown();
                while (!strayWritten.get()) {
                    Tasklet.sleep(Duration.ofMillis(5)); // polls the script's flag; the assertions use no timing
                }
                ClientResponse second = client.send(ClientRequest.get(server.uri("/2")), PATIENCE);
                assertEquals(200, second.statusCode(), "the stray 408 was not taken for the answer to /2");
                assertEquals("ok", second.text());
            });
            assertEquals(2, server.connections());
        }
    }

    @Test
    void framingEdgeCasesReadAsRfc9112Says() {
        // Each request gets the response its path names, all on one connection: each must end exactly where it says.
        Map<String, String> responses = new LinkedHashMap<>();
        responses.put("/twice", "HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok");
        responses.put("/zeros", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0000000000000000000002;q=\"a;b\"\r\nok\r\n00\r\n\r\n");
        responses.put("/head", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 9\r\n\r\n");
        responses.put("/nc", "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n");
        responses.put("/nm", "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n");
        responses.put("/after", OK);
        try (ScriptedServer server = new ScriptedServer((c, index) -> {
            String head;
            while ((head = c.readHead()) != null) {
                c.write(responses.get(head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1))));
            }
        }); HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                assertEquals("ok", client.send(ClientRequest.get(server.uri("/twice")), PATIENCE).text());
                assertEquals("ok", client.send(ClientRequest.get(server.uri("/zeros")), PATIENCE).text());
                ClientResponse head = client.send(ClientRequest.head(server.uri("/head")), PATIENCE);
                assertFalse(head.hasBody());
                assertFalse(client.send(ClientRequest.get(server.uri("/nc")), PATIENCE).hasBody());
                assertFalse(client.send(ClientRequest.get(server.uri("/nm")), PATIENCE).hasBody());
                assertEquals("ok", client.send(ClientRequest.get(server.uri("/after")), PATIENCE).text());
            });
            assertEquals(1, server.connections());
        }
        for (String bad : new String[] {"HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nok",
                "HTTP/1.1 200 OK\r\nContent-Length: 2 2\r\n\r\nok", "HTTP/1.1 100 Continue\r\n\r\n"}) {
            try (ScriptedServer server = new ScriptedServer((c, index) -> {
                c.readHead();
                c.write(bad); // and close
            }); HttpClient client = HttpClient.create()) {
                InTasklets.run(() -> assertThrows(MalformedResponseException.class,
                        () -> client.send(ClientRequest.get(server.uri("/")), PATIENCE).bytes(), bad));
            }
        }
    }

    /**
     * Answers the first request on each connection, then closes on the second without answering: what a server that
     * timed the connection out does when the request crosses its close (a close seen before the request is sent is
     * found by the pool, see {@link ClientIdleTest}).
     */
    private static void answerOnceThenCloseOnTheNext(ScriptedServer.Connection c) throws IOException {
        c.readHead();
        c.write(OK);
        c.readHead();
    }

    @Test
    void aStaleConnectionIsRetriedOnceForAnIdempotentRequest() {
        try (ScriptedServer server = new ScriptedServer((c, index) -> answerOnceThenCloseOnTheNext(c));
             HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                assertEquals("ok", client.send(ClientRequest.get(server.uri("/1")), PATIENCE).text());
                assertEquals("ok", client.send(ClientRequest.get(server.uri("/2")), PATIENCE).text());
                assertEquals("ok", client.send(ClientRequest.put(server.uri("/3"), ClientRequest.Body.of("x")),
                        PATIENCE).text());
            });
            assertEquals(3, server.connections(), "each retry opened a fresh connection");
        }
    }

    @Test
    void aStaleConnectionIsNotRetriedForAPostThatWasWritten() {
        try (ScriptedServer server = new ScriptedServer((c, index) -> {
            if (index == 0) {
                answerOnceThenCloseOnTheNext(c);
                return;
            }
            while (c.readHead() != null) {
                c.write(OK);
            }
        }); HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                assertEquals("ok", client.send(ClientRequest.get(server.uri("/1")), PATIENCE).text());
                IOException e = assertThrows(IOException.class, () -> client.send(ClientRequest.post(
                        server.uri("/order"), ClientRequest.Body.of("buy")), PATIENCE));
                assertFalse(e instanceof MalformedResponseException, e.toString());
                assertEquals("ok", client.send(ClientRequest.get(server.uri("/2")), PATIENCE).text());
            });
            assertEquals(2, server.connections(), "the POST was not sent again");
        }
    }

    @Test
    void eachMalformedResponseFailsOnlyItsOwnCall() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("HTTP/1.1 2x0 OK\r\n\r\n", "bad status line \"HTTP/1.1 2x0 OK\"");
        cases.put("HTTP/2 200 OK\r\n\r\n", "bad status line");
        cases.put("ICY 200 OK\r\n\r\n", "bad status line");
        cases.put("HTTP/1.1 200 OK\nContent-Length: 0\n\n", "bare LF in the response head");
        cases.put("HTTP/1.1 200 OK\r\nBad@Name: x\r\n\r\n", "invalid character in a header field name");
        cases.put("HTTP/1.1 200 OK\r\nName : x\r\n\r\n", "whitespace between a header field name and its colon");
        cases.put("HTTP/1.1 200 OK\r\nX: a\r\n folded\r\n\r\n", "obs-fold");
        cases.put("HTTP/1.1 200 OK\r\nX: a\u0001b\r\n\r\n", "control character in the value of header X");
        cases.put("HTTP/1.1 200 OK\r\nX-Big: " + "b".repeat(2000) + "\r\n\r\n", "response head longer than 1024");
        cases.put("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc",
                "Content-Length values differ");
        cases.put("HTTP/1.1 200 OK\r\nContent-Length: x1\r\n\r\n", "Content-Length is not a decimal number");
        cases.put("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                "both Content-Length and Transfer-Encoding");
        cases.put("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
                "transfer coding \"gzip\" is not supported");
        cases.put("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "missing chunk size");
        cases.put("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n", "chunk size too large");
        cases.put("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n",
                "chunk data not followed by CRLF");
        cases.put("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n",
                "malformed trailer field");
        cases.put("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nonly5",
                "cut short: the connection ended after 5 of 10");
        cases.put("HTTP/1.1 200 OK\r\nContent-Le", "the connection ended in the middle of the response head");
        cases.put("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n", "101 Switching Protocols");
        String[] responses = cases.keySet().toArray(String[]::new);
        try (ScriptedServer bad = new ScriptedServer((c, index) -> {
            String head = c.readHead();
            int which = Integer.parseInt(head.substring(5, head.indexOf(' ', 5)));
            c.write(responses[which]);
        }); ScriptedServer good = always(OK);
             HttpClient client = HttpClient.create(HttpClientOptions.defaults().withMaxHeadSize(1024))) {
            InTasklets.run(() -> {
                int i = 0;
                for (String expected : cases.values()) {
                    int which = i++;
                    MalformedResponseException e = assertThrows(MalformedResponseException.class, () -> {
                        try (ClientResponse r = client.send(ClientRequest.get(bad.uri("/" + which)), PATIENCE)) {
                            r.bytes();
                        }
                    }, responses[which]);
                    assertTrue(e.getMessage().contains(expected), "case " + which + ": " + e.getMessage());
                    assertTrue(e.getMessage().startsWith("malformed response from http://127.0.0.1:"),
                            e.getMessage());
                    assertEquals("ok", client.send(ClientRequest.get(good.uri("/")), PATIENCE).text());
                }
            });
            assertEquals(responses.length, bad.connections(), "no malformed response's connection was reused");
            assertEquals(1, good.connections(), "the other origin's connection went on throughout");
        }
    }

    @Test
    void aServerThatNeverAnswersFailsTheCallAtItsDeadline() throws InterruptedException {
        AtomicBoolean closedByClient = new AtomicBoolean();
        CountDownLatch scriptEnded = new CountDownLatch(1);
        try (ScriptedServer server = new ScriptedServer((c, index) -> {
            c.readHead();
            closedByClient.set(c.closedByClient()); // never answers
            scriptEnded.countDown();
        }); HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                DeadlineExceededException e = assertThrows(DeadlineExceededException.class,
                        () -> client.send(ClientRequest.get(server.uri("/void")), Duration.ofMillis(300)));
                assertEquals("GET " + server.uri("/void") + ": waiting for the response head from http://127.0.0.1:"
                        + server.uri("/").getPort(), e.operation());
                assertTrue(e.getMessage().contains("timed out after"), e.getMessage());
            });
            assertTrue(scriptEnded.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS));
        }
        assertTrue(closedByClient.get(), "the timed-out call's connection was closed");
    }

    @Test
    void aResponseBodyThatStopsFailsItsReadAtTheCallsDeadline() {
        try (ScriptedServer server = new ScriptedServer((c, index) -> {
            c.readHead();
            c.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nsome");
            c.closedByClient();
        }); HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                ClientResponse r = client.send(ClientRequest.get(server.uri("/trickle")), Duration.ofMillis(400));
                DeadlineExceededException e = assertThrows(DeadlineExceededException.class, r::bytes);
                assertTrue(e.operation().contains(": reading the response body from http://127.0.0.1:"),
                        e.operation());
            });
        }
    }

    @Test
    void aConnectionRefusedNamesTheAddress() {
        int port;
        try (ScriptedServer gone = always(OK)) {
            port = gone.uri("/").getPort();
        }
        try (HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                IOException e = assertThrows(IOException.class, () -> client.send(ClientRequest.get(
                        "http://127.0.0.1:" + port + "/"), PATIENCE));
                assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
            });
        }
    }
}
