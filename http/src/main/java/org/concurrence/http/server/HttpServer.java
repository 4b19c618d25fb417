package org.concurrence.http.server;

import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.DispatcherGroup;
import org.concurrence.core.Tasklet;
import org.concurrence.http.Handler;
import org.concurrence.http.Response;
import org.concurrence.io.Socket;
import org.concurrence.io.SocketServer;
import org.concurrence.io.tls.TlsSocket;

/**
 * An HTTP/1.1 server (RFC 9110, 9112) running one {@link Handler} for every request.
 *
 * <p>Each connection is served by a tasklet on one of the group's dispatchers (an acceptor per dispatcher on a shared
 * port). Requests on a keep-alive connection are handled one after another by that tasklet; requests pipelined behind
 * one another are handled concurrently, each in a tasklet of its own, and their responses written strictly in request
 * order. Bodies stream in both directions. A keep-alive connection that waits for its next request longer than
 * {@link HttpServerOptions#restAfter()} rests: its tasklet ends, and a new one takes it up when the client sends
 * (an idle connection then costs no parked stack); a sweep every second or so takes up resting connections whose idle
 * timeout has passed, and they end as idle ones do.
 *
 * <p>Robustness: malformed or ambiguous requests (request smuggling) get the right 4xx status and the connection is
 * closed; limits and timeouts in {@link HttpServerOptions} bound what one client can hold. Nothing a client sends
 * affects other connections. A bare LF as a line end is refused with 400 (RFC 9112 §2.2 allows either policy; a
 * strict one cannot disagree with a proxy in front about where a line ends).
 *
 * <p>Blocking and timeouts: {@link #start} binds and returns at once; the connections run in daemon tasklets, under the
 * timeouts of {@link HttpServerOptions} (handlers get no deadline of their own). {@link #stop} blocks its caller
 * (parking it, in a tasklet) until the connections have ended: at most the grace, then up to five seconds for the
 * killed ones.
 *
 * <p>Thread-safety: all methods may be called from any thread.
 */
public final class HttpServer implements AutoCloseable {
    static final System.Logger LOG = System.getLogger(HttpServer.class.getName());

    private final HttpServerOptions options;
    private final Handler handler;
    private final HeadParser parser;
    private final byte[] serverLine;
    private final Map<Dispatcher, DispatcherShare> shares = new ConcurrentHashMap<>();
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;
    /** Whether idle connections rest: {@code restAfter} is set, and shorter than the idle timeout. */
    private final boolean mayRest;
    private SocketServer sockets;
    /** Closes resting connections past their idle timeout; null if connections never rest. */
    private Tasklet<Void> idleSweep;

    private HttpServer(HttpServerOptions options, Handler handler) {
        this.options = options;
        this.handler = handler;
        this.parser = new HeadParser(options);
        this.mayRest = !options.restAfter().isZero() && options.restAfter().compareTo(options.idleTimeout()) < 0;
        this.serverLine = options.serverName() == null ? null
                : DispatcherShare.latin1("Server: " + options.serverName() + "\r\n");
    }

    /** Starts a server with default options on the current tasklet's dispatcher group. */
    public static HttpServer start(SocketAddress address, Handler handler) throws IOException {
        return start(Tasklet.current().dispatcher().group(), address, HttpServerOptions.defaults(), handler);
    }

    /**
     * Starts a server on {@code group}, listening on {@code address} (port 0 picks a free one); callable from any
     * thread.
     *
     * @throws IOException if the address cannot be bound
     */
    public static HttpServer start(DispatcherGroup group, SocketAddress address, HttpServerOptions options,
            Handler handler) throws IOException {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(handler, "handler");
        HttpServer server = new HttpServer(options, handler);
        server.sockets = SocketServer.start(group, address,
                SocketServer.Options.defaults().withMaxConnections(options.maxConnections()), server::serve);
        if (server.mayRest) {
            server.idleSweep = Tasklet.builder().name("idle sweep of " + server.sockets.address()).daemon(true)
                    .on(group.dispatcher(0)).spawn(server::sweepIdle);
        }
        return server;
    }

    /** The address the server listens on. */
    public SocketAddress address() {
        return sockets.address();
    }

    /** The TCP port it listens on. */
    public int port() {
        return sockets.port();
    }

    /** Connections open now. */
    public int connectionCount() {
        return sockets.connectionCount();
    }

