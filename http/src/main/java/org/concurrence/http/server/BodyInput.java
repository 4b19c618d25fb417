package org.concurrence.http.server;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Objects;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Timeout;
import org.concurrence.http.HttpException;
import org.concurrence.http.Status;

/**
 * A request body read straight from the connection: the base of {@link FixedLengthBody} and {@link ChunkedBody}. It
 * ends exactly where the body ends, so it never reads into the next pipelined request.
 *
 * <p>Blocking: a read parks the reading tasklet until bytes arrive, at most the body timeout at a time and never past
 * the tasklet's own deadline. A wait that outlasts the body timeout fails with {@link HttpException} 408; one that
 * outlasts the tasklet's deadline with the {@link DeadlineExceededException} itself. Every failure (timeout, end of
 * stream, malformed framing, over the limit) tells the connection, which closes after its response.
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
    final Duration timeout;
    private final Events events;
    private boolean started;
    private boolean ended;
    private final byte[] single = new byte[1];

    BodyInput(ConnectionInput in, Duration timeout, Events events) {
        this.in = in;
        this.timeout = timeout;
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
                events.beforeFirstRead();
            }
            int n = readBody(b, off, len);
            if (n < 0) {
                ended = true;
                events.ended();
            }
            return n;
        } catch (DeadlineExceededException e) {
            events.failed();
            if (Timeout.expired()) {
                throw e; // the handler's own deadline, not the body timeout
            }
            throw new HttpException(Status.REQUEST_TIMEOUT, "no request body bytes for " + timeout, e);
        } catch (IOException | RuntimeException | Error e) {
            events.failed();
            throw e;
        }
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
                return checkEof(in.readDirect(b, off, want, timeout));
            }
            checkEof(in.fill(timeout));
        }
        return in.take(b, off, want);
    }

    /** Waits until at least {@code n} bytes are buffered. */
    final void ensure(int n) throws IOException {
        while (in.available() < n) {
            checkEof(in.fill(timeout));
        }
    }

    private int checkEof(int n) throws EOFException {
        if (n < 0) {
            throw new EOFException("the client closed the connection in the middle of the request body");
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
