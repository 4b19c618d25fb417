package org.concurrence.http.websocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.concurrence.http.Headers;
import org.concurrence.http.Response;
import org.concurrence.http.Status;
import org.concurrence.http.server.TestServer;
import org.concurrence.io.BufferPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Protocol errors and handshakes on a raw socket: what the server answers, byte for byte. */
class WebSocketProtocolTest {
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    private TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.start(request -> switch (request.path()) {
            case "/small" -> WebSocket.accept(request, WebSocketOptions.defaults().withMaxMessageSize(1000),
                    WebSocketTest::echo);
            case "/chat" -> WebSocket.accept(request, WebSocketOptions.defaults().withSubprotocols("chat.v2", "chat"),
                    WebSocketTest::echo);
            case "/echo" -> WebSocket.accept(request, WebSocketTest::echo);
            case "/own" -> WebSocket.accept(request, WebSocketOptions.defaults().withOrigins("https://App.example"),
                    WebSocketTest::echo);
            case "/rogue" -> Response.switchingProtocols(Headers.of("Upgrade", "nothing"), connection -> { });
            default -> Response.ok("plain\n");
        });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** A client on a blocking socket that speaks frames byte for byte. */
    static final class Raw implements AutoCloseable {
        final Socket socket;
        final DataInputStream in;

        Raw(int port) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout((int) TestServer.PATIENCE.toMillis());
            in = new DataInputStream(socket.getInputStream());
        }

        void send(byte[] bytes) throws IOException {
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
        }

        static byte[] handshake(String path, String... extraLines) {
            StringBuilder b = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\n");
            for (String line : extraLines) {
                b.append(line).append("\r\n");
            }
            return b.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
        }