    /**
     * Graceful stop: stops accepting, lets requests in progress finish within {@code grace} (idle keep-alive
     * connections are closed at once, busy ones after their current response), then kills what is left. A connection
     * that switched protocols runs its {@link Response.UpgradedConnection#onServerStop stop action} (a WebSocket
     * session sends a close with 1001 and ends when its client answers). Blocks until done.
     */
    public void stop(Duration grace) {
        stopping = true;
        if (idleSweep != null) {
            idleSweep.kill();
        }
        for (Connection connection : connections) {
            connection.closeIfIdle();
            connection.runStopAction();
        }
        sockets.stop(grace);
    }

    /** {@link #stop(Duration)} with a grace of zero. */
    @Override
    public void close() {
        stop(Duration.ZERO);
    }

    @Override
    public String toString() {
        return "HttpServer[" + sockets.address() + ", " + connectionCount() + " connections]";
    }

    private void serve(Socket socket) throws IOException {
        Transport transport = options.tls() == null ? new Transport.Plain(socket) : handshake(socket);
        if (transport == null) {
            return;
        }
        DispatcherShare share = shares.computeIfAbsent(Dispatcher.current(), d -> new DispatcherShare());
        Connection connection = new Connection(this, transport, share);
        connections.add(connection);
        // Added before reading `stopping` (both volatile): stop() either sees this connection, or this sees it.
        if (stopping) {
            connections.remove(connection);
            return;
        }
        run(connection);
    }

    /**
     * Serves {@code connection} in this tasklet until it ends, or until it rests: then it stays in the set, and the
     * socket server runs this again in a new tasklet when the client sends (or the socket is closed).
     */
    private void run(Connection connection) throws IOException {
        boolean rests = false;
        try {
            rests = connection.serve();
            if (rests) {
                sockets.resumeWhenReadable(connection.socket().socket(), _ -> run(connection));
            }
        } finally {
            if (!rests) {
                connections.remove(connection);
            }
        }
    }

    /**
     * The idle sweep: a resting connection has no tasklet to notice that its idle timeout passed, so this resumes it:
     * its new tasklet finds the idle time gone and ends the connection as an idle one ends, on its own dispatcher
     * (for HTTPS with close_notify, which a close from here could not send), or serves the request that came
     * meanwhile. Never a close from here, which could cut a connection that resumed since it was looked at. Runs every
     * eighth of the idle timeout, between 10 ms and 1 s apart.
     */
    private void sweepIdle() {
        long idleNanos = options.idleTimeout().toNanos();
        Duration every = Duration.ofNanos(Math.clamp(idleNanos / 8, 10_000_000L, 1_000_000_000L));
        while (!stopping) {
            Tasklet.sleep(every);
            long limit = System.nanoTime() - idleNanos;
            for (Connection connection : connections) {
                if (connection.restsSince(limit)) {
                    sockets.resumeNow(connection.socket().socket());
                }
            }
        }
    }

    /**
     * HTTPS: the TLS handshake, within the head timeout; null if it failed or took too long (a scanner, a client
     * that does not trust the certificate, plain HTTP sent to the HTTPS port), which closes only this connection.
     */
    private Transport handshake(Socket socket) throws IOException {
        TlsSocket tls;
        try {
            tls = TlsSocket.server(socket, options.tls());
        } catch (RuntimeException e) {
            // The context could not make an engine (an adapter's HttpsServer without a configurator, a configurator
            // that throws): this connection fails, quietly, as a failed handshake does.
            LOG.log(System.Logger.Level.DEBUG, () -> "no TLS engine for " + socket + ": " + e);
            socket.close();
            return null;
        }
        try {
            tls.handshake(options.headTimeout());
            return new Transport.Secure(tls);
        } catch (IOException | DeadlineExceededException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "TLS handshake with " + tls + " failed: " + e.getMessage());
            tls.close();
            return null;
        }
    }

    HttpServerOptions options() {
        return options;
    }

    /** Whether idle connections rest (see {@link HttpServerOptions#restAfter()}). */
    boolean mayRest() {
        return mayRest;
    }

    Handler handler() {
        return handler;
    }

    HeadParser parser() {
        return parser;
    }

    byte[] serverLine() {
        return serverLine;
    }

    boolean isStopping() {
        return stopping;
    }
}
