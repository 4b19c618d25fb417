package org.concurrence.io;

import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.TaskletExit;
import org.concurrence.core.Waiter;

/**
 * A channel's place in one dispatcher's {@link IoLoop}: the selection key and the tasklets waiting for it to become
 * readable (or acceptable) and writable (or connected).
 *
 * <p>Interest stays set while tasklets keep waiting, so a request/response connection costs no {@code epoll_ctl} per
 * request; when the key fires with nobody waiting, the interest is dropped, so level-triggered readiness cannot spin
 * the loop. Confined to the loop's carrier, except {@link #abort}, which a close from any thread calls.
 */
final class Registration {
    private static final int INBOUND = SelectionKey.OP_READ | SelectionKey.OP_ACCEPT;
    private static final int OUTBOUND = SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT;

    private final IoLoop loop;
    private final Object owner;
    SelectionKey key;
    private volatile Waiter<Object> inbound;
    private volatile Waiter<Object> outbound;

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
     * @throws DeadlineExceededException if the deadline passes first
     * @throws TaskletExit               if the tasklet is killed first
     * @throws AsynchronousCloseException if the channel was closed meanwhile
     */
    void await(int op, long deadline, String operation) throws IOException {
        Waiter<Object> waiter = Waiter.create();
        boolean in = (op & INBOUND) != 0;
        if (in) {
            if (inbound != null) {
                throw new IllegalStateException(operation + " " + owner + ": another tasklet is already waiting for it");
            }
            inbound = waiter;
        } else {
            if (outbound != null) {
                throw new IllegalStateException(operation + " " + owner + ": another tasklet is already waiting for it");
            }
            outbound = waiter;
        }
        try {
            int interest = key.interestOps();
            if ((interest & op) == 0) {
                key.interestOps(interest | op);
            }
        } catch (CancelledKeyException closed) {
            clear(in, waiter);
            throw new AsynchronousCloseException();
        }
        try {
            waiter.await(deadline, operation, owner);
        } catch (DeadlineExceededException | TaskletExit cancelled) {
            clear(in, waiter);
            throw cancelled;
        }
    }

    /** The loop found the key ready. */
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
            } else {
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
            selected.interestOps(selected.interestOps() & ~drop);
        }
    }

    /** The channel was closed: wake whoever waits, with an error. Callable from any thread. */
    void abort() {
        Waiter<Object> in = inbound;
        Waiter<Object> out = outbound;
        if (in != null) {
            in.fail(new ClosedWhileWaitingException(owner + " was closed while a tasklet was reading"));
        }
        if (out != null) {
            out.fail(new ClosedWhileWaitingException(owner + " was closed while a tasklet was writing"));
        }
        SelectionKey k = key;
        if (k != null) {
            k.cancel();
            loop.wakeup();
        }
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
}
