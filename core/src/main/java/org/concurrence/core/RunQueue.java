package org.concurrence.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.SplittableRandom;

/**
 * The runnable continuations of one dispatcher, in the order they will run.
 *
 * <p>Confined to the dispatcher's carrier thread; not thread-safe. Submissions from other threads go through the
 * dispatcher's remote queue and are moved here by the carrier.
 */
sealed interface RunQueue permits RunQueue.Fifo, RunQueue.Seeded {

    void addLast(Runnable continuation);

    /** Runs {@code continuation} before everything already queued (a hand-over that switches at once). */
    void addFirst(Runnable continuation);

    Runnable poll();

    int size();

    static RunQueue create(Long seed) {
        return seed == null ? new Fifo() : new Seeded(seed);
    }

    /** First in, first out: the order of the original Concurrence. */
    final class Fifo implements RunQueue {
        private final ArrayDeque<Runnable> queue = new ArrayDeque<>(256);

        @Override public void addLast(Runnable continuation) { queue.addLast(continuation); }
        @Override public void addFirst(Runnable continuation) { queue.addFirst(continuation); }
        @Override public Runnable poll() { return queue.pollFirst(); }
        @Override public int size() { return queue.size(); }
    }

    /**
     * A reproducible shuffle of the runnable tasklets, to explore interleavings in tests: each poll takes a
     * seeded-random element. The same seed and the same program give the same order every run.
     */
    final class Seeded implements RunQueue {
        private final ArrayList<Runnable> queue = new ArrayList<>();
        private final SplittableRandom random;

        Seeded(long seed) {
            this.random = new SplittableRandom(seed);
        }

        @Override public void addLast(Runnable continuation) { queue.add(continuation); }
        @Override public void addFirst(Runnable continuation) { queue.add(continuation); }

        @Override
        public Runnable poll() {
            int size = queue.size();
            if (size == 0) {
                return null;
            }
            int index = random.nextInt(size);
            Runnable chosen = queue.get(index);
            queue.set(index, queue.get(size - 1));
            queue.remove(size - 1);
            return chosen;
        }

        @Override public int size() { return queue.size(); }
    }
}
