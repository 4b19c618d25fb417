package org.concurrence.http.websocket;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Timeout;
import org.concurrence.http.Request;
import org.concurrence.http.Response;

/**
 * One WebSocket session, server side, over the connection of its opening handshake.
 *
 * <p><b>Receiving.</b> {@link #receive()} returns the next whole message (fragments reassembled); on the way it
 * answers pings with pongs and drops pongs. When the client closes, it answers with a close echoing the code and
 * throws {@link WebSocketClosedException} ({@code byPeer()} true, with the client's code and reason); when the client
 * breaks the protocol, it sends a close (1002 protocol error, 1007 text not UTF-8, 1009 message too big) and throws
 * {@link WebSocketClosedException} with that code; when the connection ends without a close, it throws one with 1006.
 * Once closed, every receive and send throws it. When the server {@linkplain
 * org.concurrence.http.server.HttpServer#stop stops}, the session sends a close with 1001 ("server stopping") and
 * ends with the client's answer as above; a send after that close throws {@link WebSocketClosedException}.
 *
 * <p><b>Sending.</b> {@link #send(String)}, {@link #send(byte[])}, {@link #ping(byte[])}: one unfragmented frame each,
 * compressed if permessage-deflate was negotiated and that pays (see {@link WebSocketOptions#compression()}), written
 * whole before the call returns; sends from several tasklets are serialised, and may run while another
 * tasklet receives.
 *
 * <p><b>Blocking and timeouts.</b> {@link #receive()} waits at most the server's idle timeout, {@link
 * #receive(Duration)} at most the time given (and never past the caller's deadline), then throws {@link
 * DeadlineExceededException} and the session goes on (nothing of a partly read frame is lost). A send waits at most
 * the server's write timeout for the client to take the frame; if it times out or fails, the connection is unusable.
 * {@link #close(int, String)} waits at most {@link WebSocketOptions#closeTimeout()} for the client's close.
 *
 * <p><b>Thread-safety.</b> Confined to the connection's dispatcher: any tasklet of it may send and close; one at a time
 * receives (a second receiver gets {@link IllegalStateException}).
 */
public final class Session {
    private static final String SERVER_STOPPING = "server stopping";
    private final Response.UpgradedConnection connection;
    private final Request request;
    private final WebSocketOptions options;
    private final String subprotocol;
    private final FrameReader reader;
    private final FrameWriter writer;
    /** The message being reassembled from fragments: its opcode, or -1 when none is. */
    private int messageOpcode = -1;
    /** Whether the message being reassembled is compressed (its first frame had RSV1). */
    private boolean messageCompressed;
    /** permessage-deflate was negotiated: messages may arrive compressed, and long ones leave so. */
    private final boolean deflate;
    private final ByteArrayOutputStream fragments = new ByteArrayOutputStream();
    private volatile boolean reading;
    private volatile boolean closeSent;
    private int sentCode;
    private String sentReason = "";
    /** Set once the session is over: what every later call throws. */
    private volatile WebSocketClosedException closed;

    Session(Response.UpgradedConnection connection, Request request, WebSocketOptions options, String subprotocol,
            boolean deflate) {
        this.connection = connection;
        this.request = request;
        this.options = options;
        this.subprotocol = subprotocol;
        this.deflate = deflate;
        this.reader = new FrameReader(connection, options.maxMessageSize(), deflate);
        this.writer = new FrameWriter(connection);
        connection.onServerStop(this::serverStopping);
    }

    /**
     * The server stops: a close with 1001 goes out (unless one has), and the session ends when the client answers —
     * a receiving handler sees that answer as a {@link WebSocketClosedException}, a sending one gets it from its next
     * send — or when the stop's grace ends.
     */
    private void serverStopping() {
        if (closed != null) {
            return;
        }
        try {
            sendCloseOnce(CloseCodes.GOING_AWAY, SERVER_STOPPING, closePayload(CloseCodes.GOING_AWAY, SERVER_STOPPING));
        } catch (IOException | DeadlineExceededException e) {
            end(new WebSocketClosedException(CloseCodes.ABNORMAL, "close failed: " + e.getMessage(), false));
        }
    }

    /** The opening handshake's request: its path, query, headers (cookies), attributes. */
    public Request request() {
        return request;
    }

    /** The subprotocol selected in the handshake, or null if none. */
    public String subprotocol() {
        return subprotocol;
    }

