package org.concurrence.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.concurrence.channel.BroadcastChannel.ChannelSubscriber;
import org.concurrence.channel.BroadcastChannel.TaskletSubscriber;
import org.concurrence.core.Concurrence;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.DispatcherGroup;
import org.concurrence.core.Mailbox;
import org.concurrence.core.Outcome;
import org.concurrence.core.Tasklet;
import org.concurrence.core.TaskletExit;
import org.concurrence.core.Timeout;
import org.junit.jupiter.api.Test;

/** Broadcast channels: fan-out, transforms, nesting, subscriptions, deliver, and many senders across dispatchers. */
class BroadcastChannelTest {
    private static final Duration SECOND = Duration.ofSeconds(1);

    record News(String text) {}

    record Msg(int sender, int seq) {}

    private static void deterministic(Runnable body) {
        run(Concurrence.Options.deterministic(), body);
    }

    /** Runs {@code body} as the main tasklet; if it fails, quits at once rather than wait for the tasklets left. */
    private static void run(Concurrence.Options options, Runnable body) {
        Concurrence.run(options, () -> {
            try {
                body.run();
            } catch (Throwable failure) {
                Concurrence.quit(1);
                throw failure;
            }
        });
    }

    private static long millis() {
        return Dispatcher.current().nanoTime() / 1_000_000;
    }

