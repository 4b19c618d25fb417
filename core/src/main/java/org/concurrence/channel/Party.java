package org.concurrence.channel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.concurrence.core.Waiter;

/**
 * One blocked {@link Select}, seen from the queues: one {@link Entry.Case} per case in the queues of its channels, all
 * sharing one {@link Waiter}. (A plain send or receive has a single entry and needs no party.)
 *
 * <p>Whoever takes one of its entries out of a queue must first {@link #claim} the party for that entry's case; only
 * the claimer may complete the waiter. So when several channels race for one select, exactly one wins, the others
 * see the claim fail and skip (and unlink) their now stale entries, and the waiter is completed at most once. The
 * {@link Waiter}'s own state still decides the race against a timeout or a kill: if {@link Entry#wake} returns false the
 * owner was cancelled and whatever was to be handed over goes to the next entry.
 *
 * <p>Thread-safety: {@link #claim} is a compare-and-set and may be called from any thread; the waiter belongs to the
 * thread that created the party, which is the only one that awaits it.
 */
final class Party {
    private static final int OPEN = -1;
    private static final VarHandle FIRED;

    static {
        try {
            FIRED = MethodHandles.lookup().findVarHandle(Party.class, "fired", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The wait, created for (and awaited by) the current thread. */
    final Waiter<Object> waiter = Waiter.create();
    private volatile int fired = OPEN;

    /** Claims the party for case {@code caseIndex}; true for exactly one caller, ever. */
    boolean claim(int caseIndex) {
        return FIRED.compareAndSet(this, OPEN, caseIndex);
    }

    /** The case that was claimed, or -1 if none was. */
    int firedCase() {
        return fired;
    }

    /** True while the party can still be matched: unclaimed and neither timed out nor killed. */
    boolean isLive() {
        return fired == OPEN && waiter.isWaiting();
    }
}
