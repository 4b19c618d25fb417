package org.concurrence.http.client;

import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongSupplier;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Tasklet;
import org.concurrence.core.TaskletExit;
import org.concurrence.core.Timeout;

/*
 * Implementation notes. A call is: take a connection (pool), run an Exchange on it (write the request, read the final
 * head), and return a ClientResponse that owns the connection until its body ends. Each step runs under one
 * CallDeadline (a Timeout scope for the steps inside send, the remaining time for each body read after it), and the
 * step's name goes into the failure when it runs out. A failure before the response is returned discards the
 * connection; the one retry is decided from what the Exchange noted (see send's Javadoc).
 */
/**
 * An HTTP/1.1 client for tasklets: plain blocking calls over pooled keep-alive connections, with deadlines.
 * <pre>{@code
 * try (HttpClient client = HttpClient.create();
 *      ClientResponse r = client.send(ClientRequest.get("https://example.com/"), Duration.ofSeconds(5))) {
 *     System.out.println(r.status() + ": " + r.text());
 * }
 * }</pre>
 *
 * <p><b>Sharing.</b> One client serves every tasklet of every dispatcher: make one per program (or per set of
 * options) and share it. Calls must be made from tasklets (sockets need one). A connection belongs to the dispatcher
 * of the tasklet that opened it (its socket does), so idle connections are kept per dispatcher and reused
 * most-recently-used first; the limit of {@link HttpClientOptions#maxConnectionsPerOrigin()} counts all of them.
 *
 * <p><b>Blocking and deadlines.</b> {@link #send(ClientRequest, Duration)} parks only the calling tasklet, at every
 * step: waiting for a pooled connection (when the origin's are all in use), connecting, the TLS handshake (those two
 * also within the connect timeout), writing the request (and calling a streamed body's writer), waiting for
 * {@code 100 Continue}, reading the response head — and afterwards every read of the response body. All of them
 * share one deadline: the {@code Duration} given, or the client's {@link HttpClientOptions#requestTimeout()} for
 * {@link #send(ClientRequest)}, never past the tasklet's own deadline ({@link Timeout} scopes). When it passes, that
 * call alone fails with {@link DeadlineExceededException} naming the request, the step and the origin
 * ({@code "GET http://x/slow: waiting for the response head from http://x:80 timed out after 2.00 s"}); its
 * connection is discarded. A kill ({@link TaskletExit}) discards it too. A read of the body cut off by a shorter
 * deadline of the caller's own (a {@link Timeout} scope around it) fails with that deadline and loses nothing: the
 * body can be read on (see {@link ClientResponse#stream()}), so a long stream can be read in bounded steps.
 *
 * <p><b>Errors</b> fail the call that met them and nothing else: a server that cannot be reached
 * ({@link java.net.ConnectException}), a failed handshake ({@link javax.net.ssl.SSLHandshakeException}), a malformed
 * response ({@link MalformedResponseException}), a connection that broke ({@link IOException}). Statuses, 4xx and 5xx
 * included, are responses, not exceptions.
 *
 * <p><b>Retry.</b> A pooled connection may have been closed by the server while it was idle; the request then fails
 * before a byte of response arrives. Such a failure (an I/O error on a reused connection, before any response byte)
 * is retried once, on a newly opened connection, if the request is idempotent (GET, HEAD, PUT, DELETE, OPTIONS,
 * TRACE) and its body can be sent again (not a streamed body whose writer already ran), or if not a byte of the
 * request had been written. Nothing else is retried: not timeouts, not malformed responses, not a request the server
 * may have acted on.
 *
 * <p><b>Redirects</b> are followed as {@link HttpClientOptions#followRedirects()} says (never, by default), at most
 * {@link HttpClientOptions#maxRedirects()} times, within the same deadline: 303 (and 301/302 after a POST) become a
 * GET without body; 307 and 308 repeat the method and body (unless the body was streamed: then the 3xx is returned);
 * Authorization and Cookie fields are not sent to another origin.
 *
 * <p><b>Cookies</b> are handled only with a {@link CookieJar} ({@link HttpClientOptions#withCookies}): every response
 * read (redirects followed included) stores what its {@code Set-Cookie} fields set, and every request — each redirect
 * too, for its own URL — carries the cookies that match it, after those of a {@code Cookie} field it sets itself.
 *
 * <p><b>Content codings</b>: unless turned off ({@link HttpClientOptions#withDecompression}), requests that set no
 * {@code Accept-Encoding} ask for {@code gzip, deflate}, and such bodies are decoded as they are read; see
 * {@link ClientResponse}.
 *
 * <p>Thread-safety: safe for any number of tasklets on any dispatchers at once. {@link #close()} closes idle
 * connections and fails later calls; connections in use close when their responses end.
 */
