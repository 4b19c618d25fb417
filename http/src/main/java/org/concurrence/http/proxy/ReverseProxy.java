package org.concurrence.http.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLHandshakeException;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Timeout;
import org.concurrence.http.Handler;
import org.concurrence.http.Headers;
import org.concurrence.http.HttpException;
import org.concurrence.http.Method;
import org.concurrence.http.Request;
import org.concurrence.http.Response;
import org.concurrence.http.ResponseBody;
import org.concurrence.http.Status;
import org.concurrence.http.client.ClientRequest;
import org.concurrence.http.client.ClientResponse;
import org.concurrence.http.client.HttpClient;
import org.concurrence.http.client.HttpClientOptions;
import org.concurrence.http.client.Origin;
import org.concurrence.http.proxy.Upstreams.Upstream;

/**
 * A handler that forwards every request to an upstream server and streams its response back: the gateway in front
 * of a service, as nginx's {@code proxy_pass}.
 * <pre>{@code
 * ReverseProxy api = ReverseProxy.to("http://127.0.0.1:9000");
 * HttpServer.start(address, api);                                        // everything to the upstream, or with the
 * HttpServer.start(address, Router.builder().mount("/api", api).build()); // web module, only what is under /api
 * ReverseProxy pool = ReverseProxy.to(List.of(URI.create("http://10.0.0.1:9000"), URI.create("http://10.0.0.2:9000")));
 * }</pre>
 *
 * <p><b>Several upstreams</b> ({@link #to(List)}) take the requests in turn (round robin). One that cannot be reached
 * — the connection is refused, cannot be routed, does not connect within the client's connect timeout, its name does
 * not resolve or its TLS handshake fails, so that not a byte of the request went to it — is left out for the
 * {@linkplain #withFailTimeout fail timeout} (10 s by default), and the request goes to the next one, whatever its
 * method: each upstream is tried at most once per request, all within the request's one deadline. After its fail
 * timeout a left-out upstream gets a request again, and is back in turn as soon as one is answered. If all are left
 * out, the one whose fail timeout ends first is tried (the copies of a proxy share which are left out, and may have
 * different fail timeouts). Any other failure (a reset or a malformed answer after the request went up, a timeout
 * waiting for the answer) is the request's alone: it may have been acted on, so it is not sent again.
 * {@link #upstreams()} shows which are left out, for a health page.
 *
 * <p><b>What goes up.</b> The method, the target's path and query appended to the upstream's path
 * ({@code /users?id=7} to {@code http://u/api} goes to {@code http://u/api/users?id=7}), the header fields but the
 * hop-by-hop ones (RFC 9110 §7.6.1: {@code Connection} and the fields it names, {@code Keep-Alive}, {@code TE},
 * {@code Trailer}, {@code Transfer-Encoding}, {@code Upgrade}, {@code Proxy-Connection}, {@code Proxy-Authorization}),
 * {@code Expect} (the server answers it) and {@code Content-Length} (the client frames the body again), and the body as
 * it arrives, never held whole. {@code Host} becomes the upstream's authority, unless
 * {@link #withPreservedHost preserved}. The proxy adds itself to {@code Via} (RFC 9110 §7.6.3) and, as
 * {@link #withForwarding} chooses, appends the client's address to {@code X-Forwarded-For} and sets
 * {@code X-Forwarded-Proto} and {@code X-Forwarded-Host} to what the client used (values a client sent in those two
 * are replaced, not trusted), or appends the same to the standard {@code Forwarded} field, or both.
 *
 * <p><b>What comes back.</b> The upstream's status and fields but the hop-by-hop ones, and its body streamed as it
 * arrives: each read from the upstream is flushed to the client, so server-sent events and long polls pass at once.
 * Bodies are passed as they are coded (no decompression).
 *
 * <p><b>Upgrades.</b> A GET that asks to switch protocols (a WebSocket handshake: {@code Upgrade} and
 * {@code Connection: Upgrade}) goes up on a connection of its own with those fields; if the upstream answers
 * {@code 101}, the client's connection and that one are joined and bytes flow both ways until either side closes, the
 * upstream is silent for the server's idle timeout, or the server stops. Any other answer comes back as it is (its
 * body only with a Content-Length of at most 64 KiB; otherwise 502).
 *
 * <p><b>Failures</b> fail only their request: an upstream that cannot be reached, breaks before its response head or
 * sends a malformed one gives {@code 502 Bad Gateway}; one that does not answer within the timeout, {@code 504 Gateway
 * Timeout} (the details are logged, not sent). A failure of the request body (too large, malformed, too slow) keeps
 * its own status (413, 400, 408). An upstream that fails in the middle of its body cuts the response to the client
 * (the connection is closed, as the upstream's was), since its status went out already.
 *
 * <p><b>Blocking and deadlines.</b> {@link #handle} parks the request's tasklet while it connects, sends and waits for
 * the upstream's head; the body is copied afterwards, while the server writes the response. The whole upstream
 * exchange, body included, runs under one deadline: {@link #withTimeout the timeout} (60 s by default) and never past
 * the request's own deadline (a {@code TimeoutFilter}'s, say). Connections to the upstream are pooled by the
 * {@link HttpClient} (its per-origin limit applies; a request waits for a connection under the same deadline).
 *
 * <p>Thread-safety: immutable; one instance serves every request on every dispatcher. {@link #close()} closes the
 * client it made itself (not one given with {@link #withClient}).
 */
