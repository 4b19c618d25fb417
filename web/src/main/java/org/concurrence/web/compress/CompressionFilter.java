package org.concurrence.web.compress;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import org.concurrence.http.Filter;
import org.concurrence.http.Handler;
import org.concurrence.http.Headers;
import org.concurrence.http.Request;
import org.concurrence.http.Response;
import org.concurrence.http.ResponseBody;
import org.concurrence.http.Status;

/**
 * Compresses responses with gzip for the clients that accept it ({@code Accept-Encoding}, RFC 9110 §12.5.3), as
 * nginx's {@code gzip on} or Netty's {@code HttpContentCompressor} do.
 *
 * <p>A response is compressed when all of these hold: its status carries a body and is not 206; it has no
 * {@code Content-Encoding} or {@code Content-Range} and no {@code Cache-Control: no-transform}; its media type is
 * compressible ({@link #isCompressible} by default: text, JSON, JavaScript, XML, SVG, WebAssembly, but not
 * {@code text/event-stream}); and its body is at least the {@linkplain #withMinimumLength minimum length} (1 KiB by
 * default) or of unknown length. Every such response, compressed or not, gets {@code Vary: Accept-Encoding}, so that
 * caches keep the two variants apart.
 *
 * <p>How: a body of bytes is compressed in memory and kept only if that made it smaller (with its new
 * Content-Length); a streamed body is compressed as it is written, so it is chunked and its memory stays flat, and a
 * {@code flush()} of its writer flushes what is compressed so far (server-sent events and long downloads keep
 * flowing). A compressed response says {@code Content-Encoding: gzip}, loses {@code Accept-Ranges} (ranges would
 * address the uncompressed bytes) and has a strong {@code ETag} made weak (it is another representation; the static
 * files' 304 compares weakly, so revalidation still works).
 *
 * <p>Place it outside the handlers whose responses it should compress, e.g. first in a router's filters. HEAD is
 * treated as GET (the server sends no body for it, and a streamed one is not even compressed).
 *
 * <p>Security: compressing a response over TLS that holds both a secret (a CSRF token, a session value) and text an
 * attacker can inject (a reflected parameter) exposes the secret to length-observing attacks (BREACH). For such
 * responses send {@code Cache-Control: no-transform} (which this filter honours), or narrow {@link #withTypes}.
 *
 * <p>Blocking: none of its own; compressing a body of bytes costs CPU in the request's tasklet, a streamed one in
 * its writer. Thread-safety: immutable; one instance may serve every request.
 */
public final class CompressionFilter implements Filter {
    /** The default minimum length: below about a kilobyte, gzip's header and the CPU rarely pay for themselves. */
    public static final long DEFAULT_MINIMUM_LENGTH = 1024;
    /** The default level: zlib's own default, 6, a balance of ratio and CPU. */
    public static final int DEFAULT_LEVEL = 6;

    private static final Set<String> COMPRESSIBLE_APPLICATION_TYPES = Set.of("application/json",
            "application/javascript", "application/ecmascript", "application/xml", "application/wasm",
            "application/x-javascript", "image/svg+xml");

    private final int level;
    private final long minimumLength;
    private final Predicate<String> compressible;

    private CompressionFilter(int level, long minimumLength, Predicate<String> compressible) {
        this.level = level;
        this.minimumLength = minimumLength;
        this.compressible = compressible;
    }

    /** A gzip filter with the defaults: level 6, 1 KiB minimum, {@link #isCompressible} media types. */
    public static CompressionFilter gzip() {
        return new CompressionFilter(DEFAULT_LEVEL, DEFAULT_MINIMUM_LENGTH, CompressionFilter::isCompressible);
    }

    /**
     * A copy compressing at {@code level}, 1 (fastest) to 9 (smallest).
     *
     * @throws IllegalArgumentException if {@code level} is not 1 to 9
     */
    public CompressionFilter withLevel(int level) {
        if (level < 1 || level > 9) {
            throw new IllegalArgumentException("gzip level must be 1 (fastest) to 9 (smallest), not " + level);
        }
        return new CompressionFilter(level, minimumLength, compressible);
    }

    /**
     * A copy that leaves bodies shorter than {@code bytes} as they are (0: compress every compressible body).
     *
     * @throws IllegalArgumentException if {@code bytes} is negative
     */
    public CompressionFilter withMinimumLength(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("minimum length must not be negative: " + bytes);
        }
        return new CompressionFilter(level, bytes, compressible);
    }

    /**
     * A copy compressing the media types {@code compressible} accepts; it gets the type in lower case without
     * parameters, e.g. {@code text/html}. Combine with the default: {@code CompressionFilter::isCompressible}.
     */
    public CompressionFilter withTypes(Predicate<String> compressible) {
        return new CompressionFilter(level, minimumLength, Objects.requireNonNull(compressible, "compressible"));
    }

    /**
     * The default test of a media type (lower case, no parameters): {@code text/*} but {@code text/event-stream};
     * JSON, JavaScript, XML, WebAssembly and SVG; and any {@code +json} or {@code +xml} type. Images, audio, video,
     * archives and fonts other than SVG are compressed already.
     */
    public static boolean isCompressible(String mediaType) {
        if (mediaType.startsWith("text/")) {
            return !mediaType.equals("text/event-stream");
        }
        return COMPRESSIBLE_APPLICATION_TYPES.contains(mediaType) || mediaType.endsWith("+json")
                || mediaType.endsWith("+xml");
    }

    @Override
    public Response filter(Request request, Handler next) throws Exception {
        Response response = next.handle(request);
        if (!isCandidate(response)) {
            return response;
        }
        Response varied = withVary(response);
        if (!AcceptEncoding.acceptsGzip(request.headers().all("Accept-Encoding"))) {
            return varied;
        }
        ResponseBody body = response.body();
        if (body.length() >= 0 && body.length() < Math.max(1, minimumLength)) {
            return varied;
        }
        return switch (body) {
            case ResponseBody.Empty empty -> varied;
            case ResponseBody.Bytes bytes -> {
                byte[] compressed = Gzip.compress(bytes.bytes(), level);
                yield compressed.length < bytes.bytes().length ? encoded(varied, ResponseBody.of(compressed)) : varied;
            }
            case ResponseBody.Streamed streamed -> encoded(varied, Gzip.streamed(streamed.writer(), level));
        };
    }

    /** Whether the response could be compressed for a client that takes gzip (its status, fields and type). */
    private boolean isCandidate(Response response) {
        Status status = response.status();
        Headers headers = response.headers();
        if (status.forbidsBody() || status.code() == 206 || headers.contains("Content-Encoding")
                || headers.contains("Content-Range") || headers.containsToken("Cache-Control", "no-transform")) {
            return false;
        }
        String contentType = headers.get("Content-Type");
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String mediaType = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip()
                .toLowerCase(Locale.ROOT);
        return compressible.test(mediaType);
    }

    /** {@code response} saying it varies with Accept-Encoding, unless it says so (or {@code Vary: *}) already. */
    private static Response withVary(Response response) {
        Headers headers = response.headers();
        if (headers.containsToken("Vary", "Accept-Encoding") || headers.containsToken("Vary", "*")) {
            return response;
        }
        return response.withAddedHeader("Vary", "Accept-Encoding");
    }

    private static Response encoded(Response response, ResponseBody body) {
        Response.Builder b = response.toBuilder().header("Content-Encoding", "gzip").removeHeader("Accept-Ranges")
                .body(body);
        String etag = response.headers().get("ETag");
        if (etag != null && etag.startsWith("\"")) {
            b.header("ETag", "W/" + etag);
        }
        return b.build();
    }
}
