package org.concurrence.http.client;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.http.HttpException;
import org.concurrence.io.BufferedSource;
import org.concurrence.io.LimitExceededException;

/**
 * A response body read straight from its connection, ending exactly where its framing says: the base of
 * {@link FixedLengthStream}, {@link ChunkedStream} and {@link CloseDelimitedStream}. It owns the connection until
 * then: at the body's end the connection goes back to the pool (or is closed, if the response said so); a failure
 * (timeout, cut, malformed framing, kill) closes it.
 *
 * <p>Blocking: a read parks the calling tasklet until bytes arrive, under the call's deadline (and the tasklet's own).
 * When the call's deadline passes the read fails with a {@link DeadlineExceededException} naming the request, the step
 * and the origin, and the body with it. When a shorter deadline of the caller's passes first (a {@code Timeout}
 * scope around a read of a long stream, say), that read fails with the caller's {@link DeadlineExceededException} and
 * the body stays readable: no read takes part of a framing element and then gives up, so the next read goes on where
 * it was (a body being decoded from gzip or deflate is the exception: its decoder fails for good).
 *
 * <p>{@link #close()} before the end reads and drops what is left, if the framing says it is at most
 * {@link HttpClientOptions#maxDrainSize()} and it arrives within {@link #DRAIN_WAIT}; else it closes the connection.
 *
 * <p>Thread-safety: one reading tasklet at a time, of the connection's dispatcher.
 */
abstract sealed class BodyStream extends InputStream permits FixedLengthStream, ChunkedStream, CloseDelimitedStream {
    /** The longest {@link #close()} waits for the rest of an unread body to drain. */
    static final Duration DRAIN_WAIT = Duration.ofSeconds(1);

    private enum State { READING, ENDED, FAILED, CLOSED }

    final ClientConnection connection;
    final BufferedSource in;
    private final OriginPool pool;
    private final ClientRequest request;
    private final CallDeadline deadline;
    private final boolean keepAlive;
    private final long maxDrain;
    private State state = State.READING;
    /**
     * The connection waits at the body's end until {@link #releaseHeld()}: a decoder reads this body and must first
     * check that what it framed decodes (corrupt data must not leave its connection in the pool). Set before any read.
     */
    private boolean holdAtEnd;
    /** Whether the connection went back to its pool (set once, from whichever tasklet ended or failed the body). */
    private final AtomicBoolean givenBack = new AtomicBoolean();
    private final byte[] single = new byte[1];

    BodyStream(Exchange exchange, boolean keepAlive) {
        this.connection = exchange.connection;
        this.in = connection.in;
        this.pool = exchange.pool;
        this.request = exchange.request;
        this.deadline = exchange.deadline;
        this.keepAlive = keepAlive;
        this.maxDrain = exchange.options.maxDrainSize();
    }

    /** Reads body bytes, waiting at most {@code wait} (null: the tasklet's deadline); -1 at the body's end. */
    abstract int readBody(byte[] b, int off, int len, Duration wait) throws IOException;

    /** How much of the body is left if the framing tells, else -1. */
    abstract long remaining();

    @Override
    public final int read() throws IOException {
        int n = read(single, 0, 1);
        return n < 0 ? -1 : single[0] & 0xff;
    }

