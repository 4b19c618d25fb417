package org.concurrence.http.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Timeout;
import org.concurrence.io.BufferedSink;
import org.concurrence.io.BufferedSource;
import org.concurrence.io.Socket;
import org.concurrence.io.tls.TlsSocket;

/**
 * Opens the transport of a new connection to an origin: directly, or through the client's {@link ForwardProxy} —
 * for a plain request a connection to the proxy, which then takes targets in absolute form; for https (and for an
 * upgrade, whose bytes a proxy would not pass otherwise) a {@code CONNECT} tunnel through it. Then TLS for https.
 *
 * <p>Blocking: connecting, the tunnel and the handshake together take at most the timeout given (and never past the
 * current deadline); nothing is left open on failure. Thread-safety: stateless.
 */
final class Dialer {
    private Dialer() {}

    /**
     * A new connection's transport.
     *
     * @param socket       the socket (to the origin, or to the proxy)
     * @param tls          the TLS session over it for https, else null
     * @param absoluteForm requests on it go to a proxy: their targets in absolute form, with the proxy's authorization
     */
    record Dialed(Socket socket, TlsSocket tls, boolean absoluteForm) {
        AutoCloseable closeable() {
            return tls != null ? tls : socket;
        }
    }

    /**
     * Connects to {@code origin} as the options say.
     *
     * @param tunnel tunnel through a proxy even for plain http (an upgrade: a proxy would not pass the new protocol)
     * @throws java.net.ConnectException if the origin, or the proxy (the message names it), could not be reached
     * @throws IOException               naming the proxy and its answer if it refused the tunnel
     */
    static Dialed open(Origin origin, HttpClientOptions options, Duration timeout, boolean tunnel) throws IOException {
        InetSocketAddress proxy = options.proxy() == null ? null : options.proxy().select(origin);
        if (proxy == null) {
            if (!origin.isSecure()) {
                return new Dialed(Socket.connect(origin.address(), timeout), null, false);
            }
            TlsSocket tls = TlsSocket.connect(origin.address(), origin.host(), options.tlsOrDefault(), timeout);
            return new Dialed(tls.socket(), tls, false);
        }
        try (Timeout _ = Timeout.after(timeout)) {
            Socket socket;
            try {
                socket = Socket.connect(proxy);
            } catch (IOException e) { // the selector's contract: it hears of a proxy that could not be reached
                options.proxy().selector().connectFailed(ForwardProxy.uri(origin), proxy, e);
                throw e;
            } catch (DeadlineExceededException e) {
                options.proxy().selector().connectFailed(ForwardProxy.uri(origin), proxy,
                        new SocketTimeoutException("connect to the proxy at " + proxy + " timed out"));
                throw e;
            }
            try {
                if (!origin.isSecure() && !tunnel) {
                    return new Dialed(socket, null, true);
                }
                connectThrough(socket, proxy, origin, options);
                if (!origin.isSecure()) {
                    return new Dialed(socket, null, false);
                }
                TlsSocket tls = TlsSocket.client(socket, origin.host(), options.tlsOrDefault());
                tls.handshake(); // closes the socket itself if it fails
                return new Dialed(socket, tls, false);
            } catch (IOException | RuntimeException | Error e) {
                socket.close();
                throw e;
            }
        }
    }

    /** Asks the proxy for a tunnel to {@code origin} and reads its answer: 2xx, or an IOException naming both. */
    private static void connectThrough(Socket socket, InetSocketAddress proxy, Origin origin,
            HttpClientOptions options) throws IOException {
        String target = origin.hostAndPort();
        String authorization = options.proxy().authorization();
        BufferedSink out = new BufferedSink(socket);
        out.writeString("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n"
                + (authorization != null ? "Proxy-Authorization: " + authorization + "\r\n" : "") + "\r\n",
                StandardCharsets.ISO_8859_1);
        out.flush();
        BufferedSource in = new BufferedSource(socket);
        ResponseHead answer = ResponseHead.read(in, options.maxHeadSize(), options.maxHeaderCount(), origin);
        int code = answer.status().code();
        if (code < 200 || code > 299) {
            throw new IOException("the proxy at " + proxy + " refused a tunnel to " + target + ": " + code + " "
                    + answer.status().reason());
        }
        if (in.buffered() > 0) { // the origin cannot have spoken yet: TLS waits for our hello
            throw new MalformedResponseException("the proxy at " + proxy + " sent bytes after its 2xx to CONNECT",
                    origin, null);
        }
    }
}
