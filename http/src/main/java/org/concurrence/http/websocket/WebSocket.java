package org.concurrence.http.websocket;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.TaskletExit;
import org.concurrence.http.Headers;
import org.concurrence.http.HttpException;
import org.concurrence.http.Method;
import org.concurrence.http.Request;
import org.concurrence.http.Response;
import org.concurrence.http.Status;
import org.concurrence.http.Version;

/**
 * Accepts WebSocket opening handshakes (RFC 6455 §4.2): a handler answers an upgrade request with
 *
 * <pre>{@code
 * return WebSocket.accept(request, session -> {
 *     while (true) {
 *         switch (session.receive()) {         // throws WebSocketClosedException when the client closes
 *             case Message.Text t -> session.send(t.text());
 *             case Message.Binary b -> session.send(b.bytes());
 *         }
 *     }
 * });
 * }</pre>
 *
 * <p>{@link #accept} checks the handshake now, in the handler (a failure is an {@link HttpException}: 400 naming what
 * is wrong, 426 with {@code Sec-WebSocket-Version: 13} for another version or a request that does not ask for
 * WebSocket, 403 for a page of an origin {@link WebSocketOptions#origins()} does not list), and returns the 101
 * response; the server writes it, then runs the {@link SessionHandler} on the
 * connection's tasklet with a {@link Session}, and ends the connection when it returns. The one extension accepted
 * is {@code permessage-deflate} (see {@link WebSocketOptions#compression()}).
 * Works over HTTPS as over HTTP. The client side is {@link WebSocketClient}.
 *
 * <p>Thread-safety: stateless; callable from any tasklet.
 */
public final class WebSocket {
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    /** 426: the client must switch to a protocol (here WebSocket 13) the server speaks. */
    public static final Status UPGRADE_REQUIRED = new Status(426, "Upgrade Required");
    private static final System.Logger LOG = System.getLogger(WebSocket.class.getName());
    private static final MessageDigest SHA1 = sha1();

    private WebSocket() {}

    /** {@link #accept(Request, WebSocketOptions, SessionHandler)} with {@link WebSocketOptions#defaults()}. */
    public static Response accept(Request request, SessionHandler handler) {
        return accept(request, WebSocketOptions.defaults(), handler);
    }

    /**
     * Checks {@code request}'s opening handshake and returns the 101 that switches the connection to a WebSocket
     * session run by {@code handler}.
     *
     * @throws HttpException 400 or 426 if the request is not a valid WebSocket 13 opening handshake
     */
    public static Response accept(Request request, WebSocketOptions options, SessionHandler handler) {
        if (request.method() != Method.GET) {
            throw new HttpException(Status.BAD_REQUEST, "a WebSocket handshake is a GET, not " + request.method());
        }
        if (request.version() != Version.HTTP_1_1) {
            throw new HttpException(Status.BAD_REQUEST, "a WebSocket handshake needs HTTP/1.1");
        }
        if (!request.headers().containsToken("Upgrade", "websocket")) {
            throw new HandshakeException(UPGRADE_REQUIRED, "this resource speaks WebSocket: send Upgrade: websocket");
        }
        if (!request.headers().containsToken("Connection", "upgrade")) {
            throw new HttpException(Status.BAD_REQUEST, "a WebSocket handshake needs Connection: Upgrade");
        }
        String version = request.header("Sec-WebSocket-Version");
        if (!"13".equals(version == null ? null : version.strip())) {
            throw new HandshakeException(UPGRADE_REQUIRED, version == null ? "Sec-WebSocket-Version is missing"
                    : "Sec-WebSocket-Version " + version + " is not supported; 13 is");
        }
        String key = request.header("Sec-WebSocket-Key");
        if (key == null) {
            throw new HttpException(Status.BAD_REQUEST, "Sec-WebSocket-Key is missing");
        }
        key = key.strip();
        if (!isNonce(key)) {
            throw new HttpException(Status.BAD_REQUEST, "Sec-WebSocket-Key is not the base64 of 16 bytes: " + key);
        }
        if (request.headers().contains("Content-Length") || request.headers().contains("Transfer-Encoding")) {
            throw new HttpException(Status.BAD_REQUEST, "a WebSocket handshake has no body");
        }
        String origin = request.header("Origin");
        if (origin != null && !options.origins().isEmpty()
                && !options.origins().contains(origin.strip().toLowerCase(Locale.ROOT))) {
            throw new HttpException(Status.FORBIDDEN, "pages of " + origin + " may not open a WebSocket here");
        }
        String subprotocol = select(request.headers(), options);
        Headers headers = Headers.of("Upgrade", "websocket", "Connection", "Upgrade",
                "Sec-WebSocket-Accept", acceptKey(key));
        if (subprotocol != null) {
            headers.set("Sec-WebSocket-Protocol", subprotocol);
        }
        String extensions = options.compression() ? PerMessageDeflate.response(request.headers()) : null;
        boolean deflate = extensions != null;
        if (deflate) {
            headers.set("Sec-WebSocket-Extensions", extensions);
        }
        return Response.switchingProtocols(headers, connection -> run(
                new Session(connection, request, options, subprotocol, deflate), handler));
    }

    private static void run(Session session, SessionHandler handler) {
        Throwable failure = null;
        try {
            handler.handle(session);
        } catch (TaskletExit e) {
            throw e;
        } catch (Exception | Error e) {
            failure = e;
            if (!(e instanceof WebSocketClosedException) && !(e instanceof DeadlineExceededException)) {
                LOG.log(System.Logger.Level.WARNING, session + " failed; closed with 1011", e);
            }
        }
        session.finish(failure instanceof WebSocketClosedException ? null : failure);
    }

    private static boolean isNonce(String key) {
        try {
            return key.length() == 24 && Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The server's first subprotocol the client offers, or null. */
    private static String select(Headers headers, WebSocketOptions options) {
        for (String mine : options.subprotocols()) {
            if (headers.containsToken("Sec-WebSocket-Protocol", mine)) {
                return mine;
            }
        }
        return null;
    }

    /** {@code Sec-WebSocket-Accept} for {@code key}: base64(SHA-1(key + GUID)). */
    static String acceptKey(String key) {
        MessageDigest sha1;
        try {
            sha1 = (MessageDigest) SHA1.clone();
        } catch (CloneNotSupportedException e) {
            sha1 = sha1();
        }
        byte[] digest = sha1.digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
        return Base64.getEncoder().encodeToString(digest);
    }

    /**
     * A fresh SHA-1 digest. Looked up once and cloned per handshake: {@code MessageDigest.getInstance} leaves a
     * {@code ThreadLocal} entry (the provider's last service key) on the calling thread, which on a connection's
     * tasklet would stay for the whole WebSocket session.
     */
    private static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JDK", e);
        }
    }

    /** A refused handshake whose answer names the version the server speaks. */
    private static final class HandshakeException extends HttpException {
        private static final long serialVersionUID = 1L;

        HandshakeException(Status status, String message) {
            super(status, message);
        }

        @Override
        public Response toResponse() {
            return super.toResponse().withHeader("Sec-WebSocket-Version", "13").withHeader("Upgrade", "websocket");
        }
    }
}
