package org.concurrence.http.websocket;

import java.io.IOException;

/**
 * A client's opening handshake failed (RFC 6455 §4.1): the server refused it (any status but 101: {@link #status()}
 * says which, and {@link #body()} holds the start of its explanation), or it switched with an answer the client must
 * not accept (a wrong {@code Sec-WebSocket-Accept}, no {@code Upgrade: websocket}, a subprotocol or extension that was
 * not offered); the message names what was wrong. The connection is closed by then. Immutable.
 */
public class WebSocketHandshakeException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String body;

    public WebSocketHandshakeException(String message, int status, String body) {
        super(message);
        this.status = status;
        this.body = body == null ? "" : body;
    }

    /** The answer's status code: 101 for an invalid switch, else the refusal's. */
    public int status() {
        return status;
    }

    /** The start of a refusal's body as text (at most {@link WebSocketClient#MAX_REFUSAL_TEXT} bytes), or empty. */
    public String body() {
        return body;
    }
}
