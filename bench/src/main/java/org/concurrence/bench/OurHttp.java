package org.concurrence.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import org.concurrence.core.Concurrence;
import org.concurrence.core.DispatcherGroup;
import org.concurrence.http.Handler;
import org.concurrence.http.Request;
import org.concurrence.http.Response;
import org.concurrence.http.ResponseBody;
import org.concurrence.http.Status;
import org.concurrence.http.server.HttpServer;
import org.concurrence.http.server.HttpServerOptions;
import org.concurrence.io.tls.TlsOptions;
import org.concurrence.web.Router;
import org.concurrence.web.json.Json;

/**
 * Our HTTP server as a child of {@code bench http}: {@link HttpServer} with {@link HttpServerOptions#defaults()} on a
 * group of {@code --dispatchers=N} dispatchers (one per available processor by default, i.e. per CPU the process is
 * pinned to), the server adding Date and Server itself.
 *
 * <p>Dispatch through the web module's {@link Router}; {@code /json} answers {@link Json#response(Object)} of a new
 * {@link HttpServers.Message} per request (Jackson 3 with its defaults, as the Netty peer's mapper). A response is built
 * per request; the plaintext body's bytes are one shared buffer. {@code --hand} dispatches by hand on
 * {@link Request#path()} instead, with Jackson directly: what the router and the Json helper cost.
 *
 * <p>{@code --keystore=FILE} serves HTTPS instead: {@link HttpServerOptions#withTls} with the key and certificate of
 * that PKCS12 file ({@link BenchCertificate}), TLS 1.3 only, the JDK's default cipher suites, no ALPN.
 *
 * <p>{@code OurHttp [--port=N] [--dispatchers=N] [--hand] [--keystore=FILE]}
 */
public final class OurHttp {
    private static final ResponseBody PLAINTEXT = ResponseBody.of(HttpServers.PLAINTEXT_BYTES);

    private OurHttp() {}

    public static void main(String[] args) throws IOException, GeneralSecurityException {
        int dispatchers = ServerMain.intOption(args, "dispatchers", Runtime.getRuntime().availableProcessors());
        boolean hand = ServerMain.flag(args, "hand");
        String keystore = ServerMain.option(args, "keystore", null);
        HttpServerOptions options = HttpServerOptions.defaults();
        if (keystore != null) {
            options = options.withTls(TlsOptions.server(BenchCertificate.load(Path.of(keystore)),
                    BenchCertificate.PASSWORD).withProtocols(BenchCertificate.TLS_VERSION));
        }
        DispatcherGroup group = DispatcherGroup.start(Concurrence.Options.defaults().withDispatchers(dispatchers)
                .withName("http"));
        HttpServer server = HttpServer.start(group, new InetSocketAddress("127.0.0.1", ServerMain.port(args)),
                options, hand ? OurHttp::byHand : router());
        System.err.println("ours: " + dispatchers + " dispatcher(s), " + (hand ? "hand dispatch" : "Router")
                + (keystore != null ? ", HTTPS (" + BenchCertificate.TLS_VERSION + ")" : ""));
        ServerMain.readyAndServeCommands(server.port());
    }

    static Handler router() {
        return Router.builder()
                .get(HttpServers.PLAINTEXT, request -> Response.ok(PLAINTEXT, HttpServers.TEXT_PLAIN))
                .get(HttpServers.JSON, request -> Json.response(new HttpServers.Message(HttpServers.MESSAGE)))
                .build();
    }

    static Response byHand(Request request) {
        return switch (request.path()) {
            case HttpServers.PLAINTEXT -> Response.ok(PLAINTEXT, HttpServers.TEXT_PLAIN);
            case HttpServers.JSON -> Response.ok(ResponseBody.of(HttpServers.JACKSON.writeValueAsBytes(
                    new HttpServers.Message(HttpServers.MESSAGE))), HttpServers.APPLICATION_JSON);
            default -> Response.of(Status.NOT_FOUND);
        };
    }
}
