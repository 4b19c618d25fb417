package org.concurrence.io;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.DispatcherGroup;
import org.concurrence.core.Tasklet;
import org.concurrence.core.TaskletExit;
import org.concurrence.sync.Semaphore;

/**
 * A server that runs a handler in a tasklet of its own for every connection (gevent's StreamServer, the original's
 * SocketServer): the handler reads and writes the socket with plain blocking calls, and the socket is closed when the
 * handler returns.
 *
 * <p>Spreading: with SO_REUSEPORT (the default for TCP on a group of several dispatchers) every dispatcher listens on
 * the same port with an acceptor of its own, the kernel spreads connections over them, and each connection stays on
 * the dispatcher that accepted it. Otherwise one acceptor hands connections to the group's dispatchers in turn.
 *
 * <p>Limits: at most {@link Options#maxConnections()} connections at once; an acceptor takes a permit before it
 * accepts, so connections beyond the limit wait in the kernel's backlog instead of being accepted and dropped.
 *
 * <p>Stopping: {@link #stop(Duration)} stops accepting, lets handlers finish within the grace period, then kills the
 * rest. Acceptors and handlers are daemon tasklets, so a server does not by itself keep {@code Concurrence.run} waiting.
 *
 * <p>Thread-safety: all methods may be called from any thread.
 */
public final class SocketServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SocketServer.class.getName());

    /** Handles one connection; the socket is closed when it returns or throws. */
    @FunctionalInterface
    public interface Handler {
        void handle(Socket connection) throws Exception;
    }

    /**
     * How a server runs.
     *
     * @param backlog        the listen backlog
     * @param maxConnections the most connections handled at once
     * @param reusePort      one acceptor per dispatcher on a shared port (TCP only)
     */
    public record Options(int backlog, int maxConnections, boolean reusePort) {
        public Options {
            if (backlog < 1 || maxConnections < 1) {
                throw new IllegalArgumentException("backlog and maxConnections must be positive: " + backlog + ", "
                        + maxConnections);
            }
        }

        public static Options defaults() {
            return new Options(ServerSocket.DEFAULT_BACKLOG, 100_000, true);
        }

        public Options withMaxConnections(int max) {
            return new Options(backlog, max, reusePort);
        }

        public Options withReusePort(boolean reuse) {
            return new Options(backlog, maxConnections, reuse);
        }
    }

    private final Handler handler;
    private final Semaphore permits;
    private final List<ServerSocket> listeners = new ArrayList<>();
    private final List<Tasklet<Void>> acceptors = new ArrayList<>();
    private final Set<Tasklet<?>> connections = ConcurrentHashMap.newKeySet();
    private final SocketAddress address;
    private volatile boolean stopping;

    private SocketServer(Handler handler, Options options, SocketAddress address) {
        this.handler = handler;
        this.permits = new Semaphore("connections", options.maxConnections());
        this.address = address;
    }

    /** Starts a server with default options on the current tasklet's dispatcher group. */
    public static SocketServer start(SocketAddress address, Handler handler) throws IOException {
        return start(Tasklet.current().dispatcher().group(), address, Options.defaults(), handler);
    }

    /** Starts a server on {@code group}; callable from any thread. */
    public static SocketServer start(DispatcherGroup group, SocketAddress address, Options options, Handler handler)
            throws IOException {
        Objects.requireNonNull(handler, "handler");
        boolean spread = options.reusePort() && group.size() > 1 && !(address instanceof UnixDomainSocketAddress);
        ServerSocket first = ServerSocket.bind(address, options.backlog(), spread);
        SocketServer server = new SocketServer(handler, options, first.localAddress());
        server.listeners.add(first);
        try {
            if (spread) {
                for (int i = 1; i < group.size(); i++) {
                    server.listeners.add(ServerSocket.bind(server.address, options.backlog(), true));
                }
                for (int i = 0; i < group.size(); i++) {
                    server.startAcceptor(server.listeners.get(i), group.dispatcher(i), null);
                }
            } else {
                server.startAcceptor(first, group.dispatcher(0), group);
            }
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** The address the server listens on (with the actual port when started on port 0). */
    public SocketAddress address() {
        return address;
    }

    /** The port, for a TCP server. */
    public int port() {
        return ((InetSocketAddress) address).getPort();
    }

    /** Connections being handled now. */
    public int connectionCount() {
        return connections.size();
    }

    /**
     * Stops accepting, waits up to {@code grace} for the handlers to finish, then kills the ones still running and
     * waits for them to end. Blocks the caller (parking it, in a tasklet).
     */
    public void stop(Duration grace) {
        stopping = true;
        for (ServerSocket listener : listeners) {
            closeQuietly(listener);
        }
        for (Tasklet<Void> acceptor : acceptors) {
            acceptor.kill();
        }
        long end = System.nanoTime() + grace.toNanos();
        for (Tasklet<?> connection : List.copyOf(connections)) {
            try {
                connection.join(Duration.ofNanos(Math.max(0, end - System.nanoTime())));
            } catch (DeadlineExceededException | org.concurrence.core.JoinError ignored) {
                // Killed below, or it ended badly: either way it is over or about to be.
            }
        }
        for (Tasklet<?> connection : List.copyOf(connections)) {
            connection.kill();
        }
    }

    /** {@link #stop(Duration)} with no grace: handlers are killed at once. */
    @Override
    public void close() {
        stop(Duration.ZERO);
    }

    @Override
    public String toString() {
        return "SocketServer[" + address + ", " + connectionCount() + " connections]";
    }

    private void startAcceptor(ServerSocket listener, Dispatcher home, DispatcherGroup spreadOver) {
        acceptors.add(Tasklet.builder().name("acceptor " + address + " on " + home.name()).daemon(true).on(home)
                .spawn(() -> acceptLoop(listener, spreadOver)));
    }

    private void acceptLoop(ServerSocket listener, DispatcherGroup spreadOver) {
        while (!stopping) {
            permits.acquire();
            Socket connection;
            try {
                connection = listener.accept();
            } catch (IOException | RuntimeException e) {
                permits.release();
                if (!stopping) {
                    LOG.log(System.Logger.Level.ERROR, "accept on " + address + " failed; acceptor stops", e);
                }
                return;
            } catch (TaskletExit exit) {
                permits.release();
                throw exit;
            }
            Dispatcher target = spreadOver != null ? spreadOver.next() : Tasklet.current().dispatcher();
            // The permit now belongs to the connection's tasklet, which releases it when it ends.
            Tasklet.builder().daemon(true).on(target).spawn(() -> serve(connection));
        }
    }

    private void serve(Socket connection) {
        Tasklet<?> self = Tasklet.current();
        connections.add(self);
        try (connection) {
            handler.handle(connection);
        } catch (TaskletExit exit) {
            throw exit;
        } catch (Exception | Error e) {
            LOG.log(System.Logger.Level.WARNING, "handler failed on " + connection, e);
        } finally {
            connections.remove(self);
            permits.release();
        }
    }

    private static void closeQuietly(ServerSocket listener) {
        try {
            listener.close();
        } catch (IOException ignored) {
            // Closing a listener that failed to close has nothing left to do.
        }
    }
}
