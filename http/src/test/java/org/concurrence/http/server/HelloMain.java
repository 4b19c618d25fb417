package org.concurrence.http.server;

import java.net.InetSocketAddress;
import org.concurrence.core.Concurrence;
import org.concurrence.core.DispatcherGroup;
import org.concurrence.http.Response;

/**
 * For measuring by hand (not a test): {@code Hello World!} on the given port with one dispatcher, until killed.
 * Compare with {@code examples}' greeter under wrk; see the module's report for the commands.
 */
public final class HelloMain {
    private static final Response HELLO = Response.ok("Hello World!");

    private HelloMain() {}

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int dispatchers = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        DispatcherGroup group = DispatcherGroup.start(Concurrence.Options.defaults().withDispatchers(dispatchers));
        HttpServer server = HttpServer.start(group, new InetSocketAddress("127.0.0.1", port),
                HttpServerOptions.defaults(), request -> HELLO);
        System.out.println("listening on " + server.port());
        Thread.sleep(Long.MAX_VALUE);
    }
}
