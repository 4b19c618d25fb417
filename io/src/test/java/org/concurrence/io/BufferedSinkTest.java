package org.concurrence.io;

import static org.concurrence.io.Bytes.counting;
import static org.concurrence.io.Bytes.latin1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** BufferedSink: buffering until flush, sinks that take a few bytes per call, numbers, strings, closing. */
class BufferedSinkTest {

    static IntStream bufferSizes() {
        return IntStream.of(1, 2, 3, 5, 7, 8, 9, 16, 8192);
    }

    @Test
    void nothingReachesTheSinkBeforeAFlush() throws IOException {
        RecordingSink sink = new RecordingSink();
        BufferedSink out = new BufferedSink(sink);
        out.writeString("hello ").writeInt(1);
        assertEquals(0, sink.writes().size());
        assertEquals(10, out.buffered());
        out.flush();
        assertEquals(List.of(10), sink.writes());
        assertEquals(0, out.buffered());
        out.flush();
        assertEquals(1, sink.writes().size(), "a flush with nothing buffered writes nothing");
    }

    @ParameterizedTest(name = "buffer {0}")
    @MethodSource("bufferSizes")
    void aFlushLoopsUntilASinkThatTakesThreeBytesPerCallHasEverything(int bufferSize) throws IOException {
        RecordingSink sink = new RecordingSink().acceptingAtMost(3);
        BufferedSink out = new BufferedSink(sink, BufferPool.create(bufferSize, 1, false));
        byte[] data = counting(10_000);
        for (int i = 0; i < data.length; i += 37) {
            out.write(data, i, Math.min(37, data.length - i));
        }
        out.flush();
        assertArrayEquals(data, sink.bytes());
        assertTrue(sink.writes().stream().allMatch(n -> n <= 3));
    }

    @ParameterizedTest(name = "buffer {0}")
    @MethodSource("bufferSizes")
    void numbersAreWrittenInTheOrderNamedEvenWhenWiderThanTheBuffer(int bufferSize) throws IOException {
        RecordingSink sink = new RecordingSink();
        BufferedSink out = new BufferedSink(sink, BufferPool.create(bufferSize, 1, false));
        out.writeByte(0x1ff).writeShort(0x0102).writeShortLe(0x0102).writeInt(0x01020304).writeIntLe(0x01020304)
                .writeLong(0x0102030405060708L).writeLongLe(0x0102030405060708L);
        out.flush();
        ByteBuffer expected = ByteBuffer.allocate(29).put((byte) 0xff);
        expected.order(ByteOrder.BIG_ENDIAN).putShort((short) 0x0102);
        expected.order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x0102);
        expected.order(ByteOrder.BIG_ENDIAN).putInt(0x01020304);
        expected.order(ByteOrder.LITTLE_ENDIAN).putInt(0x01020304);
        expected.order(ByteOrder.BIG_ENDIAN).putLong(0x0102030405060708L);
        expected.order(ByteOrder.LITTLE_ENDIAN).putLong(0x0102030405060708L);
        assertArrayEquals(expected.array(), sink.bytes());
    }

    @Test
    void aWriteOfABufferOrMoreWithNothingBufferedGoesStraightToTheSink() throws IOException {
        RecordingSink sink = new RecordingSink();
        BufferedSink out = new BufferedSink(sink, BufferPool.create(16, 1, false));
        out.write(counting(1000));
        assertEquals(List.of(1000), sink.writes(), "one call, no copy through the buffer");
        out.writeByte(1).write(counting(1000));
        assertEquals(List.of(1000, 16, 985), sink.writes(), "buffered bytes first, in order");
        out.flush();
        assertEquals(2001, sink.bytes().length);
    }

    @Test
    void aByteBufferIsWrittenToItsLimit() throws IOException {
        RecordingSink sink = new RecordingSink();
        BufferedSink out = new BufferedSink(sink, BufferPool.create(4, 1, false));
        ByteBuffer source = ByteBuffer.wrap(latin1("abcdefghij")).position(1).limit(9);
        out.write(source);
        assertEquals(9, source.position());
        assertEquals(9, source.limit(), "the limit is as it was");
        out.flush();
        assertEquals("bcdefghi", latin1(sink.bytes()));
    }

    @Test
    void stringsAreEncodedWithTheCharsetGivenAndUtf8ByDefault() throws IOException {
        RecordingSink sink = new RecordingSink();
        BufferedSink out = new BufferedSink(sink);
        out.writeString("é").writeString("é", StandardCharsets.ISO_8859_1);
        out.flush();
        assertArrayEquals(new byte[] {(byte) 0xc3, (byte) 0xa9, (byte) 0xe9}, sink.bytes());
    }

    @Test
    void aSinkThatTakesNothingIsReportedInsteadOfSpinning() throws IOException {
        RecordingSink sink = new RecordingSink().acceptingAtMost(0);
        BufferedSink out = new BufferedSink(sink);
        out.writeString("abc");
        IOException e = assertThrows(IOException.class, out::flush);
        assertEquals("RecordingSink[0 bytes] took none of 3 bytes without blocking or failing: "
                + "a Sink must write every byte", e.getMessage());
        assertEquals(3, out.buffered(), "the bytes are still buffered");
    }

    @Test
    void aFailedFlushKeepsWhatWasNotWritten() throws IOException {
        IOException broken = new IOException("broken pipe");
        RecordingSink sink = new RecordingSink();
        BufferedSink out = new BufferedSink(sink);
        out.writeString("abc");
        sink.failingWith(broken);
        assertSame(broken, assertThrows(IOException.class, out::flush));
        assertEquals(3, out.buffered());
    }

    @Test
    void closeFlushesThenClosesTheSinkOnce() throws IOException {
        RecordingSink sink = new RecordingSink();
        BufferedSink out = new BufferedSink(sink);
        out.writeString("bye");
        out.close();
        out.close();
        assertEquals("bye", latin1(sink.bytes()));
        assertEquals(1, sink.closes());
        assertEquals("closed", assertThrows(IllegalStateException.class, () -> out.writeByte(1)).getMessage());
        assertEquals("closed", assertThrows(IllegalStateException.class, out::flush).getMessage());
    }

    @Test
    void closeClosesTheSinkEvenWhenTheFlushFails() throws IOException {
        IOException broken = new IOException("broken pipe");
        RecordingSink sink = new RecordingSink();
        BufferedSink out = new BufferedSink(sink);
        out.writeString("abc");
        sink.failingWith(broken);
        assertSame(broken, assertThrows(IOException.class, out::close));
        assertEquals(1, sink.closes());
        assertEquals(0, out.buffered(), "the buffer was given back");
    }
}
