package org.concurrence.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * A message as it sits in a mailbox: its body, who sent it, and whether the sender waits for a reply
 * ({@link Tasklet#call}) or for an acknowledgement of receipt ({@link Tasklet#deliver}).
 *
 * <p>{@link Mailbox#receive()} hands out bodies and remembers the last call received, so a server usually replies
 * with {@link Mailbox#reply(Object)}. A server that holds several calls at once (to reply later or out of order)
 * receives envelopes with {@link Mailbox#receiveEnvelope} and replies through them; an envelope may also be
 * forwarded to another tasklet with {@link Tasklet#forward(Envelope)}, which then replies to the original caller.
 *
 * <p>Thread-safety: {@link #reply} and {@link #fail} may be called from any thread, at most once between them; a
 * reply that comes after the caller gave up (timed out or was killed) is dropped and counted, never blocking the
 * replier.
 */
public final class Envelope {
    private final Object body;
    private final Tasklet<?> sender;
    private final Waiter<Object> replyTo;
    private final Waiter<Object> receipt;
    /** Set once, by the first {@link #reply}, {@link #fail}, {@link #abandon} or {@link #refuse}. */
    private volatile boolean answered;
    /**
     * Set when the receiver takes it out of its mailbox (under the mailbox's lock, or on the owner's carrier for the
     * local queue), so a {@link Tasklet#deliver} that timed out and could not withdraw it knows it was received.
     */
    private volatile boolean taken;
    private static final VarHandle ANSWERED;

    static {
        try {
            ANSWERED = MethodHandles.lookup().findVarHandle(Envelope.class, "answered", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    Envelope(Object body, Tasklet<?> sender, Waiter<Object> replyTo, Waiter<Object> receipt) {
        this.body = body;
        this.sender = sender;
        this.replyTo = replyTo;
        this.receipt = receipt;
    }

    /** A plain message seen as an envelope: no reply expected. */
    static Envelope of(Object body) {
        return new Envelope(body, null, null, null);
    }

    /** The message itself. */
    public Object body() {
        return body;
    }

    /** The tasklet that sent it, or null if unknown (a plain {@link Tasklet#send}, or a thread). */
    public Tasklet<?> sender() {
        return sender;
    }

    /** True if the sender waits for a reply. */
    public boolean isCall() {
        return replyTo != null;
    }

    /**
     * Answers the call: the caller's {@link Tasklet#call} returns {@code value}.
     *
     * @return true if the caller got it; false if it had given up already (the reply is dropped and counted)
     * @throws IllegalStateException if the message was not a call, or was answered already
     */
    public boolean reply(Object value) {
        return answer(value, null);
    }

    /**
     * Answers the call with a failure: the caller's {@link Tasklet#call} throws {@code failure}.
     *
     * @return true if the caller got it; false if it had given up already
     * @throws IllegalStateException if the message was not a call, or was answered already
     */
    public boolean fail(RuntimeException failure) {
        return answer(null, Objects.requireNonNull(failure, "failure"));
    }

    private boolean answer(Object value, RuntimeException failure) {
        if (replyTo == null) {
            throw new IllegalStateException("cannot reply to " + describeBody() + ": it was sent with send, not call");
        }
        if (!ANSWERED.compareAndSet(this, false, true)) {
            throw new IllegalStateException("the call with " + describeBody() + " was answered already");
        }
        boolean taken = failure == null ? replyTo.complete(value) : replyTo.fail(failure);
        if (!taken) {
            Mailbox.LATE_REPLIES.increment();
        }
        return taken;
    }

    /** Called when the receiver takes the message out of its mailbox. */
    void received() {
        if (receipt != null) {
            receipt.complete(Boolean.TRUE);
        }
    }

    /** Marks it as taken out of the mailbox; see {@link #taken}. */
    void markTaken() {
        taken = true;
    }

    /** True once the receiver took it out of its mailbox. */
    boolean wasTaken() {
        return taken;
    }

    /**
     * The receiver ended without answering (a call) or before receiving it (a delivery): the sender fails at once
     * instead of waiting for its deadline.
     */
    void abandon(Tasklet<?> receiver) {
        if (replyTo != null) {
            refuse(new IllegalStateException("tasklet " + receiver.name() + " ended without replying to "
                    + describeBody()));
        } else if (receipt != null && !taken) {
            refuse(endedBeforeReceiving(receiver));
        }
    }

    /** The failure of a delivery whose receiver ended with it unread. */
    IllegalStateException endedBeforeReceiving(Tasklet<?> receiver) {
        return new IllegalStateException("tasklet " + receiver.name() + " ended before receiving " + describeBody());
    }

    /**
     * The message will never be answered or received (its receiver ended, or a full mailbox dropped it): a sender
     * waiting in {@link Tasklet#call} or {@link Tasklet#deliver} fails at once with {@code why}.
     */
    void refuse(RuntimeException why) {
        if (replyTo != null) {
            if (ANSWERED.compareAndSet(this, false, true)) {
                replyTo.fail(why);
            }
        } else if (receipt != null) {
            receipt.fail(why);
        }
    }

    String describeBody() {
        return body == null ? "null" : body.getClass().getSimpleName();
    }

    @Override
    public String toString() {
        return "Envelope[" + describeBody() + (isCall() ? ", call" : "")
                + (sender != null ? ", from " + sender.name() : "") + "]";
    }
}
