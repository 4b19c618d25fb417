package org.concurrence.http.sse;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.Tasklet;
import org.concurrence.core.Timeout;
import org.concurrence.sync.Lock;

/**
 * Where a handler's events go ({@link EventStream#response}): each {@code send} writes one event and flushes it, so
 * the client has it at once.
 *
 * <p>Blocking: a send parks its tasklet until the connection takes the bytes, under the server's write timeout; a
 * client that went away fails it with an {@link IOException}, which ends the stream. Thread-safety: tasklets of the
 * connection's dispatcher (the producer, and the stream's heartbeat) may send; sends never interleave. Once the
 * producer has returned, a send (from a tasklet it left behind) fails with an {@link IOException}: the connection
 * has moved on.
 */
public final class EventSink {
    private final OutputStream out;
    private final Lock lock = new Lock("event-stream");
    /** The dispatcher whose clock times the quiet spells: the connection's. */
    private final Dispatcher dispatcher;
    /** When the last bytes went out, on the dispatcher's clock: the heartbeat writes only after a quiet spell. */
    private volatile long lastWrite;
    /** The stream has ended: nothing more may be written. Guarded by {@link #lock}. */
    private boolean closed;
    /** What cut a write off part way (a timeout, a broken connection): every later write fails. Under the lock. */
    private Throwable broken;

    /** A sink writing to {@code out}; call in the connection's tasklet. */
    EventSink(OutputStream out) {
        this.out = out;
        this.dispatcher = Tasklet.current().dispatcher();
        this.lastWrite = dispatcher.nanoTime();
    }

    /** Sends {@code event}. */
    public void send(ServerEvent event) throws IOException {
        write(event.encode());
    }

    /**
     * Sends {@code event}, waiting at most {@code timeout} (for a heartbeat's write to finish, then for the client to
     * take the bytes; never past the tasklet's deadline). A send cut off part way may have sent part of its event, so
     * every later send (and heartbeat) fails at once with an {@link IOException}: the stream is over.
     *
     * @throws org.concurrence.core.DeadlineExceededException if it did not go out in time
     */
    public void send(ServerEvent event, Duration timeout) throws IOException {
        try (Timeout _ = Timeout.after(timeout)) {
            write(event.encode());
        }
    }

    /** Sends an event of the default type with {@code data}. */
    public void send(String data) throws IOException {
        send(ServerEvent.of(data));
    }

    /** Sends an event of type {@code event} with {@code data}. */
    public void send(String event, String data) throws IOException {
        send(ServerEvent.of(event, data));
    }

    /**
     * Sends a comment, which readers ignore: keeps the connection alive through proxies that close silent ones. Line
     * breaks in {@code text} start further comment lines.
     */
    public void comment(String text) throws IOException {
        write(commentLines(text));
    }

    /** {@link #comment(String)} waiting at most {@code timeout}, as {@link #send(ServerEvent, Duration)} does. */
    public void comment(String text, Duration timeout) throws IOException {
        try (Timeout _ = Timeout.after(timeout)) {
            write(commentLines(text));
        }
    }

    private static String commentLines(String text) {
        return ":" + text.replace("\r\n", "\n").replace('\r', '\n').replace("\n", "\n:") + "\n\n";
    }

    /** Nanoseconds since the last write, on the dispatcher's clock (the one {@link Tasklet#sleep} sleeps on). */
    long quietFor() {
        return dispatcher.nanoTime() - lastWrite;
    }

    /**
     * Ends the stream for writers: waits for a write in progress to finish (a write cut off would leave part of an
     * event, or of a chunk, on the wire), then makes every later one fail. Blocking: as a send.
     */
    void close() {
        try (var _ = lock.acquire()) {
            closed = true;
        }
    }

    /** Whether {@link #close()} has run: a write failing now failed because the stream ended, not the client. */
    boolean isClosed() {
        try (var _ = lock.acquire()) {
            return closed;
        }
    }

    private void write(String text) throws IOException {
        try (var _ = lock.acquire()) {
            if (closed) {
                throw new IOException("the event stream has ended: its producer returned");
            }
            if (broken != null) {
                throw new IOException("an earlier write to this event stream failed part way: " + broken, broken);
            }
            try {
                out.write(text.getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException | RuntimeException e) { // part of an event may have gone: nothing can follow it
                broken = e;
                throw e;
            }
            lastWrite = dispatcher.nanoTime();
        }
    }
}
