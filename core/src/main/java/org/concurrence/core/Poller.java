package org.concurrence.core;

/**
 * A source of events that a dispatcher polls in its own loop, between passes over its runnable tasklets: the way I/O
 * readiness reaches tasklets without a hand-off through another thread. The io module installs one per dispatcher
 * (a {@code java.nio.channels.Selector}) the first time a tasklet there waits for a socket.
 *
 * <p>Confinement: every method but {@link #wakeup()} is called only on the dispatcher's carrier thread, by the loop or
 * by the dispatcher's own tasklets. Events are processed by completing {@link Waiter}s (which makes the waiting
 * tasklets runnable); a poller never runs tasklet code itself.
 */
public interface Poller {

    /** Processes the events that are ready now, without blocking; returns how many. */
    int pollNow();

    /**
     * Blocks the carrier until an event is ready, {@code timeoutNanos} pass (0 or less: no limit) or
     * {@link #wakeup()} is called, then processes what is ready; returns how many events.
     */
    int poll(long timeoutNanos);

    /** Makes a blocked or the next {@link #poll} return at once. Callable from any thread. */
    void wakeup();

    /** Releases the poller's resources; called by the dispatcher when it stops. */
    void close();
}
