package org.concurrence.examples;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.concurrence.channel.Channel;
import org.concurrence.core.Concurrence;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.DispatcherGroup;
import org.concurrence.core.JoinError;
import org.concurrence.core.Tasklet;
import org.concurrence.core.Timeout;

/**
 * {@code ./concurrence run tour}: a short tour of what the framework does, each part printing what it shows. Takes a
 * second or two and ends by itself.
 */
public final class Tour {
    private static final int PING_PONGS = 1_000_000;
    private static final int MESSAGES_PER_PRODUCER = 100_000;

    private Tour() {}

    public static void main(String[] args) {
        System.out.println("Concurrence for Java — a tour (" + Runtime.version() + ", "
                + Runtime.getRuntime().availableProcessors() + " cores)\n");
        Concurrence.run(Concurrence.Options.defaults(), () -> {
            spawning();
            channels();
            deadlines();
            killing();
            allCores();
        });
        virtualTime();
        System.out.println();
        heading("7. Messages: a printer tasklet, a call with a reply (./concurrence run message)");
        MessageExample.main(new String[0]);
        System.out.println();
        heading("8. Supervision: a crashing worker restarted under its name (./concurrence run supervisor)");
        SupervisorExample.main(new String[0]);
        System.out.println("\nThat was the tour. The tests show every behaviour exactly: ./concurrence test");
    }

    private static void heading(String title) {
        System.out.println("── " + title);
    }

    /** A spawned tasklet waits its turn: it runs when its spawner blocks. */
    private static void spawning() {
        heading("1. Tasklets: cheap, cooperative, in a deterministic order");
        List<Tasklet<String>> children = new ArrayList<>();
        for (String name : List.of("Ann", "Bob", "Cy")) {
            children.add(Tasklet.builder().name("child-" + name).spawn(() -> {
                System.out.println("   child " + name + " runs");
                Tasklet.sleep(Duration.ofMillis(10));
                return name.toUpperCase();
            }));
        }
        System.out.println("   start done.   (the spawner runs on until it blocks)");
        System.out.print(Tasklet.current().tree().indent(3));
        List<String> results = new ArrayList<>();
        for (Tasklet<String> child : children) {
            results.add(child.join());
        }
        System.out.println("   joined: " + results + "\n");
    }

    /** Two tasklets hand values through a rendezvous channel; the switch costs a few hundred nanoseconds. */
    private static void channels() {
        heading("2. Channels: message passing between tasklets");
        pingPong(PING_PONGS / 4); // warm-up: let the JIT compile the hand-over path first
        long nanos = pingPong(PING_PONGS);
        System.out.printf("   %,d round trips through two channels on one dispatcher in %d ms (%,.0f per second)%n%n",
                PING_PONGS, nanos / 1_000_000, PING_PONGS * 1e9 / nanos);
    }

    private static long pingPong(int roundTrips) {
        Channel<Integer> ping = Channel.create("ping");
        Channel<Integer> pong = Channel.create("pong");
        Tasklet<Void> echo = Tasklet.spawn(() -> {
            for (int i = 0; i < roundTrips; i++) {
                pong.send(ping.receive() + 1);
            }
        });
        long start = System.nanoTime();
        int value = 0;
        for (int i = 0; i < roundTrips; i++) {
            ping.send(value);
            value = pong.receive();
        }
        long nanos = System.nanoTime() - start;
        echo.join();
        return nanos;
    }

    /** Every blocking call honours the tasklet's deadline; scopes nest by taking the minimum. */
    private static void deadlines() {
        heading("3. Deadlines: every blocking call honours them");
        Channel<String> quiet = Channel.create("quiet");
        try (Timeout outer = Timeout.after(Duration.ofMillis(100))) {
            try (Timeout inner = Timeout.after(Duration.ofSeconds(5))) {
                System.out.println("   an inner 5 s scope inside a 100 ms one leaves "
                        + Timeout.remaining().orElseThrow().toMillis() + " ms: scopes never extend");
                quiet.receive();
            } catch (DeadlineExceededException e) {
                System.out.println("   " + e.getMessage());
            }
            try {
                quiet.receive(Duration.ofSeconds(1));
            } catch (DeadlineExceededException e) {
                System.out.println("   and the next call: " + e.getMessage() + "\n");
            }
        }
    }

    /** kill() raises TaskletExit, which catch (Exception) does not swallow. */
    private static void killing() {
        heading("4. Kill: a TaskletExit that catch (Exception e) does not swallow");
        Tasklet<Void> worker = Tasklet.builder().name("stubborn-worker").spawn(() -> {
            try {
                Tasklet.sleep(Duration.ofHours(1));
            } catch (Exception e) {
                System.out.println("   (never printed: the exit is not an Exception)");
            } finally {
                System.out.println("   worker cleans up in finally");
            }
        });
        Tasklet.yield();
        worker.kill();
        try {
            worker.join();
        } catch (JoinError e) {
            System.out.println("   join says: " + e.getMessage() + "\n");
        }
    }

    /** One producer per dispatcher, one collector: channels are safe across carriers. */
    private static void allCores() {
        DispatcherGroup group = Dispatcher.current().group();
        heading("5. All cores: " + group.size() + " dispatchers, one carrier thread each");
        Channel<Long> results = Channel.buffered("results", 1024);
        long start = System.nanoTime();
        for (Dispatcher d : group.dispatchers()) {
            Tasklet.builder().on(d).spawn(() -> {
                Channel<Integer> local = Channel.buffered(256);
                Tasklet<Long> consumer = Tasklet.spawn(() -> {
                    long sum = 0;
                    for (int i = 0; i < MESSAGES_PER_PRODUCER; i++) {
                        sum += local.receive();
                    }
                    return sum;
                });
                for (int i = 0; i < MESSAGES_PER_PRODUCER; i++) {
                    local.send(i);
                }
                results.send(consumer.join());
            });
        }
        long total = 0;
        for (int i = 0; i < group.size(); i++) {
            total += results.receive();
        }
        long nanos = System.nanoTime() - start;
        long messages = (long) MESSAGES_PER_PRODUCER * group.size();
        System.out.printf("   %,d messages on %d dispatchers in %d ms (checksum %s)%n%n", messages, group.size(),
                nanos / 1_000_000, total == (long) group.size() * MESSAGES_PER_PRODUCER * (MESSAGES_PER_PRODUCER - 1) / 2
                        ? "ok" : "WRONG");
    }

    /** A deterministic dispatcher sleeps an hour of virtual time in milliseconds. */
    private static void virtualTime() {
        heading("6. Deterministic testing: virtual time");
        long realStart = System.nanoTime();
        List<String> log = new ArrayList<>();
        Concurrence.run(Concurrence.Options.deterministic(), () -> {
            for (int minutes : new int[] {30, 10, 20}) {
                Tasklet.spawn(() -> {
                    Tasklet.sleep(Duration.ofMinutes(minutes));
                    log.add(minutes + " min");
                });
            }
        });
        System.out.printf("   three tasklets slept 10, 20 and 30 minutes, woke in order %s, in %d ms of real time%n",
                log, (System.nanoTime() - realStart) / 1_000_000);
    }
}
