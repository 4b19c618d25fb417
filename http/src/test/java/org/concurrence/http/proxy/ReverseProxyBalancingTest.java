package org.concurrence.http.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.concurrence.http.Response;
import org.concurrence.http.Status;
import org.concurrence.http.client.ForwardProxy;
import org.concurrence.http.client.HttpClientOptions;
import org.concurrence.http.proxy.ReverseProxy.UpstreamStatus;
import org.concurrence.http.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A proxy with several upstreams: requests in turn, one that cannot be reached left out and taken back. */
@Timeout(120)
class ReverseProxyBalancingTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** An upstream that answers its name and what it received. */
    private static TestServer named(String name) {
        return TestServer.start(request -> Response.ok(name + " " + request.method() + " " + request.target() + " "
                + new String(request.body().bytes())));
    }

    private static String get(URI uri) throws Exception {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    /** A loopback port nothing listens on (it was free a moment ago). */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void requestsGoToTheUpstreamsInTurnEachUnderItsOwnPath() throws Exception {
        try (TestServer a = named("a"); TestServer b = named("b"); TestServer c = named("c");
                ReverseProxy proxy = ReverseProxy.to(List.of(a.uri("/one"), b.uri("/two/"), c.uri("")));
                TestServer front = TestServer.start(proxy)) {
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                seen.add(get(front.uri("/x?i=" + i)));
            }
            // The turn is shared by the proxy's dispatchers, so only the order is fixed, not where it starts.
            int first = "abc".indexOf(seen.get(0).charAt(0));
            for (int i = 0; i < 6; i++) {
                char name = "abc".charAt((first + i) % 3);
                String path = switch (name) {
                    case 'a' -> "/one/x";
                    case 'b' -> "/two/x";
                    default -> "/x";
                };
                assertEquals(name + " GET " + path + "?i=" + i + " ", seen.get(i));
            }
            assertEquals(List.of(new UpstreamStatus(a.uri("/one"), true), new UpstreamStatus(b.uri("/two/"), true),
                    new UpstreamStatus(c.uri(""), true)), proxy.upstreams());
        }
    }

    @Test
    void anUpstreamThatCannotBeReachedIsLeftOutAndEveryRequestIsAnsweredEvenAPost() throws Exception {
        URI dead = URI.create("http://127.0.0.1:" + closedPort());
        try (TestServer live = named("live");
                ReverseProxy proxy = ReverseProxy.to(List.of(dead, live.uri(""), dead.resolve("/again")));
                TestServer front = TestServer.start(proxy)) {
            for (int i = 0; i < 8; i++) {
                HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(front.uri("/p"))
                        .POST(HttpRequest.BodyPublishers.ofString("body " + i)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());
                assertEquals("live POST /p body " + i, r.body(), "a refused connection sent nothing: the POST goes on");
            }
            assertEquals(List.of(false, true, false),
                    proxy.upstreams().stream().map(UpstreamStatus::available).toList());
        }
    }

    @Test
    void aLeftOutUpstreamGetsRequestsAgainAfterItsFailTimeoutOnceItAnswers() throws Exception {
        int port = closedPort();
        URI late = URI.create("http://127.0.0.1:" + port);
        try (TestServer live = named("live");
                ReverseProxy proxy = ReverseProxy.to(List.of(late, live.uri("")))
                        .withFailTimeout(Duration.ofMillis(50));
                TestServer front = TestServer.start(proxy)) {
            assertEquals("live GET /a ", get(front.uri("/a")));
            assertEquals("live GET /a ", get(front.uri("/a")));
            assertFalse(proxy.upstreams().get(0).available());
            try (TestServer back = TestServer.startOn(port, request -> Response.ok("late"))) {
                long deadline = System.nanoTime() + TestServer.PATIENCE.toNanos();
                String answer;
                do {
                    answer = get(front.uri("/a"));
                    assertTrue(System.nanoTime() < deadline, "the upstream never got a request again");
                } while (!answer.equals("late"));
                assertTrue(proxy.upstreams().get(0).available(), "it answered: back in turn");
                List<String> next = List.of(get(front.uri("/a")), get(front.uri("/a")));
                assertTrue(next.contains("late") && next.contains("live GET /a "), "both in turn again: " + next);
            }
        }
    }

    @Test
    void whenNoUpstreamCanBeReachedTheAnswerIs502AndBothAreShownLeftOut() throws Exception {
        URI one = URI.create("http://127.0.0.1:" + closedPort());
        URI two = URI.create("http://127.0.0.1:" + closedPort());
        try (ReverseProxy proxy = ReverseProxy.to(List.of(one, two));
                TestServer front = TestServer.start(proxy)) {
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(front.uri("/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(502, r.statusCode());
            assertEquals(List.of(new UpstreamStatus(one, false), new UpstreamStatus(two, false)), proxy.upstreams());
            assertEquals(502, CLIENT.send(HttpRequest.newBuilder(front.uri("/")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode(), "all left out: still tried, still 502");
        }
    }

    @Test
    void anUpstreamThatDoesNotConnectWithinTheConnectTimeoutIsLeftOutToo() throws Exception {
        // A listener that never accepts, with its backlog full: the kernel drops the next SYN, so a connect hangs.
        try (ServerSocket jammed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Socket> fillers = new ArrayList<>();
            try (TestServer live = named("live")) {
                for (int i = 0; i < 4; i++) {
                    Socket s = new Socket();
                    fillers.add(s);
                    try {
                        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), jammed.getLocalPort()), 200);
                    } catch (IOException timedOut) {
                        break; // the backlog is full
                    }
                }
                org.concurrence.http.client.HttpClient client = org.concurrence.http.client.HttpClient.create(
                        HttpClientOptions.defaults().withConnectTimeout(Duration.ofMillis(200))
                                .withDecompression(false).withUserAgent(null));
                try (client; ReverseProxy proxy = ReverseProxy.to(List.of(URI.create("http://127.0.0.1:"
                        + jammed.getLocalPort()), live.uri(""))).withClient(client);
                        TestServer front = TestServer.start(proxy)) {
                    assertEquals("live GET /t ", get(front.uri("/t")));
                    assertEquals("live GET /t ", get(front.uri("/t")));
                    assertFalse(proxy.upstreams().get(0).available());
                }
            } finally {
                for (Socket s : fillers) {
                    s.close();
                }
            }
        }
    }

    /**
     * A loopback listener that never accepts, with its backlog full: the kernel drops the next SYN, so a connect to it
     * hangs until the connector's timeout.
     */
    private record Jammed(ServerSocket listener, List<Socket> fillers) implements AutoCloseable {
        static Jammed open() throws IOException {
            ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            List<Socket> fillers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Socket s = new Socket();
                fillers.add(s);
                try {
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()), 200);
                } catch (IOException timedOut) {
                    break; // the backlog is full
                }
            }
            return new Jammed(listener, fillers);
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + listener.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            for (Socket s : fillers) {
                s.close();
            }
            listener.close();
        }
    }

    /** Connects directly, and tells {@code asked} when the client is about to connect to {@code watched}. */
    private static ForwardProxy direct(URI watched, CountDownLatch asked) {
        return ForwardProxy.of(new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
                if (uri.getPort() == watched.getPort()) {
                    asked.countDown();
                }
                return List.of(Proxy.NO_PROXY);
            }

            @Override
            public void connectFailed(URI uri, SocketAddress address, IOException e) {}
        });
    }

    @Test
    void aRetryGoesToAnUpstreamTheRequestHasNotTriedWhateverOtherRequestsTookMeanwhile() throws Exception {
        try (Jammed jammed = Jammed.open(); TestServer live = named("live")) {
            CountDownLatch connecting = new CountDownLatch(1);
            org.concurrence.http.client.HttpClient client = org.concurrence.http.client.HttpClient.create(
                    HttpClientOptions.defaults().withConnectTimeout(Duration.ofSeconds(1)).withDecompression(false)
                            .withUserAgent(null).withProxy(direct(jammed.uri(), connecting)));
            // A zero fail timeout: the jammed upstream is in turn again at once, but not for the request it failed.
            try (client; ReverseProxy proxy = ReverseProxy.to(List.of(jammed.uri(), live.uri(""))).withClient(client)
                    .withFailTimeout(Duration.ZERO);
                    TestServer front = TestServer.start(proxy)) {
                CompletableFuture<HttpResponse<String>> first = CLIENT.sendAsync(
                        HttpRequest.newBuilder(front.uri("/first")).build(), HttpResponse.BodyHandlers.ofString());
                assertTrue(connecting.await(TestServer.PATIENCE.toSeconds(), TimeUnit.SECONDS));
                // While the first request waits on the jammed upstream, another takes the next turn.
                assertEquals("live GET /second ", get(front.uri("/second")));
                HttpResponse<String> r = first.get(TestServer.PATIENCE.toSeconds(), TimeUnit.SECONDS);
                assertEquals(200, r.statusCode(), "the retry must go to the live upstream, not the jammed one again");
                assertEquals("live GET /first ", r.body());
            }
        }
    }

    @Test
    void anUpgradeFailsOverToo() throws Exception {
        // The live upstream refuses the upgrade: the answer comes back as it is, which shows it got the request.
        try (Jammed jammed = Jammed.open();
                TestServer live = TestServer.start(request -> Response.text(Status.of(426), "live refuses"))) {
            org.concurrence.http.client.HttpClient client = org.concurrence.http.client.HttpClient.create(
                    HttpClientOptions.defaults().withConnectTimeout(Duration.ofMillis(200)).withDecompression(false)
                            .withUserAgent(null));
            try (client; ReverseProxy proxy = ReverseProxy.to(List.of(jammed.uri(), live.uri(""))).withClient(client)
                    .withTimeout(Duration.ofSeconds(5));
                    TestServer front = TestServer.start(proxy)) {
                String answer = ReverseProxyTest.raw(front.port(), "GET /ws HTTP/1.1\r\nHost: f\r\n"
                        + "Upgrade: websocket\r\nConnection: Upgrade, close\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        + "Sec-WebSocket-Version: 13\r\n\r\n");
                assertTrue(answer.startsWith("HTTP/1.1 426 "), "a connect timeout ends the attempt, not the request: "
                        + answer);
                assertTrue(answer.endsWith("live refuses"), answer);
                assertFalse(proxy.upstreams().get(0).available());
            }
        }
    }

    @Test
    void settingsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> ReverseProxy.to(List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> ReverseProxy.to(List.of(URI.create("http://a/"), URI.create("ftp://b/"))));
        try (ReverseProxy p = ReverseProxy.to("http://127.0.0.1:1/")) {
            assertThrows(IllegalArgumentException.class, () -> p.withFailTimeout(Duration.ofSeconds(-1)));
            assertEquals("ReverseProxy[http://127.0.0.1:1/]", p.withFailTimeout(Duration.ZERO).toString());
        }
    }
}
