package org.concurrence.http.proxy;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.concurrence.core.Tasklet;
import org.concurrence.http.Headers;
import org.concurrence.http.HttpException;
import org.concurrence.http.Method;
import org.concurrence.http.Response;
import org.concurrence.http.Status;
import org.concurrence.http.client.ClientRequest;
import org.concurrence.http.client.ClientUpgrade;
import org.concurrence.http.client.HttpClient;
import org.concurrence.io.Sink;
import org.concurrence.io.Source;

/**
 * A request that asks to switch protocols (a WebSocket handshake), forwarded through {@link HttpClient#upgrade} on a
 * connection of its own: if the upstream answers {@code 101} the two connections are joined and bytes are copied both
 * ways until either side closes; any other answer is passed back as it is (a body only with a Content-Length, up to
 * {@link #MAX_REFUSAL_BODY}).
 *
 * <p>Blocking: {@link #open} connects and waits for the upstream's head under the proxy's timeout. The tunnel copies in
 * the connection's tasklet (client to upstream) and one tasklet more (upstream to client); an upstream silent for
 * the server's idle timeout ends it, as does a close on either side or the server's stop. Stateless.
 */
final class UpgradeTunnel {
    /** The longest body of a refused upgrade (a 400, 401, 403 or 426 with its reason) passed back. */
    static final int MAX_REFUSAL_BODY = 64 * 1024;

    private UpgradeTunnel() {}

    /**
     * Sends {@code fields} (the upstream's own: hop-by-hop ones already dropped) with {@code Upgrade: upgrade} and
     * {@code Connection: Upgrade} to {@code target} through {@code client}, and returns the 101 that joins the
     * connections, or the upstream's other answer.
     */
    static Response open(HttpClient client, URI target, String upgrade, Headers fields, Duration timeout)
            throws IOException {
        Headers up = Headers.copyOf(fields).add("Upgrade", upgrade).add("Connection", "Upgrade");
        ClientUpgrade answer = client.upgrade(new ClientRequest(Method.GET, target, up, ClientRequest.Body.empty()),
                timeout);
        try {
            return answer.switched() ? switched(answer) : refusal(answer);
        } finally {
            if (!answer.switched()) {
                answer.close();
            }
        }
    }

    /** The 101 passed back: the upstream's fields but the hop-by-hop ones, then the protocol it switched to. */
    private static Response switched(ClientUpgrade upstream) {
        Headers answer = upstream.headers();
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
                tunnel(client, upstream);
            }

            @Override
            public void discard() {
                upstream.close(); // the client's side never switched: the upstream's must not stay open
            }
        });
    }

    /** Copies both ways until either side closes; see the class comment. */
    private static void tunnel(Response.UpgradedConnection client, ClientUpgrade upstream) throws Exception {
        client.onServerStop(upstream::close);
        Tasklet<Void> down = Tasklet.spawn(() -> {
            try {
                // The bytes the upstream sent behind its 101 come first: they are in the input's buffer.
                copy(upstream.input(), client, client.idleTimeout());
            } catch (IOException closedOrSilent) {
                // Either side closed (the other copy closes both), or the upstream said nothing for too long.
            } finally {
                close(client);
                upstream.close();
            }
            return null;
        });
        try {
            copy(client, upstream.output(), null);
        } catch (IOException closed) {
            // Either side closed: the tunnel ends.
        } finally {
            upstream.close();
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

    private static Response refusal(ClientUpgrade upstream) throws IOException {
        int code = upstream.status().code();
        if (code < 200) {
            throw new HttpException(Status.BAD_GATEWAY, "the upstream answered an upgrade with " + code);
        }
        Headers answer = upstream.headers();
        HopByHop hopByHop = HopByHop.of(answer);
        Response.Builder b = Response.builder(upstream.status());
        for (int i = 0; i < answer.size(); i++) {
            String name = answer.name(i);
            if (!hopByHop.contains(name) && !name.equalsIgnoreCase("Content-Length")) {
                b.addHeader(name, answer.value(i));
            }
        }
        long length = ReverseProxy.declaredLength(answer);
        if (length > MAX_REFUSAL_BODY || (length < 0 && answer.contains("Transfer-Encoding"))) {
            throw new HttpException(Status.BAD_GATEWAY, "the upstream's answer to an upgrade is too long to pass");
        }
        if (length > 0) {
            b.body(upstream.input().readExactly((int) length));
        }
        return b.build();
    }

    private static void close(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // Closing the client's end of a finished tunnel: nothing more to tell.
        }
    }
}
