package org.concurrence.http.client;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.LongSupplier;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.TaskletExit;
import org.concurrence.core.WaitQueue;
import org.concurrence.core.Waiter;

/*
 * Implementation notes. A socket belongs to the dispatcher it first waited on, so an idle connection can only serve
 * tasklets of its own dispatcher; the limit, though, is per origin over all dispatchers (what a server sees). So:
 *
 * - `open` counts every connection of the origin, idle, in use or being opened: a slot each. A caller takes an idle
 *   connection of its own dispatcher (most recent first: LIFO keeps few connections warm and lets the rest expire),
 *   or a free slot to open one, or — at the limit — the slot of the oldest idle connection of another dispatcher,
 *   which it closes (closing is safe from any thread). Only when every slot is in use does it wait.
 * - A waiter notes its dispatcher in its attachment. A connection given back goes straight to the first waiter of
 *   its dispatcher; failing that, it is closed and its slot goes to the first waiter of any dispatcher; failing that,
 *   it goes idle. A connection closed gives its slot to the first waiter, else the slot is freed. A waiter that timed
 *   out or was killed removes itself; one completed meanwhile keeps what it was given (completion wins) — so no
 *   connection or slot is lost, and `open` stays exact.
 * - Idle connections past the idle timeout are closed when found: by acquire, and by the client's periodic sweep.
 */
/**
 * The connections of one origin: idle ones by dispatcher, most recently used first, and a limit on how many are open
 * at once, for which callers wait under their deadline.
 *
 * <p>Thread-safety: every method may be called from any tasklet of any dispatcher; state is guarded by this pool's
 * monitor, held only for short, non-blocking steps (never across I/O or a wait).
 */
final class OriginPool {
    /** Given to a waiter or returned by {@link #acquire}: permission to open a connection. */
    static final Object SLOT = new Object();

    private final Origin origin;
    private final int max;
    private final long idleNanos;
    /** The clock of idle times, {@link System#nanoTime()} but in tests. */
    private final LongSupplier clock;
    /** Idle connections, most recently used first. */
    private final ArrayDeque<ClientConnection> idle = new ArrayDeque<>();
    private final WaitQueue<Object> waiters = new WaitQueue<>();
    private int open;
    private boolean closed;
    /** Found empty and unused by a sweep and dropped from the client's map: callers must look the origin up again. */
    private boolean retired;

    OriginPool(Origin origin, int max, long idleNanos, LongSupplier clock) {
        this.origin = origin;
        this.max = max;
        this.idleNanos = idleNanos;
        this.clock = clock;
    }

    /**
     * An idle connection of the current dispatcher (unless {@code fresh}), or {@link #SLOT}: permission to open one,
     * which the caller must hand back with {@link #release} (the connection it opened) or {@link #slotUnused}.
     * Waits under {@code deadline} while the origin has {@code max} connections in use. Null if this pool was
     * retired: look the origin's pool up again.
     *
     * @throws DeadlineExceededException if none came free in time
     * @throws IllegalStateException     if the client was closed
     */
    Object acquire(long deadline, boolean fresh) {
        Dispatcher here = Dispatcher.current();
        List<ClientConnection> expired = new ArrayList<>(0);
        Waiter<Object> w;
        try {
            synchronized (this) {
                checkOpen();
                if (retired) {
                    return null;
                }
                Object got = takeIdle(here, fresh, expired);
                if (got != null) {
                    return got;
                }
                w = Waiter.create();
                w.attachment = here;
                waiters.add(w);
            }
        } finally {
            closeAll(expired);
        }
        try {
            return w.await(deadline, "waiting for a connection to", this);
        } catch (DeadlineExceededException | TaskletExit e) {
            synchronized (this) {
                waiters.remove(w);
            }
            throw e;
        }
    }

