package org.concurrence.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import org.concurrence.core.Concurrence;
import org.concurrence.core.DispatcherGroup;
import org.concurrence.examples.Greeter;
import org.concurrence.io.SocketServer;

/**
 * Our greeter as a server child of {@code bench greeter}: {@link SocketServer} with a tasklet per connection running
 * the example's own greeting loop, {@link Greeter#greet} — the code measured is the code shipped. Only the dispatcher
 * count differs from the example's {@code main}: one per available processor by default, i.e. per CPU the process is
 * pinned to.
 *
 * <p>{@code OurGreeter [--port=N] [--dispatchers=N]}
 */
public final class OurGreeter {
    private OurGreeter() {}

    public static void main(String[] args) throws IOException {
        int dispatchers = ServerMain.intOption(args, "dispatchers", Runtime.getRuntime().availableProcessors());
        DispatcherGroup group = DispatcherGroup.start(Concurrence.Options.defaults().withDispatchers(dispatchers)
                .withName("greeter"));
        SocketServer server = SocketServer.start(group, new InetSocketAddress("127.0.0.1",
                ServerMain.port(args)), SocketServer.Options.defaults(), Greeter::greet);
        ServerMain.readyAndServeCommands(server.port());
    }
}
