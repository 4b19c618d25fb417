package org.concurrence.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import org.concurrence.core.Concurrence;
import org.concurrence.core.DispatcherGroup;
import org.concurrence.http.Request;
import org.concurrence.http.Response;
import org.concurrence.http.ResponseBody;
import org.concurrence.http.Status;
import org.concurrence.http.server.HttpServer;
import org.concurrence.http.server.HttpServerOptions;

/**
 * Our HTTP server as a child of {@code bench http}: {@link HttpServer} with {@link HttpServerOptions#defaults()} on a
 * group of {@code --dispatchers=N} dispatchers (one per available processor by default, i.e. per CPU the process is
 * pinned to), the server adding Date and Server itself.
 *
 * <p>Dispatch: by hand on {@link Request#path()} for now (the web module's Router and Json helper are not on main
 * yet); {@code /json} serializes a new {@link HttpServers.Message} per request with Jackson, as the Netty peer does.
 * A response is built per request; the plaintext body's bytes are one shared buffer.
 *
 * <p>{@code OurHttp [--port=N] [--dispatchers=N]}
 */
public final class OurHttp {
    private static final ResponseBody PLAINTEXT = ResponseBody.of(HttpServers.PLAINTEXT_BYTES);

    private OurHttp() {}

    public static void main(String[] args) throws IOException {
        int dispatchers = ServerMain.intOption(args, "dispatchers", Runtime.getRuntime().availableProcessors());
        DispatcherGroup group = DispatcherGroup.start(Concurrence.Options.defaults().withDispatchers(dispatchers)
                .withName("http"));
        HttpServer server = HttpServer.start(group, new InetSocketAddress("127.0.0.1", ServerMain.port(args)),
                HttpServerOptions.defaults(), OurHttp::handle);
        ServerMain.readyAndServeCommands(server.port());
    }

    static Response handle(Request request) {
        return switch (request.path()) {
            case HttpServers.PLAINTEXT -> Response.ok(PLAINTEXT, HttpServers.TEXT_PLAIN);
            case HttpServers.JSON -> Response.ok(ResponseBody.of(HttpServers.JACKSON.writeValueAsBytes(
                    new HttpServers.Message(HttpServers.MESSAGE))), HttpServers.APPLICATION_JSON);
            default -> Response.of(Status.NOT_FOUND);
        };
    }
}
