package org.concurrence.web.form;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.concurrence.http.HttpException;
import org.concurrence.http.Request;
import org.concurrence.http.Status;

/**
 * A streaming reader of a {@code multipart/form-data} body (RFC 7578): parts come one at a time, each with a stream
 * that reads straight from the connection, so a large upload passes through with a fixed 16 KiB buffer.
 *
 * <pre>{@code
 * Multipart form = Multipart.read(request);
 * for (Part part = form.next(); part != null; part = form.next()) {
 *     if (part.isFile()) {
 *         try (OutputStream out = Files.newOutputStream(target)) { part.stream().transferTo(out); }
 *     } else {
 *         fields.put(part.name(), part.text());          // small fields: at most maxFieldSize bytes
 *     }
 * }
 * }</pre>
 *
 * <p>Errors: a request that is not {@code multipart/form-data} gets 415; a missing or malformed boundary, a part
 * without {@code Content-Disposition: form-data; name=...}, a body cut short, or a part read as text whose
 * Content-Type names an unknown charset gets 400; too many parts or too large part headers get 413 (see
 * {@link MultipartLimits}). A preamble before the first boundary and an epilogue after the last are ignored, as
 * RFC 2046 says.
 *
 * <p>Blocking: {@link #next()} and the parts' streams park the tasklet while the body arrives, under its deadline and
 * the server's body timeout. Thread-safety: one reader belongs to the tasklet handling the request.
 */
public final class Multipart {
    /** The content type of a multipart form. */
    public static final String FORM_DATA = "multipart/form-data";

    private final MultipartScanner scanner;
    private final MultipartLimits limits;
    private int parts;
    private boolean done;
    private PartStream current;

    private Multipart(MultipartScanner scanner, MultipartLimits limits) {
        this.scanner = scanner;
        this.limits = limits;
    }

    /** A reader of the request's multipart body, with {@linkplain MultipartLimits#defaults() default limits}. */
    public static Multipart read(Request request) {
        return read(request, MultipartLimits.defaults());
    }

    /**
     * A reader of the request's multipart body; reads nothing yet.
     *
     * @throws HttpException 415 if the request is not {@code multipart/form-data}, 400 if its boundary is missing or
     *                       not 1 to 70 characters
     */
    public static Multipart read(Request request, MultipartLimits limits) {
        Objects.requireNonNull(limits, "limits");
        String header = request.header("Content-Type");
        MediaType type = MediaType.parse(header);
        if (type == null || !type.type().equals(FORM_DATA)) {
            throw new HttpException(Status.UNSUPPORTED_MEDIA_TYPE, "expected Content-Type " + FORM_DATA + ", not "
                    + (header == null ? "none" : header));
        }
        String boundary = type.param("boundary");
        if (boundary == null || boundary.isEmpty() || boundary.length() > 70) {
            throw new HttpException(Status.BAD_REQUEST, "multipart Content-Type needs a boundary of 1 to 70"
                    + " characters: " + header);
        }
        return new Multipart(new MultipartScanner(request.body().stream(), boundary), limits);
    }

    /**
     * The next part, after skipping what is left of the current one; null after the last.
     *
     * @throws HttpException 400 if the body is malformed, 413 past a limit
     * @throws IOException   if the client went away
     */
    public Part next() throws IOException {
        if (done) {
            return null;
        }
        if (current != null) {
            current.closed = true;
        }
        if (!scanner.nextPart()) {
            done = true;
            current = null;
            return null;
        }
        if (++parts > limits.maxParts()) {
            throw new HttpException(Status.CONTENT_TOO_LARGE, "multipart body has more than " + limits.maxParts()
                    + " parts");
        }
        var headers = scanner.readHeaders(limits.maxHeaderSize());
        current = new PartStream(scanner);
        return new Part(headers, current, limits.maxFieldSize());
    }

    /**
     * Every remaining part that is not a file, read as text, by name (the first of a repeated name wins); file parts
     * are skipped unread. For forms of small fields only: the fields together may hold at most
     * {@link MultipartLimits#maxFieldSize()} bytes, as one field may (a body of many fields just under the limit would
     * otherwise all be held at once, up to the server's body limit).
     *
     * @throws HttpException 413 if the fields read are larger than that in all, 400 or 413 as for {@link #next()}
     *                       and {@link Part#text()}
     */
    public Map<String, String> fields() throws IOException {
        Map<String, String> fields = new LinkedHashMap<>();
        int left = limits.maxFieldSize();
        for (Part p = next(); p != null; p = next()) {
            if (!p.isFile() && !fields.containsKey(p.name())) {
                Charset charset = p.charset();
                byte[] value = p.bytesUpTo(left);
                if (value == null) {
                    throw new HttpException(Status.CONTENT_TOO_LARGE, "multipart fields larger than "
                            + limits.maxFieldSize() + " bytes in all; read the parts one by one with next()");
                }
                left -= value.length;
                fields.put(p.name(), new String(value, charset));
            }
        }
        return fields;
    }

    /** The body of the current part, cut off once the reader moves on. */
    private static final class PartStream extends InputStream {
        private final MultipartScanner scanner;
        boolean closed;

        PartStream(MultipartScanner scanner) {
            this.scanner = scanner;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            return closed ? -1 : scanner.read(b, off, len);
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
