package org.concurrence.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.concurrence.core.Concurrence;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.JoinError;
import org.concurrence.core.Tasklet;
import org.concurrence.core.Timeout;
import org.junit.jupiter.api.Test;

/** Hand-over, buffering, balance, timeouts, kills, exceptions and receive-n, all on one dispatcher in virtual time. */
class ChannelTest {
    static void deterministic(Runnable body) {
        Concurrence.run(Concurrence.Options.deterministic(), body);
    }

    static long now() {
        return Dispatcher.current().nanoTime();
    }

    @Test
    void aSendIsHandedToAWaitingReceiver() {
        List<String> log = new ArrayList<>();
        deterministic(() -> {
            Channel<String> channel = Channel.create("jobs");
            Tasklet<?> receiver = Tasklet.spawn(() -> log.add("got " + channel.receive()));
            Tasklet.yield();
            assertEquals(-1, channel.balance());
            channel.send("a");
            log.add("sent");
            receiver.join();
            assertEquals(0, channel.balance());
        });
        assertEquals(List.of("got a", "sent"), log);
    }

    @Test
    void aRendezvousSendWaitsUntilAReceiverTakesTheItem() {
        List<String> log = new ArrayList<>();
        deterministic(() -> {
            Channel<String> channel = Channel.create("jobs");
            Tasklet<Void> sender = Tasklet.spawn(() -> {
                channel.send("a");
                log.add("send returned");
            });
            Tasklet.yield();
            assertTrue(log.isEmpty(), "a rendezvous send must wait for a receiver");
            assertEquals(1, channel.balance());
            assertTrue(channel.hasSender());
            assertEquals("a", channel.receive());
            log.add("received");
            sender.join();
        });
        assertEquals(List.of("received", "send returned"), log);
    }

