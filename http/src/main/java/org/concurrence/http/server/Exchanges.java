package org.concurrence.http.server;

import java.io.IOException;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.TaskletExit;
import org.concurrence.http.HttpException;
import org.concurrence.http.RequestBody;
import org.concurrence.http.Response;

/**
 * Creates the exchanges of one connection and runs them: the handler, the error mapping, the wait for the turn, the
 * response, and what happens to a body the handler did not read (drained up to {@code maxDrainSize} after the
 * response if the connection stays open, else the connection closes; with {@code 100-continue} not sent, it closes at
 * once: the client may never send that body, RFC 9110 §10.1.1).
 *
 * <p>Blocking: {@link #run} runs in the connection's tasklet (inline) or a helper's, and blocks in the handler, in
 * the wait for the turn, and in writes. Thread-safety: confined to the connection's dispatcher.
 */
final class Exchanges {
    private final Connection connection;
    private final HttpServer server;
    private final HttpServerOptions options;
    private final Pipeline pipeline;
    private final ResponseWriter writer;
    private final ConnectionInput input;

    Exchanges(Connection connection, HttpServer server, Pipeline pipeline, ResponseWriter writer,
            ConnectionInput input) {
        this.connection = connection;
        this.server = server;
        this.options = server.options();
        this.pipeline = pipeline;
        this.writer = writer;
        this.input = input;
    }

    /**
     * An exchange for a claimed head whose bytes are consumed; {@code detach} copies a body that arrived whole out of
     * the buffer, otherwise the body streams from the connection and nothing behind it is claimed until it ends.
     */
    Exchange create(RequestHead head, boolean closeAfter, boolean detach) {
        Exchange ex = new Exchange(head, closeAfter);
        RequestBody body;
        if (!head.hasBody()) {
            body = ServerRequestBody.empty();
        } else if (detach && head.contentLength() > 0) {
            byte[] bytes = new byte[(int) head.contentLength()];
            input.take(bytes, 0, bytes.length);
            body = ServerRequestBody.of(bytes, head.headers().get("Content-Type"), options.maxBufferedBodySize());
        } else {
            Events events = new Events(ex);
            ex.body = head.chunked() ? new ChunkedBody(input, events, options)
                    : new FixedLengthBody(input, head.contentLength(), options, events);
            body = ServerRequestBody.streamed(head.contentLength(), ex.body, head.headers().get("Content-Type"),
                    options.maxBufferedBodySize());
            connection.bodyStreaming = true;
        }
        ex.request = new ServerRequest(head, body, connection.socket());
        return ex;
    }

    /** Runs {@code ex} to its written response; any failure to write aborts the connection. */
    void run(Exchange ex, boolean inline) {
        if (inline) {
            connection.inlineRunning = true;
        }
        boolean done = false;
        try {
            if (ex.response == null) {
                if (writer.hasPending() || input.available() > 0) {
                    connection.ensureHelper(); // runs only if the handler blocks: flushes, takes the next request
                }
                ex.response = respond(ex, inline);
                settleBody(ex);
            }
            if (pipeline.awaitTurn(ex) && !pipeline.responsesEnded) {
                write(ex, inline);
                if (ex.drain && !pipeline.responsesEnded) {
                    // Only for a connection that goes on: after a closing response the connection's linger reads
                    // what the client still sends (until it stops, within bounds), not the body timeout's wait.
                    drain(ex);
                }
            }
            done = true;
        } catch (IOException | DeadlineExceededException e) {
            connection.abort(e);
        } catch (RuntimeException e) {
            HttpServer.LOG.log(System.Logger.Level.WARNING, "response to \"" + ex + "\" on " + connection.socket()
                    + " failed while being written; connection closed", e);
            connection.abort(e);
        } finally {
            if (inline) {
                connection.inlineRunning = false;
            }
            if (ex.head != null && ex.head.asksUpgrade() && connection.upgrade == null) {
                connection.upgradeInFlight = false; // answered without switching: the connection goes on
            }
            pipeline.finished(ex);
            if (!done) {
                connection.abort(null);
            }
            if (ex.response != null && !ex.responseHandedOver) {
                ResponseWriter.discard(ex.response.body()); // its turn never came: the connection ended first
            }
            if (ex.response != null && ex.response.upgrade() != null && connection.upgrade != ex.response.upgrade()) {
                connection.discardUpgrade(ex.response.upgrade()); // its 101 did not go out whole: it will not run
            }
        }
    }

    private Response respond(Exchange ex, boolean inline) {
        try {
            Response response = server.handler().handle(ex.request);
            if (response == null) {
                throw new IllegalStateException("the handler returned null");
            }
            if (response.upgrade() != null) {
                if (!inline || !ex.head.asksUpgrade() || ex.head.hasBody()) {
                    throw new IllegalStateException("the handler switched protocols (101) for a request that does not"
                            + " ask to (an Upgrade field and no body): " + ex);
                }
                return response;
            }
            if (!response.status().isFinal()) {
                throw new IllegalStateException("the handler returned the status " + response.status()
                        + ", which cannot be a final response (200 to 599)");
            }
            return response;
        } catch (HttpException e) {
            return answer(ex, e);
        } catch (TaskletExit e) {
            throw e;
        } catch (Exception | Error e) {
            return failed(ex, e);
        }
    }

