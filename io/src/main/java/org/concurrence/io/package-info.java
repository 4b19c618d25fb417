/**
 * Network and byte I/O for tasklets, written as plain blocking calls: {@link org.concurrence.io.Socket} (TCP and
 * Unix domain), {@link org.concurrence.io.ServerSocket}, {@link org.concurrence.io.DatagramSocket} (UDP),
 * {@link org.concurrence.io.SocketServer} (a tasklet per connection), {@link org.concurrence.io.Buffer} and
 * {@link org.concurrence.io.BufferPool}, the buffered streams ({@link org.concurrence.io.BufferedSource},
 * {@link org.concurrence.io.BufferedSink}) and {@link org.concurrence.io.MessageFraming}. TLS is in
 * {@link org.concurrence.io.tls}.
 *
 * <p>Sockets are non-blocking channels on their dispatcher's own selector: a call is tried at once and parks only its
 * tasklet when it must wait, under the tasklet's deadline (or the {@code Duration} given) and its kill. A socket
 * belongs to the dispatcher of the first tasklet that waits on it; {@code close()} is safe from any thread and wakes
 * its waiters with {@link org.concurrence.io.ClosedWhileWaitingException}. Sockets need a dispatcher on real time.
 */
package org.concurrence.io;
