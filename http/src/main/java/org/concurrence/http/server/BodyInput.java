package org.concurrence.http.server;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Objects;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.Timeout;
import org.concurrence.http.HttpException;
import org.concurrence.http.Status;

/**
 * A request body read straight from the connection: the base of {@link FixedLengthBody} and {@link ChunkedBody}. It
 * ends exactly where the body ends, so it never reads into the next pipelined request.
 *
 * <p>Blocking: a read parks the reading tasklet until bytes arrive, at most the body timeout at a time and never past
 * the tasklet's own deadline. A wait that outlasts the body timeout fails with {@link HttpException} 408; so does a
 * body that, one body timeout after its first read, has averaged less than the minimum rate
 * ({@link HttpServerOptions#minBodyRate()}: a client sending a byte per timeout cannot hold the connection for
 * ever); a wait that outlasts the tasklet's deadline fails with the {@link DeadlineExceededException} itself. The
 * client's close before the body's end is {@link HttpException} 400. Every failure (timeout, end of stream, malformed
 * framing, over the limit) tells the connection, which closes after its response.
 *
 * <p>{@link #close()} does not close the connection and does not skip the rest: the server drains or closes.
 * Thread-safety: one reading tasklet at a time, on the connection's dispatcher.
 */
abstract sealed class BodyInput extends InputStream permits FixedLengthBody, ChunkedBody {
    /** Reads at least this big go straight from the socket into the caller's array when nothing is buffered. */
    static final int DIRECT_READ = 2048;

    /** What the connection learns from a body as it is read. */
    interface Events {
        /** Before the first read waits for bytes: sends {@code 100 Continue} if the client expects it. */
        void beforeFirstRead() throws IOException;

        /** The body was read to its end: what follows is the next request. */
        void ended();

        /** The body cannot be read to its end: the connection must close after the response. */
        void failed();
    }

    final ConnectionInput in;
    private final Duration timeout;
    /** Bytes per second the body must average from one {@link #timeout} after its first read; 0: no check. */
    private final long minRate;
    private final Events events;
    private boolean started;
    private boolean ended;
    /** When the first read began, on the dispatcher's clock; and the body bytes returned since. */
    private long startedAt;
    private long received;
    private final byte[] single = new byte[1];

    BodyInput(ConnectionInput in, HttpServerOptions options, Events events) {
        this.in = in;
        this.timeout = options.bodyTimeout();
        this.minRate = options.minBodyRate();
        this.events = events;
    }

    /** Whether the body was read to its end. */
    final boolean isEnded() {
        return ended;
    }

    @Override
    public final int read() throws IOException {
        int n = read(single, 0, 1);
        return n < 0 ? -1 : single[0] & 0xff;
    }

    @Override
    public final int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (ended) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        try {
            if (!started) {
                started = true;
                startedAt = Dispatcher.current().nanoTime();
                events.beforeFirstRead();
            }
            int n = readBody(b, off, len);
            if (n < 0) {
                ended = true;
                events.ended();
            } else {
                received += n;
            }
            return n;
        } catch (DeadlineExceededException e) {
            events.failed();
            if (Timeout.expired()) {
                throw e; // the handler's own deadline, not the body timeout
            }
            long now = Dispatcher.current().nanoTime();
            if (minRate > 0 && now >= rateDeadline()) {
                throw new HttpException(Status.REQUEST_TIMEOUT, "request body slower than " + minRate + " bytes/s: "
                        + received + " bytes in " + Duration.ofNanos(now - startedAt).toMillis() + " ms", e);
            }
            throw new HttpException(Status.REQUEST_TIMEOUT, "no request body bytes for " + timeout, e);
        } catch (IOException | RuntimeException | Error e) {
            events.failed();
            throw e;
        }
    }

    /**
     * When the body falls below its minimum rate unless more bytes arrive: one body timeout after the first read,
     * plus the time the bytes received so far, and the next one, are worth at that rate.
     */
    private long rateDeadline() {
        long due = received + 1 > Long.MAX_VALUE / 1_000_000_000L ? Long.MAX_VALUE
                : (received + 1) * 1_000_000_000L / minRate;
        long start = startedAt + timeout.toNanos();
        return due > Long.MAX_VALUE - start ? Long.MAX_VALUE : start + due;
    }

    /** How long the next wait for body bytes may last: the body timeout, or less when the minimum rate says so. */
    final Duration nextWait() {
        if (minRate <= 0) {
            return timeout;
        }
        long left = rateDeadline() - Dispatcher.current().nanoTime();
        long cap = timeout.toNanos();
        // At least a nanosecond: a wait of zero fails at once as a timeout, which read() then reports as too slow.
        return Duration.ofNanos(Math.max(1, Math.min(cap, left)));
    }

    /** Reads body bytes; -1 at the body's end (once framing says so). */
    abstract int readBody(byte[] b, int off, int len) throws IOException;

    /**
     * Up to {@code len} bytes of the body's next {@code max}, from the buffer or (for a large read with nothing
     * buffered) straight from the socket.
     */
    final int readPart(byte[] b, int off, int len, long max) throws IOException {
        int want = (int) Math.min(len, max);
        if (in.available() == 0) {
            if (want >= DIRECT_READ) {
                return checkEof(in.readDirect(b, off, want, nextWait()));
            }
            checkEof(in.fill(nextWait()));
        }
        return in.take(b, off, want);
    }

    /** Waits until at least {@code n} bytes are buffered. */
    final void ensure(int n) throws IOException {
        while (in.available() < n) {
            checkEof(in.fill(nextWait()));
        }
    }

    /**
     * The client's close before the body's end makes the request incomplete (RFC 9112 §8): the client's fault, so a
     * 400 like malformed framing, not an I/O failure that a handler would let through as a 500.
     */
    private int checkEof(int n) {
        if (n < 0) {
            String message = "the client closed the connection in the middle of the request body";
            throw new HttpException(Status.BAD_REQUEST, message, new EOFException(message));
        }
        return n;
    }

    @Override
    public int available() {
        return ended ? 0 : in.available();
    }

    @Override
    public void close() {
        // The connection decides what happens to the rest: drain it or close.
    }
}
