package org.concurrence.http.websocket;

import static org.concurrence.http.websocket.WebSocketProtocolTest.concat;
import static org.concurrence.http.websocket.WebSocketProtocolTest.frame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.concurrence.http.websocket.WebSocketProtocolTest.Raw;
import org.concurrence.http.server.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * permessage-deflate (RFC 7692) on a raw socket: the negotiation, the RFC's own example bytes, long messages both
 * ways, and compressed input that is broken, a bomb, or where it may not be.
 */
class PerMessageDeflateTest {
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    /** RFC 7692 §7.2.3.1: "Hello" compressed by a sender that stripped the tail. */
    private static final byte[] HELLO = {(byte) 0xf2, 0x48, (byte) 0xcd, (byte) 0xc9, (byte) 0xc9, 0x07, 0x00};
    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start(request -> switch (request.path()) {
            case "/small" -> WebSocket.accept(request, WebSocketOptions.defaults().withMaxMessageSize(1000),
                    WebSocketTest::echo);
            case "/plain" -> WebSocket.accept(request, WebSocketOptions.defaults().withCompression(false),
                    WebSocketTest::echo);
            default -> WebSocket.accept(request, WebSocketTest::echo);
        });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** The extension header of the 101 for {@code offer}, lower-cased; null if none. */
    private String negotiated(String path, String offer) throws IOException {
        try (Raw raw = new Raw(server.port())) {
            raw.send(Raw.handshake(path, "Sec-WebSocket-Key: " + KEY, "Sec-WebSocket-Version: 13",
                    "Sec-WebSocket-Extensions: " + offer));
            String head = raw.readHead().toLowerCase(Locale.ROOT);
            assertTrue(head.startsWith("http/1.1 101 "), head);
            int at = head.indexOf("sec-websocket-extensions: ");
            return at < 0 ? null : head.substring(at + 26, head.indexOf("\r\n", at));
        }
    }

    @Test
    void acceptsTheFirstOfferItCanHonour() throws IOException {
        String accepted = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";
        // What browsers send.
        assertEquals(accepted, negotiated("/echo", "permessage-deflate; client_max_window_bits"));
        assertEquals(accepted, negotiated("/echo", "x-webkit-deflate-frame, permessage-deflate"));
        assertEquals(accepted, negotiated("/echo", "permessage-deflate; server_max_window_bits=10, "
                + "permessage-deflate; client_max_window_bits=\"12\""));
        // The JDK's deflater has a 32 KiB window only; unknown and repeated parameters decline the offer.
        assertEquals(null, negotiated("/echo", "permessage-deflate; server_max_window_bits=10"));
        assertEquals(null, negotiated("/echo", "permessage-deflate; mystery"));
        assertEquals(null, negotiated("/echo", "permessage-deflate; client_max_window_bits=7"));
        assertEquals(null, negotiated("/echo",
                "permessage-deflate; server_no_context_takeover; server_no_context_takeover"));
        assertEquals(null, negotiated("/plain", "permessage-deflate"));
    }

    @Test
    void anOfferWithServerMaxWindowBitsIsAcceptedByAnsweringIt() throws IOException {
        // RFC 7692 §7.1.2.1: the server accepts such an offer by including server_max_window_bits in its response;
        // without it a strict client (one that checks the response against its offer) fails the handshake.
        String accepted = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";
        assertEquals(accepted + "; server_max_window_bits=15",
                negotiated("/echo", "permessage-deflate; server_max_window_bits=15; client_max_window_bits"));
        assertEquals(accepted + "; server_max_window_bits=15", negotiated("/echo",
                "permessage-deflate; server_max_window_bits=10, permessage-deflate; server_max_window_bits=\"15\""));
        assertEquals(accepted, negotiated("/echo",
                "permessage-deflate; server_max_window_bits=10, permessage-deflate"));
    }

