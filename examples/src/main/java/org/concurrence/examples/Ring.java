package org.concurrence.examples;

import java.util.ArrayList;
import java.util.List;
import org.concurrence.core.Mailbox;
import org.concurrence.core.Tasklet;

/**
 * A token passed around a ring of tasklets by messages: each receives a hop count and sends it on to the next; the
 * tasklet that makes the last hop tells the starter. Spawned tasklets run only when the starter blocks, so every
 * tasklet knows its successor before the first message moves.
 */
final class Ring {
    private Ring() {}

    /** How many messages went round and how long it took. */
    record Result(long messages, long nanos) {}

    private record Done(long hops) {}

    /** Runs {@code size} tasklets for {@code laps} laps, under the caller's deadline; the tasklets end after. */
    static Result run(int size, int laps) {
        long total = (long) size * laps;
        Tasklet<?> starter = Tasklet.current();
        List<Tasklet<Void>> ring = new ArrayList<>(size);
        @SuppressWarnings("unchecked")
        Tasklet<Void>[] next = new Tasklet[size];
        for (int i = 0; i < size; i++) {
            int index = i;
            ring.add(Tasklet.builder().name("ring-" + i).spawn(() -> {
                while (true) {
                    long hop = (Long) Mailbox.receive();
                    if (hop == total) {
                        starter.send(new Done(hop));
                        return;
                    }
                    next[index].send(hop + 1);
                    if (hop + size > total) {
                        return; // this tasklet's last lap
                    }
                }
            }));
        }
        for (int i = 0; i < size; i++) {
            next[i] = ring.get((i + 1) % size);
        }
        long start = System.nanoTime();
        ring.getFirst().send(1L);
        try {
            Done done = Mailbox.receive(Done.class, null);
            return new Result(done.hops(), System.nanoTime() - start);
        } finally {
            ring.forEach(Tasklet::kill);
        }
    }
}
