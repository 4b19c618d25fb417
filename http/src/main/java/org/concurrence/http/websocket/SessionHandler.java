package org.concurrence.http.websocket;

/**
 * What a WebSocket session does, from the opening handshake to its end.
 *
 * <p>Blocking: runs on the connection's tasklet; when it returns, the session is closed (1000, or 1011 if it threw, or
 * 1001 if a receive timed out and it let that out) and the connection ends. It may spawn tasklets on the same
 * dispatcher that send on the session while it receives.
 */
@FunctionalInterface
public interface SessionHandler {
    void handle(Session session) throws Exception;
}
