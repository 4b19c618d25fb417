package org.concurrence.channel;

import static org.concurrence.channel.ChannelTest.deterministic;
import static org.concurrence.channel.ChannelTest.now;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.JoinError;
import org.concurrence.core.Tasklet;
import org.concurrence.core.Timeout;
import org.junit.jupiter.api.Test;

/** Select: readiness, priority, send cases, deadlines, kills, races, and closed channels. */
class SelectTest {
    @Test
    void aSelectReceivesFromWhicheverChannelIsReady() {
        deterministic(() -> {
            Channel<String> a = Channel.create("a");
            Channel<String> b = Channel.buffered("b", 1);
            b.send("from b");
            Select.Result result = Select.of(Select.receive(a), Select.receive(b)).await();
            assertEquals(new Select.Received<>(1, b, "from b"), result);
        });
    }

    @Test
    void aWaitingSelectFiresOnTheFirstChannelThatGetsAnItem() {
        deterministic(() -> {
            Channel<String> a = Channel.create("a");
            Channel<String> b = Channel.create("b");
            Tasklet<Select.Result> selector = Tasklet.spawn(
                    () -> Select.of(Select.receive(a), Select.receive(b)).await());
            Tasklet.yield();
            assertEquals(-1, a.balance());
            assertEquals(-1, b.balance());
            b.send("to b");
            assertEquals(new Select.Received<>(1, b, "to b"), selector.join());
            assertEquals(0, a.balance(), "the losing case left a's queue");
            assertEquals(0, b.balance());
        });
    }

    @Test
    void whenSeveralCasesAreReadyTheFirstListedWins() {
        deterministic(() -> {
            Channel<Integer> a = Channel.buffered("a", 2);
            Channel<Integer> b = Channel.buffered("b", 2);
            a.send(1);
            b.send(2);
            assertEquals(0, Select.of(Select.receive(a), Select.receive(b)).await().index());
            assertEquals(0, Select.of(Select.receive(b), Select.receive(a)).await().index());
            assertEquals(0, a.size() + b.size(), "each select took exactly one item");
        });
    }

    @Test
    void aSendCaseHandsItsItemToAWaitingReceiver() {
        deterministic(() -> {
            Channel<String> requests = Channel.create("requests");
            Channel<String> results = Channel.create("results");
            Tasklet<String> receiver = Tasklet.spawn(() -> results.receive());
            Tasklet.yield();
            Select.Result result = Select.of(Select.receive(requests), Select.send(results, "r1")).await();
            assertEquals(new Select.Sent<>(1, results, "r1"), result);
            assertEquals("r1", receiver.join());
            assertEquals(0, requests.balance());
        });
    }

    @Test
    void aWaitingSendCaseFiresWhenAReceiverArrives() {
        deterministic(() -> {
            Channel<String> out = Channel.create("out");
            Channel<String> in = Channel.create("in");
            Tasklet<Select.Result> selector = Tasklet.spawn(
                    () -> Select.of(Select.receive(in), Select.send(out, "item")).await());
            Tasklet.yield();
            assertEquals(1, out.balance());
            assertEquals(-1, in.balance());
            assertEquals("item", out.receive());
            assertEquals(new Select.Sent<>(1, out, "item"), selector.join());
            assertEquals(0, in.balance());
        });
    }

    @Test
    void aWaitingSelectWithSeveralCasesOnOneChannelCountsOnceInItsBalance() {
        // The balance counts what could be taken or given without waiting: a select fires once, however many of its
        // cases wait in one queue.
        deterministic(() -> {
            Channel<String> ch = Channel.create("ch");
            Tasklet<Select.Result> receiving = Tasklet.spawn(
                    () -> Select.of(Select.receive(ch), Select.receive(ch)).await());
            Tasklet.yield();
            assertEquals(-1, ch.balance());
            ch.send("one");
            assertEquals(new Select.Received<>(0, ch, "one"), receiving.join());
            assertEquals(0, ch.balance());

            Tasklet<Select.Result> sending = Tasklet.spawn(
                    () -> Select.of(Select.send(ch, "a"), Select.send(ch, "b"), Select.send(ch, "c")).await());
            Tasklet.yield();
            assertEquals(1, ch.balance());
            assertEquals("a", ch.receive());
            assertEquals(0, ch.balance());
            assertEquals(new Select.Sent<>(0, ch, "a"), sending.join());
        });
    }

