package org.concurrence.http.sse;

import java.time.Duration;
import java.util.Objects;

/**
 * One server-sent event (the HTML standard's {@code text/event-stream}, §9.2): its data, and optionally its type, its
 * id and the reconnection time it asks of the client.
 *
 * <p>Immutable; thread-safe. The constructor refuses what the format cannot carry ({@link IllegalArgumentException}):
 * a line break in the type or the id (it would end the field and start another: a client could be made to see an
 * event nobody sent), a NUL in the id (clients ignore such an id), a negative retry.
 *
 * @param event the event type, or null for the default type {@code message}
 * @param data  the payload; may span lines (each becomes a {@code data:} field and the reader joins them with LF)
 * @param id    the event's id, which a client sends back as {@code Last-Event-ID} when it reconnects; null for none
 * @param retry how long a client should wait before reconnecting after the stream breaks; null to leave it unsaid
 */
public record ServerEvent(String event, String data, String id, Duration retry) {
    public ServerEvent {
        Objects.requireNonNull(data, "data");
        if (event != null && (event.indexOf('\n') >= 0 || event.indexOf('\r') >= 0)) {
            throw new IllegalArgumentException("an event type cannot hold a line break: " + quoted(event));
        }
        if (id != null && (id.indexOf('\n') >= 0 || id.indexOf('\r') >= 0 || id.indexOf('\0') >= 0)) {
            throw new IllegalArgumentException("an event id cannot hold a line break or NUL: " + quoted(id));
        }
        if (retry != null && retry.isNegative()) {
            throw new IllegalArgumentException("an event's retry cannot be negative: " + retry);
        }
    }

    /** An event of the default type with {@code data}. */
    public static ServerEvent of(String data) {
        return new ServerEvent(null, data, null, null);
    }

    /** An event of type {@code event} with {@code data}. */
    public static ServerEvent of(String event, String data) {
        return new ServerEvent(Objects.requireNonNull(event, "event"), data, null, null);
    }

    /** This event with {@code id}. */
    public ServerEvent withId(String id) {
        return new ServerEvent(event, data, id, retry);
    }

    /** This event asking clients to wait {@code retry} before they reconnect. */
    public ServerEvent withRetry(Duration retry) {
        return new ServerEvent(event, data, id, retry);
    }

    /** The type a reader sees: {@link #event()}, or {@code message} if there is none. */
    public String type() {
        return event != null ? event : "message";
    }

    /** The event in the stream's format, ending with the blank line that dispatches it. */
    String encode() {
        StringBuilder out = new StringBuilder(data.length() + 16);
        if (event != null) {
            out.append("event: ").append(event).append('\n');
        }
        if (id != null) {
            out.append("id: ").append(id).append('\n');
        }
        if (retry != null) {
            out.append("retry: ").append(retry.toMillis()).append('\n');
        }
        int start = 0;
        for (int i = 0; i <= data.length(); i++) {
            char c = i < data.length() ? data.charAt(i) : '\n';
            if (c == '\n' || c == '\r') {
                out.append("data: ").append(data, start, i).append('\n');
                if (c == '\r' && i + 1 < data.length() && data.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        return out.append('\n').toString();
    }

    private static String quoted(String text) {
        return '"' + text.replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0") + '"';
    }
}