    @Test
    void itemsArriveInTheOrderSentAndWaitersAreServedFirstInFirstOut() {
        List<String> log = new ArrayList<>();
        deterministic(() -> {
            Channel<Integer> channel = Channel.create();
            List<Tasklet<Boolean>> receivers = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                int id = r;
                receivers.add(Tasklet.spawn(() -> log.add("r" + id + " got " + channel.receive())));
            }
            Tasklet.yield();
            for (int i = 0; i < 3; i++) {
                channel.send(i);
            }
            Tasklet.joinAll(receivers);
        });
        assertEquals(List.of("r0 got 0", "r1 got 1", "r2 got 2"), log);
    }

    @Test
    void aBufferedChannelAcceptsItemsUpToItsCapacityWithoutWaiting() {
        deterministic(() -> {
            Channel<Integer> channel = Channel.buffered("queue", 3);
            assertEquals(3, channel.capacity());
            for (int i = 0; i < 3; i++) {
                assertTrue(channel.trySend(i), "item " + i + " fits in the buffer");
            }
            assertFalse(channel.trySend(3), "the buffer is full");
            assertEquals(3, channel.size());
            assertEquals(3, channel.balance());
            assertTrue(channel.hasSender());
            assertFalse(channel.hasReceiver());
            assertEquals(List.of(0, 1, 2), channel.receive(3));
            assertEquals(Optional.empty(), channel.tryReceive());
        });
    }

    @Test
    void aSendToAFullBufferWaitsUntilAReceiverMakesRoom() {
        List<String> log = new ArrayList<>();
        deterministic(() -> {
            Channel<Integer> channel = Channel.buffered("queue", 2);
            Tasklet<Void> sender = Tasklet.spawn(() -> {
                for (int i = 0; i < 4; i++) {
                    channel.send(i);
                    log.add("sent " + i);
                }
            });
            Tasklet.yield();
            assertEquals(List.of("sent 0", "sent 1"), log);
            assertEquals(3, channel.balance(), "two buffered items and one waiting sender");
            assertEquals(0, channel.receive());
            assertEquals(2, channel.size(), "the waiting sender's item moved into the buffer");
            Tasklet.yield();
            assertEquals(List.of("sent 0", "sent 1", "sent 2"), log);
            assertEquals(List.of(1, 2, 3), channel.receive(3));
            sender.join();
        });
        assertEquals(List.of("sent 0", "sent 1", "sent 2", "sent 3"), log);
    }

    @Test
    void balanceCountsSeveralWaitingReceiversAndSenders() {
        deterministic(() -> {
            Channel<Integer> channel = Channel.create("jobs");
            assertEquals(0, channel.balance());
            assertFalse(channel.hasReceiver());
            assertFalse(channel.hasSender());
            List<Tasklet<Integer>> receivers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                receivers.add(Tasklet.spawn(() -> channel.receive()));
            }
            Tasklet.yield();
            assertEquals(-3, channel.balance());
            assertTrue(channel.hasReceiver());
            assertFalse(channel.hasSender());
            for (int i = 0; i < 3; i++) {
                channel.send(i);
                assertEquals(-2 + i, channel.balance());
            }
            Tasklet.joinAll(receivers);
            List<Tasklet<Void>> senders = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                int item = i;
                senders.add(Tasklet.spawn(() -> channel.send(item)));
            }
            Tasklet.yield();
            assertEquals(2, channel.balance());
            assertTrue(channel.hasSender());
            assertFalse(channel.hasReceiver());
            assertEquals(List.of(0, 1), channel.receive(2));
            Tasklet.joinAll(senders);
            assertEquals(0, channel.balance());
        });
    }

    @Test
    void aReceiverThatTimesOutLeavesTheQueueAndRestoresTheBalance() {
        deterministic(() -> {
            Channel<String> channel = Channel.create("jobs");
            Tasklet<DeadlineExceededException> receiver = Tasklet.spawn(
                    () -> assertThrows(DeadlineExceededException.class, () -> channel.receive(Duration.ofSeconds(1))));
            Tasklet.yield();
            assertEquals(-1, channel.balance());
            DeadlineExceededException timeout = receiver.join();
            assertEquals(Duration.ofSeconds(1), timeout.waited());
            assertTrue(timeout.getMessage().startsWith("receive on channel jobs timed out"), timeout.getMessage());
            assertEquals(0, channel.balance());
            assertFalse(channel.hasReceiver());
            assertFalse(channel.trySend("late"), "nobody is waiting any more");
        });
    }

    @Test
    void aSenderThatTimesOutDeliversNothing() {
        deterministic(() -> {
            Channel<String> channel = Channel.create("jobs");
            long start = now();
            var timeout = assertThrows(DeadlineExceededException.class,
                    () -> channel.send("x", Duration.ofMillis(250)));
            assertEquals(250_000_000L, now() - start);
            assertTrue(timeout.getMessage().startsWith("send on channel jobs timed out"), timeout.getMessage());
            assertEquals(0, channel.balance());
            assertEquals(Optional.empty(), channel.tryReceive());
        });
    }

    @Test
    void aBlockedSenderThatIsKilledLeavesTheQueueAndRestoresTheBalance() {
        deterministic(() -> {
            Channel<String> channel = Channel.create("jobs");
            Tasklet<Void> sender = Tasklet.spawn(() -> channel.send("never"));
            Tasklet.yield();
            assertEquals(1, channel.balance());
            sender.kill();
            assertFalse(sender.isAlive());
            assertTrue(assertThrows(JoinError.class, sender::join).wasKilled());
            assertEquals(0, channel.balance());
            assertFalse(channel.hasSender());
            assertEquals(Optional.empty(), channel.tryReceive(), "the killed sender's item was not sent");
        });
    }

    @Test
    void aBlockedReceiverThatIsKilledLeavesTheQueueAndRestoresTheBalance() {
        deterministic(() -> {
            Channel<String> channel = Channel.create("jobs");
            Tasklet<String> first = Tasklet.spawn(() -> channel.receive());
            Tasklet<String> second = Tasklet.spawn(() -> channel.receive());
            Tasklet.yield();
            assertEquals(-2, channel.balance());
            first.kill();
            assertEquals(-1, channel.balance());
            channel.send("x");
            assertEquals("x", second.join(), "the item went to the receiver that is still waiting");
            assertEquals(0, channel.balance());
        });
    }

    @Test
    void aKilledTaskletFailsItsNextChannelCallEvenIfAnItemIsReady() {
        deterministic(() -> {
            Channel<String> channel = Channel.buffered("queue", 1);
            channel.send("ready");
            Tasklet<String> receiver = Tasklet.spawn(() -> {
                Thread.yield(); // not a kill point: the kill stays pending
                return channel.receive();
            });
            Tasklet.yield();
            receiver.kill();
            assertTrue(assertThrows(JoinError.class, receiver::join).wasKilled());
            assertEquals("ready", channel.receive(), "the item was left for others");
        });
    }

    @Test
    void aKilledTaskletFailsAReceiveOfNoItems() {
        // receive-n is a blocking form: made after a kill it fails at once, even when it could complete at once, and
        // it does so for n = 0 too (nothing to wait for).
        deterministic(() -> {
            Channel<String> channel = Channel.create("none");
            Tasklet<List<String>> receiver = Tasklet.spawn(() -> {
                Thread.yield(); // not a kill point: the kill stays pending
                return channel.receive(0);
            });
            Tasklet.yield();
            receiver.kill();
            assertTrue(assertThrows(JoinError.class, receiver::join).wasKilled());
        });
    }

    @Test
    void anExceptionSentIsThrownByTheReceiverThatTakesIt() {
        deterministic(() -> {
            Channel<String> channel = Channel.create("jobs");
            IllegalStateException problem = new IllegalStateException("bad job");
            Tasklet<Void> sender = Tasklet.spawn(() -> {
                channel.send("first");
                channel.sendException(problem);
                channel.send("after");
            });
            assertEquals("first", channel.receive());
            assertSame(problem, assertThrows(IllegalStateException.class, channel::receive));
            assertEquals("after", channel.receive());
            sender.join();
        });
    }

    @Test
    void anExceptionSentToABufferedChannelKeepsItsPlaceInLine() {
        deterministic(() -> {
            Channel<Integer> channel = Channel.buffered(3);
            channel.send(1);
            channel.sendException(new ArithmeticException("overflow"));
            channel.send(2);
            assertEquals(3, channel.size());
            assertEquals(1, channel.receive());
            assertThrows(ArithmeticException.class, channel::tryReceive);
            assertEquals(2, channel.receive());
        });
    }

    @Test
    void receiveNReturnsTheItemsInOrderUnderOneDeadline() {
        deterministic(() -> {
            Channel<Integer> channel = Channel.create("ticks");
            Tasklet<Void> ticker = Tasklet.spawn(() -> {
                for (int i = 0; i < 6; i++) {
                    Tasklet.sleep(Duration.ofSeconds(1));
                    channel.send(i);
                }
            });
            assertEquals(List.of(0, 1, 2), channel.receive(3, Duration.ofSeconds(5)));
            // Each of the next three is 1 s apart, but all three must arrive within 2.5 s: one deadline for all.
            long start = now();
            List<Integer> partial = new ArrayList<>();
            assertThrows(DeadlineExceededException.class,
                    () -> channel.receiveInto(partial, 3, Duration.ofMillis(2500)));
            assertEquals(2_500_000_000L, now() - start);
            assertEquals(List.of(3, 4), partial, "receiveInto keeps what arrived before the deadline");
            assertEquals(List.of(5), channel.receive(1));
            ticker.join();
            assertEquals(List.of(), channel.receive(0));
            assertThrows(IllegalArgumentException.class, () -> channel.receive(-1));
        });
    }

    @Test
    void anExpiredDeadlineInNestedTimeoutScopesFailsAReceiveAtOnce() {
        deterministic(() -> {
            Channel<String> channel = Channel.create("jobs");
            try (var outer = Timeout.after(Duration.ofSeconds(10))) {
                try (var inner = Timeout.after(Duration.ofSeconds(1))) {
                    Tasklet.sleep(Duration.ofSeconds(2)); // sleep ignores the deadline
                    long start = now();
                    var failure = assertThrows(DeadlineExceededException.class, () -> channel.receive());
                    assertEquals(start, now(), "failed without waiting");
                    assertEquals(Duration.ZERO, failure.waited());
                    assertTrue(failure.getMessage().contains("receive on channel jobs failed at once"),
                            failure.getMessage());
                    assertThrows(DeadlineExceededException.class, () -> channel.receive(Duration.ofHours(1)),
                            "a timeout argument cannot extend the current deadline");
                    assertEquals(0, channel.balance());
                }
                long start = now();
                assertThrows(DeadlineExceededException.class, () -> channel.receive());
                assertEquals(8_000_000_000L, now() - start, "the outer scope's deadline is back");
            }
        });
    }

    @Test
    void aTimeoutArgumentNarrowsTheCurrentDeadline() {
        deterministic(() -> {
            Channel<String> channel = Channel.create("jobs");
            try (var scope = Timeout.after(Duration.ofSeconds(10))) {
                long start = now();
                assertThrows(DeadlineExceededException.class, () -> channel.receive(Duration.ofSeconds(3)));
                assertEquals(3_000_000_000L, now() - start);
            }
        });
    }

    @Test
    void anItemThatIsReadyIsReceivedEvenAfterTheDeadlinePassed() {
        deterministic(() -> {
            Channel<String> channel = Channel.buffered("queue", 1);
            channel.send("ready");
            assertEquals("ready", channel.receive(Duration.ZERO));
            assertThrows(DeadlineExceededException.class, () -> channel.receive(Duration.ZERO));
        });
    }

    @Test
    void nullItemsAreRejectedWithAMessageNamingTheChannel() {
        deterministic(() -> {
            Channel<String> channel = Channel.create("jobs");
            var failure = assertThrows(NullPointerException.class, () -> channel.send(null));
            assertEquals("items of channel jobs must not be null", failure.getMessage());
            assertThrows(NullPointerException.class, () -> channel.trySend(null));
            assertThrows(NullPointerException.class, () -> Select.send(channel, null));
        });
    }

    @Test
    void namesCapacityAndStateShowInToString() {
        Channel<String> named = Channel.buffered("jobs", 4);
        named.trySend("a");
        assertEquals("jobs", named.name());
        assertEquals("channel jobs (buffered 1/4, balance 1)", named.toString());
        Channel<String> unnamed = Channel.create();
        assertTrue(unnamed.name().startsWith("#"), unnamed.name());
        unnamed.close();
        assertEquals("channel " + unnamed.name() + " (rendezvous, balance 0, closed)", unnamed.toString());
        var failure = assertThrows(IllegalArgumentException.class, () -> Channel.buffered("jobs", -1));
        assertEquals("capacity of channel jobs must be 0 (rendezvous) or more, not -1", failure.getMessage());
        assertEquals(0, Channel.buffered(0).capacity());
    }
}
