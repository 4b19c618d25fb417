package org.concurrence.http.server;

import org.concurrence.http.Headers;
import org.concurrence.http.Method;
import org.concurrence.http.Version;

/**
 * A parsed and validated request head: the request line, the frozen header fields, and what they mean for framing
 * and for the connection.
 *
 * @param contentLength  the body's length: 0 for none, -1 for chunked
 * @param keepAlive      whether the client lets the connection stay open after this request
 * @param expectContinue whether the client waits for {@code 100 Continue} before it sends the body
 * @param asksUpgrade    whether the client asks to switch protocols (an {@code Upgrade} field): such a request runs
 *                       inline, alone
 */
record RequestHead(Method method, String target, Version version, Headers headers, long contentLength,
        boolean keepAlive, boolean expectContinue, boolean asksUpgrade) {

    boolean chunked() {
        return contentLength < 0;
    }

    boolean hasBody() {
        return contentLength != 0;
    }

    /** {@code GET /path HTTP/1.1}, for logs. */
    String requestLine() {
        return method + " " + target + " " + version;
    }
}
