package org.concurrence.http.websocket;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.http.client.HttpClient;
import org.concurrence.http.client.InTasklets;
import org.concurrence.http.client.ScriptedServer;
import org.concurrence.http.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client's side of the protocol against a scripted server on a raw socket: handshakes and frames byte for byte. */
@Timeout(120)
class WebSocketClientProtocolTest {
    private static final Duration PATIENCE = TestServer.PATIENCE;

    /** A frame the client sent, unmasked; {@code masked} says whether it came masked. */
    record ClientFrame(int b0, boolean masked, byte[] payload) {
        int opcode() {
            return b0 & 0x0F;
        }

        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        int closeCode() {
            return ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        }
    }

    /** What a script saw or failed with: scripts run on the server's threads, the test reads this. */
    private final LinkedBlockingQueue<Object> seen = new LinkedBlockingQueue<>();

    private ScriptedServer server(ScriptedServer.Script script) {
        return new ScriptedServer((c, i) -> {
            try {
                script.serve(c, i);
            } catch (IOException | RuntimeException | Error e) {
                seen.add(e);
            }
        });
    }

    private Object next() throws InterruptedException {
        Object o = seen.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        if (o instanceof Throwable t) {
            throw new AssertionError("the script failed", t);
        }
        if (o == null) {
            throw new AssertionError("the script said nothing within " + PATIENCE);
        }
        return o;
    }

    private static URI ws(ScriptedServer server, String path) {
        return URI.create(server.uri(path).toString().replaceFirst("^http", "ws"));
    }