public final class ReverseProxy implements Handler, AutoCloseable {
    /** The default deadline of an upstream exchange, body included. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private static final System.Logger LOG = System.getLogger(ReverseProxy.class.getName());
    private static final String VIA = "1.1 concurrence";
    /** The largest buffer a body is copied through. */
    private static final int MAX_BUFFER = 8192;

    /** How long an upstream that could not be reached is left out by default, as nginx's {@code fail_timeout}. */
    public static final Duration DEFAULT_FAIL_TIMEOUT = Duration.ofSeconds(10);

    /** Shared by a proxy's copies: which upstreams are left out is a fact about the servers, not a setting. */
    private final Upstreams upstreams;
    private final HttpClient client;
    private final boolean ownsClient;
    private final Duration timeout;
    private final Duration failTimeout;
    private final boolean preserveHost;
    private final Forwarding forwarding;

    private ReverseProxy(Upstreams upstreams, HttpClient client, boolean ownsClient, Duration timeout,
            Duration failTimeout, boolean preserveHost, Forwarding forwarding) {
        this.upstreams = upstreams;
        this.client = client;
        this.ownsClient = ownsClient;
        this.timeout = timeout;
        this.failTimeout = failTimeout;
        this.preserveHost = preserveHost;
        this.forwarding = forwarding;
    }

    /**
     * An upstream of a proxy, as {@link #upstreams()} shows it.
     *
     * @param uri       the upstream as given
     * @param available false while it is left out (it could not be reached and has not answered since)
     */
    public record UpstreamStatus(URI uri, boolean available) {}

    /**
     * A proxy to {@code upstream}: an absolute {@code http} or {@code https} URI, with a path that prefixes every
     * forwarded target (or none); no query or fragment. It makes its own client: pooled connections, no decompression,
     * no redirects followed, no cookies kept, no User-Agent added.
     *
     * @throws IllegalArgumentException if {@code upstream} is not such a URI
     */
    public static ReverseProxy to(URI upstream) {
        return to(List.of(Objects.requireNonNull(upstream, "upstream")));
    }

    /**
     * A proxy to several upstreams taken in turn, each as {@link #to(URI)} takes one (their paths may differ); see the
     * class comment for how one that cannot be reached is left out.
     *
     * @throws IllegalArgumentException if the list is empty or one of them is not such a URI
     */
    public static ReverseProxy to(List<URI> upstreams) {
        if (upstreams.isEmpty()) {
            throw new IllegalArgumentException("a proxy needs at least one upstream");
        }
        for (URI upstream : upstreams) {
            Objects.requireNonNull(upstream, "upstream");
            Origin.of(upstream); // an absolute http(s) URI with a host, or IllegalArgumentException
            if (upstream.getRawQuery() != null || upstream.getRawFragment() != null) {
                throw new IllegalArgumentException("the upstream of a proxy takes no query or fragment: " + upstream);
            }
        }
        HttpClient client = HttpClient.create(HttpClientOptions.defaults().withDecompression(false)
                .withUserAgent(null));
        return new ReverseProxy(new Upstreams(List.copyOf(upstreams)), client, true, DEFAULT_TIMEOUT,
                DEFAULT_FAIL_TIMEOUT, false, Forwarding.X_FORWARDED);
    }

    /** {@link #to(URI)} from a string. */
    public static ReverseProxy to(String upstream) {
        return to(URI.create(upstream));
    }

    /**
     * A copy that sends through {@code client} (shared, and not closed by this proxy). Give it no decompression, or
     * the bodies arrive decoded under their original fields.
     */
    public ReverseProxy withClient(HttpClient client) {
        return new ReverseProxy(upstreams, Objects.requireNonNull(client, "client"), false, timeout, failTimeout,
                preserveHost, forwarding);
    }

