package org.concurrence.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import org.concurrence.core.Concurrence;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Tasklet;

/** What the socket tests share: a group on real time, loopback addresses, echo, byte patterns, waiting with deadlines. */
public final class Loopback {
    /** Two dispatchers on real time: sockets do not work on virtual time. */
    public static final Concurrence.Options REAL = Concurrence.Options.defaults().withDispatchers(2).withName("io-test");
    /** The longest any single step of a test may take before it is a failure (never a synchronisation sleep). */
    public static final Duration PATIENCE = Duration.ofSeconds(20);

    private Loopback() {}

    public static <T> T run(Callable<T> body) {
        return Concurrence.run(REAL, body);
    }

    public static void run(Runnable body) {
        Concurrence.run(REAL, body);
    }

    /** 127.0.0.1 on any free port. */
    public static InetSocketAddress anyPort() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    /** Echoes every byte back until the peer closes, then returns. */
    public static void echo(Socket socket) throws IOException {
        echoStream(socket);
    }

    /** Echoes every byte of {@code stream} back into it until the end of the stream. */
    public static <S extends Source & Sink> void echoStream(S stream) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        while (stream.read(buffer) >= 0) {
            buffer.flip();
            stream.write(buffer);
            buffer.clear();
        }
    }

    /** {@code length} bytes that differ from client to client and from position to position. */
    public static byte[] pattern(int seed, int length) {
        byte[] bytes = new byte[length];
        int x = seed * 0x9E3779B9 + 1;
        for (int i = 0; i < length; i++) {
            x ^= x << 13;
            x ^= x >>> 17;
            x ^= x << 5;
            bytes[i] = (byte) x;
        }
        return bytes;
    }

    /** Reads exactly {@code length} bytes, under the current deadline. */
    public static byte[] readFully(Source source, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (source.read(buffer) < 0) {
                throw new EOFException("end of stream after " + buffer.position() + " of " + length + " bytes");
            }
        }
        return buffer.array();
    }

    /** Reads until the end of the stream, under the current deadline. */
    public static byte[] readToEnd(Source source) throws IOException {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (source.read(buffer) >= 0) {
            all.write(buffer.array(), 0, buffer.position());
            buffer.clear();
        }
        return all.toByteArray();
    }

    public static void writeAll(Sink sink, byte[] bytes) throws IOException {
        sink.write(ByteBuffer.wrap(bytes));
    }

    /** Sends {@code bytes} and checks that the same bytes come back. */
    public static <S extends Source & Sink> void roundTrip(S stream, byte[] bytes) throws IOException {
        writeAll(stream, bytes);
        assertArrayEquals(bytes, readFully(stream, bytes.length));
    }

    public static void assertEndOfStream(Source source) throws IOException {
        assertEquals(-1, source.read(ByteBuffer.allocate(16)));
    }

    /**
     * Waits (yielding to other tasklets, a millisecond at a time) until {@code condition} holds, failing after
     * {@link #PATIENCE}: for conditions nothing signals, such as a counter kept by another dispatcher.
     */
    public static void awaitCondition(String what, BooleanSupplier condition) {
        long end = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new DeadlineExceededException("waiting for " + what, PATIENCE);
            }
            Tasklet.sleep(Duration.ofMillis(1));
        }
    }

    /** A fresh temporary directory for Unix domain sockets (paths must stay short). */
    public static Path tempDirectory() throws IOException {
        return Files.createTempDirectory(Path.of("/tmp"), "cio");
    }
}
