package org.concurrence.http.client;

import java.time.Duration;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.Tasklet;
import org.concurrence.core.Timeout;
import org.concurrence.core.Waiter;

/**
 * The deadline of one {@link HttpClient#send} call, from the call to the end of its response body: the
 * {@code Duration} given (or the client's request timeout) capped by the tasklet's deadline when the call began. Every
 * blocking step of the call waits under it, and a step that runs out of time is reported as that step of the call.
 *
 * @param at    the deadline on the dispatcher's clock; {@link Waiter#NO_DEADLINE} for none
 * @param start when the call began, on the same clock
 */
record CallDeadline(long at, long start) {

    /** The deadline of a call starting now with {@code timeout} (null: the tasklet's deadline alone). */
    static CallDeadline after(Duration timeout) {
        return new CallDeadline(Tasklet.deadline(timeout), now());
    }

    /** The time left (zero if passed), or null for no deadline: for a call that takes a {@code Duration}. */
    Duration left() {
        return at == Waiter.NO_DEADLINE ? null : Duration.ofNanos(Math.max(0, at - now()));
    }

    /** Whether the deadline has passed (a timeout now is the call's own, not a shorter one of the caller's). */
    boolean passed() {
        return at != Waiter.NO_DEADLINE && now() - at >= 0;
    }

    /** A scope under which every blocking call honours this deadline; null (nothing to close) if there is none. */
    Timeout scope() {
        Duration left = left();
        return left == null ? null : Timeout.after(left);
    }

    /**
     * The failure to report when {@code step} ran out of time: names the request, the step and the origin, with the
     * time since the call began (the step's own failure as the cause).
     */
    DeadlineExceededException timedOut(ClientRequest request, String step, DeadlineExceededException e) {
        Duration waited = e.waited().isZero() && at <= start ? Duration.ZERO : Duration.ofNanos(now() - start);
        DeadlineExceededException named = new DeadlineExceededException(request.method() + " " + request.uri()
                + ": " + step + " " + request.origin(), waited);
        named.initCause(e);
        return named;
    }

    private static long now() {
        Dispatcher d = Dispatcher.current();
        return d != null ? d.nanoTime() : System.nanoTime();
    }
}
