package org.concurrence.http.websocket;

/**
 * One WebSocket frame as read (unmasked): its FIN bit, opcode, payload, and RSV1, which marks the first frame of a
 * compressed message when permessage-deflate is in use.
 */
record Frame(boolean fin, int opcode, byte[] payload, boolean compressed) {
    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    static boolean isControl(int opcode) {
        return (opcode & 0x8) != 0;
    }
}
