package org.concurrence.http.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import org.concurrence.core.Tasklet;
import org.concurrence.core.Waiter;
import org.concurrence.http.Method;
import org.concurrence.http.Response;
import org.concurrence.http.ResponseBody;
import org.concurrence.http.Status;
import org.concurrence.http.Version;
import org.concurrence.http.wire.FramedOutput;
import org.concurrence.io.Socket;

/*
 * Implementation notes. Responses are encoded into one output buffer (taken from the dispatcher's spares while there is
 * something to write) and written to the socket only by flush(): when the buffer fills, or when the connection has
 * nothing more to answer at once (see Connection). So a small response (head and a Bytes body) is one write, and a
 * batch of pipelined responses is one write too. Pre-encoded: status lines, the Date line (per dispatcher, once a
 * second), the Server line, the framing and connection lines, the handler's fields (per dispatcher, by identity).
 */
/**
 * The write side of a connection: encodes response heads and writes bodies with their framing (Content-Length,
 * chunked, or close-delimited for HTTP/1.0), through one buffer.
 *
 * <p>Ownership: one writer at a time holds the output ({@link #acquire}/{@link #release}); others wait for it. The
 * exchange whose turn it is writes its response holding it; a helper that only flushes takes it only if it is free.
 *
 * <p>Blocking: writes park the tasklet while the client does not take bytes, at most the write timeout per flush
 * (then {@link org.concurrence.core.DeadlineExceededException}, and the connection must be closed: part of a response
 * may have gone out). Thread-safety: confined to the connection's dispatcher.
 */
final class ResponseWriter implements FramedOutput.Target {
    private static final byte[] HEX = DispatcherShare.ascii("0123456789abcdef");
    private static final byte[] CRLF = DispatcherShare.ascii("\r\n");
    private static final byte[] CONTENT_LENGTH = DispatcherShare.ascii("Content-Length: ");
    private static final byte[] CHUNKED = DispatcherShare.ascii("Transfer-Encoding: chunked\r\n");
    private static final byte[] CLOSE = DispatcherShare.ascii("Connection: close\r\n");
    private static final byte[] KEEP_ALIVE = DispatcherShare.ascii("Connection: keep-alive\r\n");
    private static final byte[] UPGRADE = DispatcherShare.ascii("Connection: Upgrade\r\n");
    private static final byte[] CONTINUE = DispatcherShare.ascii("HTTP/1.1 100 Continue\r\n\r\n");

    /** How a response's body is delimited. */
    enum Framing { NONE, LENGTH, CHUNKED, CLOSE }

    private final Transport transport;
    private final DispatcherShare share;
    private final byte[] serverLine;
    private final Duration timeout;
    private ByteBuffer out;
    /** Socket writes so far: a response none of whose bytes went out can be taken back whole from the buffer. */
    private long writes;
    /** Where the response being written starts in the buffer, and the socket writes then; -1 between responses. */
    private int responseStart = -1;
    private long writesAtResponseStart;
    /** Whether the last response whose writing failed was taken back whole (none of it went out). */
    private boolean takenBack;
    private boolean busy;
    private Waiter<Boolean> waiting;

    ResponseWriter(Transport transport, DispatcherShare share, byte[] serverLine, Duration timeout) {
        this.transport = transport;
        this.share = share;
        this.serverLine = serverLine;
        this.timeout = timeout;
    }

    /** Takes the output, waiting while another tasklet of the connection holds it. */
    void acquire() {
        while (busy) {
            Waiter<Boolean> w = Waiter.create();
            waiting = w;
            w.await(Tasklet.deadline(null), "wait for the output of", transport);
        }
        busy = true;
    }

    void release() {
        busy = false;
        Waiter<Boolean> w = waiting;
        if (w != null) {
            waiting = null;
            w.complete(Boolean.TRUE);
        }
    }

    /** Whether bytes are written but not flushed. */
    boolean hasPending() {
        return out != null && out.position() > 0;
    }

    /** Flushes if bytes are pending and no one holds the output. */
    void flushIfIdle() throws IOException {
        if (!busy && hasPending()) {
            busy = true;
            try {
                flush();
            } finally {
                release();
            }
        }
    }

