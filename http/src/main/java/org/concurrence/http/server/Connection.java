package org.concurrence.http.server;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.Tasklet;
import org.concurrence.core.TaskletExit;
import org.concurrence.http.HttpException;
import org.concurrence.http.Response;
import org.concurrence.http.Status;
import org.concurrence.io.ClosedWhileWaitingException;
import org.concurrence.io.Socket;

/*
 * Implementation notes: the life of a request.
 *
 * The connection's tasklet loops: claim the next request whose head is complete in the read buffer, or else flush
 * what is written and read more (between requests it parks in awaitReadable holding no buffer). A claimed request
 * runs inline, on this tasklet: handler, wait for its turn, write the response into the output buffer. The flush is
 * deferred while more claimed work follows, so pipelined responses leave in one write.
 *
 * Concurrency for pipelined requests costs the plain keep-alive path nothing: only when something is pending (more
 * bytes buffered behind the request, or unflushed output) does an inline run make sure one helper tasklet is queued.
 * The helper runs only if the inline handler blocks (the dispatcher runs others while it waits): it flushes the
 * output if no one holds it, then claims the requests buffered behind and runs them, each queuing the next helper in
 * the same way. Helpers claim only self-contained requests (no body, or one that arrived whole, copied out; no
 * 100-continue), and only while the connection's tasklet is inside an inline run, so the socket is read by one tasklet.
 * A request whose body must still come from the socket is run inline, and nothing behind it is claimed until its body
 * is read to the end (or the connection is closed after its response).
 *
 * A request with an Upgrade field is never claimed by a helper, and nothing behind it is claimed until its response
 * is written: if that is a 101 carrying a Response.Upgrade, the connection stops claiming, waits for the responses
 * before it, and its tasklet runs the upgrade over an UpgradedStream (the bytes buffered behind the request first,
 * then the transport); when the upgrade returns, the connection ends.
 */
/**
 * One HTTP/1.1 connection: reads requests, runs the handler for each, writes the responses in order; see the notes
 * above for how pipelined requests run concurrently.
 *
 * <p>Blocking: {@link #serve()} runs in the connection's tasklet until the connection ends: the client closes, the
 * idle timeout passes between requests, a response says close, the server stops, something fails, or the protocol a
 * 101 switched to (a WebSocket session) returns.
 * Thread-safety: confined to the connection's dispatcher, except {@link #isIdle()}, {@link #closeIfIdle()} and
 * {@link #runStopAction()}.
 */
final class Connection {
    /** A body that arrived whole with its head, at most this long, is copied out so requests behind it can be claimed. */
    private static final int DETACH_MAX = SpareBuffers.SIZE;
    private static final int MAX_EMPTY_LINES = 8;
    /** The lingering close: a second of silence ends it, and it reads for at most 10 s and 256 KiB in all. */
    private static final Duration LINGER_QUIET = Duration.ofSeconds(1);
    private static final Duration LINGER_MAX = Duration.ofSeconds(10);
    private static final long LINGER_BYTES = 256 * 1024;

    private static final VarHandle STOP_ACTION;

