package org.concurrence.bench;

import java.util.concurrent.LinkedTransferQueue;

/**
 * A one-way stream between two threads: the sender hands {@code n} messages to a queue without waiting for the
 * receiver, yielding after every {@value #BATCH}, and the receiver takes them all. Timed from the sender's first
 * hand-over to the receiver's last take. A {@code OneWay} is set up afresh for every round.
 *
 * @param send    the sender: {@code n} messages
 * @param receive the receiver: takes {@code n} messages
 */
record OneWay(PingPong.Side send, PingPong.Side receive) {
    /**
     * Messages sent between two yields of the sender: on one carrier the receiver then drains them, so the queue
     * never holds more; the same batch as the tasklets' one-way stream (see {@link MessageWorkloads#send}).
     */
    static final int BATCH = 1_000;

    /** A {@link LinkedTransferQueue}: {@code offer} (never blocks) and {@code take}. */
    static OneWay linkedTransferQueue() {
        LinkedTransferQueue<Object> queue = new LinkedTransferQueue<>();
        return new OneWay(n -> {
            for (int i = 1; i <= n; i++) {
                queue.offer(PingPong.BALL);
                if (i % BATCH == 0) {
                    Thread.yield();
                }
            }
        }, n -> {
            for (int i = 0; i < n; i++) {
                queue.take();
            }
        });
    }

    /** Runs {@code n} messages between two threads made by {@code threads}; returns the nanoseconds they took. */
    long onThreads(Thread.Builder threads, int n) throws Exception {
        long[] start = new long[1];
        long[] end = new long[1];
        Exception[] failure = new Exception[2];
        Thread receiver = threads.start(() -> {
            try {
                receive.run(n);
                end[0] = System.nanoTime();
            } catch (Exception e) {
                failure[1] = e;
            }
        });
        Thread sender = threads.start(() -> {
            try {
                start[0] = System.nanoTime();
                send.run(n);
            } catch (Exception e) {
                failure[0] = e;
            }
        });
        sender.join();
        receiver.join();
        for (Exception e : failure) {
            if (e != null) {
                throw e;
            }
        }
        return end[0] - start[0];
    }
}
