/**
 * TLS over the socket API: {@link org.concurrence.io.tls.TlsSocket} is a {@link org.concurrence.io.Source} and
 * {@link org.concurrence.io.Sink} over a {@link org.concurrence.io.Socket}, client or server, set up by
 * {@link org.concurrence.io.tls.TlsOptions}. Built on the JDK's {@link javax.net.ssl.SSLEngine}; no other library.
 */
package org.concurrence.io.tls;
