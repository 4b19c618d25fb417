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
import org.concurrence.core.JoinError;
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
 * <p>Limits: at most {@link Options#maxConnections()} connections at once. An acceptor waits until a connection is
 * queued, then for a permit, and only then accepts it, so connections beyond the limit wait in the kernel's backlog
 * (their clients connect, and are served once a connection ends) instead of being accepted and dropped.
 *
 * <p>Failures: a handler's exception is logged (I/O errors at DEBUG: peers that reset are routine; anything else at
 * WARNING) and closes only that connection. A failed accept (say, out of file descriptors) is logged and retried
 * after a pause, so the server recovers by itself.
 *
 * <p>Resting: a handler that waits for its client's next message (an idle keep-alive connection) may call
 * {@link #resumeWhenReadable} and return: the connection then stays open with no tasklet — no parked stack — until
 * the client sends, when a new tasklet handles it. A server with many idle connections holds far less memory so.
 *
 * <p>Stopping: {@link #stop(Duration)} stops accepting, closes resting connections, lets handlers finish within the
 * grace period, then kills the rest. Acceptors and handlers are daemon tasklets, so a server does not by itself keep
 * {@code Concurrence.run} waiting.
 *
 * <p>Thread-safety: all methods may be called from any thread.
 */
public final class SocketServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SocketServer.class.getName());
    /** How long {@link #stop} waits for killed handlers to end. */
    public static final Duration KILL_GRACE = Duration.ofSeconds(5);
    private static final long MAX_ACCEPT_PAUSE_MILLIS = 1_000;
    /** How long {@link #stop} waits for the resumptions of the resting connections it closed to start. */
    private static final Duration RESUME_GRACE = Duration.ofSeconds(1);
    private static final int ACCEPTS_PER_TURN = 16;

    /**
     * Handles one connection; the socket is closed when it returns or throws.
     *
     * <p>Blocking: it runs in a daemon tasklet of its own, on the dispatcher that owns the connection, with no deadline
     * unless it sets one; it may block freely in Concurrence calls (parking only its tasklet).
     * {@link SocketServer#stop} kills it once the grace has passed. Thread-safety: one instance serves every
     * connection, on every dispatcher at once.
     */
    @FunctionalInterface
    public interface Handler {
        void handle(Socket connection) throws Exception;
    }

    /**
     * How a server runs. Immutable. {@link #defaults()}: backlog {@value ServerSocket#DEFAULT_BACKLOG}, 100,000
     * connections, SO_REUSEPORT on.
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

        public Options withBacklog(int queued) {
            return new Options(queued, maxConnections, reusePort);
        }
    }

    private final Handler handler;
    private final Semaphore permits;
    private final List<ServerSocket> listeners = new ArrayList<>();
    private final List<Tasklet<Void>> acceptors = new ArrayList<>();
    private final Set<Tasklet<?>> connections = ConcurrentHashMap.newKeySet();
    /** Connections that rest: open, waiting to be readable, with no tasklet (see {@link #resumeWhenReadable}). */
    private final Set<Socket> resting = ConcurrentHashMap.newKeySet();
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

    /** Connections being handled now, resting ones included (a connection that is resuming may count twice). */
    public int connectionCount() {
        return connections.size() + resting.size();
    }

    /**
     * Lets the connection rest once its handler returns: instead of being closed, it stays open with no tasklet
     * holding it until it is readable — the client sent something, or closed — and {@code next} then handles it in a
     * new daemon tasklet on the same dispatcher, as the first handler did (its failures logged the same way, the
     * socket closed when it returns, unless it rests again). A resting connection still counts against the connection
     * limit; {@link #stop} closes it, and a connection closed while it rests runs {@code next} at once, whose first
     * read sees the close. {@link #resumeNow} takes it up before it is readable (for the server's own timeouts).
     *
     * <p>For a handler that would otherwise park a tasklet waiting for the client's next message: a parked tasklet
     * holds its stack (1–3 KB for an HTTP connection); a resting connection only its socket and what the handler keeps.
     * The handler must hold nothing the socket's readiness would not wake: no bytes already read and buffered.
     *
     * <p>Call from the handler's tasklet, with {@code connection} the socket it was given, just before it returns
     * normally; takes effect when it returns (a handler that throws is closed as usual). Calling it again replaces
     * {@code next}.
     */
    public void resumeWhenReadable(Socket connection, Handler next) {
        connection.resumption = Objects.requireNonNull(next, "next");
    }

    /**
     * Takes a resting connection up now, as if it had become readable: its resumption runs in a new tasklet, which
     * finds nothing to read unless the client sent meanwhile. For a server's own timeouts: the resumption ends the
     * connection in its own way, on its own dispatcher (an HTTPS connection sends close_notify), where a close from
     * another thread could only cut it; and a connection that resumed meanwhile is left alone, never cut in the middle
     * of a request. Does nothing unless the connection rests in this server. Callable from any thread.
     */
    public void resumeNow(Socket connection) {
        if (resting.contains(connection)) {
            connection.runReadinessAction();
        }
    }

    /**
     * Stops accepting, waits up to {@code grace} for the handlers to finish, then kills the ones still running and
     * waits for them to end (at most {@link #KILL_GRACE} more). Blocks the caller (parking it, in a tasklet); the
     * waits also end at the caller's deadline, after which the remaining handlers are killed at once.
     *
     * <p>When it returns: the listeners are closed (new connects are refused), every handler that was running has
     * ended (unless it swallowed its kill), resting connections were closed and their resumptions ran as handlers,
     * and a connection accepted in the instant before the stop, whose tasklet had not started yet, is closed when that
     * tasklet starts, without its handler running. Called from one of this server's own handlers, that handler is
     * neither waited for nor killed. Idempotent; callable from any thread.
     */
    public void stop(Duration grace) {
        stopping = true;
        for (ServerSocket listener : listeners) {
            closeQuietly(listener);
        }
        for (Socket connection : resting) {
            closeQuietly(connection); // its resumption runs, sees the stop, and releases what it holds
        }
        awaitRestingTakenUp();
        for (Tasklet<Void> acceptor : acceptors) {
            acceptor.kill();
        }
        Tasklet<?> self = Tasklet.currentOrNull();
        long end = System.nanoTime() + grace.toNanos();
        for (Tasklet<?> connection : handlers(self)) {
            awaitEnd(connection, end);
        }
        List<Tasklet<?>> killed = handlers(self);
        for (Tasklet<?> connection : killed) {
            connection.kill();
        }
        long killEnd = System.nanoTime() + KILL_GRACE.toNanos();
        for (Tasklet<?> connection : killed) {
            awaitEnd(connection, killEnd);
        }
    }

    /**
     * Waits (at most a second) until every resting connection's resumption has started: each leaves {@code resting}
     * only once it is in {@code connections}, so the handlers that stop then waits for include them, and when stop
     * returns no resumption is still to come.
     */
    private void awaitRestingTakenUp() {
        long end = System.nanoTime() + RESUME_GRACE.toNanos();
        while (!resting.isEmpty() && System.nanoTime() - end < 0) {
            Tasklet.sleep(Duration.ofMillis(1));
        }
    }

    private List<Tasklet<?>> handlers(Tasklet<?> except) {
        List<Tasklet<?>> all = new ArrayList<>(connections);
        all.remove(except);
        return all;
    }

    /** Joins {@code connection} until {@code end} (System.nanoTime) or the caller's deadline, whichever is first. */
    private static void awaitEnd(Tasklet<?> connection, long end) {
        try {
            connection.join(Duration.ofNanos(Math.max(0, end - System.nanoTime())));
        } catch (DeadlineExceededException | JoinError notYetOrBadly) {
            // Still running (it is killed next, or given up on), or it ended by a failure: either way, move on.
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

    /**
     * Accepts until the server stops. A failed accept (no file descriptors left, for the connection or for the
     * dispatcher's selector; a connection reset before it was taken) is logged and retried after a pause that doubles up to a second, so the server recovers once the cause
     * goes away instead of spinning on it or giving up.
     */
    private void acceptLoop(ServerSocket listener, DispatcherGroup spreadOver) {
        long pauseMillis = 0;
        for (long accepted = 1; !stopping; accepted++) {
            if (accepted % ACCEPTS_PER_TURN == 0) {
                Tasklet.yield(); // under a flood of connections, let the handlers spawned so far run
            }
            Socket connection;
            try {
                connection = acceptWithinLimit(listener);
            } catch (IOException e) {
                if (stopping || !listener.isOpen()) {
                    return;
                }
                pauseMillis = Math.min(MAX_ACCEPT_PAUSE_MILLIS, Math.max(1, pauseMillis * 2));
                LOG.log(System.Logger.Level.WARNING, "accept on " + address + " failed; trying again in "
                        + pauseMillis + " ms", e);
                Tasklet.sleep(Duration.ofMillis(pauseMillis));
                continue;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "accept on " + address + " failed; acceptor stops", e);
                return;
            }
            if (connection == null) {
                continue;
            }
            pauseMillis = 0;
            Dispatcher target = spreadOver != null ? spreadOver.next() : Tasklet.current().dispatcher();
            // The permit and the socket now belong to the connection's tasklet, which releases both when it ends.
            Tasklet.builder().daemon(true).on(target).spawn(() -> serve(connection, handler));
        }
    }

    /**
     * Waits for a queued connection, then for a permit, then takes the connection: a connection beyond the limit stays
     * in the kernel's backlog, and an acceptor never sits on a permit while its listener is quiet (with one listener
     * per dispatcher, a permit held by an idle acceptor would starve a busy one).
     *
     * @return the connection, holding a permit; or null if it vanished meanwhile (no permit held)
     */
    private Socket acceptWithinLimit(ServerSocket listener) throws IOException {
        if (permits.tryAcquire()) {
            Socket queued = takeHoldingPermit(listener); // the fast path under load: no wait for readiness
            if (queued != null) {
                return queued;
            }
        }
        listener.awaitConnection(Long.MAX_VALUE);
        permits.acquire();
        return takeHoldingPermit(listener);
    }

    /** Takes a queued connection for the permit the caller holds; the permit is released if there is none. */
    private Socket takeHoldingPermit(ServerSocket listener) throws IOException {
        try {
            Socket connection = listener.tryAccept();
            if (connection == null) {
                permits.release();
            }
            return connection;
        } catch (IOException | RuntimeException | Error e) {
            permits.release();
            throw e;
        }
    }

    private void serve(Socket connection, Handler handling) {
        Tasklet<?> self = Tasklet.current();
        connections.add(self);
        resting.remove(connection); // after the add: a stop sees the connection in one set or the other
        boolean rests = false;
        try {
            // Added before reading `stopping` (both volatile): stop() either sees this tasklet, or this sees stopping.
            // A resumption runs all the same, to end what its handler began (it sees the stop in its own way).
            if (!stopping || handling != handler) {
                handling.handle(connection);
                rests = rest(connection);
            }
        } catch (TaskletExit exit) {
            throw exit;
        } catch (IOException e) {
            // Peers that reset or vanish are routine for a server: not worth a warning each.
            LOG.log(System.Logger.Level.DEBUG, "connection " + connection + " ended by an I/O error", e);
        } catch (Exception | Error e) {
            LOG.log(System.Logger.Level.WARNING, "handler failed on " + connection + "; that connection is closed", e);
        } finally {
            connections.remove(self);
            if (!rests) {
                connection.resumption = null;
                closeQuietly(connection);
                permits.release();
            }
        }
    }

    /**
     * After a handler returned: if it asked to rest, registers its resumption and returns true (the connection keeps
     * its permit and stays open); else false, and the caller closes it. Once registered, the resumption runs whatever
     * happens — readiness, a close, a stop, a failure to register — so a handler that rests is always taken up again.
     */
    private boolean rest(Socket connection) {
        Handler next = connection.resumption;
        connection.resumption = null;
        if (next == null) {
            return false;
        }
        resting.add(connection);
        Dispatcher home = Tasklet.current().dispatcher();
        try {
            connection.whenReadable(() -> resume(home, connection, next));
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "connection " + connection + " could not rest; resumed at once", e);
            resume(home, connection, next);
        }
        if (stopping) { // read after the add (both volatile): stop() either closes it, or this does
            closeQuietly(connection);
        }
        return true;
    }

    /** Readiness or a close ended a rest: a new tasklet takes the connection. Runs on a carrier or a closing thread. */
    private void resume(Dispatcher home, Socket connection, Handler next) {
        try {
            Tasklet.builder().daemon(true).on(home).spawn(() -> serve(connection, next));
        } catch (RuntimeException e) { // the dispatcher is shutting down: nothing can handle it any more
            resting.remove(connection);
            closeQuietly(connection);
            permits.release();
            LOG.log(System.Logger.Level.DEBUG, "could not resume " + connection, e);
        }
    }

    private static void closeQuietly(Socket connection) {
        try {
            connection.close();
        } catch (IOException ignored) {
            // Closing a connection that failed to close has nothing left to do.
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
