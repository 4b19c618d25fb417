package org.concurrence.io;

import static org.concurrence.io.Bytes.latin1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Buffer: position/limit/capacity, byte orders, bounds with clear messages, views, sources and sinks. */
class BufferTest {

    /** Every buffer test runs on heap and on direct memory. */
    static Stream<Arguments> kinds() {
        return Stream.of(Arguments.of("heap", (IntFunction<Buffer>) Buffer::allocate),
                Arguments.of("direct", (IntFunction<Buffer>) Buffer::allocateDirect));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void aNewBufferIsEmptyAndOpenForPutsUpToItsCapacity(String kind, IntFunction<Buffer> allocate) {
        Buffer b = allocate.apply(16);
        assertEquals(0, b.position());
        assertEquals(16, b.limit());
        assertEquals(16, b.capacity());
        assertEquals(16, b.remaining());
        assertEquals(kind.equals("direct"), b.isDirect());
        assertEquals(kind.equals("heap"), b.hasArray());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void flipMakesWhatWasPutReadableAndClearStartsOver(String kind, IntFunction<Buffer> allocate) {
        Buffer b = allocate.apply(8).putByte(1).putByte(2).putByte(3);
        b.flip();
        assertEquals(0, b.position());
        assertEquals(3, b.limit());
        assertEquals(1, b.getByte());
        b.rewind();
        assertEquals(0, b.position());
        assertEquals(3, b.limit());
        b.clear();
        assertEquals(0, b.position());
        assertEquals(8, b.limit());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void compactMovesTheRemainingBytesToTheStartEvenWhenTheyOverlap(String kind, IntFunction<Buffer> allocate) {
        Buffer b = allocate.apply(8).put(new byte[] {1, 2, 3, 4, 5, 6, 7}).flip();
        b.skip(2);
        b.compact();
        assertEquals(5, b.position());
        assertEquals(8, b.limit());
        b.flip();
        assertArrayEquals(new byte[] {3, 4, 5, 6, 7}, b.getBytes(5));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void numbersRoundTripInBothByteOrders(String kind, IntFunction<Buffer> allocate) {
        Random random = new Random(42);
        for (int i = 0; i < 200; i++) {
            short s = (short) random.nextInt();
            int n = random.nextInt();
            long l = random.nextLong();
            Buffer b = allocate.apply(28);
            b.putShort(s).putShortLe(s).putInt(n).putIntLe(n).putLong(l).putLongLe(l).flip();
            assertEquals(s, b.getShort());
            assertEquals(s, b.getShortLe());
            assertEquals(n, b.getInt());
            assertEquals(n, b.getIntLe());
            assertEquals(l, b.getLong());
            assertEquals(l, b.getLongLe());
            assertFalse(b.hasRemaining());
        }
    }

    /** Heap, direct, and views whose index 0 is at an odd place of the memory (unaligned for every width). */
    static Stream<Arguments> offsetViews() {
        return Stream.of(Arguments.of("heap", Buffer.allocate(19)),
                Arguments.of("direct", Buffer.allocateDirect(19)),
                Arguments.of("array at offset 3", Buffer.wrap(new byte[25], 3, 19)),
                Arguments.of("direct slice at 5", Buffer.allocateDirect(30).slice(5, 19)),
                Arguments.of("ByteBuffer at 1", Buffer.wrap(ByteBuffer.allocateDirect(20).position(1))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("offsetViews")
    void numbersAtEveryIndexUpToTheEndMatchJavaNioInBothOrdersAndOnePastIsRefused(String kind, Buffer b) {
        int capacity = b.capacity();
        ByteBuffer be = ByteBuffer.allocate(capacity).order(ByteOrder.BIG_ENDIAN);
        ByteBuffer le = ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
        for (int size : new int[] {2, 4, 8}) {
            for (int at = 0; at <= capacity - size; at++) {
                long value = 0x8182838485868788L + at * 0x0101010101010101L; // high bit set: sign matters
                for (boolean little : new boolean[] {false, true}) {
                    ByteBuffer expected = little ? le : be;
                    switch (size) {
                        case 2 -> {
                            if (little) b.putShortLe(at, (int) value); else b.putShort(at, (int) value);
                            expected.putShort(at, (short) value);
                            assertEquals(expected.getShort(at), little ? b.getShortLe(at) : b.getShort(at));
                            assertEquals(expected.getShort(at) & 0xffff,
                                    little ? b.getUnsignedShortLe(at) : b.getUnsignedShort(at));
                        }
                        case 4 -> {
                            if (little) b.putIntLe(at, (int) value); else b.putInt(at, (int) value);
                            expected.putInt(at, (int) value);
                            assertEquals(expected.getInt(at), little ? b.getIntLe(at) : b.getInt(at));
                            assertEquals(Integer.toUnsignedLong(expected.getInt(at)),
                                    little ? b.getUnsignedIntLe(at) : b.getUnsignedInt(at));
                        }
                        default -> {
                            if (little) b.putLongLe(at, value); else b.putLong(at, value);
                            expected.putLong(at, value);
                            assertEquals(expected.getLong(at), little ? b.getLongLe(at) : b.getLong(at));
                        }
                    }
                    for (int i = 0; i < size; i++) {
                        assertEquals(expected.get(at + i), b.getByte(at + i), kind + ": byte " + i + " at " + at);
                    }
                }
            }
            // One past the end: refused, relative and absolute, and nothing moves.
            b.clear().position(capacity - size + 1);
            int width = size;
            assertThrows(IndexOutOfBoundsException.class, () -> {
                switch (width) {
                    case 2 -> b.getShort(capacity - 1);
                    case 4 -> b.putIntLe(capacity - 3, 1);
                    default -> b.getLong(capacity - 7);
                }
            });
            assertThrows(BufferUnderflowException.class, () -> {
                switch (width) {
                    case 2 -> b.getShortLe();
                    case 4 -> b.getIntLe();
                    default -> b.getLongLe();
                }
            });
            assertThrows(BufferOverflowException.class, () -> {
                switch (width) {
                    case 2 -> b.putShort(1);
                    case 4 -> b.putInt(1);
                    default -> b.putLong(1);
                }
            });
            assertEquals(capacity - size + 1, b.position());
            assertEquals(capacity, b.limit());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void bigEndianIsNetworkOrderAndLittleEndianIsReversed(String kind, IntFunction<Buffer> allocate) {
        Buffer b = allocate.apply(28);
        b.putShort(0x0102).putShortLe(0x0102).putInt(0x01020304).putIntLe(0x01020304)
                .putLong(0x0102030405060708L).putLongLe(0x0102030405060708L).flip();
        ByteBuffer expected = ByteBuffer.allocate(28);
        expected.order(ByteOrder.BIG_ENDIAN).putShort((short) 0x0102);
        expected.order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x0102);
        expected.order(ByteOrder.BIG_ENDIAN).putInt(0x01020304);
        expected.order(ByteOrder.LITTLE_ENDIAN).putInt(0x01020304);
        expected.order(ByteOrder.BIG_ENDIAN).putLong(0x0102030405060708L);
        expected.order(ByteOrder.LITTLE_ENDIAN).putLong(0x0102030405060708L);
        assertArrayEquals(expected.array(), b.getBytes(28));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void absoluteAccessUsesTheIndexAndLeavesThePosition(String kind, IntFunction<Buffer> allocate) {
        Buffer b = allocate.apply(16);
        b.putInt(0, 0xcafebabe).putIntLe(4, 0xcafebabe).putLong(8, -2L).putShort(2, 0x1234);
        assertEquals(0, b.position());
        assertEquals(0x1234, b.getShort(2));
        assertEquals(0x34, b.getByte(3));
        assertEquals(0xcafebabe, b.getIntLe(4));
        assertEquals(0xcafebabeL, b.getUnsignedIntLe(4));
        assertEquals(0xbebafecaL, b.getUnsignedInt(4));
        assertEquals(-2L, b.getLong(8));
        assertEquals(0xfeffffffffffffffL, b.getLongLe(8));
        b.putByte(15, 0xab).putShortLe(12, 0xbeef);
        assertEquals(0xab, b.getUnsignedByte(15));
        assertEquals(0xbeef, b.getUnsignedShortLe(12));
        assertEquals(0xefbe, b.getUnsignedShort(12));
        b.putIntLe(0, 7).putLongLe(8, 9);
        assertEquals(7, b.getIntLe(0));
        assertEquals(7L << 24, b.getUnsignedInt(0));
        assertEquals(9, b.getLongLe(8));
        assertEquals(0, b.position());
    }

    @Test
    void unsignedGetsGiveValuesAboveTheSignedRange() {
        Buffer b = Buffer.wrap(new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0xfd, (byte) 0xfc, (byte) 0xfb,
                (byte) 0xfa, (byte) 0xf9, (byte) 0xf8, (byte) 0xf7, (byte) 0xf6, (byte) 0xf5});
        assertEquals(0xff, b.getUnsignedByte());
        assertEquals(0xfefd, b.getUnsignedShort());
        assertEquals(0xfbfc, b.getUnsignedShortLe());
        assertEquals(0xfaf9f8f7L, b.getUnsignedInt());
        b.position(7);
        assertEquals(0xf5f6f7f8L, b.getUnsignedIntLe());
    }

    @Test
    void aGetPastTheLimitSaysTheCountAskedThePositionAndTheLimitAndChangesNothing() {
        Buffer b = Buffer.allocate(8).position(6);
        BufferUnderflowException e = assertThrows(BufferUnderflowException.class, b::getInt);
        assertEquals("getInt needs 4 bytes but 2 remain: position=6, limit=8", e.getMessage());
        assertEquals(6, b.position());
        e = assertThrows(BufferUnderflowException.class, () -> b.position(8).getByte());
        assertEquals("getByte needs 1 byte but 0 remain: position=8, limit=8", e.getMessage());
        assertThrows(BufferUnderflowException.class, () -> b.position(0).getBytes(9));
        assertThrows(BufferUnderflowException.class, () -> b.skip(9));
        assertEquals(0, b.position());
    }

    @Test
    void aPutPastTheLimitSaysTheCountAskedThePositionAndTheLimitAndChangesNothing() {
        Buffer b = Buffer.allocate(8).position(5);
        BufferOverflowException e = assertThrows(BufferOverflowException.class, () -> b.putLong(1));
        assertEquals("putLong needs 8 bytes but 3 are free: position=5, limit=8", e.getMessage());
        assertEquals(5, b.position());
        e = assertThrows(BufferOverflowException.class, () -> b.put(new byte[4]));
        assertEquals("put needs 4 bytes but 3 are free: position=5, limit=8", e.getMessage());
        assertThrows(BufferOverflowException.class, () -> b.put(Buffer.allocate(4)));
        assertEquals(5, b.position());
    }

    @Test
    void ourUnderflowAndOverflowAreTheJdksToo() {
        Buffer b = Buffer.allocate(1);
        assertThrows(java.nio.BufferOverflowException.class, () -> b.putShort(1));
        assertThrows(java.nio.BufferUnderflowException.class, () -> b.limit(0).getByte());
    }

    @Test
    void anAbsoluteAccessOutsideTheLimitSaysTheIndexTheSizeAndTheLimit() {
        Buffer b = Buffer.allocate(16).limit(8);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> b.getInt(6));
        assertEquals("getInt at index 6 needs 4 bytes but the limit is 8", e.getMessage());
        e = assertThrows(IndexOutOfBoundsException.class, () -> b.putByte(-1, 0));
        assertEquals("putByte at index -1 needs 1 byte but the index is negative", e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> b.getLong(Integer.MAX_VALUE));
        assertEquals(0, b.getInt(4), "the last four bytes below the limit are in bounds");
    }

    @Test
    void positionAndLimitAreCheckedAgainstEachOtherAndTheCapacity() {
        Buffer b = Buffer.allocate(8).limit(4);
        assertEquals("position 5 > limit 4",
                assertThrows(IllegalArgumentException.class, () -> b.position(5)).getMessage());
        assertEquals("position < 0: -1",
                assertThrows(IllegalArgumentException.class, () -> b.position(-1)).getMessage());
        assertEquals("limit 9 > capacity 8",
                assertThrows(IllegalArgumentException.class, () -> b.limit(9)).getMessage());
        assertEquals("byteCount < 0: -1",
                assertThrows(IllegalArgumentException.class, () -> b.skip(-1)).getMessage());
        assertEquals("capacity < 0: -2",
                assertThrows(IllegalArgumentException.class, () -> Buffer.allocate(-2)).getMessage());
        b.position(4).limit(2);
        assertEquals(2, b.position(), "a limit below the position moves the position down");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void aDuplicateSharesTheBytesButNotThePosition(String kind, IntFunction<Buffer> allocate) {
        Buffer b = allocate.apply(8).putInt(42);
        Buffer d = b.duplicate();
        assertEquals(4, d.position());
        d.putInt(7);
        assertEquals(4, b.position(), "the original's position did not move");
        assertEquals(7, b.getInt(4), "the duplicate's put is seen by the original");
        d.flip();
        assertEquals(42, d.getInt());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void aSliceStartsAtThePositionAndEndsAtTheLimit(String kind, IntFunction<Buffer> allocate) {
        Buffer b = allocate.apply(8).put(new byte[] {0, 1, 2, 3, 4, 5, 6, 7}).position(2).limit(6);
        Buffer s = b.slice();
        assertEquals(4, s.capacity());
        assertEquals(2, s.getByte(0));
        s.putByte(0, 9);
        assertEquals(9, b.getByte(2));
        Buffer t = b.slice(1, 2);
        assertArrayEquals(new byte[] {1, 9}, t.getBytes(2));
        assertThrows(IndexOutOfBoundsException.class, () -> b.slice(5, 2), "past the limit 6");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void bulkTransfersMoveBothPositions(String kind, IntFunction<Buffer> allocate) {
        Buffer b = allocate.apply(16);
        b.put(new byte[] {1, 2, 3, 4, 5}, 1, 3);
        b.put(Buffer.wrap(new byte[] {6, 7}));
        b.put(ByteBuffer.allocateDirect(2).put(new byte[] {8, 9}).flip());
        Buffer other = Buffer.allocateDirect(4).put(new byte[] {10, 11, 12, 13}).flip();
        other.getByte();
        b.put(other);
        assertFalse(other.hasRemaining());
        b.flip();
        byte[] out = new byte[10];
        b.get(out, 1, 3);
        assertArrayEquals(new byte[] {0, 2, 3, 4, 0, 0, 0, 0, 0, 0}, out);
        assertArrayEquals(new byte[] {6, 7, 8, 9, 11, 12, 13}, b.getBytes(b.remaining()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void stringsAndIndexOf(String kind, IntFunction<Buffer> allocate) {
        Buffer b = allocate.apply(32).putString("größe:1\n", StandardCharsets.UTF_8).flip();
        assertEquals(10, b.limit(), "ö and ß take two bytes each");
        assertEquals(9, b.indexOf((byte) '\n'));
        assertEquals(7, b.indexOf((byte) ':', 0, 10));
        assertEquals(-1, b.indexOf((byte) ':', 0, 7));
        assertEquals("größe", b.getString(7, StandardCharsets.UTF_8));
        assertThrows(IndexOutOfBoundsException.class, () -> b.indexOf((byte) 0, 0, 11));
    }

    @Test
    void wrappingSharesTheArrayFromTheOffset() {
        byte[] array = latin1("xxhello");
        Buffer b = Buffer.wrap(array, 2, 5);
        assertEquals(5, b.capacity());
        assertEquals('h', b.getByte(0));
        b.putByte(0, 'j');
        assertEquals('j', array[2]);
        assertEquals(2, b.arrayOffset());
        assertTrue(b.hasArray());
    }

    @Test
    void wrappingAByteBufferTakesItsRemainingBytesAndAReadOnlyOneRefusesPuts() {
        ByteBuffer source = ByteBuffer.wrap(latin1("abcdef")).position(2);
        Buffer b = Buffer.wrap(source.asReadOnlyBuffer());
        assertEquals(4, b.capacity());
        assertEquals("cdef", b.getString(4, StandardCharsets.ISO_8859_1));
        assertThrows(ReadOnlyBufferException.class, () -> b.putByte(0, 1));
        assertEquals(2, source.position(), "wrapping does not move the source");
        // A relative put fails as a bounds error does: without moving the position.
        b.position(0);
        assertThrows(ReadOnlyBufferException.class, () -> b.putInt(7));
        assertThrows(ReadOnlyBufferException.class, () -> b.put(new byte[2]));
        assertThrows(ReadOnlyBufferException.class, () -> b.put(Buffer.allocate(1)));
        assertEquals(0, b.position());
        assertEquals("cdef", b.getString(4, StandardCharsets.ISO_8859_1));
    }

    @Test
    void aBufferPutIntoItselfIsRefusedAndADuplicateOfItIsCopied() {
        Buffer b = Buffer.wrap(latin1("abcdefgh")).limit(4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.put(b));
        assertTrue(e.getMessage().contains("itself"), e.getMessage());
        assertEquals(0, b.position());
        assertEquals(4, b.limit());
        Buffer tail = b.duplicate().limit(8).position(4);
        b.put(tail);
        assertEquals(4, b.position());
        assertEquals(8, tail.position());
        assertEquals("efghefgh", b.clear().getString(8, StandardCharsets.ISO_8859_1));
    }

    @Test
    void theByteBufferViewSharesBytesAndIsIndependentOfThePosition() {
        Buffer b = Buffer.allocate(8).putInt(1).putInt(2).flip().position(4);
        ByteBuffer view = b.asByteBuffer();
        assertEquals(ByteOrder.BIG_ENDIAN, view.order());
        assertEquals(4, view.remaining());
        assertEquals(2, view.getInt());
        assertEquals(4, b.position());
        view.putInt(0, 3);
        assertEquals(3, b.getInt());
    }

    @Test
    void directBuffersHaveNoArray() {
        assertThrows(UnsupportedOperationException.class, () -> Buffer.allocateDirect(1).array());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void readFromFillsUpToTheLimitAndReturnsMinusOneAtTheEnd(String kind, IntFunction<Buffer> allocate)
            throws IOException {
        ChunkedSource source = ChunkedSource.packets(latin1("hello world"), 3, 100);
        Buffer b = allocate.apply(8);
        assertEquals(3, b.readFrom(source));
        assertEquals(3, b.position());
        assertEquals(5, b.readFrom(source), "up to the limit");
        assertEquals(0, b.readFrom(source), "no room: nothing read");
        b.clear();
        assertEquals(3, b.readFrom(source));
        assertEquals(-1, b.readFrom(source));
        assertEquals(3, b.position(), "the end of the stream leaves the buffer as it was");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void writeToWritesEverythingAndAdvancesThePosition(String kind, IntFunction<Buffer> allocate)
            throws IOException {
        RecordingSink sink = new RecordingSink();
        Buffer b = allocate.apply(8).putString("abcdef", StandardCharsets.US_ASCII).flip();
        b.getByte();
        b.writeTo(sink);
        assertEquals("bcdef", latin1(sink.bytes()));
        assertEquals(6, b.position());
    }

    @Test
    void aFailedWriteLeavesThePositionAtWhatWasWritten() {
        Buffer b = Buffer.wrap(latin1("abcdef"));
        IOException failure = new IOException("broken pipe");
        Sink halfThenFail = new Sink() {
            @Override
            public void write(java.nio.ByteBuffer source) throws IOException {
                source.position(source.position() + 2);
                throw failure;
            }

            @Override
            public void write(java.nio.ByteBuffer source, java.time.Duration timeout) throws IOException {
                write(source);
            }

            @Override
            public void close() {}
        };
        assertEquals(failure, assertThrows(IOException.class, () -> b.writeTo(halfThenFail)));
        assertEquals(2, b.position());
    }

    @Test
    void toStringShowsPositionLimitCapacityAndKind() {
        assertEquals("Buffer[position=1, limit=4, capacity=8]", Buffer.allocate(8).limit(4).position(1).toString());
        assertEquals("Buffer[position=0, limit=2, capacity=2, direct]", Buffer.allocateDirect(2).toString());
    }
}
