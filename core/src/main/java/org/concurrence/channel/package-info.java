/**
 * Channels between tasklets: {@link org.concurrence.channel.Channel}, a rendezvous or bounded buffer as in Stackless
 * (with its preference for who runs on after a hand-over); {@link org.concurrence.channel.Select}, which waits on
 * several channel operations and performs exactly one; and {@link org.concurrence.channel.BroadcastChannel}, which
 * puts each message in the mailboxes of all its subscribers.
 *
 * <p>Every type here is safe to share across dispatchers and plain threads. Waiting parks only the tasklet, under its
 * deadline (or the {@code Duration} given, whichever is sooner) and its kill; a wait that times out or is killed did
 * not take effect, and the {@code try} forms never wait.
 */
package org.concurrence.channel;
