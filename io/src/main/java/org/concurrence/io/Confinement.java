package org.concurrence.io;

import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.Tasklet;

/*
 * Implementation notes. close() may run on any thread while the owner registers: close() sets `closed` and then reads
 * `registration`; registration() publishes the registration and then reads `closed` (all volatile), so at least one
 * of them sees the other, and whoever does aborts the registration (Registration.abort is idempotent in effect).
 */
/**
 * Ties a channel to the dispatcher of the first tasklet that waits on it, closes it so that waiters wake, and keeps
 * a busy channel from monopolising its dispatcher: what {@link Socket}, {@link ServerSocket} and
 * {@link DatagramSocket} share.
 *
 * <p>Fairness: a call that finds data (or room) at once does not wait, so a tasklet reading a socket that is always
 * full would never let the others of its dispatcher run. Every {@value #TURNS}th call in a row that did not wait
 * yields first, as the original did every 8th.
 *
 * <p>Thread-safety: {@link #close()} and {@link #isClosed()} from any thread; the rest from the owner's tasklets
 * (before the first wait, from any tasklet).
 */
final class Confinement {
    private final SelectableChannel channel;
    private final Object owner;
    private volatile Registration registration;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Calls in a row that did not wait; touched by the owner's tasklets only. */
    private int turns;
    static final int TURNS = 16;

    Confinement(SelectableChannel channel, Object owner) {
        this.channel = channel;
        this.owner = owner;
    }

    /**
     * Fails unless the current tasklet may use the channel: any tasklet before the first wait, then only those of the
     * dispatcher where it first waited.
     */
    void checkOwner() {
        Registration r = registration;
        if (r != null && r.dispatcher() != Dispatcher.current()) {
            throw wrongDispatcher(r);
        }
    }

    /**
     * Checks the owner like {@link #checkOwner()}, then yields if the channel has served {@value #TURNS} calls in a row
     * without waiting. Called before an attempt, so a kill during the yield loses nothing.
     */
    void beginCall() {
        checkOwner();
        takeTurn();
    }

    /** Counts a call (or a step of a long one, such as a big write) that did not wait, yielding every {@value #TURNS}th. */
    void takeTurn() {
        if (++turns >= TURNS) {
            turns = 0;
            Tasklet.yield();
        }
    }

    /** The registration with the current tasklet's dispatcher, made on the first wait; resets the fairness count. */
    Registration registration() throws IOException {
        turns = 0;
        Registration r = registration;
        if (r == null) {
            r = IoLoop.current().register(channel, owner);
            registration = r;
            if (closed.get()) {
                r.abort(); // closed by another thread meanwhile, which may not have seen the registration
            }
            return r;
        }
        if (r.dispatcher() != Dispatcher.current()) {
            throw wrongDispatcher(r);
        }
        return r;
    }

    /** The registration if the channel has waited already, else null; never registers. Callable from any thread. */
    Registration registered() {
        return registration;
    }

    boolean isClosed() {
        return closed.get();
    }

    /**
     * Wakes the waiters with {@link ClosedWhileWaitingException} and closes the channel; only the first call does.
     *
     * @return true for the first call
     */
    boolean close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return false;
        }
        Registration r = registration;
        if (r != null) {
            r.abort();
        }
        channel.close();
        return true;
    }

    /**
     * {@link #close()}, and when it returns the channel's file descriptor is released too. The JDK keeps the
     * descriptor of a channel registered with a selector open until that selector deregisters it, which our loop does
     * on its next poll; a listening socket stays in the kernel's listen state until then and completes connects into
     * its backlog. So this waits for that poll (at once on the loop's own carrier, else through a short tasklet there,
     * at most {@link IoLoop#RELEASE_WAIT}). Blocks the caller; callable from any thread.
     */
    void closeAndRelease() throws IOException {
        if (close()) {
            Registration r = registration;
            if (r != null) {
                r.loop().releaseClosed();
            }
        }
    }

    private IllegalStateException wrongDispatcher(Registration r) {
        Dispatcher here = Dispatcher.current();
        return new IllegalStateException(owner + " belongs to " + r.dispatcher().name() + " (where it first waited); "
                + "use it from tasklets of that dispatcher, not from "
                + (here == null ? "thread " + Thread.currentThread().getName() : here.name()));
    }
}
