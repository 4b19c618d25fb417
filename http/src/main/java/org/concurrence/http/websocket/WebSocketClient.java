package org.concurrence.http.websocket;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Timeout;
import org.concurrence.http.Headers;
import org.concurrence.http.Method;
import org.concurrence.http.client.ClientRequest;
import org.concurrence.http.client.ClientUpgrade;
import org.concurrence.http.client.HttpClient;
import org.concurrence.io.BufferedSource;

/**
 * Opens WebSocket sessions as a client (RFC 6455 §4.1), through an {@link HttpClient}'s connect and TLS options:
 *
 * <pre>{@code
 * try (ClientSession ws = WebSocketClient.connect(http, URI.create("wss://example.com/chat"),
 *         WebSocketOptions.defaults().withSubprotocols("chat.v2"), Duration.ofSeconds(5))) {
 *     ws.send("hello");
 *     if (ws.receive(Duration.ofSeconds(10)) instanceof Message.Text t) { ... }
 * }
 * }</pre>
 *
 * <p>The opening handshake is a GET on a connection of its own ({@link HttpClient#upgrade}) with {@code Upgrade:
 * websocket}, {@code Connection: Upgrade}, {@code Sec-WebSocket-Version: 13}, a fresh random {@code Sec-WebSocket-Key},
 * the {@linkplain WebSocketOptions#subprotocols() subprotocols} offered, and {@code permessage-deflate} offered when
 * {@linkplain WebSocketOptions#compression() compression} is on (without context takeover either way). The answer
 * must be a 101 with {@code Upgrade: websocket}, {@code Connection: Upgrade}, the {@code Sec-WebSocket-Accept} that
 * proves the server read the key, at most one subprotocol and only one that was offered, and no extension but
 * permessage-deflate with parameters the client can honour; else the connection is closed and {@link
 * WebSocketHandshakeException} names what was wrong (for a refusal, with its status and the start of its body).
 *
 * <p>Blocking: {@code connect} parks the calling tasklet, connecting, handshaking (TLS for {@code wss}) and reading the
 * answer within the timeout given and the tasklet's deadline. Thread-safety: stateless; any tasklet may call it (not
 * a plain thread: sockets need a tasklet). The session it returns belongs to the caller's dispatcher.
 */
public final class WebSocketClient {
    /** The most bytes of a refusal's body kept as text in the {@link WebSocketHandshakeException}. */
    public static final int MAX_REFUSAL_TEXT = 1024;
    /** The fields the handshake sets itself, which the caller's may not. */
    private static final List<String> HANDSHAKE_FIELDS = List.of("Upgrade", "Connection", "Sec-WebSocket-Key",
            "Sec-WebSocket-Version", "Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions", "Sec-WebSocket-Accept");
    /** Made once: a key is a nonce the server must not guess (RFC 6455 §4.1 asks for a random one per handshake). */
    private static final SecureRandom KEYS = new SecureRandom();

    private WebSocketClient() {}

    /** {@link #connect(HttpClient, URI, WebSocketOptions, Headers, Duration)} with the defaults and no extra fields. */
    public static ClientSession connect(HttpClient client, URI uri, Duration timeout) throws IOException {
        return connect(client, uri, WebSocketOptions.defaults(), new Headers(0), timeout);
    }

    /** {@link #connect(HttpClient, URI, WebSocketOptions, Headers, Duration)} with no extra fields. */
    public static ClientSession connect(HttpClient client, URI uri, WebSocketOptions options, Duration timeout)
            throws IOException {
        return connect(client, uri, options, new Headers(0), timeout);
    }

    /**
     * Opens a session with the server at {@code uri}; see the class comment.
     *
     * @param client  whose TLS options (for {@code wss}), User-Agent and head limits the handshake uses; its pool is
     *                not (the connection is the session's alone) and nothing is retried or redirected
     * @param uri     {@code ws://host[:port]/path[?query]} or {@code wss://...}, without a fragment
     * @param options the subprotocols to offer, compression, and the session's limits and timeouts
     * @param headers extra fields for the handshake ({@code Origin}, {@code Authorization}, {@code Cookie}...); not
     *                the ones the handshake sets itself
     * @param timeout the longest the whole handshake may take (and never past the tasklet's deadline)
     * @throws WebSocketHandshakeException if the server refused or answered wrongly; the connection is closed
     * @throws DeadlineExceededException   if the handshake did not finish in time (naming the step and the origin)
     * @throws IOException                 if the server could not be reached or the connection failed
     * @throws IllegalArgumentException    if the URI is not a WebSocket one, or {@code headers} sets a handshake field
     * @throws IllegalStateException       if not called from a tasklet
     */
    public static ClientSession connect(HttpClient client, URI uri, WebSocketOptions options, Headers headers,
            Duration timeout) throws IOException {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(timeout, "timeout");
        String key = newKey();
        ClientRequest request = new ClientRequest(Method.GET, httpUri(uri), handshake(headers, options, key),
                ClientRequest.Body.empty());
        try (Timeout _ = Timeout.after(timeout)) {
            ClientUpgrade upgrade = client.upgrade(request, timeout);
            try {
                Negotiated negotiated = check(uri, upgrade, key, options);
                return new ClientSession(uri, upgrade, options, negotiated.subprotocol(), negotiated.deflate());
            } catch (IOException | RuntimeException | Error e) {
                upgrade.close();
                throw e;
            }
        }
    }

