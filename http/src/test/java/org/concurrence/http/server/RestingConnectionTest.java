package org.concurrence.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLSocket;
import org.concurrence.core.Concurrence;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.Tasklet;
import org.concurrence.http.Response;
import org.concurrence.io.tls.TlsOptions;
import org.concurrence.io.tls.TlsSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Resting connections ({@link HttpServerOptions#restAfter()}): a keep-alive connection idle past {@code restAfter}
 * gives up its tasklet and is taken up by a new one when the client sends; the idle timeout, a stop and the client's
 * close still end it. The tasklet that ran each request is recorded; a rest shows as that tasklet ending while the
 * connection stays open.
 */
@Timeout(120)
class RestingConnectionTest {
    private static final HttpServerOptions RESTING = HttpServerOptions.defaults()
            .withRestAfter(Duration.ofMillis(50)).withIdleTimeout(Duration.ofSeconds(30));

    private final List<Tasklet<?>> servedBy = new CopyOnWriteArrayList<>();

    private TestServer start(HttpServerOptions options) {
        return TestServer.start(options, request -> {
            servedBy.add(Tasklet.current());
            return Response.ok("served " + request.path());
        });
    }

    private Tasklet<?> lastTasklet() {
        return servedBy.getLast();
    }

    /** Waits, at most {@link TestServer#PATIENCE}, until {@code condition} holds. */
    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TestServer.PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not within " + TestServer.PATIENCE + ": " + what);
            }
            LockSupport.parkNanos(1_000_000); // polled every millisecond, not spun: the server shares the two cores
        }
    }

    private void awaitRest(TestServer s) {
        Tasklet<?> serving = lastTasklet();
        await("the connection's tasklet ends (the connection rests)", () -> !serving.isAlive());
        assertEquals(1, s.server.connectionCount(), "the resting connection is still open and counted");
    }

    @Test
    void anIdleConnectionRestsAndANewTaskletServesItsNextRequests() {
        try (TestServer s = start(RESTING); RawClient c = s.connect()) {
            for (int i = 0; i < 4; i++) {
                assertEquals("served /" + i, c.send("GET /" + i + " HTTP/1.1\r\nHost: x\r\n\r\n").read().text());
                awaitRest(s);
            }
            assertEquals(4, servedBy.stream().distinct().count(), "each request after a rest has a new tasklet");
            // Pipelined requests arriving at a resting connection: all answered, in order.
            c.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHost: x"
                    + "\r\n\r\n");
            assertEquals("served /a", c.read().text());
            assertEquals("served /b", c.read().text());
            assertEquals("served /c", c.read().text());
        }
    }

    @Test
    void requestsCloserTogetherThanRestAfterKeepTheirTasklet() {
        try (TestServer s = start(HttpServerOptions.defaults().withRestAfter(Duration.ofSeconds(20))
                .withIdleTimeout(Duration.ofSeconds(30))); RawClient c = s.connect()) {
            for (int i = 0; i < 20; i++) {
                assertEquals("served /" + i, c.send("GET /" + i + " HTTP/1.1\r\nHost: x\r\n\r\n").read().text());
            }
            assertEquals(1, servedBy.stream().distinct().count());
            assertTrue(lastTasklet().isAlive());
        }
    }

    @Test
    void aRestingConnectionIsClosedWhenItsIdleTimeoutPasses() {
        try (TestServer s = start(HttpServerOptions.defaults().withRestAfter(Duration.ofMillis(50))
                .withIdleTimeout(Duration.ofMillis(400))); RawClient c = s.connect()) {
            assertEquals("served /", c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().text());
            awaitRest(s);
            c.assertClosed(); // by the idle sweep, silently, as an idle connection in its tasklet would be
            await("the closed connection is no longer counted", () -> s.server.connectionCount() == 0);
        }
    }

    @Test
    void aClientThatClosesWhileItsConnectionRestsFreesIt() {
        try (TestServer s = start(RESTING)) {
            RawClient c = s.connect();
            assertEquals("served /", c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().text());
            awaitRest(s);
            c.close();
            await("the connection the client closed is no longer counted", () -> s.server.connectionCount() == 0);
        }
    }

    @Test
    void aStopClosesRestingConnections() {
        try (TestServer s = start(RESTING); RawClient c = s.connect()) {
            assertEquals("served /", c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().text());
            awaitRest(s);
            s.server.stop(Duration.ofSeconds(5));
            c.assertClosed();
            assertEquals(0, s.server.connectionCount());
        }
    }

    @Test
    void aConnectionLimitCountsRestingConnections() {
        try (TestServer s = start(RESTING.withMaxConnections(1)); RawClient first = s.connect()) {
            assertEquals("served /1", first.send("GET /1 HTTP/1.1\r\nHost: x\r\n\r\n").read().text());
            awaitRest(s);
            try (RawClient second = s.connect()) {
                second.send("GET /2 HTTP/1.1\r\nHost: x\r\n\r\n");
                // The second waits in the backlog while the first rests; it is served once the first ends.
                assertEquals("served /1b", first.send("GET /1b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                        .read().text());
                first.assertClosed();
                assertEquals("served /2", second.read().text());
            }
        }
    }

    @Test
    void anHttpsConnectionRestsAndResumes() throws Exception {
        TlsOptions tls = TlsOptions.server(org.concurrence.http.TestTls.keys(), org.concurrence.http.TestTls.PASSWORD);
        try (TestServer s = start(RESTING.withTls(tls));
             RawClient c = new RawClient((SSLSocket) org.concurrence.http.TestTls.clientContext().getSocketFactory()
                     .createSocket("localhost", s.port()))) {
            for (int i = 0; i < 3; i++) {
                assertEquals("served /" + i, c.send("GET /" + i + " HTTP/1.1\r\nHost: x\r\n\r\n").read().text());
                awaitRest(s);
            }
            assertEquals(3, servedBy.stream().distinct().count());
        }
    }

    /**
     * A resting HTTPS connection whose idle timeout passes ends as an idle one in its tasklet does: with close_notify
     * before the FIN (RFC 8446 §6.1), whichever dispatcher it is on. The idle sweep runs on the group's first
     * dispatcher; connections are made until one is served on another (the kernel spreads them), and every one must
     * end with close_notify.
     */
    @Test
    void aRestingHttpsConnectionPastItsIdleTimeoutEndsWithCloseNotify() throws Exception {
        TlsOptions tls = TlsOptions.server(org.concurrence.http.TestTls.keys(), org.concurrence.http.TestTls.PASSWORD);
        HttpServerOptions options = HttpServerOptions.defaults().withRestAfter(Duration.ofMillis(50))
                .withIdleTimeout(Duration.ofMillis(300)).withTls(tls);
        try (TestServer s = TestServer.start(options, request -> Response.ok(Dispatcher.current().name()))) {
            String sweepOn = s.group.dispatcher(0).name();
            Concurrence.run(() -> {
                boolean elsewhere = false;
                for (int i = 0; i < 30 && !elsewhere; i++) {
                    try (TlsSocket client = TlsSocket.connect(new InetSocketAddress("127.0.0.1", s.port()), "localhost",
                            TlsOptions.client(org.concurrence.http.TestTls.clientContext()), TestServer.PATIENCE)) {
                        client.write(ByteBuffer.wrap("GET / HTTP/1.1\r\nHost: x\r\n\r\n"
                                .getBytes(StandardCharsets.US_ASCII)), TestServer.PATIENCE);
                        // The response, then (after the rest and the idle timeout) the end of the stream.
                        ByteBuffer received = ByteBuffer.allocate(4096);
                        while (client.read(received, TestServer.PATIENCE) >= 0) {
                            assertTrue(received.hasRemaining(), "more than a response");
                        }
                        String response = new String(received.array(), 0, received.position(),
                                StandardCharsets.US_ASCII);
                        assertTrue(response.startsWith("HTTP/1.1 200"), response);
                        String servedOn = response.substring(response.indexOf("\r\n\r\n") + 4);
                        assertTrue(client.closeNotifyReceived(), "the idle connection served on " + servedOn
                                + " ended without close_notify");
                        elsewhere = !servedOn.equals(sweepOn);
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                }
                assertTrue(elsewhere, "no connection was served on another dispatcher than " + sweepOn);
            });
        }
    }

    @Test
    void restAfterIsZeroForNeverAndNotNegative() {
        assertEquals(Duration.ZERO, HttpServerOptions.defaults().withRestAfter(Duration.ZERO).restAfter());
        assertEquals(Duration.ofSeconds(1), HttpServerOptions.defaults().restAfter());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HttpServerOptions.defaults().withRestAfter(Duration.ofMillis(-1)));
        assertTrue(e.getMessage().startsWith("restAfter must not be negative"), e.getMessage());
    }
}
