package org.concurrence.bench;

import java.time.Duration;

import org.concurrence.channel.Channel;

/**
 * The parts of the benchmark that use {@link Channel}: a ping-pong through two rendezvous channels, and a tasklet
 * parked in {@code receive()} on a channel of its own or on one shared by all.
 */
final class ChannelWorkloads {
    /**
     * A tasklet body that blocks for ever receiving from a new rendezvous channel of its own. The channel is made
     * here, by the spawner, and reaches the tasklet inside its body, as a channel shared with a sender would: made
     * inside the body, the JIT could sometimes prove it never escapes and scalar-replace it, and the figure then
     * varied between runs by the size of the channel.
     */
    static Runnable receiveOnOwnChannel() {
        Channel<Object> own = Channel.create();
        return () -> own.receive();
    }

    /** A tasklet body that blocks for ever receiving from one rendezvous channel shared by all, never sent to. */
    static final Runnable RECEIVE_ON_SHARED_CHANNEL = receiveOn(Channel.create());

    /** As {@link #RECEIVE_ON_SHARED_CHANNEL} (another channel), waiting at most a year: a timed wait. */
    static final Runnable RECEIVE_ON_SHARED_CHANNEL_TIMED = receiveWithTimeoutOn(Channel.create());

    private ChannelWorkloads() {}

    private static Runnable receiveOn(Channel<Object> shared) {
        return () -> shared.receive();
    }

    private static Runnable receiveWithTimeoutOn(Channel<Object> shared) {
        Duration aYear = Duration.ofDays(365);
        return () -> shared.receive(aYear);
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
