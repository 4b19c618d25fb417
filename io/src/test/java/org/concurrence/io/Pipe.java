package org.concurrence.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Tasklet;
import org.concurrence.core.TaskletExit;
import org.concurrence.core.Waiter;

/**
 * An in-memory byte pipe between tasklets, built on core's {@link Waiter} so that its reads and writes block, honour
 * deadlines (on virtual time, too) and kills as a socket's do. The source waits while the pipe is empty; the sink
 * waits while it is full ({@code capacity} bytes). Closing the sink ends the stream after the bytes in the pipe.
 *
 * <p>One reader and one writer at a time; any threads.
 */
final class Pipe {
    private final Object lock = new Object();
    private final byte[] ring;
    private int head;
    private int count;
    private boolean sinkClosed;
    private boolean sourceClosed;
    private Waiter<Boolean> reader; // guarded by lock
    private Waiter<Boolean> writer; // guarded by lock
    private final Source source = new PipeSource();
    private final Sink sink = new PipeSink();

    Pipe(int capacity) {
        ring = new byte[capacity];
    }

    Source source() {
        return source;
    }

    Sink sink() {
        return sink;
    }

    /** The bytes written and not yet read. */
    int size() {
        synchronized (lock) {
            return count;
        }
    }

    private void await(Waiter<Boolean> waiter, Duration timeout, String operation) {
        try {
            waiter.await(Tasklet.deadline(timeout), operation, this);
        } catch (DeadlineExceededException | TaskletExit e) {
            synchronized (lock) {
                if (reader == waiter) {
                    reader = null;
                }
                if (writer == waiter) {
                    writer = null;
                }
            }
            throw e;
        }
    }

    private static void wake(Waiter<Boolean> waiter) {
        if (waiter != null) {
            waiter.complete(true);
        }
    }

    private final class PipeSource implements Source {
        @Override
        public int read(ByteBuffer destination) throws IOException {
            return read(destination, null);
        }

        @Override
        public int read(ByteBuffer destination, Duration timeout) throws IOException {
            while (true) {
                Waiter<Boolean> waiter;
                Waiter<Boolean> wake;
                int n;
                synchronized (lock) {
                    if (sourceClosed) {
                        throw new IOException("read from the closed source of " + Pipe.this);
                    }
                    if (count == 0 && sinkClosed) {
                        return -1;
                    }
                    if (count == 0 || !destination.hasRemaining()) {
                        if (!destination.hasRemaining()) {
                            return 0;
                        }
                        waiter = reader = Waiter.create();
                        wake = null;
                        n = 0;
                    } else {
                        n = Math.min(count, destination.remaining());
                        for (int i = 0; i < n; i++) {
                            destination.put(ring[(head + i) % ring.length]);
                        }
                        head = (head + n) % ring.length;
                        count -= n;
                        wake = writer;
                        writer = null;
                        waiter = null;
                    }
                }
                if (waiter == null) {
                    wake(wake);
                    return n;
                }
                await(waiter, timeout, "read from");
            }
        }

        @Override
        public void close() {
            synchronized (lock) {
                sourceClosed = true;
            }
        }
    }

    private final class PipeSink implements Sink {
        @Override
        public void write(ByteBuffer source) throws IOException {
            write(source, null);
        }

        @Override
        public void write(ByteBuffer source, Duration timeout) throws IOException {
            while (source.hasRemaining()) {
                Waiter<Boolean> waiter = null;
                Waiter<Boolean> wake = null;
                synchronized (lock) {
                    if (sinkClosed) {
                        throw new IOException("write to the closed sink of " + Pipe.this);
                    }
                    if (count == ring.length) {
                        waiter = writer = Waiter.create();
                    } else {
                        int n = Math.min(ring.length - count, source.remaining());
                        for (int i = 0; i < n; i++) {
                            ring[(head + count + i) % ring.length] = source.get();
                        }
                        count += n;
                        wake = reader;
                        reader = null;
                    }
                }
                if (waiter != null) {
                    await(waiter, timeout, "write to");
                } else {
                    wake(wake);
                }
            }
        }

        @Override
        public void close() {
            Waiter<Boolean> wake;
            synchronized (lock) {
                sinkClosed = true;
                wake = reader;
                reader = null;
            }
            wake(wake);
        }
    }

    @Override
    public String toString() {
        return "pipe";
    }
}