    /** The client's address. */
    public SocketAddress remoteAddress() {
        return connection.remoteAddress();
    }

    /** Whether the session is over (a close was exchanged or failed); sends throw then. */
    public boolean isClosed() {
        return closed != null;
    }

    /** The next message, waiting at most the server's idle timeout; see the class comment for a close. */
    public Message receive() throws IOException {
        return receive(connection.idleTimeout());
    }

    /**
     * The next message, waiting at most {@code timeout} (null: only the caller's deadline).
     *
     * @throws WebSocketClosedException  if the session is closed (by the client, for a protocol error, or before)
     * @throws DeadlineExceededException if no whole message came in time; the session goes on
     * @throws IOException               if the connection failed
     */
    public Message receive(Duration timeout) throws IOException {
        WebSocketClosedException c = closed;
        if (c != null) {
            throw again(c);
        }
        if (reading) {
            throw new IllegalStateException("another tasklet is already receiving on this session");
        }
        reading = true;
        try (Timeout _ = timeout == null ? null : Timeout.after(timeout)) {
            return nextMessage();
        } catch (ProtocolError e) {
            throw fail(e.code, e.getMessage());
        } finally {
            reading = false;
        }
    }

    private Message nextMessage() throws IOException, ProtocolError {
        while (true) {
            Frame frame = reader.next(fragments.size());
            if (frame == null) {
                throw end(new WebSocketClosedException(CloseCodes.ABNORMAL, "connection ended without a close frame",
                        true));
            }
            switch (frame.opcode()) {
                case Frame.PING -> {
                    if (!closeSent) {
                        writer.write(Frame.PONG, frame.payload());
                    }
                }
                case Frame.PONG -> { }
                case Frame.CLOSE -> throw peerClosed(frame.payload());
                case Frame.TEXT, Frame.BINARY -> {
                    if (messageOpcode != -1) {
                        throw new ProtocolError(CloseCodes.PROTOCOL_ERROR,
                                "a new message began before the fragmented one ended");
                    }
                    if (frame.fin()) {
                        return message(frame.opcode(), frame.payload(), frame.compressed());
                    }
                    messageOpcode = frame.opcode();
                    messageCompressed = frame.compressed();
                    fragments.writeBytes(frame.payload());
                }
                default -> { // CONTINUATION
                    if (messageOpcode == -1) {
                        throw new ProtocolError(CloseCodes.PROTOCOL_ERROR, "a continuation frame with no message");
                    }
                    fragments.writeBytes(frame.payload());
                    if (frame.fin()) {
                        byte[] whole = fragments.toByteArray();
                        int opcode = messageOpcode;
                        fragments.reset();
                        messageOpcode = -1;
                        return message(opcode, whole, messageCompressed);
                    }
                }
            }
        }
    }

    private Message message(int opcode, byte[] payload, boolean compressed) throws ProtocolError {
        if (compressed) {
            payload = PerMessageDeflate.decompress(payload, options.maxMessageSize());
        }
        return opcode == Frame.TEXT ? new Message.Text(utf8(payload)) : new Message.Binary(payload);
    }

