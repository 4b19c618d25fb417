package org.concurrence.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.concurrence.core.Concurrence;
import org.concurrence.http.Response;
import org.concurrence.http.client.ClientRequest;
import org.concurrence.http.client.ClientResponse;
import org.concurrence.http.client.HttpClient;
import org.concurrence.http.proxy.ReverseProxy;
import org.concurrence.http.server.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The proxy example: its options, and a request through it to a real upstream. */
@Timeout(60)
class ProxyTest {

    @Test
    void theUpstreamOptionIsReadAndChecked() {
        assertEquals(List.of(URI.create("http://127.0.0.1:8080")), Proxy.upstreams(new String[0]));
        assertEquals(List.of(URI.create("https://api.example:8443/v1")),
                Proxy.upstreams(new String[] {"--port", "9", "--upstream", "https://api.example:8443/v1"}));
        assertEquals(List.of(URI.create("http://x"), URI.create("http://y:81/p")),
                Proxy.upstreams(new String[] {"--upstream=http://x, http://y:81/p"}));
        assertThrows(Args.BadArgument.class, () -> Proxy.upstreams(new String[] {"--upstream", "ftp://x"}));
        assertThrows(Args.BadArgument.class, () -> Proxy.upstreams(new String[] {"--upstream"}));
        assertThrows(Args.BadArgument.class, () -> Proxy.upstreams(new String[] {"--upstream", "http://x/?q"}));
        assertThrows(Args.BadArgument.class, () -> Proxy.upstreams(new String[] {"--upstream", "http://x,"}));
    }

    @Test
    void aRequestGoesThroughToTheUpstreamAndBack() {
        String answer = Concurrence.run(() -> {
            HttpServer upstream = HttpServer.start(new InetSocketAddress("127.0.0.1", 0),
                    request -> Response.ok("upstream saw " + request.target() + " via " + request.header("Via")));
            try (ReverseProxy proxy = ReverseProxy.to(Proxy.upstreams(new String[] {
                    "--upstream", "http://127.0.0.1:" + upstream.port()}));
                    HttpClient client = HttpClient.create()) {
                HttpServer front = HttpServer.start(new InetSocketAddress("127.0.0.1", 0), proxy);
                try (ClientResponse r = client.send(ClientRequest.get("http://127.0.0.1:" + front.port()
                        + "/a?b=c"), Duration.ofSeconds(10))) {
                    return r.statusCode() + " " + r.text();
                } finally {
                    front.stop(Duration.ofSeconds(5));
                }
            } finally {
                upstream.stop(Duration.ofSeconds(5));
            }
        });
        assertEquals("200 upstream saw /a?b=c via 1.1 concurrence", answer);
    }
}
