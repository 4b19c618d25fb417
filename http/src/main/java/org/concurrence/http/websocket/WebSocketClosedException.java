package org.concurrence.http.websocket;

import java.io.IOException;

/**
 * The session is closed: the peer sent a close frame ({@link #byPeer()} true; this side echoed it), the peer broke
 * the protocol (this side sent a close with {@link #code()}: 1002, 1007 or 1009), the connection ended without a close
 * (1006, by the peer), this side closed it, or the session was closed before (then every receive and send throws it).
 * Either role ({@link Session}, {@link ClientSession}) throws it alike.
 */
public class WebSocketClosedException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int code;
    private final String reason;
    private final boolean byPeer;

    public WebSocketClosedException(int code, String reason, boolean byPeer) {
        super((byPeer ? "closed by the peer: " : "closed: ") + code + (reason.isEmpty() ? "" : " " + reason));
        this.code = code;
        this.reason = reason;
        this.byPeer = byPeer;
    }

    /** The close code: the peer's, or the one this side sent (see {@link CloseCodes}). */
    public int code() {
        return code;
    }

    /** The close reason, possibly empty. */
    public String reason() {
        return reason;
    }

    /** Whether the peer closed (its close frame, or the connection's end) rather than this side. */
    public boolean byPeer() {
        return byPeer;
    }
}
