package org.concurrence.http.proxy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.concurrence.core.Tasklet;
import org.concurrence.core.Timeout;
import org.concurrence.http.Headers;
import org.concurrence.http.HttpException;
import org.concurrence.http.Method;
import org.concurrence.http.Response;
import org.concurrence.http.Status;
import org.concurrence.http.client.Origin;
import org.concurrence.io.BufferedSink;
import org.concurrence.io.BufferedSource;
import org.concurrence.io.Sink;
import org.concurrence.io.Socket;
import org.concurrence.io.Source;
import org.concurrence.io.tls.TlsOptions;
import org.concurrence.io.tls.TlsSocket;

/**
 * A request that asks to switch protocols (a WebSocket handshake), forwarded on a connection of its own: the request
 * head goes up with its {@code Upgrade} field, and if the upstream answers {@code 101} the two connections are joined
 * and bytes are copied both ways until either side closes; any other answer is passed back as it is (a body only with
 * a Content-Length, up to {@link #MAX_REFUSAL_BODY}).
 *
 * <p>Blocking: {@link #open} connects and waits for the upstream's head under the proxy's timeout. The tunnel copies in
 * the connection's tasklet (client to upstream) and one tasklet more (upstream to client); an upstream silent for
 * the server's idle timeout ends it, as does a close on either side or the server's stop. Stateless.
 */
final class UpgradeTunnel {
    /** The longest body of a refused upgrade (a 400, 401, 403 or 426 with its reason) passed back. */
    static final int MAX_REFUSAL_BODY = 64 * 1024;
    private static final int MAX_FIELDS = 100;

    private UpgradeTunnel() {}

    /**
     * Sends {@code fields} (the upstream's own: hop-by-hop ones already dropped) with the request's {@code Upgrade}
     * and {@code Connection: Upgrade} to {@code target}, and returns the 101 that joins the connections, or the
     * upstream's other answer.
     */
    static Response open(URI target, String upgrade, Headers fields, Duration timeout) throws IOException {
        Origin origin = Origin.of(target);
        InetSocketAddress address = new InetSocketAddress(origin.host(), origin.port());
        Source source;
        Sink sink;
        AutoCloseable connection;
        try (Timeout _ = Timeout.after(timeout)) {
            if (origin.isSecure()) {
                TlsSocket tls = TlsSocket.connect(address, origin.host(), TlsOptions.client(), timeout);
                source = tls;
                sink = tls;
                connection = tls;
            } else {
                Socket socket = Socket.connect(address, timeout);
                source = socket;
                sink = socket;
                connection = socket;
            }
            try {
                BufferedSink out = new BufferedSink(sink);
                out.writeString(head(target, origin, upgrade, fields), StandardCharsets.ISO_8859_1);
                out.flush();
                BufferedSource in = new BufferedSource(source);
                String statusLine = in.readLine(StandardCharsets.ISO_8859_1);
                int code = statusCode(statusLine);
                Headers answer = fields(in);
                if (code == 101) {
                    return switched(answer, in, sink, connection);
                }
                Response refusal = refusal(code, answer, in);
                close(connection);
                return refusal;
            } catch (IOException | RuntimeException | Error e) {
                close(connection);
                throw e;
            }
        }
    }

    private static String head(URI target, Origin origin, String upgrade, Headers fields) {
        StringBuilder head = new StringBuilder(256);
        head.append(Method.GET.name()).append(' ').append(target.getRawPath().isEmpty() ? "/" : target.getRawPath());
        if (target.getRawQuery() != null) {
            head.append('?').append(target.getRawQuery());
        }
        head.append(" HTTP/1.1\r\n");
        if (!fields.contains("Host")) {
            head.append("Host: ").append(origin.authority()).append("\r\n");
        }
        for (int i = 0; i < fields.size(); i++) {
            head.append(fields.name(i)).append(": ").append(fields.value(i)).append("\r\n");
        }
        head.append("Upgrade: ").append(upgrade).append("\r\nConnection: Upgrade\r\n\r\n");
        return head.toString();
    }

