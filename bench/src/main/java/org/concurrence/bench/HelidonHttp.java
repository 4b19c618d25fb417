package org.concurrence.bench;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.json.JsonGenerator;
import io.helidon.json.JsonObject;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.concurrence.io.tls.TlsOptions;

/**
 * Helidon 4 SE WebServer as a child of {@code bench http}: routes {@code GET /plaintext} and {@code GET /json}, every
 * other setting Helidon's default (a platform thread accepts, a virtual thread on the JDK's default scheduler per
 * connection, TCP_NODELAY off). The handlers add a cached Server header, as TechEmpower's Helidon entry does; Helidon
 * adds Date itself.
 *
 * <p>JSON: Helidon's Jackson media support ({@code helidon-http-media-jackson}) does not resolve from Central here, so
 * {@code /json} uses Helidon's own JSON ({@code io.helidon.json}, which {@code helidon-http-media-json} brings): a new
 * {@code JsonObject} per request. {@code --json=bytes} (the default) serializes it to a byte array and sends that, so
 * Helidon frames it with Content-Length in one write, as TechEmpower's Helidon entry sends its JSON;
 * {@code --json=media} sends the object through Helidon's JSON media support, which streams it chunked in several
 * writes, and with TCP_NODELAY off those stall on the client's delayed ACK (~2 k req/s at 100 connections, the server
 * mostly idle).
 *
 * <p>Knobs away from the defaults, for trying what TechEmpower's Helidon entry configures: {@code --tcp-no-delay}
 * (TCP_NODELAY on the connections), {@code --write-queue-length=N} (Helidon's asynchronous writes, default 0: none;
 * the entry uses 8192), {@code --backlog=N} (default 1024; the entry's 8192).
 *
 * <p>{@code --keystore=FILE} serves HTTPS instead: Helidon's TLS ({@code helidon-common-tls}, the JDK's
 * {@code SSLServerSocket}s underneath) with an {@link SSLContext} holding the key and certificate of that PKCS12 file
 * ({@link BenchCertificate}), TLS 1.3 only, the JDK's default cipher suites, no ALPN.
 *
 * <p>{@code HelidonHttp [--port=N] [--json=bytes|media] [--tcp-no-delay] [--write-queue-length=N] [--backlog=N]
 * [--keystore=FILE]}
 */
public final class HelidonHttp {
    private static final Header SERVER = HeaderValues.createCached(HeaderNames.SERVER, "Helidon");
    private static final Header TEXT_PLAIN = HeaderValues.createCached(HeaderNames.CONTENT_TYPE,
            HttpServers.TEXT_PLAIN);

    private HelidonHttp() {}

    public static void main(String[] args) throws Exception {
        boolean media = ServerMain.flag(args, "json=media");
        if (!media && !ServerMain.flag(args, "json=bytes") && String.join(" ", args).contains("--json=")) {
            throw new IllegalArgumentException("--json=bytes or --json=media");
        }
        boolean noDelay = ServerMain.flag(args, "tcp-no-delay");
        WebServerConfig.Builder builder = WebServer.builder()
                .host("127.0.0.1")
                .port(ServerMain.port(args))
                .routing(routing -> routing
                        .get(HttpServers.PLAINTEXT, (request, response) -> {
                            response.header(SERVER);
                            response.header(TEXT_PLAIN);
                            response.send(HttpServers.PLAINTEXT_BYTES);
                        })
                        .get(HttpServers.JSON, (request, response) -> {
                            response.header(SERVER);
                            JsonObject message = JsonObject.builder().set("message", HttpServers.MESSAGE).build();
                            if (media) {
                                response.send(message);
                            } else {
                                response.header(HeaderValues.CONTENT_TYPE_JSON);
                                response.send(bytes(message));
                            }
                        }));
        if (noDelay) {
            builder.connectionOptions(options -> options.tcpNoDelay(true));
        }
        int writeQueue = ServerMain.intOption(args, "write-queue-length", -1);
        if (writeQueue >= 0) {
            builder.writeQueueLength(writeQueue);
        }
        int backlog = ServerMain.intOption(args, "backlog", -1);
        if (backlog > 0) {
            builder.backlog(backlog);
        }
        String keystore = ServerMain.option(args, "keystore", null);
        if (keystore != null) {
            SSLContext context = TlsOptions.context(BenchCertificate.load(Path.of(keystore)),
                    BenchCertificate.PASSWORD, null);
            builder.tls(tls -> tls.sslContext(context).enabledProtocols(List.of(BenchCertificate.TLS_VERSION)));
        }
        WebServer server = builder.build().start();
        System.err.println("helidon: json " + (media ? "through the media support" : "as bytes")
                + (noDelay ? ", TCP_NODELAY" : "") + (writeQueue >= 0 ? ", write queue " + writeQueue : "")
                + (backlog > 0 ? ", backlog " + backlog : "")
                + (keystore != null ? ", HTTPS (" + BenchCertificate.TLS_VERSION + ")" : ""));
        ServerMain.readyAndServeCommands(server.port());
    }

    private static byte[] bytes(JsonObject json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        try (JsonGenerator generator = JsonGenerator.create(out)) {
            json.toJson(generator);
        }
        return out.toByteArray();
    }
}
