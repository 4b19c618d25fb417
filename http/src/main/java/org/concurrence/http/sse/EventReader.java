package org.concurrence.http.sse;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Timeout;

/**
 * Reads server-sent events from a {@code text/event-stream} body, as the HTML standard's parser does (§9.2.6): lines
 * ending in CRLF, LF or CR; {@code data} fields joined with LF; {@code event}, {@code id} (kept across events, as
 * {@link #lastEventId()}) and {@code retry}; comments and unknown fields ignored; a leading BOM skipped; an event cut
 * off by the end of the stream dropped.
 * <pre>{@code
 * try (ClientResponse r = client.send(ClientRequest.get(url).withHeader("Accept", "text/event-stream"), timeout);
 *      EventReader events = new EventReader(r.stream())) {
 *     for (ServerEvent e; (e = events.next()) != null; ) { ... }
 * }
 * }</pre>
 *
 * <p>Memory is bounded: a line or an event longer than the limit fails the read with an {@link IOException} naming
 * it, instead of growing without end at a hostile server's pace.
 *
 * <p>Blocking: as the stream's reads (for a client response: under its call's deadline), or at most the timeout of
 * {@link #next(Duration)}; a read cut off by a deadline loses nothing. Not thread-safe: one reader.
 */
public final class EventReader implements AutoCloseable {
    /** The default limit on an event's data (and on one line): 1 MiB. */
    public static final int DEFAULT_MAX_EVENT_SIZE = 1024 * 1024;

    private final InputStream in;
    private final int maxEventSize;
    private final byte[] chunk = new byte[8192];
    private int chunkStart;
    private int chunkEnd;
    private byte[] line;
    private int lineLength;
    /** The previous line ended with CR: an LF right after it belongs to that ending. */
    private boolean skipLf;
    private boolean started;
    /** The standard's last event ID buffer: the latest {@code id} field, taken on when an event is dispatched. */
    private String idBuffer;
    private String lastEventId;
    private Duration retry;
    // The event being read, kept across calls so that a read cut off by a deadline loses nothing.
    private StringBuilder data;
    private String type;
    private Duration eventRetry;

    /** A reader of {@code in} with events of up to {@link #DEFAULT_MAX_EVENT_SIZE} bytes. */
    public EventReader(InputStream in) {
        this(in, DEFAULT_MAX_EVENT_SIZE);
    }

    /** A reader of {@code in} with events (and lines) of up to {@code maxEventSize} bytes. */
    public EventReader(InputStream in, int maxEventSize) {
        this.in = Objects.requireNonNull(in, "in");
        if (maxEventSize < 1) {
            throw new IllegalArgumentException("maxEventSize must be positive: " + maxEventSize);
        }
        this.maxEventSize = maxEventSize;
        this.line = new byte[Math.min(256, maxEventSize)];
    }

    /**
     * The next event, or null at the end of the stream.
     *
     * @throws IOException if the stream fails, or a line or event exceeds the limit
     */
    public ServerEvent next() throws IOException {
        while (true) {
            String text = readLine();
            if (text == null) {
                return null; // an event not yet dispatched is dropped
            }
            if (text.isEmpty()) {
                lastEventId = idBuffer; // at every dispatch, even of an event without data (§9.2.6)
                if (data == null) {
                    type = null; // nothing to dispatch: start over
                    eventRetry = null;
                    continue;
                }
                ServerEvent event = new ServerEvent(type, data.toString(), lastEventId, eventRetry);
                data = null;
                type = null;
                eventRetry = null;
                return event;
            }
            if (text.charAt(0) == ':') {
                continue;
            }
            int colon = text.indexOf(':');
            String field = colon < 0 ? text : text.substring(0, colon);
            String value = colon < 0 ? "" : text.substring(colon + (text.startsWith(" ", colon + 1) ? 2 : 1));
            switch (field) {
                case "data" -> {
                    if (data == null) {
                        data = new StringBuilder(value);
                    } else {
                        if (data.length() + 1 + value.length() > maxEventSize) {
                            throw new IOException("server-sent event longer than " + maxEventSize + " bytes");
                        }
                        data.append('\n').append(value);
                    }
                }
                case "event" -> type = value.isEmpty() ? null : value;
                case "id" -> {
                    if (value.indexOf('\0') < 0) {
                        idBuffer = value.isEmpty() ? null : value;
                    }
                }
                case "retry" -> {
                    if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9') && value.length() < 19) {
                        retry = Duration.ofMillis(Long.parseLong(value));
                        eventRetry = retry;
                    }
                }
                default -> { } // unknown fields are ignored
            }
        }
    }

    /**
     * {@link #next()}, waiting at most {@code timeout} (and never past the tasklet's deadline). A read cut off by the
     * timeout loses nothing the reader holds (the part of an event or a line read so far): the next call goes on where
     * it stopped, if the stream beneath can: a socket's, a {@code BufferedSource}'s and a client response's body can
     * (unless the body is being decoded from gzip or deflate). Call it from a tasklet.
     *
     * @throws DeadlineExceededException if no whole event came in time
     */
    public ServerEvent next(Duration timeout) throws IOException {
        try (Timeout _ = Timeout.after(timeout)) {
            return next();
        }
    }

    /**
     * The id of the last event read whole (kept from event to event until another is given): what a client sends
     * back as {@code Last-Event-ID} when it reconnects; null if none. An event cut off by the end of the stream does
     * not change it.
     */
    public String lastEventId() {
        return lastEventId;
    }

    /** The reconnection time the server asked for last, or null if it has not. */
    public Duration retry() {
        return retry;
    }

    /** One line without its ending, decoded as UTF-8 (malformed bytes replaced); null at the end of the stream. */
    private String readLine() throws IOException {
        while (true) {
            if (chunkStart == chunkEnd) {
                int n = in.read(chunk);
                if (n < 0) {
                    return null; // a last line without its ending is incomplete: dropped with its event
                }
                chunkStart = 0;
                chunkEnd = n;
            }
            while (chunkStart < chunkEnd) {
                byte b = chunk[chunkStart++];
                if (skipLf) {
                    skipLf = false;
                    if (b == '\n') {
                        continue;
                    }
                }
                if (b == '\n' || b == '\r') {
                    skipLf = b == '\r';
                    return decode();
                }
                if (lineLength == maxEventSize) {
                    throw new IOException("server-sent event line longer than " + maxEventSize + " bytes");
                }
                if (lineLength == line.length) {
                    line = Arrays.copyOf(line, Math.min(maxEventSize, lineLength * 2));
                }
                line[lineLength++] = b;
            }
        }
    }

    private String decode() {
        int from = 0;
        if (!started) {
            started = true;
            if (lineLength >= 3 && (line[0] & 0xFF) == 0xEF && (line[1] & 0xFF) == 0xBB && (line[2] & 0xFF) == 0xBF) {
                from = 3; // the byte order mark
            }
        }
        String text = new String(line, from, lineLength - from, StandardCharsets.UTF_8);
        lineLength = 0;
        return text;
    }

    /** Closes the stream. */
    @Override
    public void close() throws IOException {
        in.close();
    }
}
