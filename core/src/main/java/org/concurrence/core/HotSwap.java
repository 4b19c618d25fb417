package org.concurrence.core;

import java.util.concurrent.Callable;

/**
 * A request to replace a tasklet's behaviour, raised inside the tasklet at its next safe point: a wait in
 * {@link Mailbox#receive()} (in any form). See {@link Tasklet#hotSwap}.
 *
 * <p>If it propagates out of the tasklet's body the swap is accepted: the new behaviour starts in the same tasklet —
 * same identity, name, parent, children, links, monitors and mailbox, with every unread message still there. A
 * tasklet refuses by catching it and calling {@link #refuse()}. Like {@link TaskletExit} it is an {@link Error}, so
 * a {@code catch (Exception e)} does not refuse by accident.
 */
public final class HotSwap extends Error {
    private static final long serialVersionUID = 1L;
    private final transient Callable<?> behaviour;
    private final transient Waiter<Boolean> requester;
    /** Set when the tasklet takes the request at a safe point (under its monitor): it can no longer be withdrawn. */
    private volatile boolean taken;

    HotSwap(Callable<?> behaviour, Waiter<Boolean> requester) {
        super("hot swap requested", null, false, false);
        this.behaviour = behaviour;
        this.requester = requester;
    }

    /** Refuses the swap: the tasklet keeps its behaviour and the requester's {@link Tasklet#hotSwap} returns false. */
    public void refuse() {
        requester.complete(Boolean.FALSE);
    }

    Callable<?> behaviour() {
        return behaviour;
    }

    /**
     * Accepts the swap, telling a requester that still waits. One that gave up after the tasklet took the request was
     * told the swap may still take over, and it does.
     */
    void accept() {
        requester.complete(Boolean.TRUE);
    }

    void markTaken() {
        taken = true;
    }

    boolean wasTaken() {
        return taken;
    }
}
