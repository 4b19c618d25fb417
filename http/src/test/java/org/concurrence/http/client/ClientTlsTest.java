package org.concurrence.http.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import javax.net.ssl.SSLHandshakeException;
import org.concurrence.core.Concurrence;
import org.concurrence.core.DispatcherGroup;
import org.concurrence.http.Response;
import org.concurrence.http.TestTls;
import org.concurrence.http.server.HttpServer;
import org.concurrence.http.server.HttpServerOptions;
import org.concurrence.http.server.TestServer;
import org.concurrence.io.tls.TlsOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** https: our server with a test certificate for localhost and 127.0.0.1, made by keytool for the run. */
@Timeout(120)
class ClientTlsTest {
    private static final Duration PATIENCE = TestServer.PATIENCE;

    private static HttpServerOptions https() {
        return HttpServerOptions.defaults().withTls(TlsOptions.server(TestTls.keys(), TestTls.PASSWORD));
    }

    private static HttpClientOptions trusting() {
        return HttpClientOptions.defaults().withTls(TlsOptions.client(TestTls.clientContext()));
    }

    @Test
    void aTrustedCertificateServesKeptAliveRequests() {
        InTasklets.Counting handler = new InTasklets.Counting(request -> Response.ok(request.method() + " "
                + request.target() + " over " + request.tlsSession().map(s -> s.getProtocol()).orElse("nothing")));
        try (TestServer server = TestServer.start(https(), handler);
             HttpClient client = HttpClient.create(trusting())) {
            InTasklets.run(() -> {
                for (String host : new String[] {"localhost", "localhost", "127.0.0.1"}) {
                    URI uri = URI.create("https://" + host + ":" + server.port() + "/x");
                    assertEquals("GET /x over TLSv1.3", client.send(ClientRequest.get(uri), PATIENCE).text());
                }
                ClientRequest post = ClientRequest.post(URI.create("https://localhost:" + server.port() + "/big"),
                        ClientRequest.Body.ofWriter(-1, out -> out.write(new byte[200_000])));
                assertEquals("POST /big over TLSv1.3", client.send(post, PATIENCE).text());
            });
            assertEquals(2, handler.connections.size(), "one connection per origin (localhost, 127.0.0.1)");
        }
    }

    @Test
    void anUntrustedCertificateIsRefusedByDefault() {
        try (TestServer server = TestServer.start(https(), request -> Response.ok("secret"));
             HttpClient client = HttpClient.create()) {
            InTasklets.run(() -> assertThrows(SSLHandshakeException.class, () -> client.send(
                    ClientRequest.get("https://localhost:" + server.port() + "/"), PATIENCE)));
        }
    }

    /** The certificate names localhost and 127.0.0.1; a server on 127.0.0.2 with it is an impostor for that name. */
    @Test
    void aCertificateForAnotherHostIsRefusedUnlessVerificationIsOff() throws Exception {
        DispatcherGroup group = DispatcherGroup.start(Concurrence.Options.defaults().withDispatchers(1)
                .withName("impostor"));
        try (HttpServer server = HttpServer.start(group, new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0),
                https(), request -> Response.ok("hello"));
             HttpClient strict = HttpClient.create(trusting());
             HttpClient lax = HttpClient.create(trusting().withTls(TlsOptions.client(TestTls.clientContext())
                     .withHostnameVerification(false)))) {
            ClientRequest get = ClientRequest.get("https://127.0.0.2:" + server.port() + "/");
            InTasklets.run(() -> {
                SSLHandshakeException e = assertThrows(SSLHandshakeException.class, () -> strict.send(get, PATIENCE));
                assertTrue(String.valueOf(e.getMessage()).contains("127.0.0.2") || e.getCause() != null,
                        String.valueOf(e.getMessage()));
                assertEquals("hello", lax.send(get, PATIENCE).text());
            });
        } finally {
            group.close();
        }
    }
}