    @Test
    void aSelectThatTimesOutLeavesEveryQueueAndTakesNothing() {
        deterministic(() -> {
            Channel<String> a = Channel.create("a");
            Channel<String> b = Channel.create("b");
            long start = now();
            var timeout = assertThrows(DeadlineExceededException.class,
                    () -> Select.of(Select.receive(a), Select.send(b, "x")).await(Duration.ofSeconds(2)));
            assertEquals(2_000_000_000L, now() - start);
            assertEquals("select [receive on channel a, send on channel b] timed out after 2.000 s",
                    timeout.getMessage());
            assertEquals(0, a.balance());
            assertEquals(0, b.balance());
            assertFalse(b.tryReceive().isPresent(), "the send case did not happen");
        });
    }

    @Test
    void aSelectHonoursTheCurrentDeadlineAndFailsAtOnceWhenItHasPassed() {
        deterministic(() -> {
            Channel<String> a = Channel.create("a");
            Select select = Select.of(Select.receive(a));
            try (var scope = Timeout.after(Duration.ofSeconds(1))) {
                long start = now();
                assertThrows(DeadlineExceededException.class, select::await);
                assertEquals(1_000_000_000L, now() - start);
                var late = assertThrows(DeadlineExceededException.class, () -> select.await(Duration.ofHours(1)));
                assertEquals(Duration.ZERO, late.waited());
            }
            assertEquals(0, a.balance());
        });
    }

    @Test
    void aKilledSelectLeavesEveryQueue() {
        deterministic(() -> {
            Channel<String> a = Channel.create("a");
            Channel<String> b = Channel.buffered("b", 1);
            Tasklet<Select.Result> selector = Tasklet.spawn(
                    () -> Select.of(Select.receive(a), Select.receive(b), Select.receive(a)).await());
            Tasklet.yield();
            assertEquals(-1, a.balance(), "two cases wait on a, but the select is one receiver");
            assertEquals(-1, b.balance());
            selector.kill();
            assertTrue(assertThrows(JoinError.class, selector::join).wasKilled());
            assertEquals(0, a.balance());
            assertEquals(0, b.balance());
            assertTrue(b.trySend("kept"));
            assertEquals("kept", b.receive());
        });
    }

    @Test
    void aSelectThatLosesARaceDoesNotConsumeAnItem() {
        deterministic(() -> {
            Channel<Integer> a = Channel.<Integer>create("a").preference(0);
            Channel<Integer> b = Channel.<Integer>create("b").preference(0);
            Tasklet<Select.Result> selector = Tasklet.spawn(
                    () -> Select.of(Select.receive(a), Select.receive(b)).await());
            Tasklet<Integer> plainReceiver = Tasklet.spawn(() -> b.receive());
            Tasklet.yield();
            assertEquals(-2, b.balance(), "the select and a plain receiver wait on b");
            a.send(1); // the select wins on a but has not run yet (no switch with preference 0)
            assertEquals(-1, b.balance(), "the select's entry in b is stale and not counted");
            b.send(2); // must skip the stale entry and go to the plain receiver
            assertFalse(b.trySend(3), "no live receiver is left on b");
            assertEquals(new Select.Received<>(0, a, 1), selector.join());
            assertEquals(2, plainReceiver.join());
            assertEquals(0, a.balance());
            assertEquals(0, b.balance());
        });
    }

    @Test
    void aSelectWaitingOnABufferedChannelLeavesLaterItemsInTheBuffer() {
        deterministic(() -> {
            Channel<Integer> a = Channel.create("a");
            Channel<Integer> b = Channel.<Integer>buffered("b", 4).preference(0);
            Tasklet<Select.Result> selector = Tasklet.spawn(
                    () -> Select.of(Select.receive(a), Select.receive(b)).await());
            Tasklet.yield();
            b.send(1);
            b.send(2);
            b.send(3);
            assertEquals(new Select.Received<>(1, b, 1), selector.join());
            assertEquals(List.of(2, 3), b.receive(2), "later items stayed in the buffer, each once");
        });
    }

    @Test
    void pollPerformsAReadyCaseOrReturnsEmptyWithoutWaiting() {
        deterministic(() -> {
            Channel<String> a = Channel.create("a");
            Channel<String> b = Channel.buffered("b", 1);
            Select select = Select.of(Select.receive(a), Select.send(b, "x"));
            assertEquals(Optional.of(new Select.Sent<>(1, b, "x")), select.poll());
            assertEquals(Optional.empty(), select.poll(), "b is full and nobody sends on a");
            assertEquals(0, a.balance());
            assertEquals(1, b.balance());
        });
    }

