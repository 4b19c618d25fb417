package org.concurrence.http.server;

import java.nio.charset.StandardCharsets;
import org.concurrence.http.Headers;

/**
 * What the connections of one server on one dispatcher share: spare buffers, the Date header, and the encoded header
 * fields of the response written last (a handler that returns one immutable response for every request has its
 * fields encoded once, not once per request).
 *
 * <p>Thread-safety: confined to one dispatcher.
 */
final class DispatcherShare {
    final SpareBuffers buffers = new SpareBuffers();
    final DateHeader date = new DateHeader();

    private Headers lastHeaders;
    private EncodedFields lastEncoded;

    /**
     * A response's own header fields as bytes, and the few facts about them the server needs. A Connection field is
     * not copied: the server writes its own, honouring a {@code close} in the handler's. A response's headers
     * are frozen ({@link Headers#readOnly()}), so the same instance always encodes the same, and so do equal fields.
     */
    record EncodedFields(byte[] bytes, boolean hasDate, boolean hasServer, boolean asksClose) {}

    EncodedFields encode(Headers headers) {
        if (headers != lastHeaders || !headers.isReadOnly()) {
            if (!sameFields(headers, lastHeaders)) {
                lastEncoded = encodeFields(headers);
            }
            lastHeaders = headers.isReadOnly() ? headers : Headers.copyOf(headers).readOnly();
        }
        return lastEncoded;
    }

    /**
     * Whether {@code a} holds the same fields as {@code b}, in order: a handler that builds an equal response per
     * request (usually from constant Strings, so identity settles most comparisons) has its fields encoded once.
     */
    private static boolean sameFields(Headers a, Headers b) {
        if (b == null || a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!same(a.name(i), b.name(i)) || !same(a.value(i), b.value(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean same(String x, String y) {
        return x == y || x.equals(y);
    }

    private static EncodedFields encodeFields(Headers headers) {
        int length = 0;
        for (int i = 0; i < headers.size(); i++) {
            if (!headers.name(i).equalsIgnoreCase("Connection")) {
                length += headers.name(i).length() + headers.value(i).length() + 4;
            }
        }
        byte[] bytes = new byte[length];
        int at = 0;
        boolean date = false;
        boolean server = false;
        boolean close = false;
        for (int i = 0; i < headers.size(); i++) {
            String name = headers.name(i);
            String value = headers.value(i);
            if (name.equalsIgnoreCase("Connection")) {
                close |= headers.containsToken("Connection", "close");
                continue;
            }
            at = put(bytes, at, name);
            bytes[at++] = ':';
            bytes[at++] = ' ';
            at = put(bytes, at, value);
            bytes[at++] = '\r';
            bytes[at++] = '\n';
            date |= name.equalsIgnoreCase("Date");
            server |= name.equalsIgnoreCase("Server");
        }
        return new EncodedFields(bytes, date, server, close);
    }

    /** Latin-1, as {@link Headers} admits only characters up to 0xFF. */
    private static int put(byte[] bytes, int at, String s) {
        for (int i = 0; i < s.length(); i++) {
            bytes[at++] = (byte) s.charAt(i);
        }
        return at;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
