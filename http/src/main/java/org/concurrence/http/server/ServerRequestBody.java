package org.concurrence.http.server;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import org.concurrence.http.HttpException;
import org.concurrence.http.RequestBody;
import org.concurrence.http.Status;
import org.concurrence.http.wire.Diagnostics;
import org.concurrence.http.wire.MessageSyntax;

/**
 * A request's body as the handler sees it: a stream straight from the connection ({@link BodyInput}), or the bytes of
 * a small body that had fully arrived with its head (a pipelined request handled in a tasklet of its own).
 *
 * <p>Thread-safety: read by one tasklet at a time.
 */
final class ServerRequestBody implements RequestBody {
    private static final ServerRequestBody EMPTY = new ServerRequestBody(0, new Bytes(new byte[0]), null, 0);

    private final long length;
    private final InputStream stream;
    private final String contentType;
    private final int maxBuffered;

    private ServerRequestBody(long length, InputStream stream, String contentType, int maxBuffered) {
        this.length = length;
        this.stream = stream;
        this.contentType = contentType;
        this.maxBuffered = maxBuffered;
    }

    static ServerRequestBody empty() {
        return EMPTY;
    }

    /** A body read from the connection as the handler asks for it. */
    static ServerRequestBody streamed(long length, BodyInput input, String contentType, int maxBuffered) {
        return new ServerRequestBody(length, input, contentType, maxBuffered);
    }

    /** A body that had arrived whole, copied out of the connection's buffer. */
    static ServerRequestBody of(byte[] bytes, String contentType, int maxBuffered) {
        return new ServerRequestBody(bytes.length, new Bytes(bytes), contentType, maxBuffered);
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public InputStream stream() {
        return stream;
    }

    @Override
    public byte[] bytes() throws IOException {
        if (length > maxBuffered) {
            throw tooLarge();
        }
        byte[] bytes = stream.readNBytes(maxBuffered);
        if (stream.read() >= 0) {
            throw tooLarge();
        }
        return bytes;
    }

    private HttpException tooLarge() {
        return new HttpException(Status.CONTENT_TOO_LARGE, "request body over " + maxBuffered + " bytes cannot be"
                + " read whole; stream it");
    }

    @Override
    public String text() throws IOException {
        return text(charset());
    }

    @Override
    public String text(Charset charset) throws IOException {
        return new String(bytes(), charset);
    }

    @Override
    public void discard() throws IOException {
        stream.skip(Long.MAX_VALUE);
        while (stream.read() >= 0) {
            stream.skip(Long.MAX_VALUE);
        }
    }

    /** The charset parameter of the Content-Type, else UTF-8; an unknown one is 415. */
    private Charset charset() {
        String name = MessageSyntax.charsetParameter(contentType);
        if (name == null) {
            return StandardCharsets.UTF_8;
        }
        try {
            return Charset.forName(name);
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            throw new HttpException(Status.UNSUPPORTED_MEDIA_TYPE, "unknown charset " + Diagnostics.quote(name), e);
        }
    }

    @Override
    public String toString() {
        return "RequestBody[" + (length < 0 ? "chunked" : length + " bytes") + "]";
    }

    /** A body held whole; closing does nothing, so a shared empty body cannot be broken by one handler. */
    private static final class Bytes extends ByteArrayInputStream {
        Bytes(byte[] bytes) {
            super(bytes);
        }

        @Override
        public void close() {
            // Nothing to release, and the stream stays readable (at its end) for anyone else.
        }
    }
}
