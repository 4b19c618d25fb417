/**
 * Runs handlers written for the JDK's {@code com.sun.net.httpserver} unchanged on Concurrence's HTTP server.
 *
 * <p>With {@code concurrence-http} on the class path, {@link com.sun.net.httpserver.HttpServer#create} returns a
 * server of ours through the JDK's {@link com.sun.net.httpserver.spi.HttpServerProvider} service mechanism
 * ({@link org.concurrence.http.jdk.ConcurrenceHttpServerProvider}); the system property
 * {@code com.sun.net.httpserver.HttpServerProvider} can still name another provider. Contexts, filters,
 * authenticators, fixed-length and chunked responses, HEAD and exchange attributes behave as the JDK documents; each
 * exchange's handler runs in a tasklet of its own, so it may block in any Concurrence call.
 */
package org.concurrence.http.jdk;