        /** The head of a response: status line and fields, lower-cased names kept as sent in the text. */
        String readHead() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            while (matched < 4) {
                int c = in.read();
                if (c < 0) {
                    throw new IOException("end of stream in a response head: " + head);
                }
                head.write(c);
                matched = (c == '\r' || c == '\n') ? matched + 1 : 0;
            }
            return head.toString(StandardCharsets.ISO_8859_1);
        }

        /** Reads {@code length} body bytes. */
        String readBody(int length) throws IOException {
            byte[] body = new byte[length];
            in.readFully(body);
            return new String(body, StandardCharsets.UTF_8);
        }

        /** One server frame: {opcode, payload}; checks it is unmasked and final. */
        Object[] readFrame() throws IOException {
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            assertEquals(0, b1 & 0x80, "server frames are not masked");
            assertEquals(0x80, b0 & 0xF0, "server frames are final, without RSV bits");
            long length = b1 & 0x7F;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] payload = new byte[(int) length];
            in.readFully(payload);
            return new Object[] {b0 & 0x0F, payload};
        }

        /** Expects a close frame and returns its code. */
        int readCloseCode() throws IOException {
            Object[] frame = readFrame();
            assertEquals(0x8, frame[0], "a close frame");
            byte[] p = (byte[]) frame[1];
            return ((p[0] & 0xFF) << 8) | (p[1] & 0xFF);
        }

        /** Whether the server closed the connection (end of stream) after what was read. */
        boolean ended() throws IOException {
            return in.read() < 0;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** A client frame: FIN set, {@code masked} with a fixed key. */
    static byte[] frame(int opcode, byte[] payload, boolean masked, boolean fin) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | opcode);
        int m = masked ? 0x80 : 0;
        if (payload.length <= 125) {
            out.write(m | payload.length);
        } else if (payload.length <= 0xFFFF) {
            out.write(m | 126);
            out.write(payload.length >>> 8);
            out.write(payload.length);
        } else {
            out.write(m | 127);
            for (int i = 7; i >= 0; i--) {
                out.write((int) ((long) payload.length >>> (8 * i)));
            }
        }
        byte[] key = {0x37, (byte) 0xfa, 0x21, 0x3d};
        if (masked) {
            out.writeBytes(key);
        }
        for (int i = 0; i < payload.length; i++) {
            out.write(masked ? payload[i] ^ key[i & 3] : payload[i]);
        }
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private Raw open(String path) throws IOException {
        Raw raw = new Raw(server.port());
        raw.send(Raw.handshake(path, "Sec-WebSocket-Key: " + KEY, "Sec-WebSocket-Version: 13"));
        String head = raw.readHead();
        assertTrue(head.startsWith("HTTP/1.1 101 Switching Protocols\r\n"), head);
        return raw;
    }

    @Test
    void handshakeAnswersTheRfcsSampleKey() throws IOException {
        try (Raw raw = new Raw(server.port())) {
            // A frame in the same write as the handshake: the bytes buffered behind the request reach the session.
            raw.send(concat(Raw.handshake("/echo", "Sec-WebSocket-Key: " + KEY, "Sec-WebSocket-Version: 13"),
                    frame(0x1, "early".getBytes(StandardCharsets.UTF_8), true, true)));
            String head = raw.readHead().toLowerCase(Locale.ROOT);
            assertTrue(head.startsWith("http/1.1 101 switching protocols\r\n"), head);
            assertTrue(head.contains("sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo=\r\n"), head);
            assertTrue(head.contains("upgrade: websocket\r\n"), head);
            assertTrue(head.contains("connection: upgrade\r\n"), head);
            Object[] echoed = raw.readFrame();
            assertEquals(0x1, echoed[0]);
            assertEquals("early", new String((byte[]) echoed[1], StandardCharsets.UTF_8));
            raw.send(frame(0x8, new byte[] {0x03, (byte) 0xE8}, true, true));
            assertEquals(1000, raw.readCloseCode());
            assertTrue(raw.ended());
        }
    }

    @Test
    void selectsASubprotocol() throws IOException {
        try (Raw raw = new Raw(server.port())) {
            raw.send(Raw.handshake("/chat", "Sec-WebSocket-Key: " + KEY, "Sec-WebSocket-Version: 13",
                    "Sec-WebSocket-Protocol: chat, chat.v2"));
            String head = raw.readHead().toLowerCase(Locale.ROOT);
            assertTrue(head.contains("sec-websocket-protocol: chat.v2\r\n"), head);
        }
    }

    /**
     * An idle session holds no read buffer: 40 sessions opened one after another, each echoing a message and then left
     * idle, share the dispatchers' pooled buffers instead of keeping one each.
     */
    @Test
    void idleSessionsHoldNoReadBuffer() throws IOException {
        long allocatedBefore = BufferPool.standard().allocated();
        List<Raw> sessions = new ArrayList<>();
        try {
            for (int i = 0; i < 40; i++) {
                Raw raw = open("/echo");
                sessions.add(raw);
                raw.send(frame(0x1, ("hello " + i).getBytes(StandardCharsets.UTF_8), true, true));
                assertEquals("hello " + i, new String((byte[]) raw.readFrame()[1], StandardCharsets.UTF_8));
            }
            long allocated = BufferPool.standard().allocated() - allocatedBefore;
            assertTrue(allocated < 20, allocated + " read buffers allocated for 40 sessions");
        } finally {
            for (Raw raw : sessions) {
                raw.close();
            }
        }
    }

    @Test
    void anUnmaskedClientFrameFailsWith1002() throws IOException {
        try (Raw raw = open("/echo")) {
            raw.send(frame(0x1, "hi".getBytes(StandardCharsets.UTF_8), false, true));
            assertEquals(CloseCodes.PROTOCOL_ERROR, raw.readCloseCode());
            assertTrue(raw.ended());
        }
    }

    @Test
    void rsvBitsAndFragmentedControlFramesFailWith1002() throws IOException {
        try (Raw raw = open("/echo")) {
            byte[] f = frame(0x1, "hi".getBytes(StandardCharsets.UTF_8), true, true);
            f[0] |= 0x40;
            raw.send(f);
            assertEquals(CloseCodes.PROTOCOL_ERROR, raw.readCloseCode());
        }
        try (Raw raw = open("/echo")) {
            raw.send(frame(0x9, new byte[] {1}, true, false));
            assertEquals(CloseCodes.PROTOCOL_ERROR, raw.readCloseCode());
        }
    }

    @Test
    void invalidUtf8TextFailsWith1007() throws IOException {
        try (Raw raw = open("/echo")) {
            raw.send(frame(0x1, new byte[] {'o', 'k', (byte) 0xC3, (byte) 0x28}, true, true));
            assertEquals(CloseCodes.INVALID_DATA, raw.readCloseCode());
            assertTrue(raw.ended());
        }
    }

    @Test
    void anOversizedMessageFailsWith1009() throws IOException {
        try (Raw raw = open("/small")) {
            raw.send(frame(0x2, new byte[600], true, false));
            raw.send(frame(0x0, new byte[600], true, true)); // the two fragments together exceed 1000
            assertEquals(CloseCodes.TOO_BIG, raw.readCloseCode());
            assertTrue(raw.ended());
        }
    }

    @Test
    void fragmentsWithAPingBetweenAreReassembled() throws IOException {
        try (Raw raw = open("/echo")) {
            raw.send(concat(frame(0x1, "frag".getBytes(StandardCharsets.UTF_8), true, false),
                    frame(0x9, new byte[] {42}, true, true),
                    frame(0x0, "ment".getBytes(StandardCharsets.UTF_8), true, true)));
            Object[] pong = raw.readFrame();
            assertEquals(0xA, pong[0]);
            assertArrayEquals(new byte[] {42}, (byte[]) pong[1]);
            Object[] echoed = raw.readFrame();
            assertEquals("fragment", new String((byte[]) echoed[1], StandardCharsets.UTF_8));
        }
    }

    /** Cross-site WebSocket hijacking: with origins listed, a page of another origin may not open a session. */
    @Test
    void listedOriginsKeepOtherSitesPagesOut() throws IOException {
        try (Raw raw = new Raw(server.port())) {
            raw.send(Raw.handshake("/own", "Sec-WebSocket-Key: " + KEY, "Sec-WebSocket-Version: 13",
                    "Origin: https://evil.example"));
            String head = raw.readHead();
            assertTrue(head.startsWith("HTTP/1.1 403 "), head);
            assertTrue(raw.readBody(contentLength(head)).contains("https://evil.example may not open a WebSocket"));
        }
        for (String origin : new String[] {"Origin: https://app.example", null}) {
            try (Raw raw = new Raw(server.port())) {
                String key = "Sec-WebSocket-Key: " + KEY;
                raw.send(origin == null ? Raw.handshake("/own", key, "Sec-WebSocket-Version: 13")
                        : Raw.handshake("/own", key, "Sec-WebSocket-Version: 13", origin));
                String head = raw.readHead();
                assertTrue(head.startsWith("HTTP/1.1 101 "), origin + ": " + head);
            }
        }
    }

    @Test
    void aBadHandshakeIsAnsweredAndTheConnectionGoesOn() throws IOException {
        try (Raw raw = new Raw(server.port())) {
            raw.send(Raw.handshake("/echo", "Sec-WebSocket-Version: 13"));
            String head = raw.readHead();
            assertTrue(head.startsWith("HTTP/1.1 400 "), head);
            String body = raw.readBody(contentLength(head));
            assertTrue(body.contains("Sec-WebSocket-Key is missing"), body);

            raw.send(Raw.handshake("/echo", "Sec-WebSocket-Key: " + KEY, "Sec-WebSocket-Version: 8"));
            head = raw.readHead();
            assertTrue(head.startsWith("HTTP/1.1 426 "), head);
            assertTrue(head.contains("Sec-WebSocket-Version: 13\r\n"), head);
            raw.readBody(contentLength(head));

            raw.send(Raw.handshake("/echo", "Sec-WebSocket-Key: c2hvcnQ=", "Sec-WebSocket-Version: 13"));
            head = raw.readHead();
            assertTrue(head.startsWith("HTTP/1.1 400 "), head);
            assertTrue(raw.readBody(contentLength(head)).contains("base64 of 16 bytes"));

            raw.send("GET /plain HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            head = raw.readHead();
            assertTrue(head.startsWith("HTTP/1.1 200 "), head);
            assertEquals("plain\n", raw.readBody(contentLength(head)));
        }
    }

    /** A request pipelined behind an upgrade is never answered as HTTP: its bytes belong to the session. */
    @Test
    void nothingBehindAnUpgradeIsClaimedAsHttp() throws IOException {
        try (Raw raw = new Raw(server.port())) {
            raw.send(concat("GET /plain HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1),
                    Raw.handshake("/echo", "Sec-WebSocket-Key: " + KEY, "Sec-WebSocket-Version: 13"),
                    "GET /plain HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)));
            String head = raw.readHead();
            assertTrue(head.startsWith("HTTP/1.1 200 "), head);
            raw.readBody(contentLength(head));
            head = raw.readHead();
            assertTrue(head.startsWith("HTTP/1.1 101 "), head);
            // "GET /plain..." read as a frame: 'G' has RSV bits set, so the session fails with 1002.
            assertEquals(CloseCodes.PROTOCOL_ERROR, raw.readCloseCode());
        }
    }

    /** A 101 with an upgrade is honoured only for a request that asks to switch; any other gets a 500. */
    @Test
    void switchingProtocolsWithoutAnUpgradeRequestIsA500() throws IOException {
        try (Raw raw = new Raw(server.port())) {
            raw.send("GET /rogue HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            String head = raw.readHead();
            assertTrue(head.startsWith("HTTP/1.1 500 "), head);
        }
        assertEquals(null, Response.switchingProtocols(Headers.of(), c -> { }).withStatus(Status.FORBIDDEN).upgrade(),
                "a copy with another status drops the upgrade");
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Integer.parseInt(line.substring(15).strip());
            }
        }
        throw new AssertionError("no Content-Length in " + head);
    }
}