    @Override
    public final int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        switch (state) {
            case ENDED -> {
                return -1;
            }
            case CLOSED -> throw new IOException("the response body of " + request + " is closed");
            case FAILED -> throw new IOException("an earlier read of the response body of " + request + " failed");
            case READING -> { }
        }
        if (len == 0) {
            return 0;
        }
        try {
            int n = readBody(b, off, len, deadline.left());
            if (n < 0) {
                end();
            }
            return n;
        } catch (DeadlineExceededException e) {
            if (!deadline.passed()) {
                throw e; // the caller's own shorter deadline: nothing was taken, and the body can be read on
            }
            fail();
            throw deadline.timedOut(request, "reading the response body from", e);
        } catch (HttpException e) {
            fail();
            throw new MalformedResponseException(e.getMessage(), connection.origin, e);
        } catch (IOException | RuntimeException | Error e) {
            fail();
            throw e;
        }
    }

    /** Body bytes readable without waiting: what is buffered, as far as it is still body (not framing). */
    @Override
    public int available() {
        return state == State.READING ? (int) Math.min(Integer.MAX_VALUE, bufferedBody()) : 0;
    }

    /** How many of the bytes buffered from the connection are body bytes the next read can return. */
    long bufferedBody() {
        return Math.min(in.buffered(), remaining() < 0 ? Long.MAX_VALUE : remaining());
    }

    /**
     * Ends the body: for a body read to its end, nothing more; else the rest is drained (if the framing says it is
     * small and it all comes within {@link #DRAIN_WAIT}) so the connection can serve again, or the connection is
     * closed. Reads after it throw, however it went: a drained rest must not look like the end of a body the caller
     * read only part of. Never throws, but for a kill ({@link org.concurrence.core.TaskletExit}) while draining, which
     * it passes on after closing the connection.
     */
    @Override
    public final void close() {
        if (state == State.READING) {
            if (remaining() > maxDrain || !keepAlive) {
                fail();
            } else {
                drain();
            }
        }
        if (state == State.ENDED) {
            releaseHeld(); // held for a decoder that stopped early: the body was framed whole, the connection is fine
        }
        state = State.CLOSED;
    }

    /** Reads and drops the rest, all of it within {@link #DRAIN_WAIT} (and the call's deadline), or fails. */
    private void drain() {
        Duration callLeft = deadline.left();
        Duration wait = callLeft == null || callLeft.compareTo(DRAIN_WAIT) > 0 ? DRAIN_WAIT : callLeft;
        long until = System.nanoTime() + wait.toNanos(); // one bound for the whole drain, not one per read
        byte[] scratch = new byte[(int) Math.min(8192, Math.max(1, maxDrain))];
        long drained = 0;
        try {
            while (drained <= maxDrain) {
                int n = readBody(scratch, 0, scratch.length, Duration.ofNanos(Math.max(0, until - System.nanoTime())));
                if (n < 0) {
                    end();
                    return;
                }
                drained += n;
            }
            fail(); // more than it said, or chunked and longer than the bound
        } catch (IOException | RuntimeException e) {
            fail();
        } catch (Error e) {
            fail(); // a kill: the connection is closed and its slot given back before the kill goes on
            throw e;
        }
    }

    /** Keeps the connection at the body's end until {@link #releaseHeld()} or {@link #abandon()}; before any read. */
    void holdConnectionAtEnd() {
        holdAtEnd = true;
    }

    /**
     * Gives back a connection held at the body's end (the decoder found what it framed whole): pooled, or closed if
     * the response said so. Nothing if the body has not ended or the connection was given back already.
     */
    void releaseHeld() {
        if (state == State.ENDED && firstToGiveBack()) {
            connection.served++;
            pool.release(connection, keepAlive);
        }
    }

    /**
     * Fails the body for a reason found above it (data that does not decode): the connection is closed, even if the
     * body itself ended as framed, and reads throw from now on. Idempotent; never throws.
     */
    void abandon() {
        fail();
    }

    /** The body ended as framed: the connection goes back to the pool, or is closed if the response said so. */
    private void end() {
        state = State.ENDED;
        if (!holdAtEnd) {
            releaseHeld();
        }
    }

    private void fail() {
        state = State.FAILED;
        if (firstToGiveBack()) {
            connection.abort();
            pool.release(connection, false);
        }
    }

    /**
     * Whether this caller gives the connection back to its pool: only the first does. A {@link #close()} from another
     * tasklet and the failure it causes in a read that was waiting both come here, and the origin's count of
     * connections must drop by one.
     */
    private boolean firstToGiveBack() {
        return givenBack.compareAndSet(false, true);
    }

    /** Up to {@code len} bytes of the next {@code max}, straight into {@code b} when nothing is buffered. */
    final int readSome(byte[] b, int off, int len, long max, Duration wait) throws IOException {
        return in.read(ByteBuffer.wrap(b, off, (int) Math.min(len, max)), wait);
    }

    /** The line up to LF (at most {@code max} bytes before it), which must end in CR; returned without the CR. */
    final byte[] line(int max, Duration wait, String what) throws IOException {
        byte[] line;
        try {
            line = in.readUntil((byte) '\n', max + 1, wait);
        } catch (LimitExceededException e) {
            throw new MalformedResponseException(what + " longer than " + max + " bytes", connection.origin, e);
        } catch (EOFException e) {
            throw cut("the connection ended in the " + what, e);
        }
        if (line.length == 0 || line[line.length - 1] != '\r') {
            throw new MalformedResponseException("bare LF in the " + what, connection.origin, null);
        }
        return Arrays.copyOf(line, line.length - 1);
    }

    /** The body ended before its framing said it would. */
    final MalformedResponseException cut(String what, Throwable cause) {
        return new MalformedResponseException("response body of " + request + " cut short: " + what,
                connection.origin, cause);
    }

    @Override
    public String toString() {
        return "response body of " + request + " (" + state.name().toLowerCase(Locale.ROOT) + ")";
    }
}
