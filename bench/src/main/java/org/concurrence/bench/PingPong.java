package org.concurrence.bench;

import java.util.concurrent.Exchanger;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.concurrence.core.DispatcherGroup;
import org.concurrence.core.Tasklet;

/**
 * A ping-pong between two tasks: the pinger sends a message, the ponger receives it and sends it back, the pinger
 * receives the reply; that is one round trip. A {@code PingPong} is one such exchange, set up afresh for every
 * round, and knows how to run on tasklets or on threads. The round is timed by the pinger, from its first send to
 * its last receive.
 *
 * @param ping the pinger: {@code n} round trips
 * @param pong the ponger: answers {@code n} messages
 */
record PingPong(Side ping, Side pong) {
    /** One side of the exchange, run for {@code n} round trips. */
    @FunctionalInterface
    interface Side {
        void run(int n) throws Exception;
    }

    /** The one message passed back and forth, so that no round trip allocates. */
    static final Object BALL = "ball";

    /** Two {@link SynchronousQueue}s, one each way. */
    static PingPong synchronousQueues() {
        SynchronousQueue<Object> there = new SynchronousQueue<>();
        SynchronousQueue<Object> back = new SynchronousQueue<>();
        return new PingPong(n -> {
            for (int i = 0; i < n; i++) {
                there.put(BALL);
                back.take();
            }
        }, n -> {
            for (int i = 0; i < n; i++) {
                back.put(there.take());
            }
        });
    }

    /** Two {@link LinkedTransferQueue}s, sending with {@code transfer} (which waits for the receiver). */
    static PingPong transferQueues() {
        LinkedTransferQueue<Object> there = new LinkedTransferQueue<>();
        LinkedTransferQueue<Object> back = new LinkedTransferQueue<>();
        return new PingPong(n -> {
            for (int i = 0; i < n; i++) {
                there.transfer(BALL);
                back.take();
            }
        }, n -> {
            for (int i = 0; i < n; i++) {
                back.transfer(there.take());
            }
        });
    }

    /**
     * One {@link Exchanger}: a round trip is two exchanges, the request (the ponger gives nothing) and the reply (the
     * pinger gives nothing), so that the reply depends on the request as with queues.
     */
    static PingPong exchanger() {
        Exchanger<Object> exchanger = new Exchanger<>();
        return new PingPong(n -> {
            for (int i = 0; i < n; i++) {
                exchanger.exchange(BALL);
                exchanger.exchange(null);
            }
        }, n -> {
            for (int i = 0; i < n; i++) {
                Object request = exchanger.exchange(null);
                exchanger.exchange(request);
            }
        });
    }

    /**
     * No message at all: a turn flag and {@link LockSupport#park()} / {@code unpark}. This is the bare cost of two
     * switches through the scheduler, the floor under any channel or queue.
     */
    static PingPong parkUnpark() {
        AtomicInteger turn = new AtomicInteger(PING);
        AtomicReference<Thread> pinger = new AtomicReference<>();
        AtomicReference<Thread> ponger = new AtomicReference<>();
        return new PingPong(n -> {
            pinger.set(Thread.currentThread());
            Thread other;
            while ((other = ponger.get()) == null) {
                Thread.yield();
            }
            for (int i = 0; i < n; i++) {
                turn.set(PONG);
                LockSupport.unpark(other);
                while (turn.get() != PING) {
                    LockSupport.park();
                }
            }
        }, n -> {
            ponger.set(Thread.currentThread());
            for (int i = 0; i < n; i++) {
                while (turn.get() != PONG) {
                    LockSupport.park();
                }
                turn.set(PING);
                LockSupport.unpark(pinger.get());
            }
        });
    }

    private static final int PING = 0;
    private static final int PONG = 1;

    /**
     * Runs {@code n} round trips with the pinger as a tasklet on the group's first dispatcher and the ponger on the
     * dispatcher at {@code pongerIndex}; returns the nanoseconds the pinger took.
     */
    long onTasklets(DispatcherGroup group, int pongerIndex, int n) {
        return group.run(() -> {
            Tasklet<Void> ponger = Tasklet.builder().on(group.dispatcher(pongerIndex)).spawn(() -> {
                pong.run(n);
                return null;
            });
            long start = System.nanoTime();
            ping.run(n);
            long nanos = System.nanoTime() - start;
            ponger.join();
            return nanos;
        });
    }

    /** Runs {@code n} round trips between two threads made by {@code threads}; returns the pinger's nanoseconds. */
    long onThreads(Thread.Builder threads, int n) throws Exception {
        long[] nanos = new long[1];
        Exception[] failure = new Exception[2];
        Thread ponger = threads.start(() -> {
            try {
                pong.run(n);
            } catch (Exception e) {
                failure[1] = e;
            }
        });
        Thread pinger = threads.start(() -> {
            try {
                long start = System.nanoTime();
                ping.run(n);
                nanos[0] = System.nanoTime() - start;
            } catch (Exception e) {
                failure[0] = e;
            }
        });
        pinger.join();
        ponger.join();
        for (Exception e : failure) {
            if (e != null) {
                throw e;
            }
        }
        return nanos[0];
    }
}
