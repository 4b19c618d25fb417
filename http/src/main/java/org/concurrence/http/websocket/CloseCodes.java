package org.concurrence.http.websocket;

/** The close status codes of RFC 6455 §7.4.1 this package sends or a handler commonly uses. */
public final class CloseCodes {
    /** The purpose of the connection is fulfilled. */
    public static final int NORMAL = 1000;
    /** The endpoint goes away (the server stops, the session timed out). */
    public static final int GOING_AWAY = 1001;
    /** The peer broke the protocol. */
    public static final int PROTOCOL_ERROR = 1002;
    /** A message of a type the endpoint does not accept. */
    public static final int UNSUPPORTED_DATA = 1003;
    /** No code was in the close frame (never sent in one). */
    public static final int NO_STATUS = 1005;
    /** The connection ended without a close frame (never sent in one). */
    public static final int ABNORMAL = 1006;
    /** A text message was not valid UTF-8. */
    public static final int INVALID_DATA = 1007;
    /** A message broke the endpoint's policy. */
    public static final int POLICY_VIOLATION = 1008;
    /** A message was larger than the endpoint accepts. */
    public static final int TOO_BIG = 1009;
    /** The endpoint failed (the session handler threw). */
    public static final int INTERNAL_ERROR = 1011;

    private CloseCodes() {}

    /** Whether {@code code} may be sent in a close frame (RFC 6455 §7.4): 1000-1003, 1007-1014, 3000-4999. */
    public static boolean isSendable(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }
}
