package org.concurrence.http.client;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A response body read through the decoders of its content codings (the last coding applied undone first), and what
 * that means for its connection: the {@link BodyStream} holds the connection at the body's end until the decoders
 * have read it whole — then it goes back to the pool — or found it corrupt — then it is closed, never pooled, even
 * though the body was framed correctly ({@link BodyStream#abandon()}).
 *
 * <p>Blocking and deadlines: as the body's reads (the call's deadline). Thread-safety: one reading tasklet at a time;
 * {@link #close()} from any tasklet.
 */
final class DecodedBody extends InputStream {
    private final BodyStream body;
    /** The decoders, outermost (the last coding applied, the first undone) first. */
    private final List<InflatingStream> decoders;
    /** What the caller reads: the decoder of the first coding applied. */
    private final InputStream top;
    private final byte[] single = new byte[1];
    /** {@link #discard()} dropped the rest undecoded: reads return the end. */
    private boolean discarded;

    /** {@code body} read through decoders for {@code codings}, in the order they were applied (at least one). */
    DecodedBody(BodyStream body, List<ContentCoding> codings, ClientRequest request) {
        this.body = body;
        body.holdConnectionAtEnd();
        List<InflatingStream> chain = new ArrayList<>(codings.size());
        InputStream in = body;
        for (ContentCoding coding : codings.reversed()) {
            InflatingStream decoder = new InflatingStream(coding, in, request);
            chain.add(decoder);
            in = decoder;
        }
        this.decoders = List.copyOf(chain);
        this.top = in;
    }

    @Override
    public int read() throws IOException {
        int n = read(single, 0, 1);
        return n < 0 ? -1 : single[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (discarded) {
            return -1;
        }
        try {
            int n = top.read(b, off, len);
            if (n < 0) {
                body.releaseHeld(); // every coding decoded to its end, and the body ended as framed
            }
            return n;
        } catch (ContentDecodingException e) {
            body.abandon();
            throw e;
        }
    }

    /**
     * Drops the rest of the body without decoding it (ending the decoders first), so the connection can serve again;
     * it goes back to the pool at the body's end.
     */
    void discard() throws IOException {
        for (InflatingStream decoder : decoders) {
            decoder.abandon();
        }
        discarded = true;
        byte[] scratch = new byte[8192];
        while (body.read(scratch, 0, scratch.length) >= 0) {
            // Dropped.
        }
        body.releaseHeld();
    }

    /** Ends the decoders and closes the body (drained if short, else its connection closed); see BodyStream. */
    @Override
    public void close() {
        for (InflatingStream decoder : decoders) {
            decoder.abandon();
        }
        body.close();
    }

    /** Whether a decoder holds an inflater not yet ended: for tests of the paths that must end them. */
    boolean holdsInflater() {
        return decoders.stream().anyMatch(InflatingStream::holdsInflater);
    }

    @Override
    public String toString() {
        return "decoded " + body;
    }
}
