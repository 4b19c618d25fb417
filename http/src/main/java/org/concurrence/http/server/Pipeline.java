package org.concurrence.http.server;

import org.concurrence.core.Tasklet;
import org.concurrence.core.Waiter;

/**
 * The exchanges of one connection whose responses are not written yet, in request order: responses go out strictly in
 * that order, whichever handler finishes first. The first exchange has the turn; the others wait for it in
 * {@link #awaitTurn}.
 *
 * <p>Thread-safety: confined to the connection's dispatcher (its tasklets run one at a time), so it takes no lock.
 */
final class Pipeline {
    private Exchange first;
    private Exchange last;
    private int size;
    private Waiter<Boolean> shrinking;
    /** No more requests are claimed: the connection closes once the exchanges in flight are written. */
    boolean closing;
    /** The connection broke: waiters wake and give up. */
    boolean aborted;
    /** A response said the connection closes: later responses are not written. */
    boolean responsesEnded;

    int size() {
        return size;
    }

    /** Whether {@code ex} was claimed last. */
    boolean isLast(Exchange ex) {
        return last == ex;
    }

    void add(Exchange ex) {
        if (last == null) {
            first = ex;
        } else {
            last.next = ex;
        }
        last = ex;
        size++;
    }

    /**
     * Waits until every exchange before {@code ex} is written.
     *
     * @return false if the connection broke meanwhile
     */
    boolean awaitTurn(Exchange ex) {
        while (first != ex && !aborted) {
            Waiter<Boolean> w = Waiter.create();
            ex.turn = w;
            w.await(Tasklet.deadline(null), "wait for the response turn on", this);
        }
        return !aborted;
    }

    /** Removes {@code ex} (written, or given up) and wakes whoever waits for what that changes. */
    void finished(Exchange ex) {
        Exchange before = null;
        for (Exchange e = first; e != null; before = e, e = e.next) {
            if (e == ex) {
                if (before == null) {
                    first = e.next;
                } else {
                    before.next = e.next;
                }
                if (last == e) {
                    last = before;
                }
                size--;
                break;
            }
        }
        ex.next = null;
        if (first != null) {
            wake(first.turn);
            first.turn = null;
        }
        Waiter<Boolean> w = shrinking;
        shrinking = null;
        wake(w);
    }

    /** Waits until fewer than {@code limit} exchanges are in flight. */
    void awaitBelow(int limit) {
        while (size >= limit && !aborted) {
            Waiter<Boolean> w = Waiter.create();
            shrinking = w;
            w.await(Tasklet.deadline(null), "wait for pipelined responses on", this);
        }
    }

    /** Marks the connection broken and wakes every waiter. */
    void abort() {
        aborted = true;
        closing = true;
        for (Exchange e = first; e != null; e = e.next) {
            wake(e.turn);
            e.turn = null;
        }
        wake(shrinking);
        shrinking = null;
    }

    private static void wake(Waiter<Boolean> w) {
        if (w != null) {
            w.complete(Boolean.TRUE);
        }
    }

    @Override
    public String toString() {
        return "pipeline of " + size + " exchanges";
    }
}
