/**
 * The HTTP/1.1 server: {@link org.concurrence.http.server.HttpServer} runs a {@link org.concurrence.http.Handler} for
 * every request, a tasklet per connection, spread over the dispatcher group.
 */
package org.concurrence.http.server;