    /** The answer to an {@link HttpException}: its status and message, or a 500 if its status cannot end a request. */
    private Response answer(Exchange ex, HttpException e) {
        return e.status().isFinal() ? ErrorResponses.of(e) : failed(ex, e);
    }

    private Response failed(Exchange ex, Throwable e) {
        HttpServer.LOG.log(System.Logger.Level.WARNING, "handler failed on \"" + ex + "\" from "
                + remote(connection.socket()) + "; answered 500", e);
        return ErrorResponses.internal(e, options.development());
    }

    /** After the handler: decides what becomes of a body it did not read to the end. */
    private void settleBody(Exchange ex) {
        BodyInput body = ex.body;
        if (body == null || body.isEnded()) {
            return;
        }
        boolean tooMuch = body instanceof FixedLengthBody fixed && fixed.remaining() > options.maxDrainSize();
        if (ex.bodyFailed || tooMuch || (ex.head.expectContinue() && !ex.continueSent)) {
            ex.closeAfter = true;
            pipeline.closing = true;
        } else {
            ex.drain = true;
        }
    }

    private void write(Exchange ex, boolean inline) throws IOException {
        writer.acquire();
        ex.responseHandedOver = true;
        try {
            if (ex.response.upgrade() != null && !ex.bodyFailed) {
                writer.write(ex.head, ex.response, false);
                writer.flush();
                pipeline.closing = true;
                pipeline.responsesEnded = true;
                connection.upgrade = ex.response.upgrade();
                return;
            }
            boolean close = ex.closeAfter || (server.isStopping() && pipeline.isLast(ex));
            boolean closes;
            try {
                closes = writer.write(ex.head, ex.response, close);
            } catch (HttpException e) {
                if (!ex.bodyFailed || !writer.tookBack()) {
                    throw e;
                }
                // The request body failed (malformed, too large, cut, too slow) in a streamed response's writer
                // before any of the response went out: its status answers, as when the handler reads it first.
                closes = writer.write(ex.head, answer(ex, e), true);
            }
            if (closes) {
                writer.flush();
                pipeline.closing = true;
                pipeline.responsesEnded = true;
                if (!inline) {
                    connection.socket().shutdownOutput(); // the reader may be parked: the client's close wakes it
                }
            }
        } finally {
            writer.release();
        }
    }

    /** Reads and drops the rest of an unread body, up to the drain limit; more closes the connection. */
    private void drain(Exchange ex) throws IOException {
        writer.flushIfIdle(); // the client may wait for the response before it sends the rest
        byte[] scratch = new byte[4096];
        long left = options.maxDrainSize();
        try {
            while (left >= 0) {
                int n = ex.body.read(scratch, 0, (int) Math.min(scratch.length, left + 1));
                if (n < 0) {
                    return;
                }
                left -= n;
            }
        } catch (HttpException | IOException | DeadlineExceededException e) {
            // Cannot drain: close instead.
        }
        pipeline.closing = true;
    }

    private static String remote(Transport transport) {
        try {
            return String.valueOf(transport.socket().remoteAddress());
        } catch (IOException e) {
            return "(gone)";
        }
    }

    /** What an inline body tells its exchange and the connection. */
    private final class Events implements BodyInput.Events {
        private final Exchange ex;

        Events(Exchange ex) {
            this.ex = ex;
        }

        @Override
        public void beforeFirstRead() throws IOException {
            if (!ex.head.expectContinue() || ex.continueSent) {
                return;
            }
            if (ex.response != null) {
                // The writer of a streamed response reads the body: this tasklet holds the output already. If part
                // of the response has gone out (a head bigger than the buffer), no interim response can precede it;
                // a body that has begun to arrive (the client did not wait) is read without one, as RFC 9110
                // §10.1.1 allows, while a client still waiting for the 100 would wait in vain: that fails.
                if (!writer.writeContinueBeforeResponse() && input.available() == 0) {
                    throw new IOException("too late for 100 Continue on " + connection.socket()
                            + ": the response has begun");
                }
                ex.continueSent = true;
            } else {
                if (!pipeline.awaitTurn(ex)) {
                    throw new IOException("connection " + connection.socket() + " broke before 100 Continue");
                }
                writer.acquire();
                try {
                    writer.writeContinue();
                } finally {
                    writer.release();
                }
                ex.continueSent = true;
            }
        }

        @Override
        public void ended() {
            connection.bodyStreaming = false;
        }

        @Override
        public void failed() {
            ex.bodyFailed = true;
        }
    }
}
