package org.concurrence.http.websocket;

import java.util.Objects;

/**
 * One whole WebSocket message, as {@link Endpoint#receive()} returns it (reassembled from its fragments): text, or
 * binary data.
 *
 * <p>Immutable (a {@link Binary} message does not copy its array: do not change it after).
 */
public sealed interface Message permits Message.Text, Message.Binary {

    /** A text message, decoded from valid UTF-8. */
    record Text(String text) implements Message {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /** A binary message. */
    record Binary(byte[] bytes) implements Message {
        public Binary {
            Objects.requireNonNull(bytes, "bytes");
        }
    }
}
