package org.concurrence.core;

/** A send to a bounded mailbox with {@link Mailbox.Overflow#FAIL} found it full; the message was not queued. */
public final class MailboxFullException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MailboxFullException(String message) {
        super(message);
    }
}