    /** Under the lock: an idle connection of {@code here}, a slot, or null when the caller must wait. */
    private Object takeIdle(Dispatcher here, boolean fresh, List<ClientConnection> expired) {
        long now = clock.getAsLong();
        Iterator<ClientConnection> it = idle.iterator();
        while (it.hasNext()) {
            ClientConnection c = it.next();
            if (now - c.idleSince > idleNanos || !c.isOpen()) {
                it.remove();
                expired.add(c);
                open--;
            } else if (!fresh && c.dispatcher == here) {
                it.remove();
                return c;
            }
        }
        if (open < max) {
            open++;
            return SLOT;
        }
        // At the limit: take over the slot of the oldest idle connection (another dispatcher's, or ours if fresh).
        ClientConnection oldest = idle.pollLast();
        if (oldest != null) {
            expired.add(oldest);
            return SLOT;
        }
        return null;
    }

    /**
     * Takes back a connection from a finished exchange: pooled if {@code reuse} (and the client is open), else closed.
     * Either way its slot goes to a waiter if there is one. Never blocks.
     */
    void release(ClientConnection c, boolean reuse) {
        synchronized (this) {
            if (reuse && !closed) {
                if (handTo(c.dispatcher, c)) {
                    return;
                }
                if (waiters.isEmpty()) {
                    c.idleSince = clock.getAsLong();
                    idle.addFirst(c);
                    return;
                }
                // Only other dispatchers' tasklets wait: the connection cannot serve them, its slot can.
            }
            if (!handTo(null, SLOT)) {
                open--;
            }
        }
        c.close();
    }

    /** Gives back a slot from {@link #acquire} that opened nothing (the connect failed). */
    void slotUnused() {
        synchronized (this) {
            if (!handTo(null, SLOT)) {
                open--;
            }
        }
    }

    /**
     * Under the lock: completes the first waiter of {@code dispatcher} (any, if null) with {@code value}; false if
     * there was none. A waiter that gave up meanwhile refuses the value, which then goes to the next one.
     */
    private boolean handTo(Dispatcher dispatcher, Object value) {
        for (Waiter<Object> w = firstOf(dispatcher); w != null; w = firstOf(dispatcher)) {
            waiters.remove(w);
            if (w.complete(value)) {
                return true;
            }
        }
        return false;
    }

    private Waiter<Object> firstOf(Dispatcher dispatcher) {
        if (dispatcher == null) {
            return waiters.peek();
        }
        // WaitQueue offers no iteration: scan by taking waiters off and putting the others back in order.
        int n = waiters.size();
        Waiter<Object> found = null;
        for (int i = 0; i < n; i++) {
            Waiter<Object> w = waiters.poll();
            if (found == null && w.attachment == dispatcher) {
                found = w;
            }
            waiters.add(w);
        }
        return found;
    }

    /**
     * Closes idle connections past the idle timeout; if the pool is then empty and unused, retires it and returns true
     * (the client drops it from its map, so that an origin contacted once costs nothing for ever).
     */
    boolean sweep() {
        List<ClientConnection> expired = new ArrayList<>(0);
        boolean empty;
        synchronized (this) {
            long now = clock.getAsLong();
            for (Iterator<ClientConnection> it = idle.descendingIterator(); it.hasNext(); ) {
                ClientConnection c = it.next();
                if (now - c.idleSince > idleNanos || !c.isOpen()) {
                    it.remove();
                    expired.add(c);
                    open--;
                }
            }
            empty = open == 0 && waiters.isEmpty();
            retired |= empty;
        }
        closeAll(expired);
        return empty;
    }

    /** Closes the idle connections and refuses new acquires; connections in use close when given back. */
    void close() {
        List<ClientConnection> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(idle);
            open -= idle.size();
            idle.clear();
            for (Waiter<Object> w = waiters.poll(); w != null; w = waiters.poll()) {
                w.fail(new IllegalStateException("the HTTP client was closed while waiting for a connection to "
                        + origin));
            }
        }
        closeAll(all);
    }

    /** Connections open (idle, in use or being opened) and idle, for diagnostics. */
    synchronized int[] counts() {
        return new int[] {open, idle.size()};
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the HTTP client is closed");
        }
    }

    private static void closeAll(List<ClientConnection> connections) {
        for (ClientConnection c : connections) {
            c.close();
        }
    }

    @Override
    public synchronized String toString() {
        return origin + " (" + open + " open of at most " + max + ", " + idle.size() + " idle, " + waiters.size()
                + " waiting)";
    }
}
