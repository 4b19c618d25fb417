package org.concurrence.http.client;

import java.net.SocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.concurrence.core.Concurrence;
import org.concurrence.http.Handler;
import org.concurrence.http.Request;
import org.concurrence.http.Response;

/** Runs client test bodies as the main tasklet of a group of two dispatchers on real time (sockets need it). */
public final class InTasklets {
    private InTasklets() {}

    public interface Body {
        void run() throws Exception;
    }

    public static void run(Body body) {
        run(2, body);
    }

    public static void run(int dispatchers, Body body) {
        Concurrence.run(Concurrence.Options.defaults().withDispatchers(dispatchers).withName("client-test"), () -> {
            try {
                body.run();
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** A handler that notes each request's client address (one per connection) before it answers. */
    static final class Counting implements Handler {
        final Set<SocketAddress> connections = ConcurrentHashMap.newKeySet();
        private final Handler handler;

        Counting(Handler handler) {
            this.handler = handler;
        }

        @Override
        public Response handle(Request request) throws Exception {
            connections.add(request.remoteAddress());
            return handler.handle(request);
        }
    }
}