    /** Writes what is buffered to the socket; call holding the output. */
    @Override
    public void flush() throws IOException {
        if (hasPending()) {
            out.flip();
            writes++;
            try {
                transport.write(out, timeout);
            } finally {
                out.clear();
            }
        }
    }

    /** Gives the buffer back to the dispatcher's spares when nothing is pending and no one writes. */
    void releaseBuffer() {
        if (out != null && !busy && out.position() == 0) {
            share.buffers.give(out);
            out = null;
        }
    }

    /** Sends {@code 100 Continue} now; call holding the output, at the exchange's turn. */
    void writeContinue() throws IOException {
        put(CONTINUE, 0, CONTINUE.length);
        flush();
    }

    /**
     * Writes {@code response} to the request {@code head} (null for a request that could not be parsed); call holding
     * the output, at the exchange's turn. A streamed body's writer runs here, in the calling tasklet — or its
     * {@code discard}, if the body is not sent (HEAD, a status without a body, a head that could not be written).
     *
     * @param close whether to close the connection after this response
     * @return whether the connection must close after it (asked for, close-delimited, or the handler said so)
     */
    boolean write(RequestHead head, Response response, boolean close) throws IOException {
        Status status = response.status();
        ResponseBody body = response.body();
        DispatcherShare.EncodedFields fields = share.encode(response.headers());
        boolean http10 = head != null && head.version() == Version.HTTP_1_0;
        boolean headRequest = head != null && head.method() == Method.HEAD;
        Framing framing = status.forbidsBody() ? Framing.NONE : body.length() >= 0 ? Framing.LENGTH
                : http10 ? Framing.CLOSE : Framing.CHUNKED;
        close |= fields.asksClose() || (framing == Framing.CLOSE && !headRequest);
        responseStart = out == null ? 0 : out.position();
        writesAtResponseStart = writes;
        takenBack = false;
        try {
            writeHeadAndBody(status, body, fields, framing, close, http10, headRequest, response.upgrade() != null);
        } catch (IOException | RuntimeException e) {
            if (writes == writesAtResponseStart && out != null) {
                takenBack = sendBefore(responseStart, e);
            }
            throw e;
        } finally {
            responseStart = -1;
        }
        return close;
    }

    private void writeHeadAndBody(Status status, ResponseBody body, DispatcherShare.EncodedFields fields,
            Framing framing, boolean close, boolean http10, boolean headRequest, boolean upgrade) throws IOException {
        boolean sendsBody = !headRequest && framing != Framing.NONE;
        try {
            writeHead(status, body, fields, framing, close, http10, headRequest, upgrade);
        } catch (IOException | RuntimeException e) {
            discard(body); // its writer never ran
            throw e;
        }
        if (sendsBody) {
            writeBody(body, framing);
        } else {
            discard(body);
        }
    }

    private void writeHead(Status status, ResponseBody body, DispatcherShare.EncodedFields fields, Framing framing,
            boolean close, boolean http10, boolean headRequest, boolean upgrade) throws IOException {
        put(StatusLines.of(status));
        if (!fields.hasDate()) {
            put(share.date.line());
        }
        if (serverLine != null && !fields.hasServer()) {
            put(serverLine);
        }
        put(fields.bytes());
        if (framing == Framing.LENGTH) {
            put(CONTENT_LENGTH);
            putDecimal(body.length());
            put(CRLF);
        } else if (framing == Framing.CHUNKED && !headRequest) {
            put(CHUNKED);
        }
        if (upgrade) {
            put(UPGRADE); // a 101 switching protocols (the handler's own Connection field is never copied)
        } else if (close) {
            put(CLOSE);
        } else if (http10) {
            put(KEEP_ALIVE);
        }
        put(CRLF);
    }

    /**
     * Lets a streamed body that will not be sent release what its writer holds
     * ({@link ResponseBody.BodyWriter#discard}); a failure there is logged, since its response is settled either way.
     */
    static void discard(ResponseBody body) {
        if (body instanceof ResponseBody.Streamed streamed) {
            try {
                streamed.writer().discard();
            } catch (Exception e) {
                HttpServer.LOG.log(System.Logger.Level.WARNING, "discarding a response body failed", e);
            }
        }
    }

