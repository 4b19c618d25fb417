/**
 * The HTTP/1.1 message syntax (RFC 9112) that the server ({@link org.concurrence.http.server}) and the client
 * ({@link org.concurrence.http.client}) share: field lines, Content-Length, chunk-size lines and trailers, and how
 * protocol errors quote what the peer sent. Public only because two packages use it; it is not an application API and
 * may change with them.
 */
package org.concurrence.http.wire;
