package org.concurrence.examples;

import java.io.IOException;
import java.net.InetSocketAddress;
import org.concurrence.core.Concurrence;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.Tasklet;
import org.concurrence.http.server.HttpServer;

/**
 * {@code ./concurrence demo [--port 8080]}: the demo web application ({@link DemoApp}) on the HTTP server — the
 * greeting, a JSON endpoint, a guestbook form kept by a tasklet, the live tasklets, and message passing. Open the
 * address it prints; Ctrl-C stops it. {@code ./concurrence run tour} is the console tour of the core instead.
 */
public final class Demo {
    private Demo() {}

    public static void main(String[] args) {
        int port = Args.port(args, 8080);
        Concurrence.dispatch(() -> {
            try {
                HttpServer server = HttpServer.start(new InetSocketAddress("127.0.0.1", port), DemoApp.router(Dispatcher.current()));
                System.out.println("Concurrence demo: open http://127.0.0.1:" + server.port() + "/ ("
                        + Tasklet.current().dispatcher().group().size() + " dispatchers); Ctrl-C stops it");
            } catch (IOException e) {
                System.err.println("demo: cannot listen on port " + port + ": " + e.getMessage()
                        + " (try --port 8081)");
                Concurrence.quit(Concurrence.EXIT_FAILURE);
            }
        });
    }
}
