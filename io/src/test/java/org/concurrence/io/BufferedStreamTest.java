package org.concurrence.io;

import static org.concurrence.io.Bytes.latin1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** BufferedStream: both directions of one connection, one-way streams, closing each underlying object once. */
class BufferedStreamTest {

    /** A connection that is its own source and sink, like a socket; counts closes. */
    static final class Loopback implements Source, Sink {
        final ChunkedSource in;
        final RecordingSink out = new RecordingSink();
        int closes;

        Loopback(String input) {
            in = ChunkedSource.oneByteAtATime(latin1(input));
        }

        @Override
        public int read(ByteBuffer destination) throws IOException {
            return in.read(destination);
        }

        @Override
        public int read(ByteBuffer destination, Duration timeout) throws IOException {
            return in.read(destination, timeout);
        }

        @Override
        public void write(ByteBuffer source) throws IOException {
            out.write(source);
        }

        @Override
        public void write(ByteBuffer source, Duration timeout) throws IOException {
            out.write(source, timeout);
        }

        @Override
        public void close() {
            closes++;
        }
    }

    @Test
    void aConnectionIsReadAndWrittenThroughOneStream() throws IOException {
        Loopback socket = new Loopback("GET /\r\n");
        try (BufferedStream stream = BufferedStream.of(socket)) {
            assertEquals("GET /", stream.reader().readLine());
            stream.writer().writeString("200 OK\r\n");
        }
        assertEquals("200 OK\r\n", latin1(socket.out.bytes()), "close flushed");
        assertEquals(1, socket.closes, "a connection that is source and sink is closed once");
    }

    @Test
    void separateSourceAndSinkAreEachClosed() throws IOException {
        ChunkedSource source = ChunkedSource.whole(latin1("x"));
        RecordingSink sink = new RecordingSink();
        BufferedStream stream = new BufferedStream(source, sink);
        stream.close();
        stream.close();
        assertEquals(1, source.closes());
        assertEquals(1, sink.closes());
    }

    @Test
    void theSourceIsClosedEvenWhenTheFinalFlushFails() {
        IOException broken = new IOException("broken pipe");
        ChunkedSource source = ChunkedSource.whole(latin1("x"));
        RecordingSink sink = new RecordingSink();
        BufferedStream stream = new BufferedStream(source, sink);
        assertThrows(IllegalStateException.class, () -> {
            stream.writer().writeString("pending");
            sink.failingWith(broken);
            try {
                stream.close();
            } catch (IOException e) {
                assertSame(broken, e);
                throw new IllegalStateException(e);
            }
        });
        assertEquals(1, source.closes());
        assertEquals(1, sink.closes());
    }

    @Test
    void aOneWayStreamSaysWhichDirectionItLacks() throws IOException {
        BufferedStream readOnly = new BufferedStream(ChunkedSource.whole(latin1("a\n")), null);
        assertEquals("a", readOnly.reader().readLine());
        assertEquals("no writer: this stream was made without a sink, for reading only",
                assertThrows(IllegalStateException.class, readOnly::writer).getMessage());
        BufferedStream writeOnly = new BufferedStream(null, new RecordingSink());
        assertEquals("no reader: this stream was made without a source, for writing only",
                assertThrows(IllegalStateException.class, writeOnly::reader).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BufferedStream(null, null));
        readOnly.close();
        writeOnly.close();
    }
}
