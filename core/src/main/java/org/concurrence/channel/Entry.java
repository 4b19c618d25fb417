package org.concurrence.channel;

import org.concurrence.core.Waiter;

/**
 * One waiting operation's place in one queue of one channel: a plain send or receive, or (as a {@link Case}) one case
 * of a {@link Select}. It is also the queue's node: a parked tasklet holds one per plain operation (24 bytes with
 * compact headers), with no party object.
 *
 * <p>A send's entry carries its offer (never null: an item or a {@link Signal.Thrown}); a receive's offer is null, so
 * the offer also says which of its channel's queues the entry belongs in. The links are guarded by the lock of the
 * channel whose queue holds the entry; everything else is immutable.
 */
sealed class Entry permits Entry.Case {
    /** The wait: the operation's own, or the select's shared one. */
    final Waiter<Object> waiter;
    /** What a waiting sender offers; null for a receiver. */
    final Object offer;

    // Guarded by the owning channel's lock. Not queued: next == this.
    Entry prev;
    Entry next = this;

    Entry(Waiter<Object> waiter, Object offer) {
        this.waiter = waiter;
        this.offer = offer;
    }

    final boolean isSend() {
        return offer != null;
    }

    final boolean isQueued() {
        return next != this;
    }

    /**
     * Claims the operation for this entry; true for exactly one caller. A plain operation has one entry, and only
     * the one who unlinks it under the channel's lock claims it, so the claim always succeeds; a select's entries
     * compete through their {@link Party}.
     */
    boolean claim() {
        return true;
    }

    /** True while the operation can still be matched: unclaimed and neither timed out nor killed. */
    boolean isLive() {
        return waiter.isWaiting();
    }

    /**
     * Ends the wait with {@code value}; only after a successful {@link #claim}.
     *
     * @param first run the woken tasklet before the others already runnable on its dispatcher (a preferred switch)
     * @return false if the owner had been cancelled meanwhile (timeout or kill): the value was not taken
     */
    final boolean wake(Object value, boolean first) {
        return first ? waiter.completeFirst(value) : waiter.complete(value);
    }

    /** One case of a {@link Select}: an entry that shares its party (and waiter) with the select's other cases. */
    static final class Case extends Entry {
        final Party party;
        /** The case's position in the select. */
        final int index;
        /**
         * True if an earlier case of the same select waits in the same queue (same channel, same direction): the
         * select is then counted once there, by its first such case.
         */
        final boolean repeat;

        Case(Party party, int index, Object offer, boolean repeat) {
            super(party.waiter, offer);
            this.party = party;
            this.index = index;
            this.repeat = repeat;
        }

        @Override
        boolean claim() {
            return party.claim(index);
        }

        @Override
        boolean isLive() {
            return party.isLive();
        }
    }
}
