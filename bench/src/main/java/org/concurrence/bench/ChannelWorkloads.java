package org.concurrence.bench;

import org.concurrence.channel.Channel;

/**
 * The parts of the benchmark that use {@link Channel}: a ping-pong through two rendezvous channels, and a tasklet
 * parked in {@code receive()} on a channel of its own or on one shared by all.
 */
final class ChannelWorkloads {
    /** A tasklet body that blocks for ever receiving from a new rendezvous channel that nobody else knows. */
    static final Runnable RECEIVE_ON_OWN_CHANNEL = () -> Channel.create().receive();

    /** A tasklet body that blocks for ever receiving from one rendezvous channel shared by all, never sent to. */
    static final Runnable RECEIVE_ON_SHARED_CHANNEL = receiveOn(Channel.create());

    private ChannelWorkloads() {}

    private static Runnable receiveOn(Channel<Object> shared) {
        return () -> shared.receive();
    }

    /** Ping-pong through two rendezvous channels, one each way (see {@link PingPong}). */
    static PingPong pingPong() {
        Channel<Object> there = Channel.create();
        Channel<Object> back = Channel.create();
        return new PingPong(n -> {
            for (int i = 0; i < n; i++) {
                there.send(PingPong.BALL);
                back.receive();
            }
        }, n -> {
            for (int i = 0; i < n; i++) {
                back.send(there.receive());
            }
        });
    }
}
