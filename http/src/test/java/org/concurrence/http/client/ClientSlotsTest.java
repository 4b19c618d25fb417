package org.concurrence.http.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import org.concurrence.core.JoinError;
import org.concurrence.core.Mailbox;
import org.concurrence.core.Tasklet;
import org.concurrence.http.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every way a response can end gives its connection's slot in the per-origin limit back, exactly once: a kill while
 * closing, a redirect that cannot be followed, a close from another tasklet while a read waits; and closing an unread
 * body waits at most its drain time, not per read.
 */
@Timeout(120)
class ClientSlotsTest {
    private static final Duration PATIENCE = TestServer.PATIENCE;
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    private static final HttpClientOptions ONE = HttpClientOptions.defaults().withMaxConnectionsPerOrigin(1);

    /** Connection 0: a head announcing 100 bytes, 4 of them, then silence; later connections: OK to every request. */
    private static ScriptedServer stallsFirst() {
        return new ScriptedServer((c, index) -> {
            if (index == 0) {
                c.readHead();
                c.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nsome");
                c.closedByClient();
                return;
            }
            while (c.readHead() != null) {
                c.write(OK);
            }
        });
    }

    @Test
    void aKillWhileClosingAResponseGivesItsSlotBack() {
        try (ScriptedServer server = stallsFirst(); HttpClient client = HttpClient.create(ONE)) {
            InTasklets.run(() -> {
                ClientResponse stalled = client.send(ClientRequest.get(server.uri("/stalled")), PATIENCE);
                Tasklet<?> main = Tasklet.current();
                // Same dispatcher: the closer runs on after its message until it parks, draining the stalled body.
                Tasklet<Void> closer = Tasklet.spawn(() -> {
                    main.send("closing");
                    stalled.close();
                });
                assertEquals("closing", Mailbox.receive(PATIENCE));
                closer.kill();
                assertThrows(JoinError.class, () -> closer.join(PATIENCE));
                assertEquals("ok", client.send(ClientRequest.get(server.uri("/next")), Duration.ofSeconds(5)).text(),
                        "the killed closer's slot came back");
            });
        }
    }

    @Test
    void aRedirectToAnImpossiblePortReturnsTheRedirectAndKeepsTheSlot() {
        try (ScriptedServer server = new ScriptedServer((c, index) -> {
            while (c.readHead() != null) {
                c.write("HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:0/x\r\nContent-Length: 5\r\n\r\nmoved");
            }
        }); HttpClient client = HttpClient.create(ONE.withFollowRedirects(Redirects.NORMAL))) {
            InTasklets.run(() -> {
                for (int i = 0; i < 3; i++) {
                    try (ClientResponse r = client.send(ClientRequest.get(server.uri("/" + i)),
                            Duration.ofSeconds(5))) {
                        assertEquals(302, r.statusCode(), "a Location that cannot be followed: the 3xx is the answer");
                        assertEquals("moved", r.text());
                    }
                }
            });
            assertEquals(1, server.connections());
        }
    }

    @Test
    void closingFromAnotherTaskletWhileAReadWaitsGivesTheSlotBackOnce() {
        try (ScriptedServer server = stallsFirst(); HttpClient client = HttpClient.create(ONE)) {
            InTasklets.run(() -> {
                ClientResponse stalled = client.send(ClientRequest.get(server.uri("/stalled")), PATIENCE);
                Tasklet<?> main = Tasklet.current();
                Tasklet<byte[]> reader = Tasklet.spawn(() -> {
                    main.send("reading");
                    return stalled.bytes();
                });
                assertEquals("reading", Mailbox.receive(PATIENCE)); // the reader is parked in its read now
                stalled.close();
                JoinError e = assertThrows(JoinError.class, () -> reader.join(PATIENCE));
                assertTrue(e.getCause() instanceof IOException, String.valueOf(e.getCause()));
                assertTrue(client.toString().startsWith("HttpClient[0 connections open"), client.toString());
                // One slot, not two: a second connection cannot open while the first response is open.
                ClientResponse first = client.send(ClientRequest.get(server.uri("/a")), PATIENCE);
                assertThrows(org.concurrence.core.DeadlineExceededException.class,
                        () -> client.send(ClientRequest.get(server.uri("/b")), Duration.ofMillis(200)));
                assertEquals("ok", first.text());
            });
        }
    }

    @Test
    void closingAnUnreadBodyWaitsAtMostTheDrainTimeInAll() {
        try (ScriptedServer server = new ScriptedServer((c, index) -> {
            c.readHead();
            c.write("HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\nx");
            try {
                for (int i = 0; i < 29; i++) { // a trickle: a byte every 300 ms, each well within the drain wait
                    Thread.sleep(300);
                    c.write("y");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }); HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> {
                ClientResponse r = client.send(ClientRequest.get(server.uri("/trickle")), PATIENCE);
                r.close();
                // A bound per read would have drained all 8.7 s of the trickle and pooled the connection; one bound
                // for the whole drain gives up after DRAIN_WAIT and discards it.
                assertFalse(client.toString().contains(" 1 idle"), "the undrained connection was not pooled");
            });
        }
    }
}
