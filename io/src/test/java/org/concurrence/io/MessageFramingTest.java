package org.concurrence.io;

import static org.concurrence.io.Bytes.counting;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.Tasklet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Length-prefixed messages: round trips, the size limit on both sides, ends of stream, timeouts. */
class MessageFramingTest {
    private static final List<Integer> SIZES = List.of(0, 1, 3, 4, 5, 100, 8191, 8192, 8193, 70_000);

    static Stream<Setup> setups() {
        return Setup.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void messagesRoundTripWhateverThePackets(Setup setup) throws IOException {
        MessageFraming framing = new MessageFraming(100_000);
        RecordingSink sink = new RecordingSink();
        BufferedSink out = new BufferedSink(sink, setup.pool());
        for (int size : SIZES) {
            framing.writeMessage(out, counting(size));
        }
        out.flush();
        BufferedSource in = setup.open(sink.bytes());
        int count = 0;
        while (!in.exhausted()) {
            assertArrayEquals(counting(SIZES.get(count)), framing.readMessage(in));
            count++;
        }
        assertEquals(SIZES.size(), count);
    }

    @Test
    void theWireFormatIsAFourByteBigEndianLengthThenThePayload() throws IOException {
        RecordingSink sink = new RecordingSink();
        BufferedSink out = new BufferedSink(sink);
        new MessageFraming().writeMessage(out, new byte[] {9, 8, 7, 6, 5}, 1, 3);
        out.flush();
        assertArrayEquals(new byte[] {0, 0, 0, 3, 8, 7, 6}, sink.bytes());
    }

    @Test
    void aLengthOverTheLimitFailsBeforeAllocatingAndConsumesNothing() throws IOException {
        byte[] wire = ByteBuffer.allocate(8).putInt(2000).putInt(0).array();
        BufferedSource in = new BufferedSource(ChunkedSource.whole(wire));
        LimitExceededException e = assertThrows(LimitExceededException.class,
                () -> new MessageFraming(1000).readMessage(in));
        assertEquals("message of 2000 bytes is over the limit of 1000 bytes", e.getMessage());
        assertEquals(1000, e.limit());
        assertEquals(2000, in.readInt(), "the prefix is still there");
    }

    @Test
    void aLengthAtTheLimitAllocatesOnlyForTheBytesThatArrive() {
        // 4 bytes that announce 16 MiB, then 10 bytes and the end: the reader must not allocate the 16 MiB first
        // (a peer could make every connection hold the limit by sending a prefix alone).
        byte[] wire = ByteBuffer.allocate(14).putInt(MessageFraming.DEFAULT_MAX_MESSAGE_SIZE).array();
        BufferedSource in = new BufferedSource(ChunkedSource.whole(wire));
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        EOFException e = assertThrows(EOFException.class, () -> new MessageFraming().readMessage(in));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 1 << 20, "allocated " + allocated + " bytes for a 10-byte partial message");
        assertEquals("end of stream: readMessage wanted 16777216 bytes, got 10: 00000000000000000000", e.getMessage());
        assertEquals(14, in.buffered(), "prefix and partial payload are still there");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void aMessageOfExactlyTheLimitIsReadAndOneByteMoreIsRefused(Setup setup) throws IOException {
        int limit = 20_000;
        byte[] wire = ByteBuffer.allocate(4 + limit + 4).putInt(limit).put(counting(limit)).putInt(limit + 1).array();
        BufferedSource in = setup.open(wire);
        MessageFraming framing = new MessageFraming(limit);
        assertArrayEquals(counting(limit), framing.readMessage(in));
        assertEquals(limit, assertThrows(LimitExceededException.class, () -> framing.readMessage(in)).limit());
        assertEquals(limit + 1, in.readInt(), "the refused prefix is still there");
    }

    @Test
    void aLengthWithTheHighBitSetIsReadAsUnsignedAndRefused() {
        byte[] wire = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        BufferedSource in = new BufferedSource(ChunkedSource.whole(wire));
        assertEquals("message of 4294967295 bytes is over the limit of 16777216 bytes",
                assertThrows(LimitExceededException.class, () -> new MessageFraming().readMessage(in)).getMessage());
    }

    @Test
    void writingAMessageOverTheLimitIsRefusedBeforeAnythingIsWritten() throws IOException {
        BufferedSink out = new BufferedSink(new RecordingSink());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MessageFraming(10).writeMessage(out, new byte[11]));
        assertEquals("message of 11 bytes is over the limit of 10 bytes", e.getMessage());
        assertEquals(0, out.buffered());
        assertEquals("maxMessageSize not in [0, 2147483631]: -1",
                assertThrows(IllegalArgumentException.class, () -> new MessageFraming(-1)).getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void anEndOfStreamInsideAMessageSaysWantedAndGotAndLeavesTheStreamAtItsStart(Setup setup) throws IOException {
        byte[] wire = ByteBuffer.allocate(7).putInt(10).put(new byte[] {1, 2, 3}).array();
        BufferedSource in = setup.open(wire);
        EOFException e = assertThrows(EOFException.class, () -> new MessageFraming().readMessage(in));
        assertEquals("end of stream: readMessage wanted 10 bytes, got 3: 010203", e.getMessage());
        assertEquals(7, in.buffered(), "prefix and partial payload are still there");
        assertEquals(10, in.readInt());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void anEndOfStreamInsideTheLengthPrefixSaysWhatItGot(Setup setup) {
        BufferedSource in = setup.open(new byte[] {0, 0});
        EOFException e = assertThrows(EOFException.class, () -> new MessageFraming().readMessage(in));
        assertEquals("end of stream: readMessage wanted 4 bytes, got 2: 0000", e.getMessage());
    }

    @Test
    void aMessageReadThatTimesOutMidPayloadConsumesNothingAndCanBeRetried() {
        InTasklet.run(() -> {
            Pipe pipe = new Pipe(64 * 1024);
            BufferedSource in = new BufferedSource(pipe.source());
            BufferedSink out = new BufferedSink(pipe.sink());
            MessageFraming framing = new MessageFraming();
            byte[] payload = counting(20_000);
            out.writeInt(payload.length).write(payload, 0, 9000).flush();
            Tasklet.spawn(() -> {
                Tasklet.sleep(Duration.ofSeconds(3));
                out.write(Arrays.copyOfRange(payload, 9000, 20_000)).flush();
                return null;
            });
            assertThrows(DeadlineExceededException.class, () -> framing.readMessage(in, Duration.ofSeconds(1)));
            assertEquals(9004, in.buffered());
            assertArrayEquals(payload, framing.readMessage(in, Duration.ofSeconds(5)));
            assertEquals(3000, Dispatcher.current().nanoTime() / 1_000_000);
            assertTrue(in.buffered() == 0);
        });
    }
}
