package org.concurrence.io;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.concurrence.io.Bytes.latin1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * readLine: LF and CR LF, lone CRs, boundaries, empty and unterminated lines, the maximum length; worked examples over
 * every {@link Setup}, then random line sets against every buffer size from 1 to 16 (and a few larger) and every
 * packet split.
 */
class LineReadingTest {

    static Stream<Setup> setups() {
        return Setup.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void linesEndWithLfOrCrLfAndTheTerminatorIsDropped(Setup setup) throws IOException {
        BufferedSource in = setup.open(latin1("a\nbb\r\nccc\n"));
        assertEquals("a", in.readLine());
        assertEquals("bb", in.readLine());
        assertEquals("ccc", in.readLine());
        assertTrue(in.exhausted());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void aCrNotFollowedByLfStaysInTheLine(Setup setup) throws IOException {
        BufferedSource in = setup.open(latin1("a\rb\n\rc\r\r\n\r\n"));
        assertEquals("a\rb", in.readLine());
        assertEquals("\rc\r", in.readLine(), "only the CR right before the LF belongs to the terminator");
        assertEquals("", in.readLine());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void emptyLinesAreEmptyStrings(Setup setup) throws IOException {
        BufferedSource in = setup.open(latin1("\n\r\n\nx\n"));
        assertEquals("", in.readLine());
        assertEquals("", in.readLine());
        assertEquals("", in.readLine());
        assertEquals("x", in.readLine());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void aLastLineWithoutTerminatorIsAnEndOfStreamAndItsBytesStayReadable(Setup setup) throws IOException {
        BufferedSource in = setup.open(latin1("one\nabc"));
        assertEquals("one", in.readLine());
        EOFException e = assertThrows(EOFException.class, in::readLine);
        assertEquals("end of stream: readLine wanted a line feed, got 3 bytes without one: 616263", e.getMessage());
        assertEquals("abc", latin1(in.readAvailable()));
        e = assertThrows(EOFException.class, in::readLine);
        assertEquals("end of stream: readLine wanted a line feed, got 0 bytes", e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void aCrAtTheVeryEndIsPartOfAnUnterminatedLine(Setup setup) throws IOException {
        BufferedSource in = setup.open(latin1("ab\r"));
        EOFException e = assertThrows(EOFException.class, in::readLine);
        assertEquals("end of stream: readLine wanted a line feed, got 3 bytes without one: 61620d", e.getMessage());
    }

    @ParameterizedTest(name = "buffer {0}")
    @MethodSource("smallBufferSizes")
    void aCrAtTheEndOfOnePacketAndItsLfAtTheStartOfTheNextMakeOneTerminator(int bufferSize) throws IOException {
        byte[] data = latin1("abc\r\ndef\r\n");
        for (int split = 1; split < data.length; split++) {
            ChunkedSource source = ChunkedSource.packets(data, split, data.length);
            BufferedSource in = new BufferedSource(source, BufferPool.create(bufferSize, 1, false));
            assertEquals("abc", in.readLine(), "split after " + split);
            assertEquals("def", in.readLine(), "split after " + split);
        }
    }

    @Test
    void linesThatExactlyFillOrJustOverflowTheBufferAreReadWhole() throws IOException {
        BufferPool eight = BufferPool.create(8, 1, false);
        for (String text : List.of("1234567\n", "12345678\n", "123456\r\n", "1234567\r\n", "12345678\r\n",
                "1234567\n12345678\r\n123456\r\n")) {
            for (Setup setup : List.of(new Setup("whole", eight, ChunkedSource::whole),
                    new Setup("1-byte", eight, ChunkedSource::oneByteAtATime))) {
                BufferedSource in = setup.open(latin1(text));
                for (String expected : text.split("\r?\n")) {
                    assertEquals(expected, in.readLine(), setup + ": " + text.replace("\r", "\\r").replace("\n", "\\n"));
                }
                assertTrue(in.exhausted());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void aLineLongerThanTheBufferIsReadWhole(Setup setup) throws IOException {
        String longLine = "x".repeat(20_000);
        BufferedSource in = setup.open(latin1(longLine + "\r\nshort\n"));
        in.maxLineLength(20_000);
        assertEquals(longLine, in.readLine());
        assertEquals("short", in.readLine());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void aLineUpToTheMaximumLengthIsReadWithEitherTerminator(Setup setup) throws IOException {
        BufferedSource in = setup.open(latin1("12345\n12345\r\n1234\r\r\n"));
        in.maxLineLength(5);
        assertEquals("12345", in.readLine());
        assertEquals("12345", in.readLine());
        assertEquals("1234\r", in.readLine());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void aLineOverTheMaximumFailsNamingTheLimitAndConsumesNothing(Setup setup) throws IOException {
        BufferedSource in = setup.open(latin1("123456\nnext\n"));
        in.maxLineLength(5);
        LimitExceededException e = assertThrows(LimitExceededException.class, in::readLine);
        assertTrue(e.getMessage().startsWith("line longer than the limit of 5 bytes: "), e.getMessage());
        assertEquals(5, e.limit());
        assertEquals("123456", latin1(in.readExactly(6)), "nothing was consumed");
        assertEquals("", in.readLine());
        assertEquals("next", in.readLine());
    }

    @Test
    void theLimitMessageSaysWhetherALineFeedWasSeen() throws IOException {
        BufferedSource found = new BufferedSource(ChunkedSource.whole(latin1("123456\n")));
        found.maxLineLength(5);
        assertEquals("line longer than the limit of 5 bytes: a line of 6 bytes: 3132333435360a",
                assertThrows(LimitExceededException.class, found::readLine).getMessage());
        BufferedSource notFound = new BufferedSource(ChunkedSource.oneByteAtATime(latin1("1234567890\n")));
        notFound.maxLineLength(5);
        assertEquals("line longer than the limit of 5 bytes: no line feed in the first 7 bytes: 31323334353637",
                assertThrows(LimitExceededException.class, notFound::readLine).getMessage());
    }

    @Test
    void anOverlongLineFailsWithoutReadingTheRestOfIt() {
        byte[] huge = new byte[1 << 20];
        Arrays.fill(huge, (byte) 'a');
        ChunkedSource source = ChunkedSource.random(huge, 3, 1000);
        BufferedSource in = new BufferedSource(source);
        in.maxLineLength(100);
        assertThrows(LimitExceededException.class, in::readLine);
        assertTrue(source.undelivered() > huge.length - BufferPool.DEFAULT_BUFFER_SIZE - 1000,
                "read at most a buffer and a packet: " + source.undelivered() + " left");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("setups")
    void multiByteCharactersSplitAcrossPacketsDecode(Setup setup) throws IOException {
        BufferedSource in = setup.open("größe €\r\nzwei\n".getBytes(UTF_8));
        assertEquals("größe €", in.readLine());
        assertEquals("zwei", in.readLine(UTF_8));
    }

    @Test
    void aCharsetCanBeChosenPerLine() throws IOException {
        BufferedSource in = new BufferedSource(ChunkedSource.whole(new byte[] {(byte) 0xe9, '\n', 'a', '\n'}));
        assertEquals("é", in.readLine(ISO_8859_1));
        assertEquals("a", in.readLine(ISO_8859_1));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Property: random line sets read back exactly, for every buffer size and packet split.

    static IntStream smallBufferSizes() {
        return IntStream.rangeClosed(1, 16);
    }

    static Stream<Arguments> bufferSizesAndPacketings() {
        List<Arguments> cases = new ArrayList<>();
        IntStream sizes = IntStream.concat(IntStream.rangeClosed(1, 16), IntStream.of(31, 64, 100, 8192));
        sizes.forEach(size -> {
            for (String packets : List.of("1-byte", "random up to 3", "random up to 40", "one")) {
                cases.add(Arguments.of(size, packets));
            }
        });
        return cases.stream();
    }

    @ParameterizedTest(name = "buffer {0}, {1} packets")
    @MethodSource("bufferSizesAndPacketings")
    void randomLinesReadBackExactly(int bufferSize, String packets) {
        BufferPool pool = BufferPool.create(bufferSize, 2, false);
        InTasklet.run(() -> { // on a dispatcher, so that buffers really go back to the pool and come out again
            for (int round = 0; round < 12; round++) {
                long seed = bufferSize * 1_000L + round;
                Random random = new Random(seed);
                LineSet lines = LineSet.random(random);
                BufferedSource in = new BufferedSource(split(lines.encoded(), packets, seed), pool);
                in.maxLineLength(lines.maxLineLength());
                lines.check(in, "seed " + seed);
            }
        });
    }

    private static ChunkedSource split(byte[] data, String packets, long seed) {
        return switch (packets) {
            case "1-byte" -> ChunkedSource.oneByteAtATime(data);
            case "random up to 3" -> ChunkedSource.random(data, seed, 3);
            case "random up to 40" -> ChunkedSource.random(data, seed, 40);
            default -> ChunkedSource.whole(data);
        };
    }

    /**
     * Random lines of random bytes (any but LF, CR often, some longer than small buffers), each ended by LF or CR LF,
     * sometimes followed by an unterminated last line, read with a random maximum length.
     */
    record LineSet(List<String> lines, String unterminated, byte[] encoded, int maxLineLength) {

        static LineSet random(Random random) {
            int count = random.nextInt(25);
            List<String> lines = new ArrayList<>();
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < count; i++) {
                String line = content(random);
                String terminator = random.nextBoolean() ? "\n" : "\r\n";
                if (terminator.equals("\n") && line.endsWith("\r")) {
                    terminator = "\r\n"; // "x\r" + "\n" would read back as "x": that is the CR LF rule, not data
                }
                lines.add(line);
                text.append(line).append(terminator);
            }
            String unterminated = random.nextInt(3) == 0 ? content(random) : "";
            text.append(unterminated);
            int max = random.nextInt(4) == 0 ? random.nextInt(70) : 100;
            return new LineSet(lines, unterminated, latin1(text.toString()), max);
        }

        private static String content(Random random) {
            int length = random.nextInt(8) == 0 ? random.nextInt(80) : random.nextInt(12);
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < length; i++) {
                int kind = random.nextInt(10);
                char c = kind < 2 ? '\r' : kind < 4 ? 'a' : kind < 5 ? ' ' : (char) random.nextInt(256);
                line.append(c == '\n' ? 'n' : c);
            }
            return line.toString();
        }

        void check(BufferedSource in, String context) throws IOException {
            for (int i = 0; i < lines.size(); i++) {
                String expected = lines.get(i);
                if (expected.length() > maxLineLength) {
                    assertThrows(LimitExceededException.class, () -> in.readLine(ISO_8859_1),
                            context + ", line " + i + " of " + expected.length() + " bytes, max " + maxLineLength);
                    return; // a protocol closes the connection here
                }
                assertEquals(expected, in.readLine(ISO_8859_1), context + ", line " + i);
            }
            if (!unterminated.isEmpty()) {
                if (unterminated.length() <= maxLineLength) {
                    assertThrows(EOFException.class, () -> in.readLine(ISO_8859_1), context + ", unterminated");
                }
                assertEquals(unterminated, latin1(in.readExactly(unterminated.length())), context);
            }
            assertTrue(in.exhausted(), context);
        }
    }
}
