package org.concurrence.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * An in-memory {@link Sink} that records every byte and the size of every write call. It can be made to take at most
 * N bytes per call, leaving the rest in the caller's buffer the way a raw non-blocking socket write does (short of
 * the {@code Sink} contract on purpose: callers that loop until drained must still get every byte through), and to
 * fail every write with an {@link IOException}. Never waits.
 */
final class RecordingSink implements Sink {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final List<Integer> writes = new ArrayList<>();
    private int maxPerCall = Integer.MAX_VALUE;
    private IOException failure;
    private int closes;

    /** Takes at most {@code n} bytes per write call (0: takes nothing, a broken sink). */
    RecordingSink acceptingAtMost(int n) {
        this.maxPerCall = n;
        return this;
    }

    /** Fails every later write with {@code failure}. */
    RecordingSink failingWith(IOException failure) {
        this.failure = failure;
        return this;
    }

    @Override
    public void write(ByteBuffer source) throws IOException {
        if (closes > 0) {
            throw new IOException("write to a closed " + this);
        }
        if (failure != null) {
            throw failure;
        }
        int n = Math.min(source.remaining(), maxPerCall);
        byte[] taken = new byte[n];
        source.get(taken);
        bytes.write(taken, 0, n);
        writes.add(n);
    }

    @Override
    public void write(ByteBuffer source, Duration timeout) throws IOException {
        write(source);
    }

    @Override
    public void close() {
        closes++;
    }

    byte[] bytes() {
        return bytes.toByteArray();
    }

    /** The size of every write call, in order. */
    List<Integer> writes() {
        return writes;
    }

    int closes() {
        return closes;
    }

    @Override
    public String toString() {
        return "RecordingSink[" + bytes.size() + " bytes]";
    }
}
