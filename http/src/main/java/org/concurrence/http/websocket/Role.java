package org.concurrence.http.websocket;

/**
 * Which end of a WebSocket connection this side is (RFC 6455 §5.1): a client masks every frame it sends and reads
 * only unmasked frames; a server the other way round. A frame masked the wrong way is a protocol error (1002).
 */
enum Role {
    SERVER, CLIENT;

    /** Whether the frames this side reads are masked: a server reads the client's. */
    boolean readsMasked() {
        return this == SERVER;
    }

    /** Whether the frames this side writes are masked: a client's are. */
    boolean writesMasked() {
        return this == CLIENT;
    }

    /** The other end, as errors name it. */
    String peer() {
        return this == SERVER ? "client" : "server";
    }
}