    /** A tasklet that receives {@code count} messages and returns them. */
    private static Tasklet<List<Object>> collector(int count) {
        return Tasklet.spawn(() -> {
            List<Object> got = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                got.add(Mailbox.receive(Duration.ofMinutes(1)));
            }
            return got;
        });
    }

    /** A tasklet that takes what arrives until nothing has for ten (virtual) seconds, then returns it. */
    private static Tasklet<List<Object>> drainer() {
        return Tasklet.spawn(() -> {
            List<Object> got = new ArrayList<>();
            try {
                while (true) {
                    got.add(Mailbox.receive(Duration.ofSeconds(10)));
                }
            } catch (DeadlineExceededException quiet) {
                return got;
            }
        });
    }

    @Test
    void everySubscriberGetsEachMessageOnceInTheOrderSent() {
        deterministic(() -> {
            BroadcastChannel<Integer> numbers = new BroadcastChannel<>("numbers");
            List<Tasklet<List<Object>>> subscribers = List.of(collector(5), collector(5), collector(5));
            subscribers.forEach(numbers::subscribe);
            for (int i = 0; i < 5; i++) {
                assertEquals(3, numbers.send(i));
            }
            for (Tasklet<List<Object>> s : subscribers) {
                assertEquals(List.of(0, 1, 2, 3, 4), s.join());
            }
        });
    }

    @Test
    void aSubscriberGetsOnlyWhatIsSentWhileItIsSubscribed() {
        deterministic(() -> {
            BroadcastChannel<String> channel = new BroadcastChannel<>("words");
            Tasklet<List<Object>> s = drainer();
            channel.send("before");
            assertTrue(channel.subscribe(s));
            assertFalse(channel.subscribe(s), "subscribing twice changes nothing");
            channel.send("during");
            assertTrue(channel.unsubscribe(s));
            assertFalse(channel.unsubscribe(s));
            assertEquals(0, channel.send("after"));
            assertEquals(List.of("during"), s.join());
        });
    }

    @Test
    void theTransformRewritesMessagesAndDropsThoseItMapsToNull() {
        deterministic(() -> {
            BroadcastChannel<String> shouting = new BroadcastChannel<>("shouting",
                    text -> text.startsWith("#") ? null : text.toUpperCase());
            Tasklet<List<Object>> s = drainer();
            shouting.subscribe(s);
            assertEquals(1, shouting.send("hello"));
            assertEquals(0, shouting.send("# a comment"));
            assertEquals(0, shouting.deliver("# dropped at once, without waiting", 5, Duration.ofHours(1)));
            assertEquals(0, millis());
            shouting.send("bye");
            assertEquals(List.of("HELLO", "BYE"), s.join());
        });
    }

    @Test
    void aTransformThatThrowsFailsTheSendAndNothingIsSent() {
        deterministic(() -> {
            BroadcastChannel<String> strict = new BroadcastChannel<>("strict", text -> {
                if (text.isEmpty()) {
                    throw new IllegalArgumentException("empty message (expected)");
                }
                return text;
            });
            Tasklet<List<Object>> s = drainer();
            strict.subscribe(s);
            assertThrows(IllegalArgumentException.class, () -> strict.send(""));
            strict.send("ok");
            assertEquals(List.of("ok"), s.join());
        });
    }

    @Test
    void nestedChannelsPassMessagesOnThroughTheirOwnTransforms() {
        deterministic(() -> {
            BroadcastChannel<Object> all = new BroadcastChannel<>("all");
            BroadcastChannel<Object> newsOnly = new BroadcastChannel<>("news-only",
                    m -> m instanceof News n ? new News(n.text() + "!") : null);
            Tasklet<List<Object>> everything = drainer();
            Tasklet<List<Object>> reader = drainer();
            Tasklet<List<Object>> alsoReader = drainer();
            all.subscribe(everything);
            assertTrue(all.subscribe(newsOnly));
            assertFalse(all.subscribe(newsOnly));
            newsOnly.subscribe(reader);
            newsOnly.subscribe(alsoReader);

            assertEquals(3, all.send(new News("rain")), "one direct subscriber and two through the nested channel");
            assertEquals(1, all.send(42));
            assertEquals(List.of(new News("rain"), 42), everything.join());
            assertEquals(List.of(new News("rain!")), reader.join());
            assertEquals(List.of(new News("rain!")), alsoReader.join());
        });
    }

    @Test
    void aChannelOfASupertypeMayBeSubscribed() {
        deterministic(() -> {
            BroadcastChannel<News> news = new BroadcastChannel<>("news");
            BroadcastChannel<Object> anything = new BroadcastChannel<>("anything");
            Tasklet<List<Object>> s = drainer();
            anything.subscribe(s);
            news.subscribe(anything);
            news.send(new News("sun"));
            assertEquals(List.of(new News("sun")), s.join());
        });
    }

    @Test
    void aSubscriptionThatWouldMakeACycleIsRefused() {
        BroadcastChannel<Object> a = new BroadcastChannel<>("a");
        BroadcastChannel<Object> b = new BroadcastChannel<>("b");
        BroadcastChannel<Object> c = new BroadcastChannel<>("c");
        a.subscribe(b);
        b.subscribe(c);
        IllegalArgumentException loop = assertThrows(IllegalArgumentException.class, () -> c.subscribe(a));
        assertEquals("subscribing broadcast channel a to c would make a cycle: c → a → b → c", loop.getMessage());
        IllegalArgumentException self = assertThrows(IllegalArgumentException.class, () -> a.subscribe(a));
        assertEquals("subscribing broadcast channel a to a would make a cycle: a → a", self.getMessage());
        assertTrue(a.subscribe(c), "a second path is not a cycle");
        assertEquals(List.of(new ChannelSubscriber(b), new ChannelSubscriber(c)), a.subscribers());
        assertEquals(0, c.subscriberCount());
    }

    @Test
    void endedSubscribersAreDroppedFromTheList() {
        deterministic(() -> {
            BroadcastChannel<String> channel = new BroadcastChannel<>("words");
            Tasklet<Object> once = Tasklet.spawn(() -> Mailbox.receive());
            Tasklet<List<Object>> stays = drainer();
            channel.subscribe(once);
            channel.subscribe(stays);
            assertEquals(List.of(new TaskletSubscriber(once), new TaskletSubscriber(stays)), channel.subscribers());
            assertEquals("BroadcastChannel[words, 2 subscribers]", channel.toString());
            assertEquals(2, channel.send("first"));
            once.join();
            assertEquals(1, channel.subscriberCount());
            assertEquals(1, channel.send("second"));
            assertFalse(channel.subscribe(once), "an ended tasklet cannot subscribe");
            assertEquals(List.of("first", "second"), stays.join());
            assertEquals(0, channel.send("third"));
            assertEquals(List.of(), channel.subscribers());
        });
    }

    @Test
    void deliverWaitsUntilThereAreEnoughSubscribers() {
        deterministic(() -> {
            BroadcastChannel<String> channel = new BroadcastChannel<>("late");
            Tasklet<List<Object>> first = collector(2);
            Tasklet<List<Object>> second = collector(2);
            Tasklet.later(SECOND, () -> channel.subscribe(first));
            Tasklet.later(Duration.ofSeconds(2), () -> channel.subscribe(second));
            assertEquals(2, channel.deliver("hello", 2, Duration.ofSeconds(5)));
            assertEquals(2_000, millis());
            assertEquals(2, channel.deliver("again", 2), "enough subscribers: it does not wait");
            assertEquals(2_000, millis());
            assertEquals(List.of("hello", "again"), first.join());
            assertEquals(List.of("hello", "again"), second.join());
        });
    }

    @Test
    void deliverTimesOutOnItsDeadlineAndSendsNothing() {
        deterministic(() -> {
            BroadcastChannel<News> channel = new BroadcastChannel<>("news");
            Tasklet<List<Object>> lonely = drainer();
            channel.subscribe(lonely);
            DeadlineExceededException late = assertThrows(DeadlineExceededException.class,
                    () -> channel.deliver(new News("rain"), 3, Duration.ofMillis(1_500)));
            assertEquals("deliver of a News to at least 3 subscribers of broadcast channel news (it has 1) timed out "
                    + "after 1.500 s", late.getMessage());
            assertEquals(Duration.ofMillis(1_500), late.waited());
            assertEquals(1_500, millis());
            assertEquals(List.of(), lonely.join());
        });
    }

    @Test
    void deliverHonoursTheCurrentDeadline() {
        deterministic(() -> {
            BroadcastChannel<String> channel = new BroadcastChannel<>("empty");
            try (Timeout ignored = Timeout.after(Duration.ofMillis(300))) {
                assertThrows(DeadlineExceededException.class, () -> channel.deliver("x", 1, Duration.ofHours(1)));
                assertEquals(300, millis());
                DeadlineExceededException atOnce = assertThrows(DeadlineExceededException.class,
                        () -> channel.deliver("x", 1));
                assertEquals(Duration.ZERO, atOnce.waited());
                assertEquals(0, channel.deliver("x", 0), "it need not wait, so the passed deadline does not matter");
            }
        });
    }

    @Test
    void aKilledDelivererLeavesTheWaitAndSendsNothing() {
        deterministic(() -> {
            BroadcastChannel<String> channel = new BroadcastChannel<>("waiting");
            Tasklet<Integer> deliverer = Tasklet.spawn(() -> channel.deliver("never", 1, Duration.ofHours(1)));
            Tasklet.yield();
            deliverer.kill();
            Outcome<Integer> outcome = Tasklet.joinAll(List.of(deliverer)).getFirst();
            assertTrue(outcome instanceof Outcome.Failed<Integer> f && f.error().getCause() instanceof TaskletExit);
            Tasklet<List<Object>> s = drainer();
            channel.subscribe(s);
            assertEquals(List.of(), s.join());
        });
    }

    @Test
    void deliverRejectsANegativeCount() {
        BroadcastChannel<String> channel = new BroadcastChannel<>("c");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> channel.deliver("x", -1, SECOND));
        assertEquals("deliver on broadcast channel c: atLeast must not be negative: -1", e.getMessage());
    }

    @Test
    void aSubscriberWithAFullMailboxIsSkippedAndCounted() {
        deterministic(() -> {
            BroadcastChannel<Integer> channel = new BroadcastChannel<>("numbers");
            Tasklet<Integer> full = Tasklet.builder().mailbox(1, Mailbox.Overflow.FAIL)
                    .spawn(() -> Mailbox.receive(Integer.class, Duration.ofHours(1)));
            Tasklet<List<Object>> roomy = drainer();
            channel.subscribe(full);
            channel.subscribe(roomy);
            full.send("filler"); // not an Integer: it stays, and the mailbox is full
            assertEquals(1, channel.send(1));
            assertEquals(1, channel.skipped());
            assertEquals(List.of(1), roomy.join());
            full.kill();
        });
    }

    @Test
    void aSubscriberWhoseFullMailboxDropsTheMessageIsNotCountedAsReached() {
        deterministic(() -> {
            BroadcastChannel<Integer> channel = new BroadcastChannel<>("numbers");
            Tasklet<Integer> full = Tasklet.builder().mailbox(1, Mailbox.Overflow.DROP_NEWEST)
                    .spawn(() -> Mailbox.receive(Integer.class, Duration.ofHours(1)));
            Tasklet<List<Object>> roomy = drainer();
            channel.subscribe(full);
            channel.subscribe(roomy);
            full.send("filler"); // not an Integer: it stays, and the mailbox is full
            assertEquals(1, channel.deliver(1, 2, Duration.ofSeconds(1)));
            assertEquals(1, channel.skipped());
            assertEquals(1, full.mailbox().dropped());
            assertEquals(List.of(1), roomy.join());
            full.kill();
        });
    }

    @Test
    void plainThreadsMaySendAndSubscriptionsWorkAcrossDispatchers() {
        try (DispatcherGroup group = DispatcherGroup.start(Concurrence.Options.defaults().withDispatchers(2))) {
            BroadcastChannel<String> channel = new BroadcastChannel<>("from-outside");
            Tasklet<Object> receiver = group.dispatcher(1).spawn(() -> {
                channel.subscribe(Tasklet.current());
                return Mailbox.receive(Duration.ofSeconds(10));
            });
            assertEquals(1, channel.deliver("hi", 1, Duration.ofSeconds(10)));
            assertEquals("hi", receiver.join(Duration.ofSeconds(10)));
        }
    }

    @Test
    void manySendersOnTwoDispatchersReachEverySubscriberOnceAndInOrder() {
        int senders = 4;
        int perSender = 2_000;
        int total = senders * perSender;
        run(Concurrence.Options.defaults().withDispatchers(2), () -> Timeout.run(Duration.ofSeconds(60),
                () -> {
                    DispatcherGroup group = Tasklet.current().dispatcher().group();
                    BroadcastChannel<Msg> channel = new BroadcastChannel<>("stress");
                    BroadcastChannel<Msg> nested = new BroadcastChannel<>("stress-nested");
                    channel.subscribe(nested);
                    List<Tasklet<String>> subscribers = new ArrayList<>();
                    for (int i = 0; i < 10; i++) {
                        Tasklet<String> s = Tasklet.builder().on(group.dispatcher(i % 2))
                                .spawn(() -> checkEverything(senders, total));
                        subscribers.add(s);
                        if (i < 8) {
                            channel.subscribe(s);
                        } else {
                            nested.subscribe(s);
                        }
                    }
                    AtomicInteger reached = new AtomicInteger();
                    List<Tasklet<Void>> sending = new ArrayList<>();
                    for (int sender = 0; sender < senders; sender++) {
                        int id = sender;
                        sending.add(Tasklet.builder().on(group.dispatcher(sender % 2)).spawn(() -> {
                            for (int seq = 0; seq < perSender; seq++) {
                                reached.addAndGet(channel.send(new Msg(id, seq)));
                                if (seq % 64 == 0) {
                                    Tasklet.yield(); // let the subscribers on this dispatcher keep up
                                }
                            }
                        }));
                    }
                    Tasklet.joinAll(sending).forEach(o -> assertTrue(o instanceof Outcome.Succeeded, o::toString));
                    for (Tasklet<String> s : subscribers) {
                        assertEquals("ok", s.join());
                    }
                    assertEquals(10 * total, reached.get());
                }));
    }

    /** Receives {@code total} messages; checks that each sender's arrive once each, in order. */
    private static String checkEverything(int senders, int total) {
        int[] next = new int[senders];
        for (int i = 0; i < total; i++) {
            Msg m = Mailbox.receive(Msg.class, Duration.ofSeconds(30));
            if (m.seq() != next[m.sender()]) {
                return "from sender " + m.sender() + " expected " + next[m.sender()] + " but got " + m.seq();
            }
            next[m.sender()]++;
        }
        Optional<Object> extra = Mailbox.tryReceive();
        return extra.isEmpty() ? "ok" : "an extra message: " + extra.get();
    }
}
