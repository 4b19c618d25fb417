package org.concurrence.http.websocket;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Timeout;

/**
 * One end of a WebSocket session, in either role: a server's {@link Session} or a client's {@link ClientSession}. The
 * roles share all of this; they differ in the frames' masking (a client masks what it sends, a server what it
 * receives) and in who closes the connection after the close handshake (the client, at once; the server when its
 * session handler returns).
 *
 * <p><b>Receiving.</b> {@link #receive()} returns the next whole message (fragments reassembled); on the way it
 * answers pings with pongs and drops pongs. When the peer closes, it answers with a close echoing the code and throws
 * {@link WebSocketClosedException} ({@code byPeer()} true, with the peer's code and reason); when the peer breaks the
 * protocol, it sends a close (1002 protocol error, 1007 text not UTF-8, 1009 message too big) and throws
 * {@link WebSocketClosedException} with that code; when the connection ends without a close, it throws one with 1006.
 * Once closed, every receive and send throws it.
 *
 * <p><b>Sending.</b> {@link #send(String)}, {@link #send(byte[])}, {@link #ping(byte[])}: one unfragmented frame each,
 * compressed if permessage-deflate was negotiated and that pays (see {@link WebSocketOptions#compression()}), written
 * whole before the call returns; sends from several tasklets are serialised, and may run while another tasklet
 * receives.
 *
 * <p><b>Blocking and timeouts.</b> {@link #receive()} waits at most the role's idle bound (see the subclass), {@link
 * #receive(Duration)} at most the time given (and never past the caller's deadline), then throws {@link
 * DeadlineExceededException} and the session goes on (nothing of a partly read frame is lost). A send waits at most
 * the role's write timeout, or the time given, for the peer to take the frame; if it times out or fails, the
 * connection is unusable. {@link #close(int, String)} waits at most {@link WebSocketOptions#closeTimeout()} for the
 * peer's close.
 *
 * <p><b>Thread-safety.</b> Confined to the connection's dispatcher: any tasklet of it may send and close; one at a time
 * receives (a second receiver gets {@link IllegalStateException}).
 */
public abstract sealed class Endpoint permits Session, ClientSession {
    private final Transport transport;
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

    Endpoint(Transport transport, Role role, WebSocketOptions options, String subprotocol, boolean deflate) {
        this.transport = transport;
        this.options = options;
        this.subprotocol = subprotocol;
        this.deflate = deflate;
        this.reader = new FrameReader(transport.input(), role, options.maxMessageSize(), deflate);
        this.writer = new FrameWriter(transport.output(), role);
    }

    /** The subprotocol selected in the handshake, or null if none. */
    public String subprotocol() {
        return subprotocol;
    }

    /** Whether permessage-deflate was negotiated in the handshake. */
    public boolean compression() {
        return deflate;
    }

    /** The peer's address. */
    public SocketAddress remoteAddress() {
        return transport.remoteAddress();
    }

    /** Whether the session is over (a close was exchanged or failed); sends throw then. */
    public boolean isClosed() {
        return closed != null;
    }

    /** The next message, waiting at most the role's idle bound; see the class comment for a close. */
    public Message receive() throws IOException {
        return receive(transport.idleTimeout());
    }

