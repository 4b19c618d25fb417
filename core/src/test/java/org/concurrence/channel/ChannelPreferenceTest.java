package org.concurrence.channel;

import static org.concurrence.channel.ChannelTest.deterministic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.concurrence.core.JoinError;
import org.concurrence.core.Tasklet;
import org.junit.jupiter.api.Test;

/**
 * Stackless preference: who runs on when an operation wakes a waiting counterpart. The orderings are those of the
 * original's tests: a receiver (spawned first) and a sender each log {@code r<i>} / {@code s<i>} before every
 * receive / send.
 */
class ChannelPreferenceTest {
    private static List<String> senderAndReceiverLog(int preference, int n) {
        List<String> log = new ArrayList<>();
        List<Integer> received = new ArrayList<>();
        deterministic(() -> {
            Channel<Integer> channel = Channel.<Integer>create("pingpong").preference(preference);
            Tasklet<Void> receiver = Tasklet.spawn(() -> {
                for (int i = 0; i < n; i++) {
                    log.add("r" + i);
                    received.add(channel.receive());
                }
            });
            Tasklet<Void> sender = Tasklet.spawn(() -> {
                for (int i = 0; i < n; i++) {
                    log.add("s" + i);
                    channel.send(i);
                }
            });
            receiver.join();
            sender.join();
        });
        assertEquals(List.of(0, 1, 2, 3, 4, 5), received);
        return log;
    }

    @Test
    void preferringTheReceiverAlternatesOneReceiveOneSend() {
        assertEquals(List.of("r0", "s0", "r1", "s1", "r2", "s2", "r3", "s3", "r4", "s4", "r5", "s5"),
                senderAndReceiverLog(-1, 6));
    }

    @Test
    void preferringNeitherLetsEachSideRunOnInPairs() {
        assertEquals(List.of("r0", "s0", "s1", "r1", "r2", "s2", "s3", "r3", "r4", "s4", "s5", "r5"),
                senderAndReceiverLog(0, 6));
    }

    @Test
    void preferringTheSenderRunsTheSenderAheadAfterTheFirstHandOver() {
        assertEquals(List.of("r0", "s0", "s1", "r1", "s2", "r2", "s3", "r3", "s4", "r4", "s5", "r5"),
                senderAndReceiverLog(1, 6));
    }

    @Test
    void theDefaultPreferenceIsTheReceiver() {
        assertEquals(-1, Channel.create().preference());
        assertEquals(-1, Channel.buffered(3).preference());
    }

    /** A send to a waiting receiver while a third tasklet is runnable: who runs first? */
    private static List<String> sendWithBystander(int preference) {
        List<String> log = new ArrayList<>();
        deterministic(() -> {
            Channel<String> channel = Channel.<String>create().preference(preference);
            Tasklet<?> receiver = Tasklet.spawn(() -> log.add("receiver got " + channel.receive()));
            Tasklet.yield();
            Tasklet<?> bystander = Tasklet.spawn(() -> log.add("bystander"));
            channel.send("x");
            log.add("sender runs on");
            receiver.join();
            bystander.join();
        });
        return log;
    }

    @Test
    void preferringTheReceiverSwitchesToItAheadOfOtherRunnableTasklets() {
        assertEquals(List.of("receiver got x", "bystander", "sender runs on"), sendWithBystander(-1));
    }

    @Test
    void withoutReceiverPreferenceTheSenderRunsOnAndTheReceiverQueuesBehindOthers() {
        assertEquals(List.of("sender runs on", "bystander", "receiver got x"), sendWithBystander(0));
        assertEquals(List.of("sender runs on", "bystander", "receiver got x"), sendWithBystander(1));
    }

    /** A receive from a waiting sender while a third tasklet is runnable. */
    private static List<String> receiveWithBystander(int preference) {
        List<String> log = new ArrayList<>();
        deterministic(() -> {
            Channel<String> channel = Channel.<String>create().preference(preference);
            Tasklet<?> sender = Tasklet.spawn(() -> {
                channel.send("x");
                log.add("sender resumed");
            });
            Tasklet.yield();
            Tasklet<?> bystander = Tasklet.spawn(() -> log.add("bystander"));
            log.add("receiver got " + channel.receive());
            sender.join();
            bystander.join();
        });
        return log;
    }

    @Test
    void preferringTheSenderSwitchesToAWaitingSenderWhenAReceiverTakesItsItem() {
        assertEquals(List.of("sender resumed", "bystander", "receiver got x"), receiveWithBystander(1));
    }

    @Test
    void withoutSenderPreferenceTheReceiverRunsOn() {
        assertEquals(List.of("receiver got x", "bystander", "sender resumed"), receiveWithBystander(-1));
        assertEquals(List.of("receiver got x", "bystander", "sender resumed"), receiveWithBystander(0));
    }

    @Test
    void aBufferedChannelSwitchesOnHandOverToAWaitingReceiverToo() {
        List<String> log = new ArrayList<>();
        deterministic(() -> {
            Channel<String> channel = Channel.buffered(2);
            Tasklet<?> receiver = Tasklet.spawn(() -> log.add("receiver got " + channel.receive()));
            Tasklet.yield();
            channel.send("x");
            log.add("sender runs on");
            receiver.join();
        });
        assertEquals(List.of("receiver got x", "sender runs on"), log);
    }

    @Test
    void aPreferredSwitchDoesNotRaiseAPendingKillInTheSender() {
        List<String> log = new ArrayList<>();
        deterministic(() -> {
            Channel<String> channel = Channel.create();
            Tasklet<?> receiver = Tasklet.spawn(() -> log.add("receiver got " + channel.receive()));
            Tasklet.yield();
            Tasklet<?> sender = Tasklet.spawn(() -> {
                Thread.yield(); // not a kill point: the kill below stays pending
                try {
                    channel.trySend("x"); // completes, then switches to the receiver
                    log.add("trySend returned");
                } finally {
                    Tasklet.checkpoint(); // the next kill point delivers the kill
                    log.add("not reached");
                }
            });
            Tasklet.yield();
            sender.kill();
            assertTrue(assertThrows(JoinError.class, sender::join).wasKilled());
            receiver.join();
        });
        assertEquals(List.of("receiver got x", "trySend returned"), log);
    }

    @Test
    void aPreferenceOutsideMinusOneToOneIsRejected() {
        Channel<String> channel = Channel.create("jobs");
        var failure = assertThrows(IllegalArgumentException.class, () -> channel.preference(2));
        assertEquals("preference of channel jobs must be -1 (receiver), 0 (neither) or +1 (sender), not 2",
                failure.getMessage());
        assertEquals(0, channel.preference(0).preference());
    }
}
