package org.concurrence.channel;

import static org.concurrence.channel.ChannelTest.deterministic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.concurrence.core.Tasklet;
import org.junit.jupiter.api.Test;

/** Closing: blocked and later senders and receivers, draining, and iteration. */
class ChannelCloseTest {
    @Test
    void closeFailsEveryBlockedSenderAndDeliversNothing() {
        deterministic(() -> {
            Channel<String> channel = Channel.create("jobs");
            List<Tasklet<ChannelClosedException>> senders = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                senders.add(Tasklet.spawn(
                        () -> assertThrows(ChannelClosedException.class, () -> channel.send("lost"))));
            }
            Tasklet.yield();
            assertEquals(2, channel.balance());
            channel.close();
            assertEquals(0, channel.balance());
            for (var sender : senders) {
                ChannelClosedException failure = sender.join();
                assertEquals("send on closed channel jobs", failure.getMessage());
                assertEquals("jobs", failure.channel());
            }
            assertThrows(ChannelClosedException.class, channel::receive, "nothing was delivered");
        });
    }

    @Test
    void closeFailsEveryBlockedReceiver() {
        deterministic(() -> {
            Channel<String> channel = Channel.buffered("jobs", 2);
            List<Tasklet<ChannelClosedException>> receivers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                receivers.add(Tasklet.spawn(() -> assertThrows(ChannelClosedException.class, channel::receive)));
            }
            Tasklet.yield();
            assertEquals(-3, channel.balance());
            channel.close();
            assertEquals(0, channel.balance());
            for (var receiver : receivers) {
                assertEquals("receive on closed channel jobs", receiver.join().getMessage());
            }
        });
    }

    @Test
    void everyOperationAfterCloseFailsAtOnce() {
        deterministic(() -> {
            Channel<String> channel = Channel.create("jobs");
            channel.close();
            channel.close(); // closing twice does nothing
            assertTrue(channel.isClosed());
            assertEquals("send on closed channel jobs",
                    assertThrows(ChannelClosedException.class, () -> channel.send("x")).getMessage());
            assertThrows(ChannelClosedException.class, () -> channel.trySend("x"));
            assertEquals("sendException on closed channel jobs", assertThrows(ChannelClosedException.class,
                    () -> channel.sendException(new IllegalStateException())).getMessage());
            assertThrows(ChannelClosedException.class, channel::receive);
            assertThrows(ChannelClosedException.class, channel::tryReceive);
            assertThrows(ChannelClosedException.class, () -> channel.receive(2));
        });
    }

    @Test
    void receiversDrainTheBufferBeforeTheySeeTheClose() {
        deterministic(() -> {
            Channel<String> channel = Channel.buffered("jobs", 3);
            channel.send("a");
            channel.send("b");
            channel.close();
            assertThrows(ChannelClosedException.class, () -> channel.send("c"));
            assertEquals(2, channel.balance());
            assertEquals("a", channel.receive());
            assertEquals("b", channel.tryReceive().orElseThrow());
            assertThrows(ChannelClosedException.class, channel::receive);
            assertEquals(0, channel.balance());
        });
    }

    @Test
    void aSenderBlockedOnAFullBufferFailsWhileTheBufferedItemsSurvive() {
        deterministic(() -> {
            Channel<String> channel = Channel.buffered("jobs", 1);
            channel.send("kept");
            Tasklet<ChannelClosedException> sender = Tasklet.spawn(
                    () -> assertThrows(ChannelClosedException.class, () -> channel.send("lost")));
            Tasklet.yield();
            assertEquals(2, channel.balance());
            channel.close();
            sender.join();
            assertEquals("kept", channel.receive());
            assertThrows(ChannelClosedException.class, channel::receive);
        });
    }

    @Test
    void iterationEndsWhenTheChannelIsClosed() {
        List<Integer> consumed = new ArrayList<>();
        deterministic(() -> {
            Channel<Integer> channel = Channel.create("jobs");
            Tasklet<Void> consumer = Tasklet.spawn(() -> {
                for (int item : channel) {
                    consumed.add(item);
                }
            });
            for (int i = 0; i < 3; i++) {
                channel.send(i);
            }
            channel.close();
            consumer.join();
        });
        assertEquals(List.of(0, 1, 2), consumed);
    }

    @Test
    void iterationOfABufferedChannelDrainsItBeforeEnding() {
        deterministic(() -> {
            Channel<Integer> channel = Channel.buffered(5);
            for (int i = 0; i < 4; i++) {
                channel.send(i);
            }
            channel.close();
            List<Integer> consumed = new ArrayList<>();
            channel.forEach(consumed::add);
            assertEquals(List.of(0, 1, 2, 3), consumed);
            Iterator<Integer> ended = channel.iterator();
            assertFalse(ended.hasNext());
            assertThrows(NoSuchElementException.class, ended::next);
        });
    }

    @Test
    void iterationThrowsAnExceptionThatWasSent() {
        deterministic(() -> {
            Channel<Integer> channel = Channel.buffered(3);
            channel.send(1);
            IllegalStateException problem = new IllegalStateException("stop");
            channel.sendException(problem);
            Iterator<Integer> items = channel.iterator();
            assertEquals(1, items.next());
            assertSame(problem, assertThrows(IllegalStateException.class, items::hasNext));
        });
    }
}
