package org.concurrence.http.client;

import java.time.Duration;
import java.util.Objects;
import org.concurrence.io.tls.TlsOptions;

/**
 * How an {@link HttpClient} connects, pools and times out. Start from {@link #defaults()} and change fields with the
 * {@code with...} methods.
 *
 * <p>Immutable and thread-safe. The constructor refuses a value out of range ({@link IllegalArgumentException}).
 *
 * @param connectTimeout          longest a new connection may take to connect and, for https, finish its TLS
 *                                handshake (and never past the call's deadline)
 * @param requestTimeout          the deadline of a {@link HttpClient#send(ClientRequest)} without a {@code Duration}:
 *                                from the call to the end of the response body, every step included; null for none
 *                                (then only the tasklet's own deadline applies)
 * @param maxConnectionsPerOrigin connections open to one origin at once, over all dispatchers; a call that needs one
 *                                more waits for one (under its deadline)
 * @param idleTimeout             how long a connection may wait in the pool for its next request before it is closed
 *                                (keep it shorter than the servers' own idle timeouts, so they rarely close first)
 * @param maxHeadSize             longest response head (status line and fields), bytes
 * @param maxHeaderCount          most fields in a response head
 * @param maxBufferedBodySize     largest body {@link ClientResponse#bytes()} or {@link ClientResponse#text()} will
 *                                hold, bytes
 * @param maxDrainSize            unread response body that {@link ClientResponse#close()} reads and drops to keep the
 *                                connection; more, and the connection is closed instead
 * @param tls                     the TLS settings for https (client-mode {@link TlsOptions}: trusted authorities, host
 *                                name verification, protocols); null for the JDK's trusted authorities with host name
 *                                verification, made on first use
 * @param userAgent               the User-Agent field sent with requests that set none; null to send none
 * @param followRedirects         which redirects {@code send} follows
 * @param maxRedirects            most redirects followed for one call
 * @param expectContinueTimeout   how long a request with {@code Expect: 100-continue} waits for the interim 100 before
 *                                it sends its body anyway
 * @param decompress              whether requests that set no {@code Accept-Encoding} ask for {@code gzip, deflate} and
 *                                their responses are decoded as they are read (see {@link ClientResponse}); a request
 *                                that sets {@code Accept-Encoding} itself always gets the body as sent
 * @param cookieJar               where cookies are kept: responses' {@code Set-Cookie} fields are stored there and
 *                                requests carry the cookies that match them (redirects followed included); null (the
 *                                default) for no cookie handling — {@code Cookie} fields a request sets go as they are
 * @param proxy                   the HTTP proxy requests go through (see {@link ForwardProxy}); null (the default) to
 *                                connect to every origin directly
 */
