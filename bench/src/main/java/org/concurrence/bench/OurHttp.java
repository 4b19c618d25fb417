package org.concurrence.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import org.concurrence.core.Concurrence;
import org.concurrence.core.DispatcherGroup;
import org.concurrence.http.Handler;
import org.concurrence.http.Request;
import org.concurrence.http.Response;
import org.concurrence.http.ResponseBody;
import org.concurrence.http.Status;
import org.concurrence.http.server.HttpServer;
import org.concurrence.http.server.HttpServerOptions;
import org.concurrence.web.Router;
import org.concurrence.web.json.Json;

/**
 * Our HTTP server as a child of {@code bench http}: {@link HttpServer} with {@link HttpServerOptions#defaults()} on a
 * group of {@code --dispatchers=N} dispatchers (one per available processor by default, i.e. per CPU the process is
 * pinned to), the server adding Date and Server itself.
 *
 * <p>Dispatch through the web module's {@link Router}; {@code /json} answers {@link Json#response(Object)} of a new
 * {@link HttpServers.Message} per request (Jackson 3 with its defaults, as the Netty peer's mapper). A response is built
 * per request; the plaintext body's bytes are one shared buffer. {@code --hand} dispatches by hand on
 * {@link Request#path()} instead, with Jackson directly: what the router and the Json helper cost.
 *
 * <p>{@code OurHttp [--port=N] [--dispatchers=N] [--hand]}
 */
public final class OurHttp {
    private static final ResponseBody PLAINTEXT = ResponseBody.of(HttpServers.PLAINTEXT_BYTES);

    private OurHttp() {}

    public static void main(String[] args) throws IOException {
        int dispatchers = ServerMain.intOption(args, "dispatchers", Runtime.getRuntime().availableProcessors());
        boolean hand = ServerMain.flag(args, "hand");
        DispatcherGroup group = DispatcherGroup.start(Concurrence.Options.defaults().withDispatchers(dispatchers)
                .withName("http"));
        HttpServer server = HttpServer.start(group, new InetSocketAddress("127.0.0.1", ServerMain.port(args)),
                HttpServerOptions.defaults(), hand ? OurHttp::byHand : router());
        System.err.println("ours: " + dispatchers + " dispatcher(s), " + (hand ? "hand dispatch" : "Router"));
        ServerMain.readyAndServeCommands(server.port());
    }

    static Handler router() {
        return Router.builder()
                .get(HttpServers.PLAINTEXT, request -> Response.ok(PLAINTEXT, HttpServers.TEXT_PLAIN))
                .get(HttpServers.JSON, request -> Json.response(new HttpServers.Message(HttpServers.MESSAGE)))
                .build();
    }

    static Response byHand(Request request) {
        return switch (request.path()) {
            case HttpServers.PLAINTEXT -> Response.ok(PLAINTEXT, HttpServers.TEXT_PLAIN);
            case HttpServers.JSON -> Response.ok(ResponseBody.of(HttpServers.JACKSON.writeValueAsBytes(
                    new HttpServers.Message(HttpServers.MESSAGE))), HttpServers.APPLICATION_JSON);
            default -> Response.of(Status.NOT_FOUND);
        };
    }
}
