package org.concurrence.http.jdk;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.concurrence.channel.Channel;
import org.concurrence.channel.ChannelClosedException;
import org.concurrence.core.Dispatcher;
import org.concurrence.http.Method;
import org.concurrence.http.Request;
import org.concurrence.http.Status;

/**
 * One request and its response as a {@link HttpExchange}, following the JDK's contract: {@link #sendResponseHeaders}
 * once, with length {@code > 0} (exactly that many bytes), {@code 0} (any length, chunked) or {@code -1} (no body);
 * then the body through {@link #getResponseBody()}; {@link #close()} ends the exchange — not the handler's return, as
 * on the JDK's server. So a handler may keep the exchange and return, and another thread or tasklet answers it later
 * (long polling, a response computed elsewhere); the request waits for that under its deadline, if it has one. One
 * forgiveness: a handler that returns having written the whole of a fixed-length body but without closing gets its
 * response ended for it (nothing more could be written to it).
 *
 * <p>Thread-safety: used by one thread at a time, like the JDK's exchange: the handler's tasklet, then whoever the
 * handler handed it to (the hand-over publishes it, e.g. starting a thread or a concurrent queue). A thread that is
 * not a tasklet blocks in its writes while the client is slower than it.
 */
final class AdaptedExchange extends HttpExchange {
    private static final int CHUNK = 8192;

    private final Request request;
    private final AdaptedContext context;
    private final Channel<ExchangeBridge.Signal> pipe;
    private final com.sun.net.httpserver.Headers requestHeaders = new com.sun.net.httpserver.Headers();
    private final com.sun.net.httpserver.Headers responseHeaders = new com.sun.net.httpserver.Headers();
    private final Map<String, Object> attributes = new HashMap<>();
    private final ResponseStream responseStream = new ResponseStream();
    private InputStream in;
    private OutputStream out;
    private HttpPrincipal principal;
    private int responseCode = -1;
    private boolean ended;

    AdaptedExchange(Request request, AdaptedContext context, Channel<ExchangeBridge.Signal> pipe) {
        this.request = request;
        this.context = context;
        this.pipe = pipe;
        request.headers().forEach(requestHeaders::add);
        this.in = new OnItsDispatcher(request.body().stream(), Dispatcher.current());
        this.out = responseStream;
    }

    @Override
    public com.sun.net.httpserver.Headers getRequestHeaders() {
        return requestHeaders;
    }

    @Override
    public com.sun.net.httpserver.Headers getResponseHeaders() {
        return responseHeaders;
    }

    @Override
    public URI getRequestURI() {
        try {
            return new URI(request.target());
        } catch (URISyntaxException e) {
            try {
                String query = request.rawQuery().isEmpty() ? null : request.rawQuery();
                return new URI(null, null, request.path(), query, null);
            } catch (URISyntaxException again) {
                throw new IllegalStateException("request target is not a URI: " + request.target(), again);
            }
        }
    }

    @Override
    public String getRequestMethod() {
        return request.method().name();
    }

