package org.concurrence.http.websocket;

/** The peer broke RFC 6455: the session fails with a close of {@code code} (1002, 1007, 1009). */
final class ProtocolError extends Exception {
    private static final long serialVersionUID = 1L;
    final int code;

    ProtocolError(int code, String reason) {
        super(reason, null, false, false);
        this.code = code;
    }
}
