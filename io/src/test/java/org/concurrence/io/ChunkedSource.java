package org.concurrence.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntSupplier;

/**
 * An in-memory {@link Source} that delivers fixed bytes in packets of the sizes a supplier gives (one byte at a time,
 * seeded random sizes, all at once), then the end of the stream or an {@link IOException}. A read never waits: every
 * packet is there. A destination smaller than the packet gets part of it and the rest on the next read, as from TCP.
 *
 * <p>Records what it was asked: the count of reads and the timeout each read was given.
 */
final class ChunkedSource implements Source {
    private final byte[] data;
    private final IntSupplier packetSizes;
    private int position;
    private int packetLeft;
    private IOException failureAtEnd;
    private int reads;
    private int closes;
    private final List<Duration> timeouts = new ArrayList<>();

    ChunkedSource(byte[] data, IntSupplier packetSizes) {
        this.data = data;
        this.packetSizes = packetSizes;
    }

    /** Delivers one byte per read: every boundary a parser can meet. */
    static ChunkedSource oneByteAtATime(byte[] data) {
        return new ChunkedSource(data, () -> 1);
    }

    /** Delivers everything in one read. */
    static ChunkedSource whole(byte[] data) {
        return new ChunkedSource(data, () -> Integer.MAX_VALUE);
    }

    /** Delivers packets of 1..maxPacket bytes, sizes from a random with {@code seed}. */
    static ChunkedSource random(byte[] data, long seed, int maxPacket) {
        Random random = new Random(seed);
        return new ChunkedSource(data, () -> 1 + random.nextInt(maxPacket));
    }

    /** Delivers packets of exactly these sizes, in order; the last size repeats. */
    static ChunkedSource packets(byte[] data, int... sizes) {
        int[] next = {0};
        return new ChunkedSource(data, () -> sizes[Math.min(next[0]++, sizes.length - 1)]);
    }

    /** After the last byte, fails with {@code failure} instead of reporting the end of the stream. */
    ChunkedSource failingAtEnd(IOException failure) {
        this.failureAtEnd = failure;
        return this;
    }

    @Override
    public int read(ByteBuffer destination) throws IOException {
        return read(destination, null);
    }

    @Override
    public int read(ByteBuffer destination, Duration timeout) throws IOException {
        if (closes > 0) {
            throw new IOException("read from a closed " + this);
        }
        reads++;
        timeouts.add(timeout);
        if (position == data.length) {
            if (failureAtEnd != null) {
                throw failureAtEnd;
            }
            return -1;
        }
        if (!destination.hasRemaining()) {
            return 0;
        }
        if (packetLeft == 0) {
            packetLeft = packetSizes.getAsInt();
        }
        int n = Math.min(Math.min(packetLeft, data.length - position), destination.remaining());
        destination.put(data, position, n);
        position += n;
        packetLeft -= n;
        return n;
    }

    @Override
    public void close() {
        closes++;
    }

    int reads() {
        return reads;
    }

    int closes() {
        return closes;
    }

    /** The bytes not yet delivered. */
    int undelivered() {
        return data.length - position;
    }

    /** The timeout each read was given, null for "the current deadline". */
    List<Duration> timeouts() {
        return timeouts;
    }

    @Override
    public String toString() {
        return "ChunkedSource[" + position + "/" + data.length + "]";
    }
}
