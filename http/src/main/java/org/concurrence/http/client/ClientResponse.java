package org.concurrence.http.client;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.concurrence.core.Timeout;
import org.concurrence.http.Headers;
import org.concurrence.http.Status;
import org.concurrence.http.Version;
import org.concurrence.http.wire.Diagnostics;
import org.concurrence.http.wire.MessageSyntax;
import org.concurrence.io.LimitExceededException;
import org.concurrence.io.Source;

/**
 * The response to a {@link ClientRequest}: status, version, header fields, and a body that is <b>streamed</b> from
 * the connection as it is read — {@link #stream()} or {@link #source()} — or taken whole by {@link #bytes()} or
 * {@link #text()}. Close it (try-with-resources) unless the body was read to its end:
 * <pre>{@code
 * try (ClientResponse r = client.send(ClientRequest.get(uri))) {
 *     if (r.status().isSuccess()) {
 *         r.stream().transferTo(out);          // any size, flat memory
 *     }
 * }
 * }</pre>
 *
 * <p>The connection: the response owns it until its body has been read to the end, when it goes back to the client's
 * pool (or is closed, if the response said {@code Connection: close}, was HTTP/1.0 without keep-alive, or was
 * delimited by the close). {@link #close()} before the end reads and drops the rest if it is at most
 * {@link HttpClientOptions#maxDrainSize()} and comes within a second, else closes the connection; it never throws.
 * A response without a body (HEAD, 1xx, 204, 304, Content-Length 0) gave its connection back before {@code send}
 * returned.
 *
 * <p>Content codings: unless {@link HttpClientOptions#withDecompression decompression} is off or the request set its
 * own {@code Accept-Encoding}, the client asks for {@code gzip, deflate} and a body coded with them (or
 * {@code x-gzip}, or several stacked: up to three) is decoded as it is read, in flat memory; Content-Encoding and
 * Content-Length are then removed from {@link #headers()} and the coding is {@link #decodedContentEncoding()}. A
 * coding the client does not know ({@code br}, {@code zstd}) leaves the body as it came. Data that does not decode
 * fails the read with a {@link ContentDecodingException} and closes the connection. The decoder's native memory is
 * freed when the body ends, fails or is closed.
 *
 * <p>Blocking and deadlines: body reads park the calling tasklet until bytes arrive, under the deadline of the
 * {@code send} that returned this response (it covers the whole call, body included) and the reading tasklet's own.
 * A timeout is a {@link org.concurrence.core.DeadlineExceededException} naming the request and the origin; a body
 * cut short or badly framed is a {@link MalformedResponseException}; either closes the connection.
 *
 * <p>Thread-safety: the status, version and fields are immutable and may be read from anywhere. The body is read by
 * one tasklet at a time, of the dispatcher whose tasklet sent the request (the connection's socket belongs to it).
 */
public final class ClientResponse implements AutoCloseable {
    private final ClientRequest request;
    private final ResponseHead head;
    /** The body as framed on the connection; null if the response has none. */
    private final BodyStream body;
    /** The body decoded from its content codings; null if it is read as it came. */
    private final DecodedBody decoded;
    /** What the caller reads: the decoded body, the body, or an empty stream. */
    private final InputStream stream;
    /** The Content-Encoding that was decoded (and removed from the fields); null if none was. */
    private final String decodedContentEncoding;
    private final int maxBuffered;

    ClientResponse(ClientRequest request, ResponseHead head, BodyStream body, int maxBuffered) {
        this.request = request;
        this.head = head;
        this.body = body;
        this.decoded = null;
        this.stream = body != null ? body : InputStream.nullInputStream();
        this.decodedContentEncoding = null;
        this.maxBuffered = maxBuffered;
    }

    private ClientResponse(ClientRequest request, ResponseHead head, BodyStream body, DecodedBody decoded,
            String decodedContentEncoding, int maxBuffered) {
        this.request = request;
        this.head = head;
        this.body = body;
        this.decoded = decoded;
        this.stream = decoded;
        this.decodedContentEncoding = decodedContentEncoding;
        this.maxBuffered = maxBuffered;
    }

    /**
     * The response to {@code head} with {@code body} decoded from {@code codings} (in the order applied) as it is
     * read: its fields lose Content-Encoding (kept in {@link #decodedContentEncoding()}) and Content-Length (the
     * coded length, not the one the caller reads).
     */
    static ClientResponse decoded(ClientRequest request, ResponseHead head, BodyStream body,
            List<ContentCoding> codings, int maxBuffered) {
        Headers fields = Headers.copyOf(head.headers());
        String encoding = String.join(", ", fields.all("Content-Encoding"));
        fields.remove("Content-Encoding").remove("Content-Length");
        return new ClientResponse(request, new ResponseHead(head.version(), head.status(), fields.readOnly()), body,
                new DecodedBody(body, codings, request), encoding, maxBuffered);
    }

    /** The request this answers: after redirects, the last one sent. */
    public ClientRequest request() {
        return request;
    }

    /** The origin that answered. */
    public Origin origin() {
        return request.origin();
    }

    public Status status() {
        return head.status();
    }

    /** The status code, e.g. 200. */
    public int statusCode() {
        return head.status().code();
    }

    /** {@code HTTP/1.1}, or {@code HTTP/1.0} for a server that speaks only that. */
    public Version version() {
        return head.version();
    }

    /** The header fields, read-only. */
    public Headers headers() {
        return head.headers();
    }

    /** The first value of the field {@code name}, or null. */
    public String header(String name) {
        return head.headers().get(name);
    }

    /** Whether the response has a body to read (not HEAD, 1xx, 204, 304 or Content-Length 0). */
    public boolean hasBody() {
        return body != null;
    }

