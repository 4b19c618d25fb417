package org.concurrence.examples;

import java.io.IOException;
import java.net.InetSocketAddress;
import org.concurrence.core.Concurrence;
import org.concurrence.core.Tasklet;
import org.concurrence.http.Handler;
import org.concurrence.http.Method;
import org.concurrence.http.Response;
import org.concurrence.http.Status;
import org.concurrence.http.server.HttpServer;

/**
 * The original's WSGI hello, on the HTTP/1.1 server: GET, HEAD and POST on any path answer 200 {@code Hello World!};
 * other methods get 405. One response object serves every request: responses are immutable, and the server adds
 * Date, Server and Content-Length as it writes.
 *
 * <p>{@code ./concurrence run http [--port 8080]}; Ctrl-C stops it.
 */
public final class HttpHello {
    private static final Response HELLO = Response.ok("Hello World!");
    private static final Response NOT_ALLOWED = Response.text(Status.METHOD_NOT_ALLOWED,
            "use GET, HEAD or POST").withHeader("Allow", "GET, HEAD, POST");

    private HttpHello() {}

    /** The handler: the whole application. */
    static final Handler HANDLER = request -> {
        Method m = request.method();
        boolean allowed = m.equals(Method.GET) || m.equals(Method.HEAD) || m.equals(Method.POST);
        return allowed ? HELLO : NOT_ALLOWED;
    };

    public static void main(String[] args) {
        int port = Args.port(args, 8080);
        Concurrence.dispatch(() -> {
            try {
                HttpServer server = HttpServer.start(new InetSocketAddress("127.0.0.1", port), HANDLER);
                System.out.println("http hello listening on http://127.0.0.1:" + server.port() + "/ ("
                        + Tasklet.current().dispatcher().group().size() + " dispatchers); Ctrl-C stops it");
            } catch (IOException e) {
                System.err.println("http: cannot listen on port " + port + ": " + e.getMessage());
                Concurrence.quit(Concurrence.EXIT_FAILURE);
            }
        });
    }
}
