package org.concurrence.http.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.concurrence.http.TestTls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HttpsServer handlers, unchanged, on our server over TLS — with the JDK's own HTTP client. */
class JdkHttpsAdapterTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private HttpsServer server;
    private HttpClient client;

    @BeforeEach
    void start() throws IOException {
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        client = HttpClient.newBuilder().sslContext(TestTls.clientContext()).connectTimeout(TIMEOUT).build();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        client.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + server.getAddress().getPort()
                + path)).timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void reply(HttpExchange ex, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Test
    void createHttpsServerServesOverTlsAndHandlersGetAnHttpsExchange() throws Exception {
        assertInstanceOf(AdaptedHttpsServer.class, server);
        server.setHttpsConfigurator(new HttpsConfigurator(TestTls.serverContext()));
        server.createContext("/", ex -> reply(ex, (ex instanceof HttpsExchange https
                ? "https " + https.getSSLSession().getProtocol() : "plain") + " " + ex.getRequestURI()));
        server.start();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = get("/hello/" + i);
            assertEquals(200, r.statusCode());
            assertEquals("https TLSv1.3 /hello/" + i, r.body());
        }
    }

    private final List<InetSocketAddress> clientAddresses = new CopyOnWriteArrayList<>();

    @Test
    void theConfiguratorsParametersApplyToEachConnection() throws Exception {
        SSLContext context = TestTls.serverContext();
        server.setHttpsConfigurator(new HttpsConfigurator(context) {
            @Override
            public void configure(HttpsParameters params) {
                clientAddresses.add(params.getClientAddress());
                SSLParameters only12 = context.getDefaultSSLParameters();
                only12.setProtocols(new String[] {"TLSv1.2"});
                params.setSSLParameters(only12);
            }
        });
        server.createContext("/", ex -> reply(ex, ((HttpsExchange) ex).getSSLSession().getProtocol()));
        server.start();
        assertEquals("TLSv1.2", get("/").body());
        // As the JDK's own server does, configure learns which client connects (its loopback address and port).
        assertFalse(clientAddresses.isEmpty());
        for (InetSocketAddress client : clientAddresses) {
            assertTrue(client.getAddress().isLoopbackAddress() && client.getPort() > 0, String.valueOf(client));
        }
    }

    @Test
    void withoutAConfiguratorTheHandshakeFailsAndSettingOneLaterServes() throws Exception {
        server.createContext("/", ex -> reply(ex, "served"));
        server.start();
        assertThrows(IOException.class, () -> get("/"));
        server.setHttpsConfigurator(new HttpsConfigurator(TestTls.serverContext()));
        assertEquals("served", get("/").body());
    }
}