    private static int statusCode(String line) throws HttpException {
        if (line.length() >= 12 && line.startsWith("HTTP/1.") && line.charAt(8) == ' ') {
            try {
                return Integer.parseInt(line, 9, 12, 10);
            } catch (NumberFormatException e) {
                // below
            }
        }
        throw new HttpException(Status.BAD_GATEWAY, "the upstream's answer to an upgrade has no status line");
    }

    private static Headers fields(BufferedSource in) throws IOException {
        Headers fields = new Headers();
        for (String line; !(line = in.readLine(StandardCharsets.ISO_8859_1)).isEmpty(); ) {
            int colon = line.indexOf(':');
            if (colon <= 0 || fields.size() >= MAX_FIELDS) {
                throw new HttpException(Status.BAD_GATEWAY, "the upstream's answer to an upgrade is malformed");
            }
            fields.add(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
        }
        return fields;
    }

    /** The 101 passed back: the upstream's fields but the hop-by-hop ones, then the protocol it switched to. */
    private static Response switched(Headers answer, BufferedSource upstreamIn, Sink upstreamOut,
            AutoCloseable upstream) {
        HopByHop hopByHop = HopByHop.of(answer);
        Headers fields = new Headers(answer.size() + 2);
        for (int i = 0; i < answer.size(); i++) {
            if (!hopByHop.contains(answer.name(i))) {
                fields.add(answer.name(i), answer.value(i));
            }
        }
        fields.add("Upgrade", answer.getOrDefault("Upgrade", "websocket")).add("Connection", "Upgrade");
        return Response.switchingProtocols(fields, new Response.Upgrade() {
            @Override
            public void run(Response.UpgradedConnection client) throws Exception {
                tunnel(client, upstreamIn, upstreamOut, upstream);
            }

            @Override
            public void discard() {
                close(upstream); // the client's side never switched: the upstream's must not stay open
            }
        });
    }

    /** Copies both ways until either side closes; see the class comment. */
    private static void tunnel(Response.UpgradedConnection client, BufferedSource upstreamIn, Sink upstreamOut,
            AutoCloseable upstream) throws Exception {
        client.onServerStop(() -> close(upstream));
        Tasklet<Void> down = Tasklet.spawn(() -> {
            try {
                copy(upstreamIn, client, client.idleTimeout()); // bytes behind the 101 first: they are buffered
            } catch (IOException closedOrSilent) {
                // Either side closed (the other copy closes both), or the upstream said nothing for too long.
            } finally {
                close(client);
                close(upstream);
            }
            return null;
        });
        try {
            copy(client, upstreamOut, null);
        } catch (IOException closed) {
            // Either side closed: the tunnel ends.
        } finally {
            close(upstream);
            close(client);
            down.join();
        }
    }

    /** Copies until {@code from} ends, each read waiting at most {@code idle} (null: no bound of its own). */
    private static void copy(Source from, Sink to, Duration idle) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        while (from.read(buffer.clear(), idle) >= 0) {
            to.write(buffer.flip());
        }
    }

    private static Response refusal(int code, Headers answer, BufferedSource in) throws IOException {
        if (code < 200 || code > 599) {
            throw new HttpException(Status.BAD_GATEWAY, "the upstream answered an upgrade with " + code);
        }
        HopByHop hopByHop = HopByHop.of(answer);
        Response.Builder b = Response.builder(Status.of(code));
        for (int i = 0; i < answer.size(); i++) {
            String name = answer.name(i);
            if (!hopByHop.contains(name) && !name.equalsIgnoreCase("Content-Length")) {
                b.addHeader(name, answer.value(i));
            }
        }
        String length = answer.get("Content-Length");
        if (length != null && !answer.contains("Transfer-Encoding")) {
            long n;
            try {
                n = Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 0 || n > MAX_REFUSAL_BODY) {
                throw new HttpException(Status.BAD_GATEWAY, "the upstream's answer to an upgrade is too long to pass");
            }
            b.body(in.readExactly((int) n));
        }
        return b.build();
    }

    private static void close(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // Closing either end of a finished tunnel: nothing more to tell.
        }
    }
}
