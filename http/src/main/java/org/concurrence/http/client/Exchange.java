package org.concurrence.http.client;

import java.io.EOFException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Timeout;
import org.concurrence.http.Headers;
import org.concurrence.http.HttpException;
import org.concurrence.http.Method;
import org.concurrence.http.Version;
import org.concurrence.http.wire.Diagnostics;
import org.concurrence.http.wire.MessageSyntax;

/**
 * One request and the head of its response on one connection: writes the request (with the {@code 100-continue}
 * dance if it asks for it), skips interim responses, and frames the final response's body by RFC 9112 §6.3. It notes
 * what happened on the way — the step it is in (for a timeout's message), whether a byte of the response came,
 * whether the body's writer was called, whether any byte went out — which decide whether a failure on a reused
 * connection may be retried.
 *
 * <p>Blocking: under the caller's {@link Timeout} scope (the call's deadline). Thread-safety: confined to the sending
 * tasklet.
 */
final class Exchange {
    /** Interim (1xx) responses skipped before the final one, at most. */
    static final int MAX_INTERIM = 32;
    /** How long a request whose write failed waits for a response the server may have sent before it closed. */
    static final Duration EARLY_RESPONSE_WAIT = Duration.ofMillis(500);

    final ClientConnection connection;
    final OriginPool pool;
    final ClientRequest request;
    /** The client's cookies for the request, a Cookie field's value; null for none. */
    private final String cookies;
    final CallDeadline deadline;
    final HttpClientOptions options;
    private final long writtenBefore;
    /** What the exchange is doing, for the message of a timeout: "waiting for the response head from". */
    String step = "writing the request to";
    /** A byte of the response arrived: the server took the request, and it must not be sent again. */
    boolean responseStarted;
    /** A streamed body's writer was called: it cannot be called again. */
    boolean bodyStarted;

    Exchange(ClientConnection connection, ClientRequest request, String cookies, CallDeadline deadline,
            HttpClientOptions options) {
        this.connection = connection;
        this.pool = connection.pool;
        this.request = request;
        this.cookies = cookies;
        this.deadline = deadline;
        this.options = options;
        this.writtenBefore = connection.written();
    }

    /** Whether not a byte of this request reached the transport. */
    boolean nothingWritten() {
        return connection.written() == writtenBefore;
    }

    /**
     * Sends the request and reads the final response's head. From here the response owns the connection: its body
     * gives it back (or, with no body, it is given back now).
     */
    ClientResponse run() throws IOException {
        ClientRequest.Body body = request.body();
        RequestWriter.head(connection.out, request, cookies, options, connection.toProxy);
        ResponseHead head = null;
        if (body.length() != 0 && request.headers().containsToken("Expect", "100-continue")) {
            connection.out.flush();
            step = "waiting for 100 Continue from";
            head = awaitContinue();
        }
        boolean bodySent = head == null;
        if (bodySent) {
            step = "writing the request to";
            bodyStarted = true;
            try {
                RequestWriter.body(connection.out, body);
                connection.out.flush();
            } catch (IOException e) {
                head = earlyResponse(e);
                bodySent = false;
            }
            if (head == null) {
                step = "waiting for the response head from";
                head = finalHead();
            }
        }
        step = "reading the response body from";
        return respond(head, bodySent);
    }

    /**
     * After a write failed, the response the server may have sent before it stopped reading (a 413 for a body over
     * its limit, say): what the caller wants to see rather than a broken pipe.
     *
     * @throws IOException {@code writeFailure}, if no response came within {@link #EARLY_RESPONSE_WAIT}
     */
    private ResponseHead earlyResponse(IOException writeFailure) throws IOException {
        try {
            awaitFirstByte(EARLY_RESPONSE_WAIT);
            return finalHead();
        } catch (DeadlineExceededException none) {
            if (Timeout.expired()) {
                throw none; // the call's own deadline
            }
            writeFailure.addSuppressed(none);
            throw writeFailure;
        } catch (IOException none) {
            writeFailure.addSuppressed(none);
            throw writeFailure;
        }
    }

    /**
     * Waits for the interim 100 at most the expect-continue timeout: null to send the body (a 100 came, or none in
     * time), or the final response that came instead (the body is then never sent).
     */
    private ResponseHead awaitContinue() throws IOException {
        try {
            awaitFirstByte(options.expectContinueTimeout());
        } catch (DeadlineExceededException e) {
            if (Timeout.expired()) {
                throw e; // the call's own deadline
            }
            return null;
        }
        while (true) {
            ResponseHead head = readHead();
            if (head.status().code() == 100) {
                return null;
            }
            if (!head.status().isInformational()) {
                return head;
            }
            refuseSwitch(head);
        }
    }

    /** Reads heads until a final one, skipping interim 1xx responses. */
    private ResponseHead finalHead() throws IOException {
        for (int interim = 0; ; interim++) {
            ResponseHead head = readHead();
            if (!head.status().isInformational()) {
                return head;
            }
            refuseSwitch(head);
            if (interim == MAX_INTERIM) {
                throw new MalformedResponseException("more than " + MAX_INTERIM + " interim responses",
                        connection.origin, null);
            }
        }
    }

