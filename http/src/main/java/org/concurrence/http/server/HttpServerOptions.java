package org.concurrence.http.server;

import java.time.Duration;
import java.util.Objects;
import org.concurrence.io.tls.TlsOptions;

/**
 * How an {@link HttpServer} runs: limits, timeouts and behaviour. Start from {@link #defaults()} and change fields
 * with the {@code with...} methods.
 *
 * <p>Immutable and thread-safe. The constructor refuses a value out of range ({@link IllegalArgumentException}) and a
 * null timeout.
 *
 * @param maxConnections           connections served at once; more wait in the listen backlog
 * @param maxRequestsPerConnection requests on one connection before the server closes it ({@code Connection:
 *                                 close} on the last response)
 * @param maxPipelined             pipelined requests of one connection handled at once; later ones wait
 * @param maxRequestLineLength     longest request line, bytes → 414 (501/400 for a bad one)
 * @param maxHeaderSize            longest request head after the request line, bytes → 431
 * @param maxHeaderCount           most header fields → 431
 * @param maxBodySize              largest request body, bytes → 413 (before reading when Content-Length says so)
 * @param maxBufferedBodySize      largest body {@code RequestBody.bytes()} or {@code text()} will hold → 413
 * @param maxDrainSize             unread request body the server reads and drops to keep the connection; more →
 *                                 close the connection after the response
 * @param headTimeout              time from the first byte of a request to the end of its head → 408, close
 * @param bodyTimeout              longest wait for the next bytes of a request body → 408, close
 * @param minBodyRate              least average rate of a request body, bytes per second, from one body timeout
 *                                 after its first read on (so a client trickling a byte per timeout cannot hold a
 *                                 connection for ever) → 408, close; 0 for no such check. It also bounds the
 *                                 server's drain of an unread body
 * @param idleTimeout              longest wait for the next request on a keep-alive connection → close
 * @param writeTimeout             longest wait for the client to take response bytes → close
 * @param serverName               the Server header, or null for none; printable text, no CR or LF
 * @param development              show exception stack traces in 500 responses (never in production)
 * @param tls                      the TLS settings of an HTTPS server (server-mode {@link TlsOptions}), or null for
 *                                 plain HTTP; the handshake must finish within the head timeout
 * @param restAfter                how long a keep-alive connection waits for its next request in its own tasklet;
 *                                 after that it rests: its tasklet ends and the connection is held by no tasklet (so
 *                                 no parked stack, 1–3 KB) until the client sends, when a new tasklet serves it; the
 *                                 idle timeout still closes it. {@link Duration#ZERO}, or one not shorter than the
 *                                 idle timeout: never rest. A connection with a request in flight, bytes buffered,
 *                                 or an upgraded protocol never rests
 */
