package org.concurrence.http.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.concurrence.http.Response;
import org.concurrence.http.TestTls;
import org.concurrence.http.server.HttpServerOptions;
import org.concurrence.http.server.TestServer;
import org.concurrence.http.websocket.ClientSession;
import org.concurrence.http.websocket.CloseCodes;
import org.concurrence.http.websocket.Message;
import org.concurrence.http.websocket.WebSocket;
import org.concurrence.http.websocket.WebSocketClient;
import org.concurrence.io.tls.TlsOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client through a forward proxy: a small real one on platform threads, which relays bytes as proxies do. */
@Timeout(120)
class ForwardProxyTest {
    private static final Duration PATIENCE = TestServer.PATIENCE;
    private static final String BASIC_U_P = "Basic dTpw"; // u:p

    /**
     * A forward proxy: for {@code CONNECT host:port} it answers 200 and relays bytes both ways; for an absolute-form
     * request it connects to the target's authority, passes the head on as it is (our server takes absolute form) and
     * relays both ways. Each connection's first head is kept. With {@code requiredAuthorization} set, a head without
     * it gets 407 and the connection is closed.
     */
    static final class TestProxy implements AutoCloseable {
        final ServerSocket listener;
        final List<String> heads = new CopyOnWriteArrayList<>();
        private final String requiredAuthorization;

