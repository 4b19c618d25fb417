package org.concurrence.http.sse;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Tasklet;
import org.concurrence.http.Request;
import org.concurrence.http.Response;
import org.concurrence.http.ResponseBody;
import org.concurrence.http.Status;

/**
 * Server-sent events: a response whose body is a stream of events written as they happen, for live updates to
 * browsers ({@code new EventSource(url)}) and to any HTTP client ({@link EventReader}).
 * <pre>{@code
 * router.get("/prices", request -> EventStream.response(Duration.ofSeconds(15), events -> {
 *     Subscription s = prices.subscribe();                      // a channel, a mailbox...
 *     while (true) {
 *         Price p = s.receive();
 *         events.send(ServerEvent.of("price", p.toJson()).withId(p.sequence()));
 *     }                                                         // ends when the client goes (send throws)
 * }));
 * }</pre>
 *
 * <p>The response is 200 {@code text/event-stream; charset=utf-8}, {@code Cache-Control: no-store} and
 * {@code X-Accel-Buffering: no} (so nginx in front passes events at once), its body chunked. The producer runs after
 * the handler returns, in the tasklet that writes the connection's responses, once the head is on its way: it may
 * block as long as it likes between events (waiting on a channel or a mailbox), and the stream ends when it returns,
 * throws, or a send fails because the client went away. For a HEAD request, or if the connection ends first, it never
 * runs. With a heartbeat, a comment goes out whenever the stream has been quiet that long, so that proxies and load
 * balancers do not close it, and a client that went away is noticed even while there is nothing to send: the
 * heartbeat's write fails (or times out: a client that stopped reading), and the producer is killed where it waits (a
 * {@link org.concurrence.core.TaskletExit} from its blocking call, which ends the stream and the connection; a
 * {@code finally} in the producer runs, so a subscription can be cancelled there).
 *
 * <p>Without a heartbeat, nothing wakes a producer that is waiting on something else when the client goes: until its
 * next send fails, the connection (its socket, its tasklet) stays.
 *
 * <p>Thread-safety: stateless; call from a handler.
 */
public final class EventStream {
    /** The media type of an event stream. */
    public static final String CONTENT_TYPE = "text/event-stream; charset=utf-8";

    private EventStream() {}

    /** What writes a stream's events. */
    @FunctionalInterface
    public interface Producer {
        /**
         * Sends events into {@code events} until the stream is over; returning ends the response. An
         * {@link IOException} from a send means the client went away.
         */
        void stream(EventSink events) throws Exception;
    }

    /** An event stream written by {@code producer}, without heartbeat. */
    public static Response response(Producer producer) {
        return response(null, producer);
    }

    /**
     * An event stream written by {@code producer}, with a comment sent whenever it has been quiet for
     * {@code heartbeat} (null for none).
     *
     * @throws IllegalArgumentException if {@code heartbeat} is not positive
     */
    public static Response response(Duration heartbeat, Producer producer) {
        Objects.requireNonNull(producer, "producer");
        if (heartbeat != null && (heartbeat.isNegative() || heartbeat.isZero())) {
            throw new IllegalArgumentException("an event stream's heartbeat must be positive: " + heartbeat);
        }
        return Response.builder(Status.OK)
                .contentType(CONTENT_TYPE)
                .header("Cache-Control", "no-store")
                .header("X-Accel-Buffering", "no")
                .body(ResponseBody.ofWriter(-1, out -> run(new EventSink(out), heartbeat, producer)))
                .build();
    }

    /**
     * The id of the last event the client saw, which it sends back when it reconnects ({@code Last-Event-ID}): where
     * the stream should resume.
     */
    public static Optional<String> lastEventId(Request request) {
        return Optional.ofNullable(request.header("Last-Event-ID"));
    }

    private static void run(EventSink events, Duration heartbeat, Producer producer) throws IOException {
        Tasklet<?> writer = Tasklet.current();
        Tasklet<Void> beat = heartbeat == null ? null : Tasklet.builder().name("event-stream heartbeat").daemon(true)
                .spawn(() -> beat(events, heartbeat, writer));
        try {
            producer.stream(events);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("the event stream's producer failed", e);
        } finally {
            try {
                events.close(); // a heartbeat in the middle of a write finishes it first: it is never cut off
            } finally {
                if (beat != null) {
                    beat.kill();
                }
            }
        }
    }

    /**
     * Sends a comment whenever the stream has been quiet for {@code interval}, until a write fails or it is killed
     * (never in the middle of a write: the stream is closed first). A write that fails or times out while the stream
     * is open means the client went away (or stopped reading): {@code producer} is killed where it waits.
     */
    private static void beat(EventSink events, Duration interval, Tasklet<?> producer) {
        long nanos = interval.toNanos();
        try {
            while (true) {
                long quiet = events.quietFor();
                if (quiet >= nanos) {
                    events.comment("");
                } else {
                    Tasklet.sleep(Duration.ofNanos(nanos - quiet));
                }
            }
        } catch (IOException | DeadlineExceededException gone) { // reset, or not read within the write timeout
            if (!events.isClosed()) {
                producer.kill(); // the client went away: end the producer's wait, whatever it waits on
            }
        }
    }
}