    /**
     * The next message, waiting at most {@code timeout} (null: only the caller's deadline).
     *
     * @throws WebSocketClosedException  if the session is closed (by the peer, for a protocol error, or before)
     * @throws DeadlineExceededException if no whole message came in time; the session goes on
     * @throws IOException               if the connection failed
     * @throws IllegalStateException     if another tasklet is receiving
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
                        writer.write(Frame.PONG, frame.payload(), false, transport.writeTimeout());
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

    /** The peer's close: checked, echoed (unless this side's close went first), and the session is over. */
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
            reason = utf8(Arrays.copyOfRange(payload, 2, payload.length));
        }
        try {
            sendCloseOnce(code, "", code == CloseCodes.NO_STATUS ? new byte[0] : closePayload(code, ""));
        } catch (IOException | DeadlineExceededException e) {
            // The peer closes anyway.
        }
        return end(new WebSocketClosedException(code, reason, true));
    }

    /** The peer broke the protocol: a close with {@code code}, no wait for its answer, and the session is over. */
    private WebSocketClosedException fail(int code, String reason) {
        try {
            sendCloseOnce(code, reason, closePayload(code, reason));
        } catch (IOException | DeadlineExceededException e) {
            // Failing anyway.
        }
        return end(new WebSocketClosedException(code, reason, false));
    }

    /**
     * Sends a close with {@code code} and {@code reason} without waiting for the answer (a server's stop): the session
     * ends when a receiver sees the peer's close, or here if the close cannot be sent.
     */
    final void closeWithoutWaiting(int code, String reason) {
        if (closed != null) {
            return;
        }
        try {
            sendCloseOnce(code, reason, closePayload(code, reason));
        } catch (IOException | DeadlineExceededException e) {
            end(new WebSocketClosedException(CloseCodes.ABNORMAL, "close failed: " + e.getMessage(), false));
        }
    }

    /** Sends the session's one close frame, unless one went out already (the code and reason are kept for sends). */
    private void sendCloseOnce(int code, String reason, byte[] payload) throws IOException {
        if (closeSent) {
            return;
        }
        closeSent = true;
        sentCode = code;
        sentReason = reason;
        writer.write(Frame.CLOSE, payload, false, transport.writeTimeout());
    }

    private WebSocketClosedException end(WebSocketClosedException e) {
        if (closed == null) {
            closed = e;
            transport.sessionEnded();
        }
        return e;
    }

    private static WebSocketClosedException again(WebSocketClosedException c) {
        return new WebSocketClosedException(c.code(), c.reason(), c.byPeer());
    }

    /** Sends a text message, waiting at most the role's write timeout. */
    public void send(String text) throws IOException {
        send(text, transport.writeTimeout());
    }

    /**
     * Sends a text message, waiting at most {@code timeout} (null: only the caller's deadline) for the lock and the
     * peer.
     *
     * @throws WebSocketClosedException  if the session is closed, or this side's close went out
     * @throws DeadlineExceededException if the frame did not go in time; the connection is then unusable
     */
    public void send(String text, Duration timeout) throws IOException {
        Objects.requireNonNull(text, "text");
        sendFrame(Frame.TEXT, text.getBytes(StandardCharsets.UTF_8), timeout);
    }

    /** Sends a binary message, waiting at most the role's write timeout; see {@link #send(byte[], Duration)}. */
    public void send(byte[] bytes) throws IOException {
        send(bytes, transport.writeTimeout());
    }

    /**
     * Sends a binary message, waiting as {@link #send(String, Duration)} does; {@code bytes} is not copied (do not
     * change it until this returns).
     */
    public void send(byte[] bytes, Duration timeout) throws IOException {
        sendFrame(Frame.BINARY, Objects.requireNonNull(bytes, "bytes"), timeout);
    }

    /** Sends a ping, waiting at most the role's write timeout; see {@link #ping(byte[], Duration)}. */
    public void ping(byte[] payload) throws IOException {
        ping(payload, transport.writeTimeout());
    }

    /**
     * Sends a ping with {@code payload} (at most 125 bytes), waiting as {@link #send(String, Duration)} does; the
     * peer's pong is dropped by {@link #receive()}.
     */
    public void ping(byte[] payload, Duration timeout) throws IOException {
        if (payload.length > 125) {
            throw new IllegalArgumentException("a ping carries at most 125 bytes, not " + payload.length);
        }
        sendFrame(Frame.PING, payload, timeout);
    }

    private void sendFrame(int opcode, byte[] payload, Duration timeout) throws IOException {
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
                writer.write(opcode, compressed, true, timeout);
                return;
            }
        }
        writer.write(opcode, payload, false, timeout);
    }

    /**
     * Closes the session with {@code code} (see {@link CloseCodes#isSendable}) and {@code reason} (at most 123 bytes
     * of UTF-8): sends a close frame, then, unless another tasklet is receiving (it will see the peer's answer),
     * waits at most {@link WebSocketOptions#closeTimeout()} for the peer's close, dropping messages that come before
     * it. Does nothing if the session is closed already; never throws for the connection's failure.
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
}
