package org.concurrence.channel;

/**
 * One place of a waiting {@link Party} in one queue of one channel: the sender or receiver side of a plain
 * operation, or one case of a {@link Select}.
 *
 * <p>The links are guarded by the lock of the channel whose queue holds the entry; everything else is immutable.
 */
final class Entry {
    final Party party;
    /** Which case of the party this entry stands for: 0 for a plain operation, the case's position for a select. */
    final int caseIndex;
    /** What a waiting sender offers (an item, or a {@link Signal.Thrown}); null for a receiver. */
    final Object offer;

    // Guarded by the owning channel's lock.
    Entry prev;
    Entry next;
    EntryQueue queue;

    Entry(Party party, int caseIndex, Object offer) {
        this.party = party;
        this.caseIndex = caseIndex;
        this.offer = offer;
    }
}