    @Test
    void twoSelectsCanMeetOnAChannel() {
        deterministic(() -> {
            Channel<String> c = Channel.create("c");
            Channel<String> unused = Channel.create("unused");
            Tasklet<Select.Result> sending = Tasklet.spawn(
                    () -> Select.of(Select.receive(unused), Select.send(c, "hello")).await());
            Tasklet.yield();
            Select.Result received = Select.of(Select.receive(unused), Select.receive(c)).await();
            assertEquals(new Select.Received<>(1, c, "hello"), received);
            assertEquals(new Select.Sent<>(1, c, "hello"), sending.join());
            assertEquals(0, unused.balance());
        });
    }

    @Test
    void aSelectNeverMatchesItsOwnSendAndReceiveOnOneChannel() {
        deterministic(() -> {
            Channel<String> c = Channel.create("c");
            assertThrows(DeadlineExceededException.class,
                    () -> Select.of(Select.send(c, "me"), Select.receive(c)).await(Duration.ofSeconds(1)));
            Tasklet<Select.Result> selector = Tasklet.spawn(
                    () -> Select.of(Select.send(c, "me"), Select.receive(c)).await());
            Tasklet.yield();
            assertEquals("me", c.receive(), "another receiver takes the send case");
            assertEquals(0, selector.join().index());
            assertEquals(0, c.balance());
        });
    }

    @Test
    void aClosedChannelFiresAsClosedAndTakesNothing() {
        deterministic(() -> {
            Channel<String> open = Channel.create("open");
            Channel<String> closed = Channel.buffered("closed", 1);
            closed.send("drained first");
            closed.close();
            Select receiving = Select.of(Select.receive(open), Select.receive(closed));
            assertEquals(new Select.Received<>(1, closed, "drained first"), receiving.await());
            assertEquals(new Select.Closed(1, closed), receiving.await());
            assertEquals(new Select.Closed(1, closed), Select.of(Select.receive(open), Select.send(closed, "x"))
                    .poll().orElseThrow());
            assertEquals(0, open.balance());
        });
    }

    @Test
    void aWaitingSelectFiresAsClosedWhenItsChannelCloses() {
        deterministic(() -> {
            Channel<String> a = Channel.create("a");
            Channel<String> b = Channel.create("b");
            Tasklet<Select.Result> selector = Tasklet.spawn(
                    () -> Select.of(Select.receive(a), Select.send(b, "x")).await());
            Tasklet.yield();
            b.close();
            assertEquals(new Select.Closed(1, b), selector.join());
            assertEquals(0, a.balance());
        });
    }

    @Test
    void anExceptionSentToAReceiveCaseIsThrownByAwait() {
        deterministic(() -> {
            Channel<String> a = Channel.create("a");
            IllegalStateException problem = new IllegalStateException("bad");
            Tasklet<Void> sender = Tasklet.spawn(() -> a.sendException(problem));
            Tasklet.yield();
            assertSame(problem, assertThrows(IllegalStateException.class,
                    () -> Select.of(Select.receive(Channel.<String>create()), Select.receive(a)).await()));
            sender.join();
        });
    }

    @Test
    void resultsWorkInAPatternMatchingSwitch() {
        List<String> log = new ArrayList<>();
        deterministic(() -> {
            Channel<Integer> numbers = Channel.buffered("numbers", 4);
            Channel<String> words = Channel.buffered("words", 4);
            numbers.send(7);
            words.send("seven");
            words.close();
            Select select = Select.of(Select.receive(words), Select.receive(numbers));
            for (int round = 0; round < 3; round++) {
                switch (select.await()) {
                    case Select.Received<?>(int index, var channel, String word) -> log.add("word " + word);
                    case Select.Received<?>(int index, var channel, Integer number) -> log.add("number " + number);
                    case Select.Received<?> other -> log.add("other " + other.value());
                    case Select.Sent<?> sent -> log.add("sent " + sent.item());
                    case Select.Closed closed -> log.add("closed " + closed.channel().name());
                }
            }
        });
        assertEquals(List.of("word seven", "closed words", "closed words"), log);
    }

    @Test
    void aSelectNeedsAtLeastOneCase() {
        var failure = assertThrows(IllegalArgumentException.class, Select::of);
        assertEquals("a select needs at least one case", failure.getMessage());
        Select select = Select.of(Select.receive(Channel.create("a")), Select.send(Channel.create("b"), 1));
        assertEquals("select [receive on channel a, send on channel b]", select.toString());
        assertInstanceOf(List.class, select.cases());
        assertTrue(select.cases().get(1).isSend());
    }
}