    /**
     * The body as a stream, straight from the connection: it ends where the body ends (-1), and closing it closes the
     * response. The same stream on every call. A read waits under the call's deadline, which ends the body when it
     * passes; a read cut off by a shorter deadline of the caller's (a {@code Timeout} scope) throws that
     * {@code DeadlineExceededException} and the next read goes on where it was (but for a body being decoded).
     */
    public InputStream stream() {
        return stream;
    }

    /**
     * The body as an io {@link Source}, for code written against it (another connection's writer, a
     * {@link org.concurrence.io.BufferedSource}, a proxied request's {@link ClientRequest.Body#ofSource}). Reads as
     * {@link #stream()}; a read with a {@code Duration} waits at most that long too.
     */
    public Source source() {
        return new BodySource();
    }

    /**
     * The Content-Encoding the client decoded the body from ({@code "gzip"}, say), which {@link #headers()} no longer
     * shows (nor the Content-Length of the coded body); null if the body reads as the server sent it — no coding,
     * decoding off ({@link HttpClientOptions#withDecompression}), a request that set its own Accept-Encoding, a coding
     * the client does not know, or no body (HEAD, 204, 304: their fields are left as they came).
     */
    public String decodedContentEncoding() {
        return decodedContentEncoding;
    }

    /**
     * The whole body, read now (decoded, if it was coded: the limit applies to the decoded length, so a small
     * compressed body that inflates without end stops at the limit).
     *
     * @throws LimitExceededException   if it is longer than {@link HttpClientOptions#maxBufferedBodySize()} (the
     *                                  response is then closed)
     * @throws ContentDecodingException if it was coded and does not decode
     */
    public byte[] bytes() throws IOException {
        if (body == null) {
            return new byte[0];
        }
        long known = decoded != null ? -1 : body.remaining();
        if (known > maxBuffered) {
            close();
            throw new LimitExceededException("response body of " + request + " is " + known
                    + " bytes, over the limit of " + maxBuffered, maxBuffered);
        }
        byte[] all = new byte[(int) Math.min(maxBuffered, Math.max(0, known) + 1)];
        int n = 0;
        while (true) {
            if (n == all.length) {
                if (n > maxBuffered) {
                    close();
                    throw new LimitExceededException((decoded != null ? "decoded " : "") + "response body of "
                            + request + " longer than the limit of " + maxBuffered + " bytes", maxBuffered);
                }
                all = Arrays.copyOf(all, (int) Math.min((long) maxBuffered + 1, Math.max(8192, 2L * n)));
            }
            int got = stream.read(all, n, all.length - n);
            if (got < 0) {
                return n == all.length ? all : Arrays.copyOf(all, n);
            }
            n += got;
        }
    }

    /** The whole body as text in the charset of its Content-Type, else UTF-8; see {@link #bytes()}. */
    public String text() throws IOException {
        return text(charset());
    }

    /** The whole body as text in {@code charset}; see {@link #bytes()}. */
    public String text(Charset charset) throws IOException {
        return new String(bytes(), charset);
    }

    /** Reads what is left of the body and drops it (however long), so the connection can serve again. */
    public void discard() throws IOException {
        if (decoded != null) {
            decoded.discard(); // the coded rest: not worth decoding to drop
            return;
        }
        stream.skip(Long.MAX_VALUE);
        while (stream.read() >= 0) {
            stream.skip(Long.MAX_VALUE);
        }
    }

    /**
     * Ends the response: nothing if its body was read to the end; else the rest is drained (if short and quick) so the
     * connection can be pooled, or the connection is closed. Idempotent; never throws, but for a kill while it drains
     * (the connection is closed first).
     */
    @Override
    public void close() {
        if (decoded != null) {
            decoded.close();
        } else if (body != null) {
            body.close();
        }
    }

    /** Whether the body's decoder holds native memory (an inflater not yet ended): for tests. */
    boolean holdsInflater() {
        return decoded != null && decoded.holdsInflater();
    }

    /** The charset parameter of the Content-Type if the JDK knows it, else UTF-8. */
    private Charset charset() throws IOException {
        String name = MessageSyntax.charsetParameter(head.headers().get("Content-Type"));
        if (name == null) {
            return StandardCharsets.UTF_8;
        }
        try {
            return Charset.forName(name);
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            close();
            throw new IOException("the response of " + request + " is in an unknown charset " + Diagnostics.quote(name)
                    + "; read it with text(charset) or bytes()", e);
        }
    }

    /** {@code 200 OK from GET https://example.com/}. */
    @Override
    public String toString() {
        return head.status() + " from " + request;
    }

    /** {@link #source()}: the body stream as a {@link Source}. */
    private final class BodySource implements Source {
        @Override
        public int read(ByteBuffer destination) throws IOException {
            if (!destination.hasRemaining()) {
                return 0;
            }
            if (destination.hasArray()) {
                int n = stream.read(destination.array(), destination.arrayOffset() + destination.position(),
                        destination.remaining());
                if (n > 0) {
                    destination.position(destination.position() + n);
                }
                return n;
            }
            byte[] bytes = new byte[Math.min(destination.remaining(), 8192)];
            int n = stream.read(bytes);
            if (n > 0) {
                destination.put(bytes, 0, n);
            }
            return n;
        }

        @Override
        public int read(ByteBuffer destination, Duration timeout) throws IOException {
            if (timeout == null) {
                return read(destination);
            }
            try (Timeout _ = Timeout.after(timeout)) {
                return read(destination);
            }
        }

        @Override
        public void close() {
            ClientResponse.this.close();
        }

        @Override
        public String toString() {
            return "source of " + ClientResponse.this;
        }
    }
}