    /**
     * A copy whose upstream exchanges, body included, end at {@code timeout} (504 if the head has not come by then).
     *
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    public ReverseProxy withTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the proxy's timeout must be positive: " + timeout);
        }
        return new ReverseProxy(upstreams, client, ownsClient, timeout, failTimeout, preserveHost, forwarding);
    }

    /**
     * A copy that leaves an upstream that could not be reached out for {@code failTimeout} at a time ({@code ZERO}: it
     * is still skipped for the request that met the failure, but tried again by the next).
     *
     * @throws IllegalArgumentException if {@code failTimeout} is negative
     */
    public ReverseProxy withFailTimeout(Duration failTimeout) {
        if (failTimeout.isNegative()) {
            throw new IllegalArgumentException("the proxy's fail timeout must not be negative: " + failTimeout);
        }
        return new ReverseProxy(upstreams, client, ownsClient, timeout, failTimeout, preserveHost, forwarding);
    }

    /** The upstreams in the order given, and whether each is in the rotation now. */
    public List<UpstreamStatus> upstreams() {
        return upstreams.all().stream().map(u -> new UpstreamStatus(u.uri, !u.isDown())).toList();
    }

    /** A copy that sends the client's {@code Host} up instead of the upstream's authority. */
    public ReverseProxy withPreservedHost(boolean preserve) {
        return new ReverseProxy(upstreams, client, ownsClient, timeout, failTimeout, preserve, forwarding);
    }

    /** A copy that tells the upstream about the client with {@code forwarding}'s fields (by default X-Forwarded-*). */
    public ReverseProxy withForwarding(Forwarding forwarding) {
        return new ReverseProxy(upstreams, client, ownsClient, timeout, failTimeout, preserveHost,
                Objects.requireNonNull(forwarding, "forwarding"));
    }

    @Override
    public Response handle(Request request) throws IOException {
        Headers fields = upstreamFields(request);
        // One deadline for every upstream tried: a connect timeout ends an attempt, this ends the request.
        try (Timeout _ = Timeout.after(timeout)) {
            List<Upstream> tried = List.of(); // those that could not be reached, made a list on the first
            while (true) {
                Upstream upstream = upstreams.next(tried);
                try {
                    Response response = forward(request, upstream, fields);
                    upstream.answered();
                    return response;
                } catch (IOException | DeadlineExceededException e) {
                    if (!couldNotConnect(e)) {
                        throw failed(request, upstream, e);
                    }
                    upstream.failed(failTimeout, e);
                    if (tried.size() + 1 >= upstreams.size()) {
                        throw failed(request, upstream, e);
                    }
                    if (tried.isEmpty()) {
                        tried = new ArrayList<>(upstreams.size() - 1);
                    }
                    tried.add(upstream);
                }
            }
        }
    }

    /** Sends {@code request} to {@code upstream} and returns its answer to pass back. */
    private Response forward(Request request, Upstream upstream, Headers fields) throws IOException {
        String upgrade = request.header("Upgrade");
        URI target = target(request, upstream);
        if (upgrade != null && request.method().equals(Method.GET) && request.body().isEmpty()) {
            return UpgradeTunnel.open(client, target, upgrade, fields, timeout);
        }
        return respond(request, client.send(new ClientRequest(request.method(), target, fields, body(request)),
                timeout));
    }

    /**
     * Whether {@code e} says the upstream could not be reached, so that not a byte of the request went to it: a
     * refused, unroutable or unresolvable connection, a failed TLS handshake, or a connect that timed out before the
     * request's own deadline (the only shorter deadline inside a call is the client's connect timeout).
     */
    private static boolean couldNotConnect(Exception e) {
        return switch (e) {
            case ConnectException _, NoRouteToHostException _, UnknownHostException _, SSLHandshakeException _ -> true;
            case DeadlineExceededException _ -> !Timeout.expired();
            default -> false;
        };
    }

    /**
     * The status that answers a failed upstream exchange (the details go to the log, not to the client). A failure of
     * the request's own body is an {@link HttpException} (413, 400, 408), which passes through {@link #handle} as it
     * is.
     */
    private static RuntimeException failed(Request request, Upstream upstream, Exception e) {
        return switch (e) {
            case DeadlineExceededException _ when Timeout.expired() -> {
                LOG.log(System.Logger.Level.WARNING, "proxy: " + request.method() + " " + request.target() + " to "
                        + upstream + " timed out", e);
                yield new HttpException(Status.GATEWAY_TIMEOUT, "the upstream server did not answer in time", e);
            }
            default -> { // unreachable, broken, or a malformed answer (MalformedResponseException)
                LOG.log(System.Logger.Level.WARNING, "proxy: " + request.method() + " " + request.target() + " to "
                        + upstream + " failed", e);
                yield new HttpException(Status.BAD_GATEWAY,
                        "the upstream server could not be reached or answered wrongly", e);
            }
        };
    }