    @Override
    public HttpContext getHttpContext() {
        return context;
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException ignored) {
            // the request body is the connection's; nothing to release
        }
        try {
            out.close();
        } catch (IOException ignored) {
            // as the JDK's exchange: close() does not throw
        }
    }

    @Override
    public InputStream getRequestBody() {
        return in;
    }

    @Override
    public OutputStream getResponseBody() {
        return out;
    }

    @Override
    public void sendResponseHeaders(int code, long length) throws IOException {
        if (responseCode != -1) {
            throw new IOException("headers already sent");
        }
        Status status = Status.of(code);
        boolean head = request.method().equals(Method.HEAD);
        if (status.forbidsBody() || head) {
            responseStream.discard = true;
        } else if (length < 0) {
            responseStream.discard = true;
        } else if (length > 0) {
            responseStream.remaining = length;
        }
        responseCode = code;
        long declared = head && length <= 0 ? declaredLength() : length;
        send(new ExchangeBridge.Signal.Head(code, ExchangeBridge.toOurs(responseHeaders), declared));
        if (responseStream.discard) {
            responseStream.closed = true;
            signalEnd();
        }
    }

    /**
     * For HEAD, the length of the GET body: the JDK's contract is that a handler sets Content-Length itself and sends
     * -1 (its own file server does); -1 if it set none, or not a number, so that no length is claimed.
     */
    private long declaredLength() {
        String value = responseHeaders.getFirst("Content-Length");
        if (value == null) {
            return -1;
        }
        try {
            long length = Long.parseLong(value.strip());
            return length >= 0 ? length : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
        return inet(request.remoteAddress());
    }

    @Override
    public int getResponseCode() {
        return responseCode;
    }

    @Override
    public InetSocketAddress getLocalAddress() {
        return inet(request.localAddress());
    }

    private static InetSocketAddress inet(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? inet : null;
    }

    @Override
    public String getProtocol() {
        return request.version().text();
    }

    /**
     * This exchange's attribute, else the context's: HttpContext.getAttributes() documents that its attributes are
     * visible to every exchange of the context. Attributes set here stay with this exchange.
     */
    @Override
    public Object getAttribute(String name) {
        Objects.requireNonNull(name, "name");
        Object value = attributes.get(name);
        return value != null ? value : context.getAttributes().get(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
        Objects.requireNonNull(name, "name");
        if (value == null) {
            attributes.remove(name);
        } else {
            attributes.put(name, value);
        }
    }

    @Override
    public void setStreams(InputStream i, OutputStream o) {
        if (i != null) {
            in = i;
        }
        if (o != null) {
            out = o;
        }
    }

    @Override
    public HttpPrincipal getPrincipal() {
        return principal;
    }

    void setPrincipal(HttpPrincipal principal) {
        this.principal = principal;
    }

    /**
     * The handler returned. The exchange stays open until it is closed (the handler may have handed it on), unless a
     * fixed-length body was written whole: that response is ended here.
     */
    void handlerReturned() throws IOException {
        if (responseCode != -1 && responseStream.remaining == 0 && !responseStream.closed) {
            responseStream.close();
        }
    }

    /** The handler failed: the request's tasklet answers 500 or aborts the body. */
    void fail(Throwable cause) {
        if (!ended) {
            ended = true;
            try {
                pipe.trySend(new ExchangeBridge.Signal.Failed(cause));
            } catch (ChannelClosedException ignored) {
                // the client is gone already
            }
        }
    }

    private void signalEnd() {
        if (!ended) {
            ended = true;
            try {
                pipe.send(new ExchangeBridge.Signal.End());
            } catch (ChannelClosedException ignored) {
                // nobody reads the rest: HEAD, a body-less status, or the client left
            }
        }
    }

    private void send(ExchangeBridge.Signal signal) throws IOException {
        try {
            pipe.send(signal);
        } catch (ChannelClosedException e) {
            throw new IOException("the client connection was closed", e);
        }
    }

    /**
     * The request body, readable only on the request's dispatcher: it comes straight from the connection, which only
     * that dispatcher's tasklets may read. A handler that hands the exchange to another thread must read the body
     * first; a read elsewhere fails at once, naming that, rather than racing the connection.
     */
    private static final class OnItsDispatcher extends java.io.FilterInputStream {
        private final Dispatcher dispatcher;

        OnItsDispatcher(InputStream in, Dispatcher dispatcher) {
            super(in);
            this.dispatcher = dispatcher;
        }

        private void check() throws IOException {
            if (Dispatcher.current() != dispatcher) {
                throw new IOException("the request body can be read only on the request's dispatcher (in the handler"
                        + " or a tasklet it spawns); read it before handing the exchange to " + Thread.currentThread());
            }
        }

        @Override
        public int read() throws IOException {
            check();
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            check();
            return in.read(b, off, len);
        }

        @Override
        public long skip(long n) throws IOException {
            check();
            return in.skip(n);
        }

        @Override
        public int available() throws IOException {
            check();
            return in.available();
        }

        @Override
        public void close() throws IOException {
            if (Dispatcher.current() == dispatcher) {
                in.close();
            }
            // Elsewhere: nothing to release; the server drains or drops an unread body when the exchange ends.
        }
    }

    /** The response body: chunks to the request's tasklet, with the JDK's length checks. */
    private final class ResponseStream extends OutputStream {
        private byte[] buffer;
        private int count;
        /** Bytes still owed for a fixed length; -1 for chunked. */
        private long remaining = -1;
        private boolean discard;
        private boolean closed;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (closed) {
                throw new IOException("stream is closed");
            }
            if (responseCode == -1) {
                throw new IOException("response headers not sent yet");
            }
            if (discard) {
                return;
            }
            if (remaining >= 0) {
                if (len > remaining) {
                    throw new IOException("too many bytes to write to stream");
                }
                remaining -= len;
            }
            if (buffer == null) {
                buffer = new byte[CHUNK];
            }
            while (len > 0) {
                int n = Math.min(len, buffer.length - count);
                System.arraycopy(b, off, buffer, count, n);
                count += n;
                off += n;
                len -= n;
                if (count == buffer.length) {
                    flush();
                }
            }
        }

        @Override
        public void flush() throws IOException {
            if (count > 0 && !discard) {
                send(new ExchangeBridge.Signal.Chunk(java.util.Arrays.copyOf(buffer, count)));
                count = 0;
            }
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            if (responseCode == -1) {
                // Closed with nothing sent: the request is answered 500 (the JDK's server drops the connection).
                closed = true;
                fail(new IOException("the exchange for " + context.getPath() + " was closed before"
                        + " sendResponseHeaders"));
                return;
            }
            closed = true;
            flush();
            if (remaining > 0) {
                IOException e = new IOException("insufficient bytes written to stream");
                fail(e);
                throw e;
            }
            signalEnd();
        }
    }
}
