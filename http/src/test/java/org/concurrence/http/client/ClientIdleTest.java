package org.concurrence.http.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.concurrence.core.Tasklet;
import org.concurrence.http.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Idle pooled connections: past the idle timeout they are closed (when the origin is next used, or by the sweep a
 * call to any origin runs), and one the server closed while it idled is never handed out. The pool reads idle times
 * from a clock the test moves, so nothing sleeps.
 */
@Timeout(120)
class ClientIdleTest {
    private static final Duration PATIENCE = TestServer.PATIENCE;
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    private static final Duration IDLE = HttpClientOptions.defaults().idleTimeout();

    /** Answers OK to every request on every connection; counts down {@code closed} when the client closes one. */
    private static ScriptedServer answering(CountDownLatch closed) {
        return new ScriptedServer((c, index) -> {
            while (c.readHead() != null) {
                c.write(OK);
            }
            closed.countDown();
        });
    }

    @Test
    void aConnectionIdleLongerThanTheTimeoutIsClosedAndNotReused() throws InterruptedException {
        AtomicLong clock = new AtomicLong();
        CountDownLatch closed = new CountDownLatch(1);
        try (ScriptedServer server = answering(closed);
             HttpClient client = HttpClient.create(HttpClientOptions.defaults(), clock::get)) {
            InTasklets.run(() -> {
                assertEquals("ok", client.send(ClientRequest.get(server.uri("/1")), PATIENCE).text());
                clock.addAndGet(IDLE.toNanos()); // exactly the timeout: still good
                assertEquals("ok", client.send(ClientRequest.get(server.uri("/2")), PATIENCE).text());
                assertEquals(1, server.connections(), "reused within the idle timeout");
                clock.addAndGet(IDLE.toNanos() + 1);
                assertEquals("ok", client.send(ClientRequest.get(server.uri("/3")), PATIENCE).text());
            });
            assertEquals(2, server.connections(), "the expired connection was not reused");
            assertTrue(closed.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS), "the expired connection was closed");
        }
    }

    @Test
    void aSweepClosesTheIdleConnectionsOfOriginsNoLongerCalled() throws InterruptedException {
        AtomicLong clock = new AtomicLong();
        CountDownLatch closedA = new CountDownLatch(1);
        CountDownLatch closedB = new CountDownLatch(1);
        try (ScriptedServer a = answering(closedA); ScriptedServer b = answering(closedB);
             HttpClient client = HttpClient.create(HttpClientOptions.defaults(), clock::get)) {
            InTasklets.run(() -> {
                assertEquals("ok", client.send(ClientRequest.get(a.uri("/")), PATIENCE).text());
                assertEquals("1 open, 1 idle", counts(client));
                clock.addAndGet(IDLE.toNanos() + 1);
                assertEquals("ok", client.send(ClientRequest.get(b.uri("/")), PATIENCE).text());
                assertEquals("1 open, 1 idle", counts(client), "a's connection was swept, b's is idle");
            });
            assertTrue(closedA.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS), "a's idle connection was closed");
            assertEquals(1, closedB.getCount(), "b's connection is still pooled");
        }
    }

    @Test
    void aConnectionTheServerClosedWhileIdleIsNeverHandedOut() {
        AtomicBoolean shutDown = new AtomicBoolean();
        try (ScriptedServer server = new ScriptedServer((c, index) -> {
            if (index == 0) { // answers, then ends its side while the connection idles in the client's pool
                c.readHead();
                c.write(OK);
                c.socket.shutdownOutput();
                shutDown.set(true);
                c.closedByClient(); // reads on: a request sent here would be swallowed without an answer
                return;
            }
            while (c.readHead() != null) {
                c.write(OK);
            }
        }); HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                assertEquals("ok", client.send(ClientRequest.get(server.uri("/1")), PATIENCE).text());
                while (!shutDown.get()) {
                    Tasklet.sleep(Duration.ofMillis(5)); // polls the script's flag; the assertions use no timing
                }
                // A POST is never retried once written: had the closed connection been handed out, this would fail.
                ClientResponse r = client.send(ClientRequest.post(server.uri("/order"), ClientRequest.Body.of("buy")),
                        PATIENCE);
                assertEquals("ok", r.text());
            });
            assertEquals(2, server.connections());
        }
    }

    private static String counts(HttpClient client) {
        String s = client.toString(); // HttpClient[1 connections open, 1 idle]
        return s.substring(s.indexOf('[') + 1, s.indexOf(']')).replace(" connections", "");
    }
}
