package org.concurrence.channel;

/**
 * A first-in, first-out queue of waiting {@link Entry}s with constant-time removal from anywhere, so that an
 * operation that timed out or was killed leaves at once.
 *
 * <p>Stale entries (of a select that already fired elsewhere, or of a waiter cancelled but not yet removed) are
 * unlinked by {@link #claimFirst} when it meets them, and skipped by {@link #liveCount}.
 *
 * <p>Not thread-safe: guarded by the owning channel's lock.
 */
final class EntryQueue {
    private Entry head;
    private Entry tail;
    private int size;
    /** Entries of parties with more than one case (selects): only those can be stale for long. */
    private int shared;

    void add(Entry entry) {
        if (entry.queue != null) {
            throw new IllegalStateException("entry for case " + entry.caseIndex + " is already queued");
        }
        entry.queue = this;
        entry.prev = tail;
        entry.next = null;
        if (tail == null) {
            head = entry;
        } else {
            tail.next = entry;
        }
        tail = entry;
        size++;
        if (entry.party.cases > 1) {
            shared++;
        }
    }

    /** Removes {@code entry} if it is in this queue; returns whether it was. */
    boolean remove(Entry entry) {
        if (entry.queue != this) {
            return false;
        }
        unlink(entry);
        return true;
    }

    /**
     * Unlinks entries from the front until one whose party this call claims, and returns that one; null if none is
     * left. Entries whose claim fails are stale (their party fired elsewhere) and are dropped on the way.
     */
    Entry claimFirst() {
        for (Entry e = head; e != null; e = head) {
            unlink(e);
            if (e.party.claim(e.caseIndex)) {
                return e;
            }
        }
        return null;
    }

    /** How many entries can still be matched. Constant time unless selects are queued. */
    int liveCount() {
        if (shared == 0) {
            return size;
        }
        int live = 0;
        for (Entry e = head; e != null; e = e.next) {
            if (e.party.isLive()) {
                live++;
            }
        }
        return live;
    }

    private void unlink(Entry entry) {
        if (entry.prev == null) {
            head = entry.next;
        } else {
            entry.prev.next = entry.next;
        }
        if (entry.next == null) {
            tail = entry.prev;
        } else {
            entry.next.prev = entry.prev;
        }
        entry.prev = null;
        entry.next = null;
        entry.queue = null;
        size--;
        if (entry.party.cases > 1) {
            shared--;
        }
    }
}
