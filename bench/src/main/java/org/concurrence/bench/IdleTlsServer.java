package org.concurrence.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import org.concurrence.core.Concurrence;
import org.concurrence.core.DispatcherGroup;
import org.concurrence.http.Response;
import org.concurrence.http.ResponseBody;
import org.concurrence.http.server.HttpServer;
import org.concurrence.http.websocket.Message;
import org.concurrence.http.websocket.Session;
import org.concurrence.http.websocket.WebSocket;
import org.concurrence.http.server.HttpServerOptions;
import org.concurrence.io.Buffer;
import org.concurrence.io.BufferPool;
import org.concurrence.io.Sink;
import org.concurrence.io.Socket;
import org.concurrence.io.SocketServer;
import org.concurrence.io.Source;
import org.concurrence.io.tls.TlsOptions;
import org.concurrence.io.tls.TlsSocket;

/**
 * The server child of {@link IdleTlsMemory}: one of four servers on one dispatcher, each answering what its clients
 * send and otherwise waiting, idle, for their next bytes.
 *
 * <ul>
 *   <li>{@code https}: {@link HttpServer} with {@link HttpServerOptions#withTls}, answering every request with
 *       {@value #BODY}; an idle connection waits for its next request on keep-alive.</li>
 *   <li>{@code http}: the same without TLS.</li>
 *   <li>{@code tls-echo}: a {@link SocketServer} whose handler runs a {@link TlsSocket} server session and echoes what
 *       it reads: it waits in {@code awaitReadable} holding nothing, then takes an 8 KiB buffer from
 *       {@link BufferPool#standard()} for one read and its echo.</li>
 *   <li>{@code tcp-echo}: the same echo over the plain socket.</li>
 *   <li>{@code ws}, {@code wss}: the {@code http} / {@code https} server answering every request with a WebSocket
 *       session ({@link WebSocket#accept}) that echoes messages; an idle session waits in {@code receive()}.</li>
 * </ul>
 *
 * <p>{@code IdleTlsServer --mode=https|http|tls-echo|tcp-echo|ws|wss --keystore=<PKCS12 file, password changeit>
 * [--rest-after=MS] [--port=N]}; then {@link ServerMain}'s protocol. {@code --rest-after} sets the HTTP server's
 * {@link HttpServerOptions#restAfter()} (its default when absent; 0: connections never rest).
 */
public final class IdleTlsServer {
    static final String BODY = "Hello, World!";
    private static final Duration IDLE = Duration.ofMinutes(30);

    private IdleTlsServer() {}

    public static void main(String[] args) throws IOException, GeneralSecurityException {
        String mode = option(args, "mode");
        TlsOptions tls = mode.equals("https") || mode.equals("tls-echo") || mode.equals("wss")
                ? TlsOptions.server(BenchCertificate.load(Path.of(option(args, "keystore"))),
                BenchCertificate.PASSWORD) : null;
        DispatcherGroup group = DispatcherGroup.start(Concurrence.Options.defaults().withDispatchers(1)
                .withName("idle-" + mode));
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", ServerMain.port(args));
        Duration restAfter = restAfter(args);
        int port = switch (mode) {
            case "https", "http" -> {
                Response hello = Response.ok(ResponseBody.of(BODY.getBytes()), "text/plain");
                HttpServerOptions options = HttpServerOptions.defaults().withIdleTimeout(IDLE).withRestAfter(restAfter);
                yield HttpServer.start(group, address, tls == null ? options : options.withTls(tls), request -> hello)
                        .port();
            }
            case "ws", "wss" -> {
                HttpServerOptions options = HttpServerOptions.defaults().withIdleTimeout(IDLE).withRestAfter(restAfter);
                yield HttpServer.start(group, address, tls == null ? options : options.withTls(tls),
                        request -> WebSocket.accept(request, IdleTlsServer::echo)).port();
            }
            case "tls-echo" -> SocketServer.start(group, address, SocketServer.Options.defaults(), socket -> {
                try (TlsSocket session = TlsSocket.server(socket, tls)) {
                    session.handshake(Duration.ofSeconds(30));
                    echo(session, session);
                }
            }).port();
            case "tcp-echo" -> SocketServer.start(group, address, SocketServer.Options.defaults(), socket -> {
                try (Socket s = socket) {
                    echo(s, s);
                }
            }).port();
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        };
        ServerMain.readyAndServeCommands(port);
    }

    /** {@code --rest-after=MS}, else the server's default. */
    static Duration restAfter(String[] args) {
        for (String a : args) {
            if (a.startsWith("--rest-after=")) {
                return Duration.ofMillis(Long.parseLong(a.substring("--rest-after=".length())));
            }
        }
        return HttpServerOptions.defaults().restAfter();
    }

    /** Echoes each message until the client closes. */
    private static void echo(Session session) throws IOException {
        while (true) {
            switch (session.receive()) {
                case Message.Text t -> session.send(t.text());
                case Message.Binary b -> session.send(b.bytes());
            }
        }
    }

    /** Echoes until the end of the stream, holding a pooled buffer only from a read to the end of its echo. */
    private static void echo(Source in, Sink out) throws IOException {
        BufferPool pool = BufferPool.standard();
        while (true) {
            in.awaitReadable(IDLE);
            Buffer buffer = pool.acquire();
            try {
                ByteBuffer bytes = buffer.asByteBuffer();
                int n = in.read(bytes, IDLE);
                if (n < 0) {
                    return;
                }
                out.write(bytes.flip(), IDLE);
            } finally {
                pool.release(buffer);
            }
        }
    }

    static String option(String[] args, String name) {
        for (String a : args) {
            if (a.startsWith("--" + name + "=")) {
                return a.substring(name.length() + 3);
            }
        }
        throw new IllegalArgumentException("--" + name + "= is required");
    }
}
