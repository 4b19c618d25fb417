package org.concurrence.io;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.TaskletExit;
import org.concurrence.core.WaitTimer;
import org.concurrence.core.Waiter;

/*
 * Implementation notes. A close from another thread races with a tasklet that is about to wait: abort() sets
 * `aborted` and then reads the waiter fields; await() publishes its waiter and then reads `aborted`. Both are
 * volatile, so at least one side sees the other (Dekker): either abort fails the waiter, or await sees the abort and
 * does not park. Both may happen; the waiter's compare-and-set keeps the outcome single.
 *
 * A waiter is failed with a Closed carrier (Waiter.fail takes only unchecked exceptions), which await() unwraps into
 * the checked ClosedWhileWaitingException.
 *
 * A readiness action (whenReadable) stands in for an inbound waiter when no tasklet waits: the loop, a close or a
 * caller of runInboundAction (SocketServer.resumeNow) takes it with one getAndSet, so it runs once, whoever comes
 * first; the same publish-then-check of `aborted` covers a close racing its registration.
 */
/**
 * A channel's place in one dispatcher's {@link IoLoop}: the selection key and the tasklets waiting for it to become
 * readable (or acceptable) and writable (or connected).
 *
 * <p>Interest stays set while tasklets keep waiting, so a request/response connection costs no {@code epoll_ctl} per
 * request; when the key fires with nobody waiting, the interest is dropped, so level-triggered readiness cannot spin
 * the loop. Confined to the loop's carrier, except {@link #abort}, which a close from any thread calls, and
 * {@link #runInboundAction}.
 */
final class Registration {
    private static final int INBOUND = SelectionKey.OP_READ | SelectionKey.OP_ACCEPT;
    private static final int OUTBOUND = SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT;
    private static final VarHandle INBOUND_ACTION;