    private void refuseSwitch(ResponseHead head) throws MalformedResponseException {
        if (head.status().code() == 101) {
            throw new MalformedResponseException("101 Switching Protocols to a request that asked for no upgrade",
                    connection.origin, null);
        }
    }

    private ResponseHead readHead() throws IOException {
        awaitFirstByte(null);
        try {
            return ResponseHead.read(connection.in, options.maxHeadSize(), options.maxHeaderCount(),
                    connection.origin);
        } catch (EOFException e) {
            throw new MalformedResponseException("the connection ended in the middle of the response head",
                    connection.origin, e);
        }
    }

    /**
     * Waits for the response's first byte (at most {@code wait}; null: the current deadline), so that a server that
     * closed the connection before answering — a stale pooled connection — is told from one that answered badly.
     *
     * @throws EOFException if the connection ended without a byte of response
     */
    private void awaitFirstByte(Duration wait) throws IOException {
        if (responseStarted) {
            return;
        }
        if (wait == null ? connection.in.exhausted() : connection.in.exhausted(wait)) {
            throw new EOFException("the server closed the connection without responding to " + request);
        }
        responseStarted = true;
    }

    /** The response to {@code head}, its body framed by RFC 9112 §6.3. */
    private ClientResponse respond(ResponseHead head, boolean bodySent) throws IOException {
        Headers fields = head.headers();
        boolean keepAlive = bodySent && keepAlive(head) && !request.headers().containsToken("Connection", "close");
        BodyStream body;
        if (request.method().equals(Method.HEAD) || head.status().forbidsBody()) {
            body = null; // whatever the fields say (a HEAD's Content-Length is the GET's)
        } else if (fields.contains("Transfer-Encoding")) {
            body = chunkedLast(fields) ? new ChunkedStream(this, keepAlive) : new CloseDelimitedStream(this);
        } else {
            long length = contentLength(fields);
            body = length < 0 ? new CloseDelimitedStream(this)
                    : length == 0 ? null : new FixedLengthStream(this, length, keepAlive);
        }
        if (body == null) {
            connection.served++;
            pool.release(connection, keepAlive);
            return new ClientResponse(request, head, null, options.maxBufferedBodySize());
        }
        List<ContentCoding> codings = codingsToDecode(fields);
        return codings.isEmpty() ? new ClientResponse(request, head, body, options.maxBufferedBodySize())
                : ClientResponse.decoded(request, head, body, codings, options.maxBufferedBodySize());
    }

    /**
     * The content codings to undo as the body is read: none unless the client asked for them (it decodes, and the
     * request set no Accept-Encoding of its own), or if one is unknown (the body is then passed on as it came).
     *
     * @throws ContentDecodingException if more than {@link ContentCoding#MAX_STACKED} are stacked
     */
    private List<ContentCoding> codingsToDecode(Headers fields) throws ContentDecodingException {
        if (!options.decompress() || request.headers().contains("Accept-Encoding")
                || !fields.contains("Content-Encoding")) {
            return List.of();
        }
        List<ContentCoding> codings = ContentCoding.parse(fields.all("Content-Encoding"));
        if (codings == null) {
            return List.of();
        }
        if (codings.size() > ContentCoding.MAX_STACKED) {
            throw new ContentDecodingException("the response body of " + request + " from " + connection.origin
                    + " stacks " + codings.size() + " content codings (" + String.join(", ",
                    fields.all("Content-Encoding")) + "); at most " + ContentCoding.MAX_STACKED + " are decoded",
                    connection.origin, null);
        }
        return codings;
    }

    /** HTTP/1.1 keeps the connection unless it says close; HTTP/1.0 only if it says keep-alive. */
    private static boolean keepAlive(ResponseHead head) {
        Headers fields = head.headers();
        if (fields.containsToken("Connection", "close")) {
            return false;
        }
        return head.version() == Version.HTTP_1_1 || fields.containsToken("Connection", "keep-alive");
    }

    /**
     * Whether the final transfer coding is chunked (else the body runs to the close, RFC 9112 §6.3 rule 4). With a
     * Content-Length too, or another coding before chunked (which this client cannot decode), the response cannot be
     * trusted: malformed.
     */
    private boolean chunkedLast(Headers fields) throws MalformedResponseException {
        if (fields.contains("Content-Length")) {
            throw new MalformedResponseException("both Content-Length and Transfer-Encoding (a response that could "
                    + "smuggle another)", connection.origin, null);
        }
        List<String> codings = new ArrayList<>();
        for (String element : String.join(",", fields.all("Transfer-Encoding")).split(",", -1)) {
            if (!element.isBlank()) {
                codings.add(element.strip());
            }
        }
        if (codings.isEmpty()) {
            throw new MalformedResponseException("Transfer-Encoding names no coding", connection.origin, null);
        }
        boolean chunked = codings.getLast().equalsIgnoreCase("chunked");
        if (chunked && codings.size() > 1) {
            throw new MalformedResponseException("transfer coding " + Diagnostics.quote(codings.getFirst())
                    + " is not supported (only chunked)", connection.origin, null);
        }
        return chunked;
    }

    private long contentLength(Headers fields) throws MalformedResponseException {
        try {
            return MessageSyntax.contentLength(fields);
        } catch (HttpException e) {
            throw new MalformedResponseException(e.getMessage(), connection.origin, e);
        }
    }
}