    static {
        try {
            STOP_ACTION = MethodHandles.lookup().findVarHandle(Connection.class, "stopAction", Runnable.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final HttpServer server;
    private final HttpServerOptions options;
    private final Transport socket;
    private final ConnectionInput input;
    private final ResponseWriter writer;
    private final HeadScanner scanner;
    private final Pipeline pipeline = new Pipeline();
    private final Exchanges exchanges;
    private int requests;
    /** Empty lines skipped since the last request line: counted across reads, however the client splits them. */
    private int emptyLines;
    private long headStarted;
    boolean inlineRunning;
    boolean bodyStreaming;
    /** A request asking to switch protocols is claimed and its response not written yet: nothing more is claimed. */
    boolean upgradeInFlight;
    /** What runs once the 101 is written: set by {@link Exchanges} when it writes one. */
    Response.Upgrade upgrade;
    private boolean helperPending;
    /** The wait for the next request ended in a rest: {@link #serve()} returns for the tasklet to end. */
    private boolean restRequested;
    /**
     * When the idle wait of a resting connection began ({@link System#nanoTime}), else 0; read by the server's idle
     * sweep on another tasklet.
     */
    private volatile long restingSince;
    private List<Tasklet<?>> helpers;
    private volatile boolean idle;
    /**
     * What the upgraded protocol does when the server stops, as a spawn on the connection's dispatcher; taken (set to
     * null) by whoever runs it. A field rather than an object per connection: idle connections are counted in bytes.
     */
    private volatile Runnable stopAction;

    Connection(HttpServer server, Transport socket, DispatcherShare share) {
        this.server = server;
        this.options = server.options();
        this.socket = socket;
        this.input = new ConnectionInput(socket, share.buffers);
        this.writer = new ResponseWriter(socket, share, server.serverLine(), options.writeTimeout());
        this.scanner = new HeadScanner(options);
        this.exchanges = new Exchanges(this, server, pipeline, writer, input);
    }

    Transport socket() {
        return socket;
    }

    /** Whether the connection waits for a request with nothing in flight (callable from any thread). */
    boolean isIdle() {
        return idle;
    }

    /**
     * Closes the socket if the connection is idle, so its tasklet wakes and ends; callable from any thread, as
     * {@link Socket#close()} is.
     */
    void closeIfIdle() {
        if (idle) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Closing for a stop: nothing more to do about a close that failed.
            }
        }
    }

    /**
     * Registers what the upgraded protocol does when the server stops; runs it at once (in a new tasklet) if the stop
     * has begun. Callable from the connection's tasklets.
     */
    void onServerStop(Runnable action) {
        Objects.requireNonNull(action, "action");
        Dispatcher dispatcher = Dispatcher.current();
        stopAction = () -> dispatcher.spawn(action);
        // Set before reading `stopping` (both ordered): either this sees the stop, or the stop sees the action.
        if (server.isStopping()) {
            runStopAction();
        }
    }

    /** For a stop: runs the upgraded protocol's stop action, once, in a new tasklet on the connection's dispatcher. */
    void runStopAction() {
        Runnable spawn = (Runnable) STOP_ACTION.getAndSet(this, (Runnable) null);
        if (spawn != null) {
            spawn.run();
        }
    }

    /**
     * Serves the connection until it ends, or until it rests (see {@link HttpServerOptions#restAfter()}): then the
     * server has registered its resumption, and returns true; the tasklet ends, holding nothing of the connection, and
     * a new one calls this again when the client sends.
     */
    boolean serve() throws IOException {
        boolean rests = false;
        boolean upgradeRuns = false;
        try {
            Exchange ex;
            while ((ex = next()) != null) {
                exchanges.run(ex, true);
            }
            if (restRequested) {
                restRequested = false;
                rests = true;
                return true;
            }
            pipeline.awaitBelow(1);
            writer.flushIfIdle();
            if (upgrade != null && !pipeline.aborted) {
                upgradeRuns = true;
                writer.releaseBuffer(); // the protocol writes through its own frames: a long session holds no 8 KiB
                runUpgrade();
            }
            return false;
        } finally {
            if (upgrade != null && !upgradeRuns) {
                discardUpgrade(upgrade); // its 101 went out, but the connection failed before the protocol began
            }
            if (!rests) {
                end();
            }
        }
    }

    /**
     * Whether the connection rests, and has since before {@code limit} ({@link System#nanoTime}): its idle timeout
     * passed with no tasklet to notice. Callable from any thread.
     */
    boolean restsSince(long limit) {
        long since = restingSince;
        return since != 0 && since - limit < 0;
    }

    /** Lets an upgrade that will not run release what it holds ({@link Response.Upgrade#discard}). */
    void discardUpgrade(Response.Upgrade notRun) {
        try {
            notRun.discard();
        } catch (Exception e) {
            HttpServer.LOG.log(System.Logger.Level.WARNING, "discarding the upgrade of " + socket + " failed", e);
        }
    }

    /** Runs the protocol the connection switched to, on this tasklet; the connection ends after it. */
    private void runUpgrade() {
        try {
            upgrade.run(new UpgradedStream(socket, input, options, this));
        } catch (TaskletExit e) {
            throw e;
        } catch (Exception | Error e) {
            HttpServer.LOG.log(System.Logger.Level.WARNING, "upgraded connection " + socket + " failed", e);
        }
    }

    /** The next request to run inline, or null when the connection should end. */
    private Exchange next() throws IOException {
        while (true) {
            if (pipeline.closing || server.isStopping()) {
                return null;
            }
            if (pipeline.size() >= options.maxPipelined()) {
                writer.flushIfIdle();
                pipeline.awaitBelow(options.maxPipelined());
                continue;
            }
            Exchange ex = claim(false);
            if (ex != null) {
                return ex;
            }
            writer.flushIfIdle();
            switch (read()) {
                case MORE -> { }
                case END -> {
                    return null;
                }
                case REST -> {
                    restRequested = true;
                    return null;
                }
                case HEAD_TIMEOUT -> {
                    scanner.reset();
                    return malformed(new HttpException(Status.REQUEST_TIMEOUT, "request head not received within "
                            + options.headTimeout()));
                }
            }
        }
    }

    private enum ReadOutcome { MORE, END, HEAD_TIMEOUT, REST }

    /**
     * Reads more bytes: between requests, first parks without buffers until the socket is readable (at most the idle
     * timeout); within a head, at most what is left of the head timeout.
     */
    private ReadOutcome read() throws IOException {
        Duration timeout;
        if (input.available() == 0 && !scanner.inProgress()) {
            ReadOutcome waited = awaitRequest();
            if (waited != ReadOutcome.MORE) {
                return waited;
            }
            // A head's first bytes, which are there now: no clock read for the usual head that comes whole. The
            // head timeout starts at the next read, only if this one brings less than a head (microseconds later).
            timeout = options.headTimeout();
        } else {
            long now = System.nanoTime();
            if (headStarted == 0) {
                headStarted = now;
            }
            long left = options.headTimeout().toNanos() - (now - headStarted);
            if (left <= 0) {
                return ReadOutcome.HEAD_TIMEOUT;
            }
            timeout = Duration.ofNanos(left);
        }
        try {
            return input.fill(timeout) < 0 ? ReadOutcome.END : ReadOutcome.MORE;
        } catch (DeadlineExceededException e) {
            return ReadOutcome.HEAD_TIMEOUT;
        } catch (ClosedWhileWaitingException e) {
            return ReadOutcome.END;
        }
    }

    /**
     * Parks between requests: MORE once the socket is readable, END if the connection should end (idle timeout, a
     * close, the server stopping), REST if it waited {@link HttpServerOptions#restAfter()} and may rest. A connection
     * resumed after a rest counts its idle timeout from when the rest's wait began.
     */
    private ReadOutcome awaitRequest() throws IOException {
        long restedAt = restingSince;
        if (restedAt != 0) {
            restingSince = 0;
        }
        Duration restAfter = options.restAfter();
        boolean restFirst = restedAt == 0 && server.mayRest();
        Duration wait = restedAt == 0 ? options.idleTimeout() : Duration.ofNanos(Math.max(1_000_000,
                options.idleTimeout().toNanos() - (System.nanoTime() - restedAt)));
        while (true) {
            boolean nothingInFlight = pipeline.size() == 0;
            if (nothingInFlight) {
                writer.releaseBuffer();
            }
            idle = nothingInFlight;
            boolean rests = false;
            try {
                if (nothingInFlight && server.isStopping()) {
                    return ReadOutcome.END;
                }
                if (restFirst && nothingInFlight) {
                    restFirst = false;
                    try {
                        input.awaitReadable(restAfter);
                        headStarted = 0;
                        return ReadOutcome.MORE;
                    } catch (DeadlineExceededException restTime) {
                        if (mayRest()) {
                            restingSince = System.nanoTime() - restAfter.toNanos();
                            rests = true; // and stays idle: a stop's closeIfIdle closes it
                            return ReadOutcome.REST;
                        }
                        wait = options.idleTimeout().minus(restAfter);
                    }
                }
                input.awaitReadable(wait);
                headStarted = 0;
                return ReadOutcome.MORE;
            } catch (DeadlineExceededException e) {
                if (pipeline.size() == 0) {
                    return ReadOutcome.END; // idle too long: close silently
                }
                wait = options.idleTimeout();
            } catch (ClosedWhileWaitingException e) {
                return ReadOutcome.END;
            } finally {
                if (!rests) {
                    idle = false;
                }
            }
        }
    }

    /**
     * Whether nothing but the socket's readiness can bring the next step: no request in flight or being read, no
     * bytes buffered above the socket, no helper alive, no protocol switch, the server not stopping.
     */
    private boolean mayRest() {
        if (pipeline.size() != 0 || input.available() != 0 || scanner.inProgress() || bodyStreaming
                || upgradeInFlight || upgrade != null || helperPending || server.isStopping()
                || !socket.readWaitsForSocket()) {
            return false;
        }
        if (helpers != null) {
            for (Tasklet<?> helper : helpers) {
                if (helper.isAlive()) {
                    return false;
                }
            }
            helpers = null; // a resting connection keeps no ended tasklets alive
        }
        return true;
    }

    /**
     * Claims the next request if its head is complete in the buffer: parses it, makes its body, adds it to the
     * pipeline. A helper claims only a self-contained request, and only while an inline run is in progress.
     *
     * @return the exchange, an exchange answering a malformed request, or null if there is none to claim now
     */
    Exchange claim(boolean helper) {
        if (pipeline.closing || bodyStreaming || upgradeInFlight) {
            return null;
        }
        if (helper && (!inlineRunning || server.isStopping() || pipeline.size() >= options.maxPipelined())) {
            return null;
        }
        try {
            if (!skipEmptyLines()) {
                return null;
            }
            int available = input.available();
            int headLength = scanner.scan(input.array(), input.start(), input.start() + available);
            if (headLength < 0) {
                return null;
            }
            RequestHead head = server.parser().parse(input.array(), input.start(), headLength, scanner.fieldCount());
            if (helper && (head.asksUpgrade() || !selfContained(head, available - headLength))) {
                return null;
            }
            input.consume(headLength);
            headStarted = 0;
            emptyLines = 0;
            return accept(head);
        } catch (HttpException e) {
            scanner.reset();
            return malformed(e);
        }
    }

    private static boolean selfContained(RequestHead head, int bodyBytesBuffered) {
        long length = head.contentLength();
        return !head.expectContinue() && length >= 0 && length <= Math.min(bodyBytesBuffered, DETACH_MAX);
        // (length 0: no body at all, trivially self-contained; -1: chunked, never)
    }

    /**
     * Skips the empty lines a client may send before a request line (RFC 9112 §2.2), a few at most per request: the
     * count is kept across reads, else a client sending one CRLF per idle timeout would hold the connection forever.
     *
     * @return whether a head can be scanned now: false if nothing is left, or only a CR that may be the start of an
     *     empty line whose LF has not arrived (scanned as a head, it would make one with an empty request line)
     */
    private boolean skipEmptyLines() {
        if (scanner.inProgress()) {
            return true;
        }
        for (;; emptyLines++) {
            int available = input.available();
            if (available < 2) {
                return available == 1 && input.array()[input.start()] != '\r';
            }
            byte[] a = input.array();
            int s = input.start();
            if (a[s] != '\r' || a[s + 1] != '\n') {
                return true;
            }
            if (emptyLines == MAX_EMPTY_LINES) {
                throw new HttpException(Status.BAD_REQUEST, "more than " + MAX_EMPTY_LINES
                        + " empty lines before a request line");
            }
            input.consume(2);
        }
    }

    private Exchange accept(RequestHead head) {
        requests++;
        boolean last = !head.keepAlive() || requests >= options.maxRequestsPerConnection();
        Exchange ex = exchanges.create(head, last, selfContained(head, input.available()));
        upgradeInFlight = head.asksUpgrade();
        if (last) {
            pipeline.closing = true;
        }
        pipeline.add(ex);
        return ex;
    }

    /** Queues the answer to a malformed request; nothing after it is read. */
    private Exchange malformed(HttpException e) {
        pipeline.closing = true;
        Exchange ex = Exchange.malformed(ErrorResponses.of(e));
        pipeline.add(ex);
        return ex;
    }

    /** Makes sure a helper is queued to flush and to claim requests buffered behind, should the current run block. */
    void ensureHelper() {
        if (helperPending || pipeline.aborted) {
            return;
        }
        helperPending = true;
        if (helpers == null) {
            helpers = new ArrayList<>(4);
        }
        helpers.removeIf(t -> !t.isAlive());
        helpers.add(Tasklet.builder().daemon(true).spawn(this::assist));
    }

    /** A helper's body: flush if no one writes, then run what can be claimed behind the inline run. */
    private void assist() {
        helperPending = false;
        try {
            writer.flushIfIdle();
            Exchange ex;
            while ((ex = claim(true)) != null) {
                exchanges.run(ex, false);
            }
            writer.flushIfIdle();
        } catch (IOException | DeadlineExceededException e) {
            abort(e);
        }
    }

    /** The connection broke (a write failed or timed out, a body was cut): wake everyone and close the socket. */
    void abort(Throwable cause) {
        if (!pipeline.aborted) {
            pipeline.abort();
            HttpServer.LOG.log(System.Logger.Level.DEBUG, () -> "connection " + socket + " aborted", cause);
        }
        try {
            socket.abort(); // a reset, and no close_notify: whatever was cut must not look whole
        } catch (IOException ignored) {
            // Already broken.
        }
    }

    /** After the last response: stop helpers, close gently if the client may still be sending, give buffers back. */
    private void end() {
        boolean helpersAlive = false;
        if (helpers != null) {
            for (Tasklet<?> helper : helpers) {
                if (helper.isAlive() && helper != Tasklet.currentOrNull()) {
                    helper.kill();
                    helpersAlive |= helper.isAlive();
                }
            }
        }
        if (!pipeline.aborted && socket.isOpen()) {
            if (input.available() > 0 || bodyStreaming) {
                linger(); // which shuts the output first (close_notify for TLS)
            } else {
                socket.endGracefully(options.writeTimeout());
            }
        }
        if (!helpersAlive) {
            input.release();
            writer.releaseBuffer();
        }
    }

    /**
     * Closing while the client still sends would make the kernel reset the connection, and the client could lose the
     * response it has not read yet; so shut the output and read what comes before the socket closes: until the client
     * closes or is silent for a second, for at most 10 s and 256 KiB (as nginx's lingering close, with shorter
     * bounds). A client still uploading at a modest rate when it was answered early (a 401, a 413) so gets its
     * answer; one that stalls holds the connection a second.
     */
    private void linger() {
        try {
            socket.shutdownOutput();
            long end = System.nanoTime() + LINGER_MAX.toNanos();
            long discarded = 0;
            while (discarded < LINGER_BYTES) {
                discarded += input.available();
                input.consume(input.available());
                long left = Math.min(end - System.nanoTime(), LINGER_QUIET.toNanos());
                if (left <= 0 || input.fill(Duration.ofNanos(left)) < 0) {
                    return;
                }
            }
        } catch (IOException | DeadlineExceededException e) {
            // The client went or stayed silent: close now.
        }
    }
}
