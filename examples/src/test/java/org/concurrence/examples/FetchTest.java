package org.concurrence.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.concurrence.core.Concurrence;
import org.concurrence.http.Response;
import org.concurrence.http.Status;
import org.concurrence.http.server.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The fetch example against a real server: a line per URL in order; failures are reported and the others go on. */
@Timeout(60)
class FetchTest {

    @Test
    void fetchesEveryUrlAndReportsEachFailureOnItsOwnLine() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0)) {
            closedPort = probe.getLocalPort(); // free once closed: nothing listens there
        }
        int refused = closedPort;
        List<String> lines = Concurrence.run(() -> {
            HttpServer server = HttpServer.start(new InetSocketAddress("127.0.0.1", 0),
                    request -> request.path().equals("/") ? Response.ok("hello\n") : Response.of(Status.NOT_FOUND));
            try {
                String base = "http://127.0.0.1:" + server.port();
                return Fetch.fetchAll(List.of(base + "/", base + "/missing", "http://127.0.0.1:" + refused + "/",
                        "not a url"), Duration.ofSeconds(10), null).call();
            } finally {
                server.stop(Duration.ofSeconds(5));
            }
        });
        assertEquals(4, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches("200 +6 B .*/"), lines.get(0));
        assertTrue(lines.get(1).startsWith("404 "), lines.get(1));
        assertTrue(lines.get(2).startsWith("--- ") && lines.get(2).endsWith(":" + refused + "/"), lines.get(2));
        assertTrue(lines.get(3).startsWith("--- ") && lines.get(3).endsWith("not a url"), lines.get(3));
    }

    @Test
    void withAProxyEveryFetchGoesThroughIt() throws Exception {
        int deadProxy;
        try (ServerSocket probe = new ServerSocket(0)) {
            deadProxy = probe.getLocalPort();
        }
        int proxyPort = deadProxy;
        List<String> lines = Concurrence.run(Fetch.fetchAll(List.of("http://example.invalid/",
                "https://example.invalid/"), Duration.ofSeconds(10), Fetch.hostAndPort("127.0.0.1:" + proxyPort)));
        for (String line : lines) { // neither name is looked up: both go to the proxy, which is not there
            assertTrue(line.startsWith("--- connect to /127.0.0.1:" + proxyPort + " failed"), line);
        }
        assertEquals(InetSocketAddress.createUnresolved("proxy.example", 3128),
                Fetch.hostAndPort("proxy.example:3128"));
        org.junit.jupiter.api.Assertions.assertThrows(Args.BadArgument.class, () -> Fetch.hostAndPort("noport"));
    }
}
