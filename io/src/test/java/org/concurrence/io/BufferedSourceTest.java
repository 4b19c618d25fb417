package org.concurrence.io;

import static org.concurrence.io.Bytes.counting;
import static org.concurrence.io.Bytes.latin1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The reading contract of BufferedSource, once per buffer size and packet split (see {@link Setup}). */
class BufferedSourceTest {

    static java.util.stream.Stream<Setup> setups() {
        return Setup.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void exactReadsAssembleBytesAcrossPackets(Setup setup) throws IOException {
        byte[] data = counting(1000);
        BufferedSource in = setup.open(data);
        byte[] a = in.readExactly(1);
        byte[] b = in.readExactly(500);
        byte[] c = in.readExactly(499);
        assertArrayEquals(data, concat(a, b, c));
        assertArrayEquals(new byte[0], in.readExactly(0));
        assertTrue(in.exhausted());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void readFullyFillsTheRangeAskedAndNothingElse(Setup setup) throws IOException {
        BufferedSource in = setup.open(latin1("abcdefgh"));
        byte[] destination = new byte[10];
        in.readFully(destination, 2, 5);
        assertEquals("\0\0abcde\0\0\0", latin1(destination));
        byte[] rest = new byte[3];
        in.readFully(rest);
        assertEquals("fgh", latin1(rest));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void anEndOfStreamInAnExactReadSaysWhatWasWantedAndGotAndConsumesNothing(Setup setup) throws IOException {
        BufferedSource in = setup.open(latin1("abc"));
        EOFException e = assertThrows(EOFException.class, () -> in.readExactly(10));
        assertEquals("end of stream: readExactly wanted 10 bytes, got 3: 616263", e.getMessage());
        assertEquals(3, in.buffered(), "the bytes that did arrive are still there");
        assertEquals("abc", latin1(in.readAvailable()));
        e = assertThrows(EOFException.class, () -> in.readFully(new byte[2]));
        assertEquals("end of stream: readFully wanted 2 bytes, got 0", e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void readAvailableReturnsWhatIsBufferedOrOneReadsWorthUntilTheEnd(Setup setup) throws IOException {
        byte[] data = counting(300);
        BufferedSource in = setup.open(data);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        while (!in.exhausted()) {
            byte[] some = in.readAvailable();
            assertTrue(some.length > 0);
            assertTrue(some.length <= Math.max(300, setup.pool().bufferSize()));
            all.write(some);
        }
        assertArrayEquals(data, all.toByteArray());
        EOFException e = assertThrows(EOFException.class, in::readAvailable);
        assertEquals("end of stream: readAvailable wanted at least 1 byte, got 0", e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void readUntilReturnsTheBytesBeforeTheDelimiterAndConsumesIt(Setup setup) throws IOException {
        BufferedSource in = setup.open(latin1("key\0\0value\0tail"));
        assertEquals("key", latin1(in.readUntil((byte) 0, 10)));
        assertEquals("", latin1(in.readUntil((byte) 0, 10)));
        assertEquals("value", latin1(in.readUntil((byte) 0, 5)), "exactly the maximum is allowed");
        EOFException e = assertThrows(EOFException.class, () -> in.readUntil((byte) 0, 10));
        assertEquals("end of stream: readUntil wanted 0x00, got 4 bytes without it: 7461696c", e.getMessage());
        assertEquals("tail", latin1(in.readExactly(4)), "consumed nothing");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void readUntilFailsWhenMoreThanTheMaximumComesBeforeTheDelimiterAndConsumesNothing(Setup setup)
            throws IOException {
        BufferedSource in = setup.open(latin1("toolong\0"));
        LimitExceededException e = assertThrows(LimitExceededException.class, () -> in.readUntil((byte) 0, 3));
        assertTrue(e.getMessage().startsWith("no 0x00 within the limit of 3 bytes: 746f6f6c"), e.getMessage());
        assertEquals(3, e.limit());
        assertEquals("toolong", latin1(in.readUntil((byte) 0, 7)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void numbersRoundTripInBothByteOrders(Setup setup) throws IOException {
        Random random = new Random(99);
        RecordingSink sink = new RecordingSink();
        BufferedSink out = new BufferedSink(sink, setup.pool());
        long[] values = new long[50];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextLong();
            long v = values[i];
            out.writeByte((int) v).writeShort((int) v).writeShortLe((int) v).writeInt((int) v).writeIntLe((int) v)
                    .writeLong(v).writeLongLe(v);
        }
        out.flush();
        BufferedSource in = setup.open(sink.bytes());
        for (long v : values) {
            assertEquals((byte) v, in.readByte());
            assertEquals((short) v, in.readShort());
            assertEquals((short) v, in.readShortLe());
            assertEquals((int) v, in.readInt());
            assertEquals((int) v, in.readIntLe());
            assertEquals(v, in.readLong());
            assertEquals(v, in.readLongLe());
        }
        assertTrue(in.exhausted());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void unsignedNumbersReadAboveTheSignedRange(Setup setup) throws IOException {
        byte[] ff = new byte[13];
        Arrays.fill(ff, (byte) 0xff);
        ff[12] = (byte) 0xfe;
        BufferedSource in = setup.open(ff);
        assertEquals(255, in.readUnsignedByte());
        assertEquals(65535, in.readUnsignedShort());
        assertEquals(65535, in.readUnsignedShortLe());
        assertEquals(0xffffffffL, in.readUnsignedInt());
        assertEquals(0xfeffffffL, in.readUnsignedIntLe());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void anEndOfStreamInsideANumberSaysWhatWasWantedAndGotAndConsumesNothing(Setup setup) throws IOException {
        BufferedSource in = setup.open(new byte[] {1, 2});
        EOFException e = assertThrows(EOFException.class, in::readInt);
        assertEquals("end of stream: readInt wanted 4 bytes, got 2: 0102", e.getMessage());
        e = assertThrows(EOFException.class, in::readLongLe);
        assertEquals("end of stream: readLongLe wanted 8 bytes, got 2: 0102", e.getMessage());
        assertEquals(0x0102, in.readShort());
        e = assertThrows(EOFException.class, in::readByte);
        assertEquals("end of stream: readByte wanted 1 byte, got 0", e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void readingIntoAByteBufferReturnsMinusOneAtTheEnd(Setup setup) throws IOException {
        byte[] data = counting(20_000);
        BufferedSource in = setup.open(data);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.readExactly(3);
        all.write(new byte[] {0, 1, 2});
        ByteBuffer small = ByteBuffer.allocate(7);
        ByteBuffer large = ByteBuffer.allocate(9000);
        for (int round = 0; ; round++) {
            ByteBuffer destination = round % 2 == 0 ? small.clear() : large.clear();
            int n = in.read(destination);
            if (n < 0) {
                break;
            }
            assertEquals(n, destination.position());
            all.write(destination.array(), 0, n);
        }
        assertArrayEquals(data, all.toByteArray());
        assertEquals(0, in.read(ByteBuffer.allocate(0)), "no room: 0, even at the end");
        assertEquals(-1, in.read(small.clear()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void skipDiscardsAcrossPacketsAndSaysHowFarItGotAtTheEnd(Setup setup) throws IOException {
        BufferedSource in = setup.open(counting(110));
        in.skip(0);
        in.skip(99);
        assertEquals(99, in.readByte());
        EOFException e = assertThrows(EOFException.class, () -> in.skip(100));
        assertEquals("end of stream: skip wanted 100 bytes, got 10", e.getMessage());
        assertTrue(in.exhausted());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void requestAndRequireBufferWithoutConsuming(Setup setup) throws IOException {
        BufferedSource in = setup.open(latin1("abcd"));
        assertTrue(in.request(3));
        assertTrue(in.buffered() >= 3);
        assertFalse(in.request(5));
        EOFException e = assertThrows(EOFException.class, () -> in.require(5));
        assertEquals("end of stream: require wanted 5 bytes, got 4: 61626364", e.getMessage());
        in.require(4);
        assertFalse(in.exhausted());
        assertEquals("abcd", latin1(in.readExactly(4)));
        assertTrue(in.exhausted());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void anIOExceptionFromTheSourceComesAfterTheBytesBeforeIt(Setup setup) throws IOException {
        IOException reset = new IOException("connection reset");
        BufferedSource in = setup.open(setup.source(latin1("ab\ncd")).failingAtEnd(reset));
        assertEquals("ab", in.readLine());
        assertSame(reset, assertThrows(IOException.class, in::readLine));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void linesNumbersAndBytesMix(Setup setup) throws IOException {
        RecordingSink sink = new RecordingSink();
        BufferedSink out = new BufferedSink(sink, setup.pool());
        out.writeString("HEAD 3\r\n").writeInt(-5).write(latin1("xyz")).writeString("\n").writeShortLe(7);
        out.flush();
        BufferedSource in = setup.open(sink.bytes());
        assertEquals("HEAD 3", in.readLine());
        assertEquals(-5, in.readInt());
        assertEquals("xyz", latin1(in.readExactly(3)));
        assertEquals("", in.readLine());
        assertEquals(7, in.readShortLe());
        assertTrue(in.exhausted());
    }

    @Test
    void readsFromTheBufferDoNotTouchTheSource() throws IOException {
        ChunkedSource source = ChunkedSource.whole(latin1("one\ntwo\nthree\n"));
        BufferedSource in = new BufferedSource(source);
        assertEquals("one", in.readLine());
        assertEquals("two", in.readLine());
        assertEquals("three", in.readLine());
        assertEquals(1, source.reads());
    }

    @Test
    void largeReadsGoStraightFromTheSourceIntoTheDestination() throws IOException {
        ChunkedSource source = ChunkedSource.whole(counting(100_000));
        BufferedSource in = new BufferedSource(source, BufferPool.create(16, 1, false));
        byte[] all = in.readExactly(100_000);
        assertArrayEquals(counting(100_000), all);
        assertEquals(1, source.reads(), "one read into the caller's array, not 6250 through a 16-byte buffer");
    }

    @Test
    void aPerCallTimeoutIsHandedToTheSourceAndNoneMeansTheCurrentDeadline() throws IOException {
        ChunkedSource source = ChunkedSource.oneByteAtATime(latin1("ab\ncd\n"));
        BufferedSource in = new BufferedSource(source);
        assertEquals("ab", in.readLine(Duration.ofSeconds(5)));
        for (Duration timeout : source.timeouts()) {
            assertTrue(timeout.compareTo(Duration.ofSeconds(5)) <= 0 && !timeout.isNegative(), timeout.toString());
        }
        source.timeouts().clear();
        assertEquals("cd", in.readLine());
        source.timeouts().forEach(timeout -> assertNull(timeout));
    }

    @Test
    void aRefillMovesAPartialItemToTheFrontInsteadOfReadingIntoASmallTail() throws IOException {
        ChunkedSource source = ChunkedSource.packets(Bytes.counting(40), 14, 100);
        BufferedSource in = new BufferedSource(source, BufferPool.create(16, 1, false));
        in.readExactly(12); // 2 of the 14 stay buffered at offsets 12..13; the tail has 2 bytes free
        in.require(10);
        assertEquals(2, source.reads(), "one more read, with room for 14 bytes, not 2");
        assertEquals(16, in.buffered());
    }

    @Test
    void aSourceThatReadsNothingIsReportedInsteadOfSpinning() {
        Source broken = new Source() {
            @Override
            public int read(ByteBuffer destination) {
                return 0;
            }

            @Override
            public int read(ByteBuffer destination, Duration timeout) {
                return 0;
            }

            @Override
            public void close() {}

            @Override
            public String toString() {
                return "broken";
            }
        };
        BufferedSource in = new BufferedSource(broken, BufferPool.create(16, 1, false));
        IOException e = assertThrows(IOException.class, in::readLine);
        assertEquals("broken read 0 bytes into 16 free without blocking or failing: "
                + "a Source must read at least one byte", e.getMessage());
        e = assertThrows(IOException.class, () -> in.readExactly(100), "the direct path too");
        assertEquals("broken read 0 bytes into 100 free without blocking or failing: "
                + "a Source must read at least one byte", e.getMessage());
    }

    @Test
    void closingClosesTheSourceOnceAndLaterReadsFail() throws IOException {
        ChunkedSource source = ChunkedSource.whole(latin1("abc"));
        BufferedSource in = new BufferedSource(source);
        in.readByte();
        in.close();
        in.close();
        assertEquals(1, source.closes());
        assertEquals(0, in.buffered(), "what was buffered is dropped");
        assertEquals("closed", assertThrows(IllegalStateException.class, in::readByte).getMessage());
        assertEquals("closed", assertThrows(IllegalStateException.class, in::readLine).getMessage());
    }

    @Test
    void negativeCountsAreRefusedWithTheValue() {
        BufferedSource in = new BufferedSource(ChunkedSource.whole(new byte[0]));
        assertEquals("byteCount < 0: -1",
                assertThrows(IllegalArgumentException.class, () -> in.readExactly(-1)).getMessage());
        assertEquals("byteCount < 0: -2",
                assertThrows(IllegalArgumentException.class, () -> in.skip(-2)).getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> in.readFully(new byte[2], 1, 2));
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
