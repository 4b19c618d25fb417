package org.concurrence.channel;

/**
 * An operation on a {@link Channel} that was closed: a send after {@link Channel#close()}, a receive once the
 * channel is closed and its buffered items are drained, or an operation that was blocked when the channel closed.
 *
 * <p>The message names the operation and the channel, e.g. {@code "send on closed channel jobs"}. The operation did
 * not take effect: a failed send delivered nothing.
 */
public final class ChannelClosedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String channel;

    ChannelClosedException(String message, String channel) {
        super(message);
        this.channel = channel;
    }

    /** The name of the closed channel. */
    public String channel() {
        return channel;
    }
}