    /** The http(s) URI the handshake is sent to: {@code ws} becomes {@code http}, {@code wss} {@code https}. */
    private static URI httpUri(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("ws") && !scheme.equals("wss")) {
            throw new IllegalArgumentException("a WebSocket URI is ws:// or wss://, not " + uri);
        }
        if (uri.getRawFragment() != null) {
            throw new IllegalArgumentException("a WebSocket URI has no fragment (RFC 6455 §3): " + uri);
        }
        String text = uri.toString();
        return URI.create((scheme.equals("wss") ? "https" : "http") + text.substring(text.indexOf(':')));
    }

    private static String newKey() {
        byte[] nonce = new byte[16];
        KEYS.nextBytes(nonce);
        return Base64.getEncoder().encodeToString(nonce);
    }

    /** The handshake's fields: the caller's extras, then the WebSocket ones. */
    private static Headers handshake(Headers extra, WebSocketOptions options, String key) {
        for (String name : HANDSHAKE_FIELDS) {
            if (extra.contains(name)) {
                throw new IllegalArgumentException("the handshake sets " + name + " itself (subprotocols and"
                        + " compression are in WebSocketOptions)");
            }
        }
        Headers fields = Headers.copyOf(extra).add("Upgrade", "websocket").add("Connection", "Upgrade")
                .add("Sec-WebSocket-Version", "13").add("Sec-WebSocket-Key", key);
        // A refusal's body is read as sent, never decoded: the client's default gzip offer must not go with it.
        fields.setIfAbsent("Accept-Encoding", "identity");
        if (!options.subprotocols().isEmpty()) {
            fields.add("Sec-WebSocket-Protocol", String.join(", ", options.subprotocols()));
        }
        if (options.compression()) {
            fields.add("Sec-WebSocket-Extensions", PerMessageDeflate.OFFER);
        }
        return fields;
    }

    /** What the server selected: a subprotocol (or null), and whether permessage-deflate is in use. */
    private record Negotiated(String subprotocol, boolean deflate) {}

    /** Checks the answer (RFC 6455 §4.1, the client's steps 1 to 6) and returns what it selected. */
    private static Negotiated check(URI uri, ClientUpgrade upgrade, String key, WebSocketOptions options)
            throws IOException {
        if (!upgrade.switched()) {
            String text = refusalText(upgrade);
            throw new WebSocketHandshakeException(uri + ": the server refused the WebSocket handshake with "
                    + upgrade.status() + (text.isEmpty() ? "" : ": " + text), upgrade.status().code(), text);
        }
        Headers answer = upgrade.headers();
        String expected = WebSocket.acceptKey(key);
        String accept = answer.get("Sec-WebSocket-Accept");
        List<String> subprotocols = answer.all("Sec-WebSocket-Protocol");
        String wrong;
        if (!answer.containsToken("Upgrade", "websocket")) {
            wrong = "no Upgrade: websocket (Upgrade: " + answer.get("Upgrade") + ")";
        } else if (!answer.containsToken("Connection", "upgrade")) {
            wrong = "no Connection: Upgrade (Connection: " + answer.get("Connection") + ")";
        } else if (accept == null || !accept.strip().equals(expected)) {
            wrong = "Sec-WebSocket-Accept is " + accept + ", not " + expected;
        } else if (subprotocols.size() > 1 || subprotocols.size() == 1
                && !options.subprotocols().contains(subprotocols.getFirst().strip())) {
            wrong = "subprotocol " + String.join(", ", subprotocols) + " selected; offered: "
                    + (options.subprotocols().isEmpty() ? "none" : String.join(", ", options.subprotocols()));
        } else if (!options.compression() && answer.contains("Sec-WebSocket-Extensions")) {
            wrong = "extensions accepted though none was offered: " + answer.get("Sec-WebSocket-Extensions");
        } else {
            try {
                boolean deflate = PerMessageDeflate.accepted(answer.all("Sec-WebSocket-Extensions"));
                return new Negotiated(subprotocols.isEmpty() ? null : subprotocols.getFirst().strip(), deflate);
            } catch (IllegalArgumentException e) {
                wrong = e.getMessage();
            }
        }
        throw new WebSocketHandshakeException(uri + ": the server's answer to the WebSocket handshake is invalid: "
                + wrong, 101, "");
    }

    /**
     * The start of a refusal's body as text, read as its fields frame it (the first chunk of a chunked one), at most
     * {@link #MAX_REFUSAL_TEXT} bytes, under the handshake's deadline; empty if there is none or it does not come.
     */
    private static String refusalText(ClientUpgrade upgrade) {
        Headers answer = upgrade.headers();
        BufferedSource in = upgrade.input();
        try {
            byte[] bytes;
            if (answer.containsToken("Transfer-Encoding", "chunked")) {
                String size = in.readLine(StandardCharsets.ISO_8859_1).strip();
                int semicolon = size.indexOf(';');
                long length = Long.parseLong(semicolon < 0 ? size : size.substring(0, semicolon).strip(), 16);
                bytes = in.readExactly((int) Math.clamp(length, 0, MAX_REFUSAL_TEXT));
            } else if (answer.contains("Content-Length")) {
                long length = Long.parseLong(answer.get("Content-Length").strip());
                bytes = in.readExactly((int) Math.clamp(length, 0, MAX_REFUSAL_TEXT));
            } else {
                bytes = untilEnd(in);
            }
            return new String(bytes, StandardCharsets.UTF_8).strip();
        } catch (IOException | DeadlineExceededException | NumberFormatException e) {
            return "";
        }
    }

    /** A body delimited by the connection's end: up to {@link #MAX_REFUSAL_TEXT} bytes of it. */
    private static byte[] untilEnd(BufferedSource in) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(MAX_REFUSAL_TEXT);
        while (buffer.hasRemaining() && in.read(buffer) >= 0) {
            // Reads until the end of the stream or the limit.
        }
        return Arrays.copyOf(buffer.array(), buffer.position());
    }
}