    private Raw open(String path) throws IOException {
        Raw raw = new Raw(server.port());
        raw.send(Raw.handshake(path, "Sec-WebSocket-Key: " + KEY, "Sec-WebSocket-Version: 13",
                "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"));
        String head = raw.readHead().toLowerCase(Locale.ROOT);
        assertTrue(head.contains("sec-websocket-extensions: permessage-deflate"), head);
        return raw;
    }

    /** One server frame: {opcode, payload, RSV1}. */
    private static Object[] readFrame(Raw raw) throws IOException {
        int b0 = raw.in.readUnsignedByte();
        int b1 = raw.in.readUnsignedByte();
        assertEquals(0x80, b0 & 0xB0, "server frames are final, without RSV2 or RSV3");
        long length = b1 & 0x7F;
        if (length == 126) {
            length = raw.in.readUnsignedShort();
        } else if (length == 127) {
            length = raw.in.readLong();
        }
        byte[] payload = new byte[(int) length];
        raw.in.readFully(payload);
        return new Object[] {b0 & 0x0F, payload, (b0 & 0x40) != 0};
    }

    private static byte[] compressed(int opcode, byte[] payload, boolean fin) {
        byte[] f = frame(opcode, payload, true, fin);
        f[0] |= 0x40;
        return f;
    }

    /** {@code message} as a sender compresses it: sync-flushed with the tail stripped, or ended by a final block. */
    private static byte[] deflate(byte[] message, boolean finalBlock) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        deflater.setInput(message);
        if (finalBlock) {
            deflater.finish();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[4096];
        while (true) {
            int n = finalBlock ? deflater.deflate(chunk) : deflater.deflate(chunk, 0, chunk.length, Deflater.SYNC_FLUSH);
            out.write(chunk, 0, n);
            if (finalBlock ? deflater.finished() : n < chunk.length) {
                break;
            }
        }
        deflater.end();
        byte[] bytes = out.toByteArray();
        return finalBlock ? bytes : Arrays.copyOf(bytes, bytes.length - 4); // strip 00 00 FF FF
    }

    private static byte[] inflate(byte[] payload) throws DataFormatException {
        Inflater inflater = new Inflater(true);
        inflater.setInput(concat(payload, new byte[] {0, 0, (byte) 0xFF, (byte) 0xFF}));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[4096];
        int n;
        while ((n = inflater.inflate(chunk)) > 0) {
            out.write(chunk, 0, n);
        }
        inflater.end();
        return out.toByteArray();
    }

