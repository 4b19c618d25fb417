package org.concurrence.http.jdk;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import org.concurrence.channel.Channel;
import org.concurrence.channel.ChannelClosedException;
import org.concurrence.core.Tasklet;
import org.concurrence.http.Headers;
import org.concurrence.http.Method;
import org.concurrence.http.Request;
import org.concurrence.http.Response;
import org.concurrence.http.ResponseBody;
import org.concurrence.http.Status;

/**
 * Turns one imperative exchange into a functional response. A JDK handler decides its status and headers only when it
 * calls {@code sendResponseHeaders}, in the middle of its work, and then writes the body; our handler interface wants
 * the response returned. So the JDK handler runs in a tasklet of its own, and talks to the request's tasklet through a
 * small buffered channel of {@link Signal}s: first the head, then body chunks, then the end (or a failure). The
 * request's tasklet returns a response as soon as the head arrives, and its body writer copies the chunks to the
 * client as they come, so a streamed or endless (server-sent events) body flows with bounded memory.
 *
 * <p>Blocking: the handler tasklet (or whichever thread the handler handed the exchange to) blocks when the channel
 * is full (the client is slower than the handler); if the client goes away, the channel is closed and the next write
 * fails with an {@link IOException}. The request's tasklet waits for the head and the chunks under its deadline, if
 * it has one (a {@code Timeout} filter's), and without limit otherwise, as a request on the JDK's server does.
 */
final class ExchangeBridge {
    /** Chunks in flight between the handler and the client. */
    private static final int PIPE_CHUNKS = 4;

    private ExchangeBridge() {}

    /** What the handler's tasklet tells the request's tasklet. */
    sealed interface Signal {
        /**
         * {@code sendResponseHeaders} was called; {@code length} as the JDK defines it (-1 none, 0 chunked), except
         * for HEAD: the length a GET would have, or -1 if unknown.
         */
        record Head(int code, Headers headers, long length) implements Signal {}

        record Chunk(byte[] bytes) implements Signal {}

        record End() implements Signal {}

        record Failed(Throwable cause) implements Signal {}
    }

    static Response run(Request request, AdaptedContext context) throws Exception {
        Channel<Signal> pipe = Channel.buffered("exchange " + request.method() + " " + request.path(), PIPE_CHUNKS);
        AdaptedExchange exchange = new AdaptedExchange(request, context, pipe);
        HttpExchange seen = request.tlsSession().<HttpExchange>map(s -> new AdaptedHttpsExchange(exchange, s))
                .orElse(exchange);
        Tasklet.builder().name("httpserver " + request.method() + " " + request.path())
                .spawn(() -> handle(seen, exchange, context));
        Signal first;
        try {
            first = pipe.receive();
        } catch (RuntimeException | Error e) {
            pipe.close();
            throw e;
        }
        return switch (first) {
            case Signal.Head head -> response(request, head, pipe);
            case Signal.Failed failed -> throw rethrow(failed.cause());
            case Signal.End end -> throw new IllegalStateException("the exchange for " + context.getPath()
                    + " ended without sendResponseHeaders");
            case Signal.Chunk chunk -> throw new IllegalStateException("body bytes before the response headers");
        };
    }

    private static Response response(Request request, Signal.Head head, Channel<Signal> pipe) {
        Status status = Status.of(head.code());
        Response.Builder b = Response.builder(status);
        head.headers().forEach(b::addHeader);
        boolean noBody = head.length() < 0 || status.forbidsBody() || request.method().equals(Method.HEAD);
        if (noBody) {
            if (request.method().equals(Method.HEAD) && !status.forbidsBody() && head.length() != 0) {
                b.body(ResponseBody.ofWriter(head.length(), out -> {})); // Content-Length, or none if unknown
            }
            pipe.close(); // the exchange discards what the handler still writes
            return b.build();
        }
        long length = head.length() == 0 ? -1 : head.length();
        return b.body(ResponseBody.ofWriter(length, new ResponseBody.BodyWriter() {
            @Override
            public void writeTo(OutputStream out) throws IOException {
                copy(pipe, out);
            }

            @Override
            public void discard() {
                pipe.close(); // not sent: the exchange discards what the handler still writes
            }
        })).build();
    }

    /** Writes the handler's chunks to the client until the end; closes the pipe whatever happens. */
    private static void copy(Channel<Signal> pipe, OutputStream out) throws IOException {
        try {
            while (true) {
                Signal s;
                try {
                    s = pipe.receive();
                } catch (ChannelClosedException e) {
                    throw new IOException("the handler's response stream was closed early", e);
                }
                switch (s) {
                    case Signal.Chunk chunk -> out.write(chunk.bytes());
                    case Signal.End end -> {
                        return;
                    }
                    case Signal.Failed failed -> throw new IOException("the handler failed while writing the body",
                            failed.cause());
                    case Signal.Head head -> throw new IllegalStateException("response headers sent twice");
                }
            }
        } finally {
            pipe.close();
        }
    }

    /**
     * The handler's tasklet: the context's filters, its authenticator, its handler. The exchange ends when it is
     * closed, here or later by whoever the handler handed it to (see {@link AdaptedExchange}).
     */
    private static void handle(HttpExchange seen, AdaptedExchange exchange, AdaptedContext context) {
        try {
            HttpHandler handler = context.getHandler();
            HttpHandler authenticated = context.getAuthenticator() == null ? handler
                    : ex -> authenticate(ex, exchange, context.getAuthenticator(), handler);
            List<Filter> filters = context.getFilters();
            new Filter.Chain(filters, authenticated).doFilter(seen);
            exchange.handlerReturned();
        } catch (Throwable t) {
            exchange.fail(t);
            if (t instanceof Error e && !(e instanceof AssertionError)) {
                throw e;
            }
        }
    }

    private static void authenticate(HttpExchange exchange, AdaptedExchange underneath, Authenticator authenticator,
            HttpHandler handler) throws IOException {
        switch (authenticator.authenticate(exchange)) {
            case Authenticator.Success success -> {
                underneath.setPrincipal(success.getPrincipal());
                handler.handle(exchange);
            }
            case Authenticator.Failure failure -> {
                exchange.sendResponseHeaders(failure.getResponseCode(), -1);
                exchange.close();
            }
            case Authenticator.Retry retry -> {
                exchange.sendResponseHeaders(retry.getResponseCode(), -1);
                exchange.close();
            }
            default -> throw new IllegalStateException("unknown authenticator result");
        }
    }

    static Headers toOurs(com.sun.net.httpserver.Headers jdk) {
        Headers h = new Headers();
        for (Map.Entry<String, List<String>> e : jdk.entrySet()) {
            String name = e.getKey();
            if (name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Transfer-Encoding")) {
                continue; // framed by our server from the declared length
            }
            for (String v : e.getValue()) {
                h.add(name, v);
            }
        }
        return h;
    }

    private static Exception rethrow(Throwable t) {
        return switch (t) {
            case Exception e -> e;
            case Error e -> throw e;
            default -> new RuntimeException(t);
        };
    }
}