public record HttpClientOptions(
        Duration connectTimeout,
        Duration requestTimeout,
        int maxConnectionsPerOrigin,
        Duration idleTimeout,
        int maxHeadSize,
        int maxHeaderCount,
        int maxBufferedBodySize,
        long maxDrainSize,
        TlsOptions tls,
        String userAgent,
        Redirects followRedirects,
        int maxRedirects,
        Duration expectContinueTimeout,
        boolean decompress,
        CookieJar cookieJar,
        ForwardProxy proxy) {

    public HttpClientOptions {
        positive("connectTimeout", connectTimeout);
        if (requestTimeout != null) {
            positive("requestTimeout", requestTimeout);
        }
        positive("maxConnectionsPerOrigin", maxConnectionsPerOrigin);
        positive("idleTimeout", idleTimeout);
        positive("maxHeadSize", maxHeadSize);
        positive("maxHeaderCount", maxHeaderCount);
        positive("maxBufferedBodySize", maxBufferedBodySize);
        if (maxDrainSize < 0) {
            throw new IllegalArgumentException("maxDrainSize must be at least 0: " + maxDrainSize);
        }
        if (tls != null && !tls.clientMode()) {
            throw new IllegalArgumentException("tls must be client options (TlsOptions.client...), not a server's");
        }
        if (userAgent != null && (userAgent.isEmpty()
                || !userAgent.chars().allMatch(c -> c == '\t' || (c >= 0x20 && c != 0x7f && c <= 0xff)))) {
            throw new IllegalArgumentException("userAgent must be non-empty printable text (it becomes a header): \""
                    + userAgent + "\"");
        }
        Objects.requireNonNull(followRedirects, "followRedirects");
        if (maxRedirects < 0) {
            throw new IllegalArgumentException("maxRedirects must be at least 0: " + maxRedirects);
        }
        positive("expectContinueTimeout", expectContinueTimeout);
    }

    private static void positive(String name, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }

    private static void positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }

    /**
     * Defaults: connect (with TLS handshake) 10 s, requests 30 s from the call to the end of the body, 64 connections
     * per origin, idle connections closed after 30 s, response heads up to 64 KiB in 200 fields, bodies up to 16 MiB
     * held whole, 64 KiB drained on close, the JDK's trusted authorities with host name verification,
     * {@code User-Agent: Concurrence}, redirects not followed (at most 5 when they are), 1 s for a 100 Continue,
     * gzip and deflate asked for and decoded, no cookies kept, no proxy.
     */
    public static HttpClientOptions defaults() {
        return new HttpClientOptions(Duration.ofSeconds(10), Duration.ofSeconds(30), 64, Duration.ofSeconds(30),
                64 * 1024, 200, 16 * 1024 * 1024, 64 * 1024, null, "Concurrence", Redirects.NEVER, 5,
                Duration.ofSeconds(1), true, null, null);
    }

    public HttpClientOptions withConnectTimeout(Duration v) {
        return new HttpClientOptions(v, requestTimeout, maxConnectionsPerOrigin, idleTimeout, maxHeadSize,
                maxHeaderCount, maxBufferedBodySize, maxDrainSize, tls, userAgent, followRedirects, maxRedirects,
                expectContinueTimeout, decompress, cookieJar, proxy);
    }

    /** These options with {@code v} as the default request deadline; null for none. */
    public HttpClientOptions withRequestTimeout(Duration v) {
        return new HttpClientOptions(connectTimeout, v, maxConnectionsPerOrigin, idleTimeout, maxHeadSize,
                maxHeaderCount, maxBufferedBodySize, maxDrainSize, tls, userAgent, followRedirects, maxRedirects,
                expectContinueTimeout, decompress, cookieJar, proxy);
    }

    public HttpClientOptions withMaxConnectionsPerOrigin(int v) {
        return new HttpClientOptions(connectTimeout, requestTimeout, v, idleTimeout, maxHeadSize, maxHeaderCount,
                maxBufferedBodySize, maxDrainSize, tls, userAgent, followRedirects, maxRedirects, expectContinueTimeout,
                decompress, cookieJar, proxy);
    }

    public HttpClientOptions withIdleTimeout(Duration v) {
        return new HttpClientOptions(connectTimeout, requestTimeout, maxConnectionsPerOrigin, v, maxHeadSize,
                maxHeaderCount, maxBufferedBodySize, maxDrainSize, tls, userAgent, followRedirects, maxRedirects,
                expectContinueTimeout, decompress, cookieJar, proxy);
    }

    public HttpClientOptions withMaxHeadSize(int v) {
        return new HttpClientOptions(connectTimeout, requestTimeout, maxConnectionsPerOrigin, idleTimeout, v,
                maxHeaderCount, maxBufferedBodySize, maxDrainSize, tls, userAgent, followRedirects, maxRedirects,
                expectContinueTimeout, decompress, cookieJar, proxy);
    }

    public HttpClientOptions withMaxHeaderCount(int v) {
        return new HttpClientOptions(connectTimeout, requestTimeout, maxConnectionsPerOrigin, idleTimeout, maxHeadSize,
                v, maxBufferedBodySize, maxDrainSize, tls, userAgent, followRedirects, maxRedirects,
                expectContinueTimeout, decompress, cookieJar, proxy);
    }

    public HttpClientOptions withMaxBufferedBodySize(int v) {
        return new HttpClientOptions(connectTimeout, requestTimeout, maxConnectionsPerOrigin, idleTimeout, maxHeadSize,
                maxHeaderCount, v, maxDrainSize, tls, userAgent, followRedirects, maxRedirects, expectContinueTimeout,
                decompress, cookieJar, proxy);
    }

    public HttpClientOptions withMaxDrainSize(long v) {
        return new HttpClientOptions(connectTimeout, requestTimeout, maxConnectionsPerOrigin, idleTimeout, maxHeadSize,
                maxHeaderCount, maxBufferedBodySize, v, tls, userAgent, followRedirects, maxRedirects,
                expectContinueTimeout, decompress, cookieJar, proxy);
    }

    /** These options with {@code v} for https (client-mode options); null for the JDK's defaults. */
    public HttpClientOptions withTls(TlsOptions v) {
        return new HttpClientOptions(connectTimeout, requestTimeout, maxConnectionsPerOrigin, idleTimeout, maxHeadSize,
                maxHeaderCount, maxBufferedBodySize, maxDrainSize, v, userAgent, followRedirects, maxRedirects,
                expectContinueTimeout, decompress, cookieJar, proxy);
    }

    /** These options with {@code v} as the User-Agent; null to send none. */
    public HttpClientOptions withUserAgent(String v) {
        return new HttpClientOptions(connectTimeout, requestTimeout, maxConnectionsPerOrigin, idleTimeout, maxHeadSize,
                maxHeaderCount, maxBufferedBodySize, maxDrainSize, tls, v, followRedirects, maxRedirects,
                expectContinueTimeout, decompress, cookieJar, proxy);
    }

    public HttpClientOptions withFollowRedirects(Redirects v) {
        return new HttpClientOptions(connectTimeout, requestTimeout, maxConnectionsPerOrigin, idleTimeout, maxHeadSize,
                maxHeaderCount, maxBufferedBodySize, maxDrainSize, tls, userAgent, v, maxRedirects,
                expectContinueTimeout, decompress, cookieJar, proxy);
    }

    public HttpClientOptions withMaxRedirects(int v) {
        return new HttpClientOptions(connectTimeout, requestTimeout, maxConnectionsPerOrigin, idleTimeout, maxHeadSize,
                maxHeaderCount, maxBufferedBodySize, maxDrainSize, tls, userAgent, followRedirects, v,
                expectContinueTimeout, decompress, cookieJar, proxy);
    }

    public HttpClientOptions withExpectContinueTimeout(Duration v) {
        return new HttpClientOptions(connectTimeout, requestTimeout, maxConnectionsPerOrigin, idleTimeout, maxHeadSize,
                maxHeaderCount, maxBufferedBodySize, maxDrainSize, tls, userAgent, followRedirects, maxRedirects, v,
                decompress, cookieJar, proxy);
    }

    /**
     * These options with response decompression on ({@code true}, the default) or off: off, requests go without
     * {@code Accept-Encoding} unless they set it, and bodies are returned as the server sent them.
     */
    public HttpClientOptions withDecompression(boolean v) {
        return new HttpClientOptions(connectTimeout, requestTimeout, maxConnectionsPerOrigin, idleTimeout, maxHeadSize,
                maxHeaderCount, maxBufferedBodySize, maxDrainSize, tls, userAgent, followRedirects, maxRedirects,
                expectContinueTimeout, v, cookieJar, proxy);
    }

    /**
     * These options with cookies kept in {@code v} (shared by every call of the client, and by other clients given the
     * same jar); null to handle no cookies.
     */
    public HttpClientOptions withCookies(CookieJar v) {
        return new HttpClientOptions(connectTimeout, requestTimeout, maxConnectionsPerOrigin, idleTimeout, maxHeadSize,
                maxHeaderCount, maxBufferedBodySize, maxDrainSize, tls, userAgent, followRedirects, maxRedirects,
                expectContinueTimeout, decompress, v, proxy);
    }

    /** These options going through {@code proxy}; null to connect directly. */
    public HttpClientOptions withProxy(ForwardProxy proxy) {
        return new HttpClientOptions(connectTimeout, requestTimeout, maxConnectionsPerOrigin, idleTimeout, maxHeadSize,
                maxHeaderCount, maxBufferedBodySize, maxDrainSize, tls, userAgent, followRedirects, maxRedirects,
                expectContinueTimeout, decompress, cookieJar, proxy);
    }

    /** {@link #tls()}, or the JDK's defaults if it is null. */
    TlsOptions tlsOrDefault() {
        return tls != null ? tls : DefaultTls.OPTIONS;
    }

    /** The JDK's default client TLS options, made on first use (loading the trusted authorities takes a while). */
    private static final class DefaultTls {
        static final TlsOptions OPTIONS = TlsOptions.client();
    }
}
