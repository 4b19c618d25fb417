/**
 * The handler interface of Concurrence's HTTP stack, the counterpart of WSGI: a {@link org.concurrence.http.Handler}
 * takes a {@link org.concurrence.http.Request} and returns a {@link org.concurrence.http.Response}; a
 * {@link org.concurrence.http.Filter} wraps a handler. Bodies are streams in both directions, so neither side has to
 * hold a large body whole. The server that runs handlers is in {@link org.concurrence.http.server}.
 */
package org.concurrence.http;