    private static String utf8(byte[] bytes) throws ProtocolError {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolError(CloseCodes.INVALID_DATA, "text is not valid UTF-8");
        }
    }

    /** The client's close: checked, echoed (unless the server's close went first), and the session is over. */
    private WebSocketClosedException peerClosed(byte[] payload) throws ProtocolError {
        int code = CloseCodes.NO_STATUS;
        String reason = "";
        if (payload.length == 1) {
            throw new ProtocolError(CloseCodes.PROTOCOL_ERROR, "close frame with a 1-byte payload");
        }
        if (payload.length >= 2) {
            code = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
            if (!CloseCodes.isSendable(code)) {
                throw new ProtocolError(CloseCodes.PROTOCOL_ERROR, "invalid close code " + code);
            }
            reason = utf8(java.util.Arrays.copyOfRange(payload, 2, payload.length));
        }
        try {
            sendCloseOnce(code, "", code == CloseCodes.NO_STATUS ? new byte[0] : closePayload(code, ""));
        } catch (IOException | DeadlineExceededException e) {
            // The client closes anyway.
        }
        return end(new WebSocketClosedException(code, reason, true));
    }

    /** The client broke the protocol: a close with {@code code}, no wait for its answer, and the session is over. */
    private WebSocketClosedException fail(int code, String reason) {
        try {
            sendCloseOnce(code, reason, closePayload(code, reason));
        } catch (IOException | DeadlineExceededException e) {
            // Failing anyway.
        }
        return end(new WebSocketClosedException(code, reason, false));
    }

    /** Sends the session's one close frame, unless one went out already (the code and reason are kept for sends). */
    private void sendCloseOnce(int code, String reason, byte[] payload) throws IOException {
        if (closeSent) {
            return;
        }
        closeSent = true;
        sentCode = code;
        sentReason = reason;
        writer.write(Frame.CLOSE, payload);
    }

    private WebSocketClosedException end(WebSocketClosedException e) {
        if (closed == null) {
            closed = e;
        }
        return e;
    }

    private static WebSocketClosedException again(WebSocketClosedException c) {
        return new WebSocketClosedException(c.code(), c.reason(), c.byPeer());
    }

    /** Sends a text message. */
    public void send(String text) throws IOException {
        Objects.requireNonNull(text, "text");
        sendFrame(Frame.TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends a binary message; {@code bytes} is not copied (do not change it until this returns). */
    public void send(byte[] bytes) throws IOException {
        sendFrame(Frame.BINARY, Objects.requireNonNull(bytes, "bytes"));
    }

    /** Sends a ping with {@code payload} (at most 125 bytes); the client's pong is dropped by {@link #receive()}. */
    public void ping(byte[] payload) throws IOException {
        if (payload.length > 125) {
            throw new IllegalArgumentException("a ping carries at most 125 bytes, not " + payload.length);
        }
        sendFrame(Frame.PING, payload);
    }

    private void sendFrame(int opcode, byte[] payload) throws IOException {
        WebSocketClosedException c = closed;
        if (c != null) {
            throw again(c);
        }
        if (closeSent) {
            throw new WebSocketClosedException(sentCode, sentReason, false);
        }
        if (deflate && opcode != Frame.PING) {
            byte[] compressed = PerMessageDeflate.compress(payload);
            if (compressed != null) {
                writer.write(opcode, compressed, true);
                return;
            }
        }
        writer.write(opcode, payload);
    }

    /**
     * Closes the session with {@code code} (see {@link CloseCodes#isSendable}) and {@code reason} (at most 123 bytes
     * of UTF-8): sends a close frame, then, unless another tasklet is receiving (it will see the client's answer),
     * waits at most {@link WebSocketOptions#closeTimeout()} for the client's close, dropping messages that come
     * before it. Does nothing if the session is closed already; never throws for the connection's failure.
     */
    public void close(int code, String reason) {
        if (!CloseCodes.isSendable(code)) {
            throw new IllegalArgumentException("close code " + code + " may not be sent (1000-1003, 1007-1014,"
                    + " 3000-4999)");
        }
        byte[] payload = closePayload(code, reason);
        if (payload.length > 125) {
            throw new IllegalArgumentException("a close reason is at most 123 bytes of UTF-8: " + reason);
        }
        if (closed != null) {
            return;
        }
        try {
            sendCloseOnce(code, reason, payload);
        } catch (IOException | DeadlineExceededException e) {
            end(new WebSocketClosedException(CloseCodes.ABNORMAL, "close failed: " + e.getMessage(), false));
            return;
        }
        if (reading) {
            return;
        }
        reading = true;
        try (Timeout _ = Timeout.after(options.closeTimeout())) {
            Frame frame;
            do {
                frame = reader.next(0);
            } while (frame != null && frame.opcode() != Frame.CLOSE);
        } catch (IOException | ProtocolError | DeadlineExceededException e) {
            // No proper answer in time: the connection ends all the same.
        } finally {
            reading = false;
        }
        end(new WebSocketClosedException(code, reason, false));
    }

    private static byte[] closePayload(int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[2 + text.length];
        payload[0] = (byte) (code >>> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, text.length);
        return payload;
    }

    /** After the handler: closes with 1000, 1011 if it threw, 1001 if a receive timed out and it let that out. */
    void finish(Throwable failure) {
        if (closed != null) {
            return;
        }
        if (failure == null) {
            close(CloseCodes.NORMAL, "");
        } else if (failure instanceof DeadlineExceededException) {
            close(CloseCodes.GOING_AWAY, "timed out");
        } else {
            close(CloseCodes.INTERNAL_ERROR, "internal error");
        }
    }

    @Override
    public String toString() {
        return "WebSocket session " + request.path() + " with " + remoteAddress();
    }
}