    private static byte[] longText() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; b.length() < 40_000; i++) {
            b.append("{\"player\":").append(i % 17).append(",\"x\":").append(i * 7 % 1000).append("} ");
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsTheRfcsExampleAndAnswersShortMessagesUncompressed() throws IOException {
        try (Raw raw = open("/echo")) {
            raw.send(compressed(0x1, HELLO, true));
            Object[] echoed = readFrame(raw);
            assertEquals(0x1, echoed[0]);
            assertFalse((Boolean) echoed[2], "five bytes are sent as they are");
            assertEquals("Hello", new String((byte[]) echoed[1], StandardCharsets.UTF_8));
        }
    }

    @Test
    void longMessagesTravelCompressedBothWays() throws Exception {
        byte[] text = longText();
        byte[] wire = deflate(text, false);
        try (Raw raw = open("/echo")) {
            // In three fragments: RSV1 on the first only.
            int third = wire.length / 3;
            raw.send(concat(compressed(0x1, Arrays.copyOfRange(wire, 0, third), false),
                    frame(0x9, new byte[] {7}, true, true),
                    frame(0x0, Arrays.copyOfRange(wire, third, 2 * third), true, false),
                    frame(0x0, Arrays.copyOfRange(wire, 2 * third, wire.length), true, true)));
            assertEquals(0xA, readFrame(raw)[0]);
            Object[] echoed = readFrame(raw);
            assertEquals(0x1, echoed[0]);
            assertTrue((Boolean) echoed[2], "a long message goes compressed");
            byte[] payload = (byte[]) echoed[1];
            assertTrue(payload.length < text.length / 4, "compressed to " + payload.length + " of " + text.length);
            assertArrayEquals(text, inflate(payload));

            // A sender that ends its message with a final block (RFC 7692 §7.2.3.3), and an uncompressed one.
            raw.send(compressed(0x2, deflate(text, true), true));
            assertArrayEquals(text, inflate((byte[]) readFrame(raw)[1]));
            raw.send(frame(0x1, "as it is".getBytes(StandardCharsets.UTF_8), true, true));
            assertEquals("as it is", new String((byte[]) readFrame(raw)[1], StandardCharsets.UTF_8));
        }
    }

    @Test
    void incompressibleMessagesGoAsTheyAre() throws IOException {
        byte[] noise = new byte[5000];
        new java.util.Random(7).nextBytes(noise);
        try (Raw raw = open("/echo")) {
            raw.send(frame(0x2, noise, true, true));
            Object[] echoed = readFrame(raw);
            assertFalse((Boolean) echoed[2]);
            assertArrayEquals(noise, (byte[]) echoed[1]);
        }
    }

    @Test
    void aDecompressionBombFailsWith1009() throws IOException {
        byte[] bomb = deflate(new byte[100_000], false); // ~100 bytes on the wire
        try (Raw raw = open("/small")) {
            raw.send(compressed(0x2, bomb, true));
            assertEquals(CloseCodes.TOO_BIG, raw.readCloseCode());
            assertTrue(raw.ended());
        }
    }

    @Test
    void brokenCompressedDataFailsWith1007() throws IOException {
        try (Raw raw = open("/echo")) {
            raw.send(compressed(0x1, new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 1, 2, 3}, true));
            assertEquals(CloseCodes.INVALID_DATA, raw.readCloseCode());
            assertTrue(raw.ended());
        }
    }

    @Test
    void rsv1WhereItMayNotBeFailsWith1002() throws IOException {
        try (Raw raw = open("/echo")) { // on a continuation frame
            raw.send(concat(compressed(0x1, HELLO, false), compressed(0x0, HELLO, true)));
            assertEquals(CloseCodes.PROTOCOL_ERROR, raw.readCloseCode());
        }
        try (Raw raw = open("/echo")) { // on a control frame
            raw.send(compressed(0x9, new byte[] {1}, true));
            assertEquals(CloseCodes.PROTOCOL_ERROR, raw.readCloseCode());
        }
        try (Raw raw = new Raw(server.port())) { // without the extension
            raw.send(Raw.handshake("/echo", "Sec-WebSocket-Key: " + KEY, "Sec-WebSocket-Version: 13"));
            raw.readHead();
            raw.send(compressed(0x1, HELLO, true));
            assertEquals(CloseCodes.PROTOCOL_ERROR, raw.readCloseCode());
        }
    }

    /** The client's check of a server's answer to {@link PerMessageDeflate#OFFER}. */
    @Test
    void aClientAcceptsOnlyAnswersItCanHonour() {
        assertFalse(PerMessageDeflate.accepted(List.of()));
        assertTrue(PerMessageDeflate.accepted(List.of(PerMessageDeflate.RESPONSE)));
        assertTrue(PerMessageDeflate.accepted(List.of(
                "permessage-deflate; server_no_context_takeover; server_max_window_bits=\"10\"")));
        for (String refused : new String[] {
                "permessage-deflate", // the server would keep its context: messages could not be inflated alone
                "permessage-deflate; server_no_context_takeover; client_max_window_bits=15", // not offered
                "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
                "permessage-deflate; server_no_context_takeover; server_max_window_bits=7",
                "permessage-deflate; server_no_context_takeover, permessage-deflate; server_no_context_takeover",
                "x-webkit-deflate-frame"}) {
            assertThrows(IllegalArgumentException.class,
                    () -> PerMessageDeflate.accepted(List.of(refused)), refused);
        }
    }
}