public final class HttpClient implements AutoCloseable {
    private final HttpClientOptions options;
    private final ConnectionPool pool;

    private HttpClient(HttpClientOptions options, LongSupplier clock) {
        this.options = Objects.requireNonNull(options, "options");
        this.pool = new ConnectionPool(options, clock);
    }

    /** A client with {@link HttpClientOptions#defaults()}. */
    public static HttpClient create() {
        return create(HttpClientOptions.defaults());
    }

    /** A client with {@code options}. */
    public static HttpClient create(HttpClientOptions options) {
        return new HttpClient(options, System::nanoTime);
    }

    /** A client whose pool reads idle times from {@code clock} (nanoseconds, as {@link System#nanoTime()}): tests. */
    static HttpClient create(HttpClientOptions options, LongSupplier clock) {
        return new HttpClient(options, clock);
    }

    public HttpClientOptions options() {
        return options;
    }

    /**
     * Sends {@code request} and returns its response once its head has arrived, under the client's
     * {@link HttpClientOptions#requestTimeout()} (if any) and the tasklet's deadline; see the class comment.
     */
    public ClientResponse send(ClientRequest request) throws IOException {
        return call(request, options.requestTimeout());
    }

    /**
     * Sends {@code request} and returns its response once its head has arrived; the whole call — connection,
     * request, response head and the reads of the body — takes at most {@code timeout} (and never past the tasklet's
     * deadline).
     *
     * @throws DeadlineExceededException  if a step ran out of time; the message names the request, the step and the
     *                                    origin
     * @throws MalformedResponseException if the server's answer was not valid HTTP/1.1
     * @throws IOException                if the server could not be reached or the connection failed
     * @throws IllegalStateException      if not called from a tasklet, or the client is closed
     */
    public ClientResponse send(ClientRequest request, Duration timeout) throws IOException {
        return call(request, Objects.requireNonNull(timeout, "timeout"));
    }

    /**
     * Sends {@code request} — one that asks to switch protocols: a GET with an {@code Upgrade} field and
     * {@code Connection: Upgrade}, e.g. a WebSocket handshake — on a connection of its own, outside the pool, and
     * returns the server's answer with that connection: the new protocol's if it switched (101), else its refusal.
     * Connecting (at most the {@linkplain HttpClientOptions#connectTimeout() connect timeout}), writing the head and
     * reading the answer's head take at most {@code timeout} (and never past the tasklet's deadline); no redirect is
     * followed, no cookie stored or sent, nothing retried.
     *
     * @throws DeadlineExceededException  if a step ran out of time; the message names the request, the step and the
     *                                    origin
     * @throws MalformedResponseException if the answer's head was not valid HTTP/1.1
     * @throws IOException                if the server could not be reached or the connection failed
     * @throws IllegalStateException      if not called from a tasklet
     */
    public ClientUpgrade upgrade(ClientRequest request, Duration timeout) throws IOException {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(timeout, "timeout");
        if (Tasklet.currentOrNull() == null) {
            throw new IllegalStateException("HttpClient.upgrade must be called from a tasklet (sockets need one), not "
                    + Thread.currentThread());
        }
        return ClientUpgrade.open(request, options, timeout);
    }

    private ClientResponse call(ClientRequest request, Duration timeout) throws IOException {
        Objects.requireNonNull(request, "request");
        if (Tasklet.currentOrNull() == null) {
            throw new IllegalStateException("HttpClient.send must be called from a tasklet (sockets need one), not "
                    + Thread.currentThread());
        }
        CallDeadline deadline = CallDeadline.after(timeout);
        ClientRequest current = request;
        for (int hop = 0; ; hop++) {
            ClientResponse response = exchange(current, deadline);
            storeCookies(response);
            ClientRequest next = RedirectRule.next(options.followRedirects(), current, response);
            if (next == null) {
                return response;
            }
            response.close();
            if (hop == options.maxRedirects()) {
                throw new IOException(request + ": more than " + options.maxRedirects() + " redirects (the last to "
                        + next.uri() + ")");
            }
            current = next;
        }
    }