public record HttpServerOptions(
        int maxConnections,
        int maxRequestsPerConnection,
        int maxPipelined,
        int maxRequestLineLength,
        int maxHeaderSize,
        int maxHeaderCount,
        long maxBodySize,
        int maxBufferedBodySize,
        long maxDrainSize,
        Duration headTimeout,
        Duration bodyTimeout,
        long minBodyRate,
        Duration idleTimeout,
        Duration writeTimeout,
        String serverName,
        boolean development,
        TlsOptions tls,
        Duration restAfter) {

    public HttpServerOptions {
        positive("maxConnections", maxConnections);
        positive("maxRequestsPerConnection", maxRequestsPerConnection);
        positive("maxPipelined", maxPipelined);
        positive("maxRequestLineLength", maxRequestLineLength);
        positive("maxHeaderSize", maxHeaderSize);
        positive("maxHeaderCount", maxHeaderCount);
        positive("maxBodySize", maxBodySize);
        positive("maxBufferedBodySize", maxBufferedBodySize);
        if (maxDrainSize < 0) {
            throw new IllegalArgumentException("maxDrainSize must be at least 0: " + maxDrainSize);
        }
        positive("headTimeout", headTimeout);
        positive("bodyTimeout", bodyTimeout);
        if (minBodyRate < 0) {
            throw new IllegalArgumentException("minBodyRate must be at least 0 (0: no check): " + minBodyRate);
        }
        positive("idleTimeout", idleTimeout);
        positive("writeTimeout", writeTimeout);
        Objects.requireNonNull(restAfter, "restAfter");
        if (restAfter.isNegative()) {
            throw new IllegalArgumentException("restAfter must not be negative (zero: never rest): " + restAfter);
        }
        if (serverName != null && (serverName.isEmpty()
                || !serverName.chars().allMatch(c -> c == '\t' || (c >= 0x20 && c != 0x7f && c <= 0xff)))) {
            throw new IllegalArgumentException("serverName must be non-empty printable text (it becomes a header): \""
                    + serverName + "\"");
        }
        if (tls != null && tls.clientMode()) {
            throw new IllegalArgumentException("tls must be server options (TlsOptions.server), not a client's");
        }
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
     * Defaults fit for a public server: 100,000 connections, 10,000 requests per connection, 16 pipelined requests,
     * 8 KiB request line, 16 KiB of headers in at most 100 fields, 100 MiB bodies (8 MiB held whole), 64 KiB drained,
     * 30 s head, body and write timeouts, 60 s idle timeout, bodies at 256 bytes/s at least (as Kestrel's default
     * 240), {@code Server: Concurrence}, not in development mode, plain HTTP (no TLS), idle connections resting after
     * 1 s.
     */
    public static HttpServerOptions defaults() {
        return new HttpServerOptions(100_000, 10_000, 16, 8 * 1024, 16 * 1024, 100, 100L * 1024 * 1024,
                8 * 1024 * 1024, 64 * 1024, Duration.ofSeconds(30), Duration.ofSeconds(30), 256, Duration.ofSeconds(60),
                Duration.ofSeconds(30), "Concurrence", false, null, Duration.ofSeconds(1));
    }

    public HttpServerOptions withMaxConnections(int v) {
        return new HttpServerOptions(v, maxRequestsPerConnection, maxPipelined, maxRequestLineLength, maxHeaderSize,
                maxHeaderCount, maxBodySize, maxBufferedBodySize, maxDrainSize, headTimeout, bodyTimeout, minBodyRate,
                idleTimeout, writeTimeout, serverName, development, tls, restAfter);
    }

    public HttpServerOptions withMaxRequestsPerConnection(int v) {
        return new HttpServerOptions(maxConnections, v, maxPipelined, maxRequestLineLength, maxHeaderSize,
                maxHeaderCount, maxBodySize, maxBufferedBodySize, maxDrainSize, headTimeout, bodyTimeout, minBodyRate,
                idleTimeout, writeTimeout, serverName, development, tls, restAfter);
    }

    public HttpServerOptions withMaxPipelined(int v) {
        return new HttpServerOptions(maxConnections, maxRequestsPerConnection, v, maxRequestLineLength, maxHeaderSize,
                maxHeaderCount, maxBodySize, maxBufferedBodySize, maxDrainSize, headTimeout, bodyTimeout, minBodyRate,
                idleTimeout, writeTimeout, serverName, development, tls, restAfter);
    }

    public HttpServerOptions withMaxRequestLineLength(int v) {
        return new HttpServerOptions(maxConnections, maxRequestsPerConnection, maxPipelined, v, maxHeaderSize,
                maxHeaderCount, maxBodySize, maxBufferedBodySize, maxDrainSize, headTimeout, bodyTimeout, minBodyRate,
                idleTimeout, writeTimeout, serverName, development, tls, restAfter);
    }

    public HttpServerOptions withMaxHeaderSize(int v) {
        return new HttpServerOptions(maxConnections, maxRequestsPerConnection, maxPipelined, maxRequestLineLength, v,
                maxHeaderCount, maxBodySize, maxBufferedBodySize, maxDrainSize, headTimeout, bodyTimeout, minBodyRate,
                idleTimeout, writeTimeout, serverName, development, tls, restAfter);
    }

    public HttpServerOptions withMaxHeaderCount(int v) {
        return new HttpServerOptions(maxConnections, maxRequestsPerConnection, maxPipelined, maxRequestLineLength,
                maxHeaderSize, v, maxBodySize, maxBufferedBodySize, maxDrainSize, headTimeout, bodyTimeout, minBodyRate,
                idleTimeout, writeTimeout, serverName, development, tls, restAfter);
    }

    public HttpServerOptions withMaxBodySize(long v) {
        return new HttpServerOptions(maxConnections, maxRequestsPerConnection, maxPipelined, maxRequestLineLength,
                maxHeaderSize, maxHeaderCount, v, maxBufferedBodySize, maxDrainSize, headTimeout, bodyTimeout,
                minBodyRate, idleTimeout, writeTimeout, serverName, development, tls, restAfter);
    }

    public HttpServerOptions withMaxBufferedBodySize(int v) {
        return new HttpServerOptions(maxConnections, maxRequestsPerConnection, maxPipelined, maxRequestLineLength,
                maxHeaderSize, maxHeaderCount, maxBodySize, v, maxDrainSize, headTimeout, bodyTimeout, minBodyRate,
                idleTimeout, writeTimeout, serverName, development, tls, restAfter);
    }

    public HttpServerOptions withMaxDrainSize(long v) {
        return new HttpServerOptions(maxConnections, maxRequestsPerConnection, maxPipelined, maxRequestLineLength,
                maxHeaderSize, maxHeaderCount, maxBodySize, maxBufferedBodySize, v, headTimeout, bodyTimeout,
                minBodyRate, idleTimeout, writeTimeout, serverName, development, tls, restAfter);
    }

    public HttpServerOptions withHeadTimeout(Duration v) {
        return new HttpServerOptions(maxConnections, maxRequestsPerConnection, maxPipelined, maxRequestLineLength,
                maxHeaderSize, maxHeaderCount, maxBodySize, maxBufferedBodySize, maxDrainSize, v, bodyTimeout,
                minBodyRate, idleTimeout, writeTimeout, serverName, development, tls, restAfter);
    }

    public HttpServerOptions withBodyTimeout(Duration v) {
        return new HttpServerOptions(maxConnections, maxRequestsPerConnection, maxPipelined, maxRequestLineLength,
                maxHeaderSize, maxHeaderCount, maxBodySize, maxBufferedBodySize, maxDrainSize, headTimeout, v,
                minBodyRate, idleTimeout, writeTimeout, serverName, development, tls, restAfter);
    }

    public HttpServerOptions withMinBodyRate(long v) {
        return new HttpServerOptions(maxConnections, maxRequestsPerConnection, maxPipelined, maxRequestLineLength,
                maxHeaderSize, maxHeaderCount, maxBodySize, maxBufferedBodySize, maxDrainSize, headTimeout, bodyTimeout,
                v, idleTimeout, writeTimeout, serverName, development, tls, restAfter);
    }

    public HttpServerOptions withIdleTimeout(Duration v) {
        return new HttpServerOptions(maxConnections, maxRequestsPerConnection, maxPipelined, maxRequestLineLength,
                maxHeaderSize, maxHeaderCount, maxBodySize, maxBufferedBodySize, maxDrainSize, headTimeout, bodyTimeout,
                minBodyRate, v, writeTimeout, serverName, development, tls, restAfter);
    }

    public HttpServerOptions withWriteTimeout(Duration v) {
        return new HttpServerOptions(maxConnections, maxRequestsPerConnection, maxPipelined, maxRequestLineLength,
                maxHeaderSize, maxHeaderCount, maxBodySize, maxBufferedBodySize, maxDrainSize, headTimeout, bodyTimeout,
                minBodyRate, idleTimeout, v, serverName, development, tls, restAfter);
    }

    public HttpServerOptions withServerName(String v) {
        return new HttpServerOptions(maxConnections, maxRequestsPerConnection, maxPipelined, maxRequestLineLength,
                maxHeaderSize, maxHeaderCount, maxBodySize, maxBufferedBodySize, maxDrainSize, headTimeout, bodyTimeout,
                minBodyRate, idleTimeout, writeTimeout, v, development, tls, restAfter);
    }

    public HttpServerOptions withDevelopment(boolean v) {
        return new HttpServerOptions(maxConnections, maxRequestsPerConnection, maxPipelined, maxRequestLineLength,
                maxHeaderSize, maxHeaderCount, maxBodySize, maxBufferedBodySize, maxDrainSize, headTimeout, bodyTimeout,
                minBodyRate, idleTimeout, writeTimeout, serverName, v, tls, restAfter);
    }

    /** See {@code restAfter} above; {@link Duration#ZERO} keeps every connection in its tasklet. */
    public HttpServerOptions withRestAfter(Duration v) {
        return new HttpServerOptions(maxConnections, maxRequestsPerConnection, maxPipelined, maxRequestLineLength,
                maxHeaderSize, maxHeaderCount, maxBodySize, maxBufferedBodySize, maxDrainSize, headTimeout, bodyTimeout,
                minBodyRate, idleTimeout, writeTimeout, serverName, development, tls, v);
    }

    /**
     * HTTPS: every connection starts with a TLS handshake (within the head timeout) under {@code tls}, e.g.
     * {@code TlsOptions.server(keyStore, password)}; null for plain HTTP.
     */
    public HttpServerOptions withTls(TlsOptions v) {
        return new HttpServerOptions(maxConnections, maxRequestsPerConnection, maxPipelined, maxRequestLineLength,
                maxHeaderSize, maxHeaderCount, maxBodySize, maxBufferedBodySize, maxDrainSize, headTimeout, bodyTimeout,
                minBodyRate, idleTimeout, writeTimeout, serverName, development, v, restAfter);
    }
}
