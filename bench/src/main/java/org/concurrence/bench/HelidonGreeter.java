package org.concurrence.bench;

import io.helidon.webserver.WebServer;

/**
 * Helidon 4 SE WebServer as a server child of {@code bench greeter}: a route {@code GET /} that sends
 * {@code Hello World!}, everything else as Helidon configures it by default (a platform thread accepts, a virtual
 * thread on the JDK's default scheduler per connection).
 *
 * <p>{@code HelidonGreeter [--port=N]}
 */
public final class HelidonGreeter {
    private HelidonGreeter() {}

    public static void main(String[] args) throws Exception {
        WebServer server = WebServer.builder()
                .host("127.0.0.1")
                .port(ServerMain.port(args))
                .routing(routing -> routing.get("/", (request, response) -> response.send(GreeterServers.BODY)))
                .build()
                .start();
        ServerMain.readyAndServeCommands(server.port());
    }
}