    private static String key(String head) {
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, "Sec-WebSocket-Key:", 0, 18)) {
                return line.substring(18).strip();
            }
        }
        throw new AssertionError("no key in " + head);
    }

    /** A valid 101 for {@code head}, with {@code extra} field lines. */
    private static String switched(String head, String... extra) {
        StringBuilder b = new StringBuilder("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Accept: " + WebSocket.acceptKey(key(head)) + "\r\n");
        for (String line : extra) {
            b.append(line).append("\r\n");
        }
        return b.append("\r\n").toString();
    }

    /** A server frame, unmasked unless {@code masked}: {@code b0} is FIN, RSV and opcode. */
    static byte[] frame(int b0, byte[] payload, boolean masked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b0);
        int maskBit = masked ? 0x80 : 0;
        if (payload.length <= 125) {
            out.write(maskBit | payload.length);
        } else {
            out.write(maskBit | 126);
            out.write(payload.length >>> 8);
            out.write(payload.length);
        }
        byte[] key = {7, 1, 2, 3};
        if (masked) {
            out.writeBytes(key);
        }
        for (int i = 0; i < payload.length; i++) {
            out.write(masked ? payload[i] ^ key[i & 3] : payload[i]);
        }
        return out.toByteArray();
    }

    static byte[] text(int b0, String text) {
        return frame(b0, text.getBytes(StandardCharsets.UTF_8), false);
    }

    static ClientFrame readFrame(ScriptedServer.Connection c) throws IOException {
        byte[] head = c.readBytes(2);
        int len = head[1] & 0x7F;
        if (len == 126) {
            byte[] ext = c.readBytes(2);
            len = ((ext[0] & 0xFF) << 8) | (ext[1] & 0xFF);
        } else if (len == 127) {
            throw new IOException("test frames are shorter");
        }
        boolean masked = (head[1] & 0x80) != 0;
        byte[] key = masked ? c.readBytes(4) : new byte[4];
        byte[] payload = c.readBytes(len);
        for (int i = 0; i < len; i++) {
            payload[i] ^= key[i & 3];
        }
        return new ClientFrame(head[0] & 0xFF, masked, payload);
    }

    @Test
    void theHandshakeOffersWhatItShouldAndBytesBehindThe101AreKept() throws Exception {
        try (ScriptedServer server = server((c, i) -> {
            String head = c.readHead();
            seen.add(head);
            // The server's first message leaves in the same write as its 101.
            c.write((switched(head, "Sec-WebSocket-Protocol: b") + new String(text(0x81, "first"),
                    StandardCharsets.ISO_8859_1)).getBytes(StandardCharsets.ISO_8859_1));
            ClientFrame close = readFrame(c);
            seen.add(close);
            c.write(frame(0x88, close.payload(), false));
            seen.add(c.closedByClient());
        });
             HttpClient http = HttpClient.create()) {
            InTasklets.run(() -> {
                for (int round = 0; round < 2; round++) {
                    try (ClientSession ws = WebSocketClient.connect(http, ws(server, "/chat?room=1"),
                            WebSocketOptions.defaults().withSubprotocols("a", "b"), PATIENCE)) {
                        assertEquals("b", ws.subprotocol());
                        assertFalse(ws.compression(), "the server accepted no extension");
                        assertEquals(new Message.Text("first"), ws.receive(PATIENCE));
                    }
                }
            });
            String[] keys = new String[2];
            for (int round = 0; round < 2; round++) {
                String head = (String) next();
                assertTrue(head.startsWith("GET /chat?room=1 HTTP/1.1\r\n"), head);
                String lower = head.toLowerCase(java.util.Locale.ROOT);
                for (String field : List.of("host: 127.0.0.1:", "upgrade: websocket\r\n", "connection: upgrade\r\n",
                        "sec-websocket-version: 13\r\n", "sec-websocket-protocol: a, b\r\n",
                        "accept-encoding: identity\r\n",
                        "sec-websocket-extensions: permessage-deflate; client_no_context_takeover;"
                                + " server_no_context_takeover\r\n")) {
                    assertTrue(lower.contains("\r\n" + field), field + " in " + head);
                }
                keys[round] = key(head);
                assertEquals(16, Base64.getDecoder().decode(keys[round]).length);
                ClientFrame close = (ClientFrame) next();
                assertTrue(close.masked(), "a client's frames are masked");
                assertEquals(0x88, close.b0());
                assertEquals(CloseCodes.NORMAL, close.closeCode());
                assertEquals(true, next(), "the client closed the connection after the close exchange");
            }
            assertNotEquals(keys[0], keys[1], "a fresh key per handshake");
        }
    }

    /** Fragments with a ping between them are reassembled; the client's pong and ping go masked. */
    @Test
    void fragmentsPingsAndPongsFromAServer() throws Exception {
        try (ScriptedServer server = server((c, i) -> {
            c.write(switched(c.readHead()));
            c.write(text(0x01, "Hel"));
            c.write(frame(0x89, "p1".getBytes(StandardCharsets.UTF_8), false));
            c.write(frame(0x00, "lo ".getBytes(StandardCharsets.UTF_8), false));
            c.write(frame(0x80, "world".getBytes(StandardCharsets.UTF_8), false));
            seen.add(readFrame(c)); // the pong
            ClientFrame ping = readFrame(c);
            seen.add(ping);
            c.write(frame(0x8A, ping.payload(), false));
            c.write(text(0x81, "after the pong"));
            ClientFrame close = readFrame(c);
            c.write(frame(0x88, close.payload(), false));
            seen.add(close);
        });
             HttpClient http = HttpClient.create()) {
            InTasklets.run(() -> {
                try (ClientSession ws = WebSocketClient.connect(http, ws(server, "/"), PATIENCE)) {
                    assertEquals(new Message.Text("Hello world"), ws.receive(PATIENCE));
                    ws.ping("c1".getBytes(StandardCharsets.UTF_8));
                    assertEquals(new Message.Text("after the pong"), ws.receive(PATIENCE));
                    ws.close(4002, "bye");
                }
            });
            ClientFrame pong = (ClientFrame) next();
            assertEquals(0x8A, pong.b0());
            assertTrue(pong.masked());
            assertEquals("p1", pong.text());
            ClientFrame ping = (ClientFrame) next();
            assertEquals(0x89, ping.b0());
            assertTrue(ping.masked());
            assertEquals("c1", ping.text());
            ClientFrame close = (ClientFrame) next();
            assertEquals(4002, close.closeCode());
            assertArrayEquals("bye".getBytes(StandardCharsets.UTF_8),
                    java.util.Arrays.copyOfRange(close.payload(), 2, close.payload().length));
        }
    }

    @Test
    void badAnswersFailTheHandshakeNamingWhatWasWrongAndCloseTheConnection() throws Exception {
        // What each connection's server answers, by the index of the connection, and what the error must say.
        List<String[]> cases = List.of(
                new String[] {"accept", "Sec-WebSocket-Accept is c2VjcmV0"},
                new String[] {"200", "refused the WebSocket handshake with 200 OK: plain page"},
                new String[] {"403", "refused the WebSocket handshake with 403 Forbidden: go away"},
                new String[] {"no-upgrade", "no Upgrade: websocket"},
                new String[] {"no-connection", "no Connection: Upgrade"},
                new String[] {"subprotocol", "subprotocol c selected; offered: a, b"},
                new String[] {"extension", "not offered"},
                new String[] {"window", "client_max_window_bits=10"},
                new String[] {"426-chunked", "refused the WebSocket handshake with 426 Upgrade Required: speak 13"});
        List<CompletableFuture<Boolean>> closed = cases.stream().map(c -> new CompletableFuture<Boolean>()).toList();
        try (ScriptedServer server = server((c, i) -> {
            String head = c.readHead();
            String accept = "Sec-WebSocket-Accept: " + WebSocket.acceptKey(key(head)) + "\r\n";
            c.write(switch (cases.get(i)[0]) {
                case "accept" -> "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Accept: c2VjcmV0\r\n\r\n";
                case "200" -> "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nplain page";
                case "403" -> "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n\r\ngo away\n"; // to the close
                case "no-upgrade" -> "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n" + accept + "\r\n";
                case "no-connection" -> "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n" + accept
                        + "\r\n";
                case "subprotocol" -> switched(head, "Sec-WebSocket-Protocol: c");
                case "extension" -> switched(head, "Sec-WebSocket-Extensions: x-webkit-frame");
                case "window" -> switched(head, "Sec-WebSocket-Extensions: permessage-deflate;"
                        + " server_no_context_takeover; client_max_window_bits=10");
                default -> "HTTP/1.1 426 Upgrade Required\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "8\r\nspeak 13\r\n0\r\n\r\n";
            });
            if (cases.get(i)[0].equals("403")) {
                c.socket.shutdownOutput(); // its body ends with the connection
            }
            closed.get(i).complete(c.closedByClient());
        });
             HttpClient http = HttpClient.create()) {
            InTasklets.run(() -> {
                for (String[] expected : cases) {
                    WebSocketHandshakeException e = assertThrows(WebSocketHandshakeException.class,
                            () -> WebSocketClient.connect(http, ws(server, "/"),
                                    WebSocketOptions.defaults().withSubprotocols("a", "b"), PATIENCE),
                            expected[0]);
                    assertTrue(e.getMessage().contains(expected[1]), expected[0] + ": " + e.getMessage());
                    assertEquals(switch (expected[0]) {
                        case "200" -> 200;
                        case "403" -> 403;
                        case "426-chunked" -> 426;
                        default -> 101;
                    }, e.status(), expected[0]);
                }
            });
            for (int i = 0; i < cases.size(); i++) {
                assertTrue(closed.get(i).get(PATIENCE.toSeconds(), TimeUnit.SECONDS),
                        cases.get(i)[0] + ": the client closed the connection");
            }
        }
    }

    @Test
    void aServerThatNeverAnswersTimesTheHandshakeOut() throws Exception {
        try (ScriptedServer server = server((c, i) -> {
            c.readHead();
            seen.add(c.closedByClient()); // says nothing
        });
             HttpClient http = HttpClient.create()) {
            InTasklets.run(() -> {
                DeadlineExceededException e = assertThrows(DeadlineExceededException.class,
                        () -> WebSocketClient.connect(http, ws(server, "/silent"), Duration.ofMillis(300)));
                assertTrue(e.getMessage().contains("waiting for the answer's head from"), e.getMessage());
            });
            assertEquals(true, next(), "the client closed the connection");
        }
    }

    /** What the client's first receive throws against {@code script}'s server; the session is closed by then. */
    private WebSocketClosedException firstReceiveFails(ScriptedServer.Script script) {
        AtomicReference<WebSocketClosedException> failure = new AtomicReference<>();
        try (ScriptedServer server = server(script);
             HttpClient http = HttpClient.create()) {
            InTasklets.run(() -> {
                try (ClientSession ws = WebSocketClient.connect(http, ws(server, "/"), PATIENCE)) {
                    failure.set(assertThrows(WebSocketClosedException.class, () -> ws.receive(PATIENCE)));
                    assertTrue(ws.isClosed());
                }
            });
        }
        return failure.get();
    }

    @Test
    void aMaskedServerFrameFailsWith1002AndTheClientCloses() throws Exception {
        WebSocketClosedException e = firstReceiveFails((c, i) -> {
            c.write(switched(c.readHead()));
            c.write(frame(0x81, "sneaky".getBytes(StandardCharsets.UTF_8), true));
            seen.add(readFrame(c));
            seen.add(c.closedByClient());
        });
        assertEquals(CloseCodes.PROTOCOL_ERROR, e.code());
        assertEquals("server frame masked", e.reason());
        assertFalse(e.byPeer());
        ClientFrame close = (ClientFrame) next();
        assertEquals(0x88, close.b0());
        assertEquals(CloseCodes.PROTOCOL_ERROR, close.closeCode());
        assertEquals(true, next(), "the client closed the connection");
    }

    @Test
    void aConnectionThatEndsWithoutACloseIs1006() throws Exception {
        WebSocketClosedException e = firstReceiveFails((c, i) -> {
            c.write(switched(c.readHead()));
            c.socket.shutdownOutput();
            seen.add(c.closedByClient());
        });
        assertEquals(CloseCodes.ABNORMAL, e.code());
        assertTrue(e.byPeer());
        assertEquals(true, next(), "the client closed the connection");
    }
}