        TestProxy(String requiredAuthorization) throws IOException {
            this.requiredAuthorization = requiredAuthorization;
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofPlatform().daemon().start(() -> {
                while (!listener.isClosed()) {
                    try {
                        Socket client = listener.accept();
                        Thread.ofPlatform().daemon().start(() -> serve(client));
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
        }

        InetSocketAddress address() {
            return (InetSocketAddress) listener.getLocalSocketAddress();
        }

        private void serve(Socket client) {
            try (client) {
                InputStream in = client.getInputStream();
                String head = readHead(in);
                heads.add(head);
                String[] requestLine = head.substring(0, head.indexOf("\r\n")).split(" ");
                if (requiredAuthorization != null && !head.contains("Proxy-Authorization: " + requiredAuthorization
                        + "\r\n")) {
                    client.getOutputStream().write(("HTTP/1.1 407 Proxy Authentication Required\r\n"
                            + "Proxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n"
                            + "Connection: close\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    return;
                }
                boolean connect = requestLine[0].equals("CONNECT");
                URI target = URI.create(connect ? "tcp://" + requestLine[1] : requestLine[1]);
                try (Socket upstream = new Socket(target.getHost(), target.getPort())) {
                    if (connect) {
                        client.getOutputStream().write("HTTP/1.1 200 Connection Established\r\n\r\n"
                                .getBytes(StandardCharsets.ISO_8859_1));
                    } else {
                        upstream.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
                    }
                    Thread back = Thread.ofPlatform().daemon().start(() -> relay(upstream, client));
                    relay(client, upstream);
                    back.join();
                }
            } catch (IOException | InterruptedException e) {
                // the client or the target went away: the connection ends, as with any proxy
            }
        }

        private static void relay(Socket from, Socket to) {
            try {
                from.getInputStream().transferTo(to.getOutputStream());
                to.shutdownOutput();
            } catch (IOException e) {
                // one side closed
            }
        }

        private static String readHead(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            for (int matched = 0; matched < 4; ) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("closed before the head ended");
                }
                head.write(b);
                matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
            }
            return head.toString(StandardCharsets.ISO_8859_1);
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }

    @Test
    void plainRequestsGoToTheProxyInAbsoluteFormWithItsAuthorizationOnAKeptConnection() throws Exception {
        InTasklets.Counting origin = new InTasklets.Counting(request -> Response.ok(request.method() + " "
                + request.path() + " host " + request.header("Host")));
        try (TestServer server = TestServer.start(origin); TestProxy proxy = new TestProxy(BASIC_U_P);
                HttpClient client = HttpClient.create(HttpClientOptions.defaults().withProxy(
                        ForwardProxy.at(proxy.address()).withBasicAuthentication("u", "p")))) {
            InTasklets.run(() -> {
                String authority = "127.0.0.1:" + server.port();
                for (int i = 0; i < 3; i++) {
                    assertEquals("GET /a" + i + " host " + authority,
                            client.send(ClientRequest.get("http://" + authority + "/a" + i + "?q=1"), PATIENCE).text());
                }
            });
            assertEquals(1, proxy.heads.size(), "one connection to the proxy, kept alive: " + proxy.heads);
            String head = proxy.heads.get(0);
            assertTrue(head.startsWith("GET http://127.0.0.1:" + server.port() + "/a0?q=1 HTTP/1.1\r\n"), head);
            assertTrue(head.contains("\r\nProxy-Authorization: " + BASIC_U_P + "\r\n"), head);
            assertEquals(1, origin.connections.size());
        }
    }

    @Test
    void httpsGoesThroughACONNECTTunnelWithTlsEndToEnd() throws Exception {
        HttpServerOptions https = HttpServerOptions.defaults().withTls(TlsOptions.server(TestTls.keys(),
                TestTls.PASSWORD));
        try (TestServer server = TestServer.start(https, request -> Response.ok("secret over "
                + request.tlsSession().map(s -> s.getProtocol()).orElse("nothing")));
                TestProxy proxy = new TestProxy(BASIC_U_P);
                HttpClient client = HttpClient.create(HttpClientOptions.defaults()
                        .withTls(TlsOptions.client(TestTls.clientContext()))
                        .withProxy(ForwardProxy.at(proxy.address()).withBasicAuthentication("u", "p")))) {
            InTasklets.run(() -> {
                for (int i = 0; i < 2; i++) {
                    assertEquals("secret over TLSv1.3", client.send(ClientRequest.get("https://localhost:"
                            + server.port() + "/s"), PATIENCE).text());
                }
            });
            assertEquals(List.of("CONNECT localhost:" + server.port() + " HTTP/1.1\r\nHost: localhost:" + server.port()
                    + "\r\nProxy-Authorization: " + BASIC_U_P + "\r\n\r\n"), proxy.heads, "one tunnel, reused");
        }
    }

    @Test
    void aWebSocketGoesThroughATunnelEvenOverPlainHttp() throws Exception {
        try (TestServer server = TestServer.start(request -> WebSocket.accept(request, session -> {
                    if (session.receive() instanceof Message.Text t) {
                        session.send("echo " + t.text());
                    }
                    session.close(CloseCodes.NORMAL, "done");
                }));
                TestProxy proxy = new TestProxy(BASIC_U_P);
                HttpClient client = HttpClient.create(HttpClientOptions.defaults()
                        .withProxy(ForwardProxy.at(proxy.address()).withBasicAuthentication("u", "p")))) {
            InTasklets.run(() -> {
                try (ClientSession ws = WebSocketClient.connect(client, server.ws("/chat"), PATIENCE)) {
                    ws.send("hi");
                    assertEquals(new Message.Text("echo hi"), ws.receive(PATIENCE));
                }
            });
            assertEquals(1, proxy.heads.size());
            assertTrue(proxy.heads.get(0).startsWith("CONNECT 127.0.0.1:" + server.port() + " HTTP/1.1\r\n"),
                    proxy.heads.get(0));
        }
    }

    @Test
    void aRefusedTunnelFailsTheCallNamingTheProxyAndItsStatusAndAPlainRefusalIsAResponse() throws Exception {
        try (TestProxy proxy = new TestProxy(BASIC_U_P);
                HttpClient client = HttpClient.create(HttpClientOptions.defaults()
                        .withProxy(ForwardProxy.at(proxy.address())))) {
            InTasklets.run(() -> {
                IOException e = assertThrows(IOException.class,
                        () -> client.send(ClientRequest.get("https://localhost:1/"), PATIENCE));
                assertEquals("the proxy at " + proxy.address() + " refused a tunnel to localhost:1: 407 Proxy "
                        + "Authentication Required", e.getMessage());
                try (ClientResponse plain = client.send(ClientRequest.get("http://localhost:1/"), PATIENCE)) {
                    assertEquals(407, plain.statusCode());
                    assertEquals("Basic realm=\"test\"", plain.header("Proxy-Authenticate"));
                }
            });
        }
    }

    @Test
    void theSelectorDecidesPerOriginAndAnUnreachableProxyIsNamed() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        InetSocketAddress deadProxy = new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort);
        try (TestServer server = TestServer.start(request -> Response.ok("direct"));
                TestProxy proxy = new TestProxy(null)) {
            ProxySelector onlyLocalhost = new ProxySelector() {
                @Override
                public List<Proxy> select(URI uri) {
                    return uri.getHost().equals("localhost") ? List.of(new Proxy(Proxy.Type.HTTP, proxy.address()))
                            : List.of(Proxy.NO_PROXY);
                }

                @Override
                public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {}
            };
            try (HttpClient selective = HttpClient.create(HttpClientOptions.defaults()
                    .withProxy(ForwardProxy.of(onlyLocalhost)));
                    HttpClient dead = HttpClient.create(HttpClientOptions.defaults()
                            .withProxy(ForwardProxy.at(deadProxy)))) {
                InTasklets.run(() -> {
                    assertEquals("direct", selective.send(ClientRequest.get("http://127.0.0.1:" + server.port() + "/"),
                            PATIENCE).text());
                    assertEquals(0, proxy.heads.size(), "127.0.0.1 is DIRECT");
                    assertEquals("direct", selective.send(ClientRequest.get("http://localhost:" + server.port() + "/"),
                            PATIENCE).text());
                    assertEquals(1, proxy.heads.size(), "localhost through the proxy");
                    ConnectException e = assertThrows(ConnectException.class,
                            () -> dead.send(ClientRequest.get("http://127.0.0.1:" + server.port() + "/"), PATIENCE));
                    assertTrue(e.getMessage().contains(String.valueOf(closedPort)), e.getMessage());
                });
            }
        }
    }

    @Test
    void aSocksProxyOrABadAuthorizationIsRefused() {
        ProxySelector socks = new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
                return List.of(new Proxy(Proxy.Type.SOCKS, new InetSocketAddress("127.0.0.1", 1080)));
            }

            @Override
            public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {}
        };
        try (HttpClient client = HttpClient.create(HttpClientOptions.defaults().withProxy(ForwardProxy.of(socks)))) {
            InTasklets.run(() -> {
                IOException e = assertThrows(IOException.class,
                        () -> client.send(ClientRequest.get("http://example.invalid/"), PATIENCE));
                assertTrue(e.getMessage().contains("SOCKS"), e.getMessage());
            });
        }
        assertThrows(IllegalArgumentException.class,
                () -> new ForwardProxy(ProxySelector.of(null), "Basic \r\nX-Injected: 1"));
    }

    @Test
    void basicCredentialsThatTheProxyWouldReadOtherwiseAreRefused() {
        ForwardProxy proxy = ForwardProxy.at(new InetSocketAddress("127.0.0.1", 3128));
        // "a:b" + "c" would reach the proxy as user "a" with password "b:c" (RFC 7617 §2: no colon in a user-id).
        IllegalArgumentException colon = assertThrows(IllegalArgumentException.class,
                () -> proxy.withBasicAuthentication("a:b", "c"));
        assertTrue(colon.getMessage().contains("colon"), colon.getMessage());
        assertThrows(IllegalArgumentException.class, () -> proxy.withBasicAuthentication("a\nb", "c"));
        assertThrows(IllegalArgumentException.class, () -> proxy.withBasicAuthentication("a", "b\u0000"));
        assertEquals("Basic dTpwOjE=", proxy.withBasicAuthentication("u", "p:1").authorization(),
                "a colon in the password is fine");
    }
}
