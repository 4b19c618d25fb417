package org.concurrence.http.server;

import org.concurrence.core.Waiter;
import org.concurrence.http.Response;

/**
 * One request and its response on a connection, from the moment it is claimed to the moment its response is
 * written. A malformed request is an exchange too (no request, an error response, the connection closes after it),
 * so its answer goes out in order after the responses to the requests before it.
 *
 * <p>Thread-safety: confined to the connection's dispatcher; fields are touched by the tasklet handling it and by the
 * {@link Pipeline}.
 */
final class Exchange {
    /** The parsed head, or null for a request that could not be parsed. */
    final RequestHead head;
    /** The request as the handler sees it, or null for a malformed request. */
    ServerRequest request;
    /** The body read from the connection while the handler runs, or null if it had none or arrived whole. */
    BodyInput body;
    /** The response, once the handler returned (set at once for a malformed request). */
    Response response;
    /** Close the connection after this response. */
    boolean closeAfter;
    /** Read and drop the rest of the body after the response. */
    boolean drain;
    /** Whether {@code 100 Continue} was sent, or is no longer due (the body began to arrive without it). */
    boolean continueSent;
    /** Reading the body failed (timeout, cut, malformed, too large): the connection closes after the response. */
    boolean bodyFailed;
    /** The response went to the {@link ResponseWriter}, which settles its body (written or discarded). */
    boolean responseHandedOver;

    // Pipeline bookkeeping.
    Exchange next;
    Waiter<Boolean> turn;

    Exchange(RequestHead head, boolean closeAfter) {
        this.head = head;
        this.closeAfter = closeAfter;
    }

    /** An exchange answering a request that could not be parsed: the connection closes after it. */
    static Exchange malformed(Response response) {
        Exchange ex = new Exchange(null, true);
        ex.response = response;
        return ex;
    }

    @Override
    public String toString() {
        return head == null ? "malformed request" : head.requestLine();
    }
}