    /** One request on one connection, retried once on a fresh connection when the retry rule allows. */
    private ClientResponse exchange(ClientRequest request, CallDeadline deadline) throws IOException {
        Origin origin = request.origin();
        String cookies = cookiesFor(request);
        boolean fresh = false;
        while (true) {
            String step = "waiting for a connection to";
            ClientConnection connection = null;
            Exchange exchange = null;
            try (Timeout _ = deadline.scope()) {
                Object taken = pool.take(origin, deadline, fresh);
                if (taken instanceof OriginPool slot) {
                    step = origin.isSecure() ? "connecting (TLS) to" : "connecting to";
                    connection = open(origin, slot);
                } else {
                    connection = (ClientConnection) taken;
                    if (connection.changedWhileIdle()) {
                        discard(connection); // the server closed it, or sent what no request asked (a 408, say)
                        continue;
                    }
                }
                exchange = new Exchange(connection, request, cookies, deadline, options);
                return exchange.run();
            } catch (DeadlineExceededException e) {
                discard(connection);
                throw deadline.timedOut(request, exchange != null ? exchange.step : step, e);
            } catch (MalformedResponseException e) {
                discard(connection);
                throw e;
            } catch (IOException e) {
                discard(connection);
                if (fresh || !mayRetry(connection, exchange)) {
                    throw e;
                }
                fresh = true;
            } catch (RuntimeException | Error e) {
                discard(connection);
                throw e;
            }
        }
    }

    /**
     * The jar's cookies for {@code request} (null if none, or no jar), leaving out those the request names in a
     * Cookie field of its own: one field goes out, the request's cookies first.
     */
    private String cookiesFor(ClientRequest request) {
        CookieJar jar = options.cookieJar();
        if (jar == null) {
            return null;
        }
        Set<String> own = new HashSet<>();
        for (String field : request.headers().all("Cookie")) {
            for (String pair : field.split(";")) {
                int eq = pair.indexOf('=');
                own.add((eq < 0 ? pair : pair.substring(0, eq)).strip());
            }
        }
        return jar.cookieHeader(request.uri(), own);
    }

    /** Keeps the cookies {@code response} sets, if the client has a jar. */
    private void storeCookies(ClientResponse response) {
        CookieJar jar = options.cookieJar();
        if (jar != null) {
            for (String setCookie : response.headers().all("Set-Cookie")) {
                jar.store(response.request().uri(), setCookie);
            }
        }
    }

    /** Opens a connection in the slot {@code slot} gave, giving the slot back if it fails. */
    private ClientConnection open(Origin origin, OriginPool slot) throws IOException {
        try {
            return ClientConnection.open(origin, slot, options, options.connectTimeout());
        } catch (IOException | RuntimeException | Error e) {
            slot.slotUnused();
            throw e;
        }
    }

    /**
     * The retry rule of the class comment: a reused connection that failed before a byte of response came, for a
     * request that can be sent again — idempotent with a body that can be replayed, or not a byte of it written.
     */
    private static boolean mayRetry(ClientConnection connection, Exchange exchange) {
        if (connection == null || exchange == null || connection.served == 0 || exchange.responseStarted) {
            return false;
        }
        ClientRequest request = exchange.request;
        boolean replayable = !(request.body() instanceof ClientRequest.Body.Streamed) || !exchange.bodyStarted;
        return replayable && (request.isIdempotent() || exchange.nothingWritten());
    }

    private static void discard(ClientConnection connection) {
        if (connection != null) {
            connection.abort();
            connection.pool.release(connection, false);
        }
    }

    /**
     * Closes the idle connections and makes later calls fail with {@link IllegalStateException}; connections in use
     * are closed when their responses end. Callable from any thread; never waits.
     */
    @Override
    public void close() {
        pool.close();
    }

    /** {@code HttpClient[3 connections open, 2 idle]}. */
    @Override
    public String toString() {
        int[] counts = pool.counts();
        return "HttpClient[" + counts[0] + " connections open, " + counts[1] + " idle]";
    }
}
