/**
 * Server-sent events ({@code text/event-stream}): {@link org.concurrence.http.sse.EventStream} answers a request with
 * a stream of events a handler writes as they happen; {@link org.concurrence.http.sse.EventReader} reads such a
 * stream from any {@code InputStream}, e.g. a client response's body.
 */
package org.concurrence.http.sse;
