package org.concurrence.io;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * One way of feeding a {@link BufferedSource}: a buffer size (pool) and a packet split. The contract suites run once
 * per setup, from one-byte buffers fed one byte at a time (every boundary a parser can meet, as Okio's
 * ONE_BYTE_AT_A_TIME) to the standard 8 KiB buffer fed everything at once.
 */
record Setup(String name, BufferPool pool, Function<byte[], ChunkedSource> packets) {

    BufferedSource open(byte[] data) {
        return new BufferedSource(packets.apply(data), pool);
    }

    BufferedSource open(ChunkedSource source) {
        return new BufferedSource(source, pool);
    }

    ChunkedSource source(byte[] data) {
        return packets.apply(data);
    }

    @Override
    public String toString() {
        return name;
    }

    /** Buffer sizes 1, 2, 3, 5, 8, 13, 64 and 8192 (and two direct), each fed 1-byte, random and whole packets. */
    static Stream<Setup> all() {
        List<Setup> setups = new ArrayList<>();
        for (int size : new int[] {1, 2, 3, 5, 8, 13, 64, 8192}) {
            addPacketings(setups, "buffer " + size, BufferPool.create(size, 4, false));
        }
        addPacketings(setups, "direct buffer 7", BufferPool.create(7, 4, true));
        addPacketings(setups, "direct buffer 8192", BufferPool.create(8192, 4, true));
        return setups.stream();
    }

    private static void addPacketings(List<Setup> setups, String name, BufferPool pool) {
        setups.add(new Setup(name + ", 1-byte packets", pool, ChunkedSource::oneByteAtATime));
        setups.add(new Setup(name + ", random packets", pool, data -> ChunkedSource.random(data, 7, 11)));
        setups.add(new Setup(name + ", one packet", pool, ChunkedSource::whole));
    }
}