    static {
        try {
            INBOUND_ACTION = MethodHandles.lookup().findVarHandle(Registration.class, "inboundAction", Runnable.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final IoLoop loop;
    private final Object owner;
    SelectionKey key;
    private volatile Waiter<Object> inbound;
    private volatile Waiter<Object> outbound;
    /** What runs when the channel is readable with no tasklet waiting: see {@link #whenReadable}. */
    private volatile Runnable inboundAction;
    private volatile boolean aborted;
    /** The deadline timer of inbound waits, left armed between them (see WaitTimer); made on the first timed one. */
    private WaitTimer inboundTimer;

    IoLoop loop() {
        return loop;
    }

    Registration(IoLoop loop, Object owner) {
        this.loop = loop;
        this.owner = owner;
    }

    Dispatcher dispatcher() {
        return loop.dispatcher();
    }

    /**
     * Waits until the channel is ready for {@code op} (one of the {@link SelectionKey} operations).
     *
     * @throws DeadlineExceededException   if the deadline passes first
     * @throws TaskletExit                 if the tasklet is killed first
     * @throws ClosedWhileWaitingException if the channel is closed before or while waiting
     * @throws IllegalStateException       if another tasklet already waits for the same direction
     */
    void await(int op, long deadline, String operation) throws IOException {
        Waiter<Object> waiter = Waiter.create();
        waiter.attachment = operation; // for abort's message; published by the volatile write in publish
        boolean in = (op & INBOUND) != 0;
        if (aborted) {
            throw closed(waiter);
        }
        publish(in, waiter, operation);
        try {
            if (aborted) { // checked again after publishing: see the implementation notes
                throw closed(waiter);
            }
            int interest = key.interestOps();
            if ((interest & op) == 0) {
                key.interestOps(interest | op);
            }
        } catch (CancelledKeyException cancelled) {
            clear(in, waiter);
            throw closed(waiter);
        } catch (ClosedWhileWaitingException e) {
            clear(in, waiter);
            throw e;
        }
        try {
            if (in && deadline != Waiter.NO_DEADLINE) {
                WaitTimer timer = inboundTimer;
                if (timer == null) {
                    timer = inboundTimer = new WaitTimer(loop.dispatcher());
                }
                timer.await(waiter, deadline, operation, owner);
            } else {
                waiter.await(deadline, operation, owner);
            }
        } catch (DeadlineExceededException | TaskletExit cancelled) {
            clear(in, waiter);
            throw cancelled;
        } catch (Closed closed) {
            throw closed.exception;
        }
    }

    /**
     * The connection this registration waited for is established: stops asking for OP_CONNECT. It must be dropped
     * here, not in {@link #ready}: once connected, the JDK no longer translates the socket's writability into
     * OP_CONNECT (only while a connection is pending), so {@code ready} would never be called to drop it, and the
     * kernel would report the socket on every poll of its loop from then on — a connected client socket would cost
     * every poll of its dispatcher work, for its whole life. Call on the loop's carrier.
     */
    void connected() {
        try {
            int interest = key.interestOps();
            if ((interest & SelectionKey.OP_CONNECT) != 0) {
                key.interestOps(interest & ~SelectionKey.OP_CONNECT);
            }
        } catch (CancelledKeyException closed) {
            // Closed meanwhile: nothing is left to be interested in.
        }
    }

    /**
     * Runs {@code action} once, when the channel becomes readable (bytes, the end of the stream, an error) or is
     * closed, with no tasklet waiting meanwhile. It runs on the loop's carrier, or on the thread that closes the
     * channel, or at once on this one if the channel is closed already: it must be short and must not block (it
     * spawns a tasklet, typically). Call on the loop's carrier (from a tasklet of its dispatcher).
     *
     * @throws IllegalStateException if a tasklet already waits to read, or another action is registered
     */
    void whenReadable(Runnable action) {
        if (inbound != null || inboundAction != null) {
            throw new IllegalStateException("a readiness action for " + owner + ": a tasklet or another action already"
                    + " waits for it to become readable; one at a time");
        }
        inboundAction = action;
        try {
            if (!aborted) { // checked after publishing: see the implementation notes
                int interest = key.interestOps();
                if ((interest & SelectionKey.OP_READ) == 0) {
                    key.interestOps(interest | SelectionKey.OP_READ);
                }
                return;
            }
        } catch (CancelledKeyException closedMeanwhile) {
            // Closed by another thread: the action runs now, unless that close took it already.
        }
        runInboundAction();
    }

    /**
     * Takes the readiness action, if one is registered, and runs it; false if there was none. Callable from any thread:
     * the action is taken with one {@code getAndSet}, so it runs once whoever asks.
     */
    boolean runInboundAction() {
        Runnable action = (Runnable) INBOUND_ACTION.getAndSet(this, (Runnable) null);
        if (action == null) {
            return false;
        }
        action.run();
        return true;
    }

    private void publish(boolean in, Waiter<Object> waiter, String operation) {
        if (in && inboundAction != null) {
            throw new IllegalStateException(operation + " " + owner + ": a readiness action is registered for it;"
                    + " it runs when the socket is readable");
        }
        if (in ? inbound != null : outbound != null) {
            throw new IllegalStateException(operation + " " + owner + ": another tasklet is already waiting to "
                    + (in ? "read from (or accept on)" : "write to (or connect)") + " it; one at a time");
        }
        if (in) {
            inbound = waiter;
        } else {
            outbound = waiter;
        }
    }

    /** The loop found the key ready. Never throws: an exception here would abort the loop's pass over the keys. */
    void ready(SelectionKey selected) {
        int ready;
        try {
            ready = selected.readyOps();
        } catch (CancelledKeyException closed) {
            return;
        }
        int drop = 0;
        if ((ready & INBOUND) != 0) {
            Waiter<Object> w = inbound;
            if (w != null) {
                inbound = null;
                w.complete(null);
            } else if (!runInboundAction()) {
                drop |= ready & INBOUND;
            }
        }
        if ((ready & OUTBOUND) != 0) {
            Waiter<Object> w = outbound;
            if (w != null) {
                outbound = null;
                w.complete(null);
            } else {
                drop |= ready & OUTBOUND;
            }
        }
        if (drop != 0) {
            try {
                selected.interestOps(selected.interestOps() & ~drop);
            } catch (CancelledKeyException closedMeanwhile) {
                // Closed by another thread since readyOps(): nothing is left to be interested in.
            }
        }
    }

    /** The channel was closed: wake whoever waits, with an error. Callable from any thread. */
    void abort() {
        aborted = true;
        Waiter<Object> in = inbound;
        Waiter<Object> out = outbound;
        if (in != null) {
            in.fail(new Closed(closed(in)));
        }
        if (out != null) {
            out.fail(new Closed(closed(out)));
        }
        runInboundAction();
        WaitTimer timer = inboundTimer;
        if (timer != null) {
            timer.cancel(); // on the loop's carrier; elsewhere it stays armed until its deadline, then is dropped
        }
        SelectionKey k = key;
        if (k != null) {
            k.cancel();
            if (Dispatcher.current() != loop.dispatcher()) {
                // The loop's carrier may be blocked in select: wake it so that it deregisters the key, which is when
                // the channel's file descriptor is really closed. On the carrier itself the next select does it.
                loop.wakeup();
            }
        }
    }

    private ClosedWhileWaitingException closed(Waiter<Object> waiter) {
        String who = waiter.tasklet() != null ? "tasklet " + waiter.tasklet().name() : "a thread";
        return new ClosedWhileWaitingException(waiter.attachment + " " + owner + " failed: it was closed while "
                + who + " waited");
    }

    private void clear(boolean in, Waiter<Object> waiter) {
        if (in) {
            if (inbound == waiter) {
                inbound = null;
            }
        } else if (outbound == waiter) {
            outbound = null;
        }
    }

    /** Carries the checked exception through {@link Waiter#fail(RuntimeException)}. */
    private static final class Closed extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient ClosedWhileWaitingException exception;

        Closed(ClosedWhileWaitingException exception) {
            super(exception.getMessage(), null, false, false);
            this.exception = exception;
        }
    }
}
