package org.concurrence.io;

import static org.concurrence.io.Bytes.counting;
import static org.concurrence.io.Bytes.latin1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** asInputStream / asOutputStream: the java.io contracts over buffered sources and sinks. */
class StreamViewsTest {

    static Stream<Setup> setups() {
        return Setup.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void anInputStreamReadsEverythingThenMinusOne(Setup setup) throws IOException {
        byte[] data = counting(5000);
        InputStream in = setup.open(data).asInputStream();
        assertEquals(0, in.read());
        assertEquals(1, in.read());
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 2, 5000), in.readAllBytes());
        assertEquals(-1, in.read());
        assertEquals(-1, in.read(new byte[3], 0, 3));
        assertEquals(0, in.read(new byte[3], 0, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void dataInputStreamReadsWhatBufferedSinkWrote(Setup setup) throws IOException {
        RecordingSink sink = new RecordingSink();
        BufferedSink out = new BufferedSink(sink, setup.pool());
        out.writeInt(-7).writeLong(1L << 40).writeShort(300).writeString("\u0000\u0003abc");
        out.flush();
        DataInputStream in = new DataInputStream(setup.open(sink.bytes()).asInputStream());
        assertEquals(-7, in.readInt());
        assertEquals(1L << 40, in.readLong());
        assertEquals(300, in.readShort());
        assertEquals("abc", in.readUTF());
        assertEquals(-1, in.read());
    }

    @Test
    void availableIsWhatIsBufferedAndSkipSkipsAtMostThat() throws IOException {
        BufferedSource source = new BufferedSource(ChunkedSource.packets(latin1("abcdefgh"), 5, 100));
        InputStream in = source.asInputStream();
        assertEquals(0, in.available(), "nothing read yet");
        assertEquals('a', in.read());
        assertEquals(4, in.available());
        assertEquals(4, in.skip(10), "skip takes what is buffered without waiting for more");
        assertEquals(3, in.skip(10));
        assertEquals(0, in.skip(10), "at the end");
        assertEquals(0, in.skip(-1));
    }

    @Test
    void anOutputStreamBuffersUntilFlushAndClosesTheSink() throws IOException {
        RecordingSink sink = new RecordingSink();
        OutputStream out = new BufferedSink(sink).asOutputStream();
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(1);
        data.write(0x1ff);
        data.write(latin1("xyz"), 1, 2);
        assertEquals(0, sink.bytes().length);
        data.flush();
        assertArrayEquals(new byte[] {0, 0, 0, 1, (byte) 0xff, 'y', 'z'}, sink.bytes());
        data.close();
        assertEquals(1, sink.closes());
    }

    @Test
    void anInputStreamCopiesIntoAnOutputStream() throws IOException {
        byte[] data = counting(100_000);
        RecordingSink sink = new RecordingSink();
        BufferedSource source = new BufferedSource(ChunkedSource.random(data, 5, 3000));
        try (InputStream in = source.asInputStream(); OutputStream out = new BufferedSink(sink).asOutputStream()) {
            assertEquals(100_000, in.transferTo(out));
        }
        assertArrayEquals(data, sink.bytes());
        assertEquals(1, sink.closes());
    }

    @Test
    void closedStreamsFailWithAnIOExceptionAsJavaIoExpects() throws IOException {
        InputStream in = new BufferedSource(ChunkedSource.packets(latin1("abc"), 5, 100)).asInputStream();
        in.close();
        assertThrows(IOException.class, in::read);
        assertThrows(IOException.class, () -> in.read(new byte[3], 0, 3));
        assertThrows(IOException.class, () -> in.skip(1));
        in.close();
        OutputStream out = new BufferedSink(new RecordingSink()).asOutputStream();
        out.close();
        assertThrows(IOException.class, () -> out.write(1));
        assertThrows(IOException.class, () -> out.write(new byte[3], 0, 3));
        assertThrows(IOException.class, out::flush);
        out.close();
    }
}