    /**
     * Sends {@code 100 Continue} while a response is being written (its streamed body's writer reads the request
     * body), ahead of that response's head in the buffer, which stays there: none of the response goes out yet, so a
     * body that fails can still take it back whole; call holding the output.
     *
     * @return false if part of the response has gone out already: too late for an interim response
     */
    boolean writeContinueBeforeResponse() throws IOException {
        if (responseStart < 0 || writes != writesAtResponseStart) {
            return false;
        }
        byte[] response = Arrays.copyOfRange(out.array(), responseStart, out.position());
        out.position(responseStart);
        put(CONTINUE, 0, CONTINUE.length);
        flush();
        responseStart = out.position();
        writesAtResponseStart = writes;
        put(response, 0, response.length);
        return true;
    }

    /**
     * A body failed (its writer threw, or wrote the wrong length) before any of its response went out: drops that
     * response from the buffer and sends the complete responses before it, which the connection's close that follows
     * would otherwise take with it. The failure came from the body, not the socket (nothing was written meanwhile).
     */
    private boolean sendBefore(int start, Exception failure) {
        out.position(start);
        try {
            flush();
            return true;
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
            return false;
        }
    }

    /**
     * Whether the response whose {@link #write} failed last was taken back whole: none of it went out and the
     * responses before it did, so the connection can still answer with another response.
     */
    boolean tookBack() {
        return takenBack;
    }

    private void writeBody(ResponseBody body, Framing framing) throws IOException {
        switch (body) {
            case ResponseBody.Empty _ -> { }
            case ResponseBody.Bytes bytes -> put(bytes.bytes(), 0, bytes.bytes().length);
            case ResponseBody.Streamed streamed -> {
                FramedOutput output = switch (framing) {
                    case LENGTH -> FramedOutput.fixedLength(this, streamed.length(), "the response body's writer");
                    case CHUNKED -> FramedOutput.chunked(this);
                    default -> FramedOutput.closeDelimited(this);
                };
                streamed.writer().writeTo(output);
                output.finish();
            }
        }
    }

    void put(byte[] bytes) throws IOException {
        put(bytes, 0, bytes.length);
    }

    /** Appends bytes to the buffer, flushing as it fills; a large array goes to the socket without a copy. */
    @Override
    public void put(byte[] bytes, int offset, int length) throws IOException {
        if (out == null) {
            out = share.buffers.take();
        }
        if (length > out.remaining()) {
            if (length >= out.capacity()) {
                flush();
                writes++;
                transport.write(ByteBuffer.wrap(bytes, offset, length), timeout);
                return;
            }
            flush();
        }
        out.put(bytes, offset, length);
    }

    /** Appends {@code value} in decimal. */
    void putDecimal(long value) throws IOException {
        putNumber(value, 10);
    }

    /** Appends a chunk size in lower-case hex, then CRLF. */
    @Override
    public void putChunkSize(int size) throws IOException {
        putNumber(size, 16);
        putCrlf();
    }

    private void putNumber(long value, int radix) throws IOException {
        if (out == null) {
            out = share.buffers.take();
        } else if (out.remaining() < 20) {
            flush();
        }
        // Constant divisors: the JIT turns them into multiplications and shifts (a division by a variable radix was
        // 5 % of the server's Java samples on a small JSON response).
        int end = out.position() + (radix == 16 ? hexDigits(value) : decimalDigits(value));
        byte[] array = out.array();
        if (radix == 16) {
            for (int at = end - 1; at >= out.position(); at--, value >>>= 4) {
                array[at] = HEX[(int) (value & 0xf)];
            }
        } else {
            for (int at = end - 1; at >= out.position(); at--, value /= 10) {
                array[at] = (byte) ('0' + (int) (value % 10));
            }
        }
        out.position(end);
    }

    private static int decimalDigits(long value) {
        int count = 1;
        for (long v = value / 10; v > 0; v /= 10) {
            count++;
        }
        return count;
    }

    private static int hexDigits(long value) {
        return value == 0 ? 1 : (67 - Long.numberOfLeadingZeros(value)) >> 2;
    }

    /** Appends CRLF. */
    void putCrlf() throws IOException {
        put(CRLF);
    }
}
