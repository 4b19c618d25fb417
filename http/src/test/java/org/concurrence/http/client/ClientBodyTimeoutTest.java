package org.concurrence.http.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Timeout;
import org.concurrence.http.server.TestServer;
import org.junit.jupiter.api.Test;

/**
 * A read of a response body cut off by the caller's own shorter deadline loses nothing: the body goes on, at every
 * point of the chunked framing; the call's own deadline still ends it.
 */
class ClientBodyTimeoutTest {
    private static final Duration PATIENCE = TestServer.PATIENCE;
    private static final Duration SHORT = Duration.ofMillis(50);

    /** Reads one byte under a short deadline of the caller's, expecting none to come in time. */
    private static void nothingYet(InputStream body) {
        assertThrows(DeadlineExceededException.class, () -> {
            try (Timeout _ = Timeout.after(SHORT)) {
                body.read();
            }
        });
    }

    @Test
    void aChunkedBodyGoesOnAfterTimeoutsAtEveryPointOfItsFraming() {
        // Pauses: inside the data, after the data before its CRLF, inside a size line, and between trailer fields.
        String[] parts = {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", "lo", "\r\n", "6\r",
                "\n world\r\n0\r\nX-One: 1\r\n", "X-Two: 2\r\n", "\r\n"};
        CountDownLatch[] go = new CountDownLatch[parts.length];
        for (int i = 0; i < go.length; i++) {
            go[i] = new CountDownLatch(1);
        }
        try (ScriptedServer server = new ScriptedServer((c, index) -> {
                    c.readHead();
                    for (int i = 0; i < parts.length; i++) {
                        try {
                            if (!go[i].await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
                                return;
                            }
                        } catch (InterruptedException e) {
                            return;
                        }
                        c.write(parts[i]);
                    }
                    c.readHead(); // the connection is reused for a second request
                    c.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                });
                HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                go[0].countDown();
                try (ClientResponse r = client.send(ClientRequest.get(server.uri("/stream")), PATIENCE)) {
                    InputStream body = r.stream();
                    StringBuilder text = new StringBuilder();
                    assertEquals("hel", read(body, 3));
                    text.append("hel");
                    for (int i = 1; i < parts.length; i++) {
                        nothingYet(body); // the body is stalled at the end of part i-1
                        go[i].countDown();
                        if (i == 1) {
                            text.append(read(body, 2));
                        } else if (i == 4) {
                            text.append(read(body, 6));
                        }
                    }
                    assertEquals(-1, body.read(), "the trailers read to their end across the pause between them");
                    assertEquals("hello world", text.toString());
                }
                assertEquals("ok", client.send(ClientRequest.get(server.uri("/again")), PATIENCE).text(),
                        "the body ended cleanly: its connection was reused");
            });
            assertEquals(1, server.connections());
        }
    }

    @Test
    void theCallsOwnDeadlineStillEndsTheBody() {
        try (ScriptedServer server = new ScriptedServer((c, index) -> {
                    c.readHead();
                    c.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
                    c.closedByClient();
                });
                HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                ClientResponse r = client.send(ClientRequest.get(server.uri("/")), Duration.ofMillis(300));
                InputStream body = r.stream();
                assertEquals("abc", read(body, 3));
                DeadlineExceededException e = assertThrows(DeadlineExceededException.class, body::read);
                assertTrue(e.getMessage().contains("reading the response body from"), e.getMessage());
                IOException after = assertThrows(IOException.class, body::read);
                assertTrue(after.getMessage().contains("an earlier read"), after.getMessage());
            });
        }
    }

    private static String read(InputStream in, int n) throws IOException {
        byte[] bytes = in.readNBytes(n);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