    /**
     * The upstream URI of {@code request}: the upstream's origin and path, then the request's raw path and query, put
     * together as text — never {@code URI.resolve}, which would read a target such as {@code //other.example/x} as
     * another host's.
     */
    private static URI target(Request request, Upstream upstream) {
        String query = request.rawQuery();
        String uri = upstream.base + request.rawPath() + (query.isEmpty() ? "" : "?" + query);
        try {
            return new URI(uri);
        } catch (URISyntaxException e) {
            throw new HttpException(Status.BAD_REQUEST, "the request target cannot be forwarded", e);
        }
    }

    private Headers upstreamFields(Request request) {
        Headers in = request.headers();
        Headers out = new Headers(in.size() + 4);
        HopByHop hopByHop = HopByHop.of(in);
        for (int i = 0; i < in.size(); i++) {
            String name = in.name(i);
            if (hopByHop.contains(name) || name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Expect")
                    || name.equalsIgnoreCase("Via") || (name.equalsIgnoreCase("Host") && !preserveHost)) {
                continue;
            }
            if (forwarding.setsItself(name)) {
                continue; // set below
            }
            out.add(name, in.value(i));
        }
        out.add("Via", joined(in.all("Via"), VIA)); // the earlier hops' first, in one field
        forwarding.addTo(out, request, in);
        return out;
    }

    /** {@code earlier}'s values and then {@code last}, as one comma-separated list. */
    static String joined(List<String> earlier, String last) {
        return earlier.isEmpty() ? last : String.join(", ", earlier) + ", " + last;
    }

    /** The request's body as it arrives, framed again by the client; none if it has none. */
    private static ClientRequest.Body body(Request request) {
        if (request.body().isEmpty()) {
            return ClientRequest.Body.empty();
        }
        InputStream in = request.body().stream();
        long length = request.body().length();
        return ClientRequest.Body.ofWriter(length, out -> copy(in, out, length));
    }

    private static Response respond(Request request, ClientResponse response) {
        Headers in = response.headers();
        Response.Builder b = Response.builder(response.status());
        HopByHop hopByHop = HopByHop.of(in);
        for (int i = 0; i < in.size(); i++) {
            String name = in.name(i);
            if (!hopByHop.contains(name) && !name.equalsIgnoreCase("Content-Length")) {
                b.addHeader(name, in.value(i));
            }
        }
        long length = declaredLength(in);
        if (request.method().equals(Method.HEAD)) {
            response.close();
            // The length a GET would have, or none if the upstream gave none; the server sends no body for a HEAD.
            return b.body(ResponseBody.ofWriter(length, out -> { })).build();
        }
        if (!response.hasBody()) {
            response.close();
            return b.body(ResponseBody.empty()).build();
        }
        return b.body(ResponseBody.ofWriter(length, new Relay(response, length))).build();
    }

    /** The upstream's Content-Length, or -1 if it has none (chunked, or close-delimited) or it does not parse. */
    static long declaredLength(Headers fields) {
        String value = fields.get("Content-Length");
        if (value == null || fields.contains("Transfer-Encoding")) {
            return -1;
        }
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Copies {@code in} to its end into {@code out}, flushing whenever {@code in} has nothing more at once: what came
     * is on its way before the copy waits for more (server-sent events, long polls, slow uploads pass at once), while
     * a bulk transfer still goes in large writes. The buffer is no larger than the body ({@code length}, -1 if not
     * known): most bodies are small, and 8 KiB per message is garbage at a proxy's rates.
     */
    private static void copy(InputStream in, OutputStream out, long length) throws IOException {
        byte[] buffer = new byte[length < 0 ? MAX_BUFFER : (int) Math.clamp(length, 1, MAX_BUFFER)];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            out.write(buffer, 0, n);
            if (in.available() == 0) {
                out.flush();
            }
        }
    }

    /** The upstream's body, copied to the client as it is sent; the upstream response let go either way. */
    private record Relay(ClientResponse response, long length) implements ResponseBody.BodyWriter {
        @Override
        public void writeTo(OutputStream out) throws IOException {
            try (response) {
                copy(response.stream(), out, length);
            }
        }

        @Override
        public void discard() {
            response.close();
        }
    }

    /** Closes the client this proxy made (idle connections, and later calls fail); not one given to it. */
    @Override
    public void close() {
        if (ownsClient) {
            client.close();
        }
    }

    @Override
    public String toString() {
        return "ReverseProxy" + upstreams.all();
    }
}
