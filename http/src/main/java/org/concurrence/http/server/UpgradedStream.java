package org.concurrence.http.server;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.concurrence.http.Response;

/**
 * A connection after its 101, as the upgraded protocol sees it: reads return the bytes the connection had already
 * buffered behind the upgrade request first, then come from the {@link Transport} (TLS for HTTPS); writes go straight
 * to the transport.
 *
 * <p>Blocking and timeouts: those of {@link Transport}. Thread-safety: confined to the connection's dispatcher; one
 * reader and one writer at a time (two tasklets may read and write at once); {@link #close()} from any thread.
 */
final class UpgradedStream implements Response.UpgradedConnection {
    private final Transport transport;
    private final ConnectionInput input;
    private final HttpServerOptions options;
    private final Connection connection;

    UpgradedStream(Transport transport, ConnectionInput input, HttpServerOptions options, Connection connection) {
        this.transport = transport;
        this.input = input;
        this.options = options;
        this.connection = connection;
    }

    @Override
    public int read(ByteBuffer destination) throws IOException {
        return read(destination, null);
    }

    @Override
    public int read(ByteBuffer destination, Duration timeout) throws IOException {
        int buffered = input.available();
        if (buffered > 0) {
            int n = Math.min(buffered, destination.remaining());
            destination.put(input.array(), input.start(), n);
            input.consume(n);
            return n;
        }
        input.release();
        return transport.read(destination, timeout);
    }

    @Override
    public void awaitReadable(Duration timeout) throws IOException {
        if (input.available() == 0) {
            input.release();
            transport.awaitReadable(timeout);
        }
    }

    @Override
    public void write(ByteBuffer source) throws IOException {
        transport.write(source, null);
    }

    @Override
    public void write(ByteBuffer source, Duration timeout) throws IOException {
        transport.write(source, timeout);
    }

    @Override
    public void close() throws IOException {
        transport.close();
    }

    @Override
    public Duration idleTimeout() {
        return options.idleTimeout();
    }

    @Override
    public Duration writeTimeout() {
        return options.writeTimeout();
    }

    @Override
    public void onServerStop(Runnable action) {
        connection.onServerStop(action);
    }

    @Override
    public SocketAddress remoteAddress() {
        try {
            return transport.socket().remoteAddress();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "upgraded " + transport;
    }
}
