package org.concurrence.web.form;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.concurrence.http.Headers;
import org.concurrence.http.HttpException;
import org.concurrence.http.Status;

/**
 * One part of a {@code multipart/form-data} body: its headers, the form field's name, the file name if it is a file,
 * its content type, and its content as a stream that reads straight from the request body.
 *
 * <p>The content can be read only until the next part is asked for: {@link Multipart#next()} skips what is left of
 * this one, and this part's stream then reports its end.
 *
 * <p>The file name is what the client sent: never use it as a path (strip it to a safe name of your own).
 * Names and file names are decoded as UTF-8, as browsers send them.
 *
 * <p>Blocking: reads park the tasklet while the body arrives, under its deadline. Thread-safety: read by one tasklet.
 */
public final class Part {
    private final Headers headers;
    private final String name;
    private final String filename;
    private final InputStream body;
    private final int maxFieldSize;

    Part(Headers headers, InputStream body, int maxFieldSize) {
        this.headers = headers.readOnly();
        this.body = body;
        this.maxFieldSize = maxFieldSize;
        String disposition = headers.get("Content-Disposition");
        if (disposition == null) {
            throw new HttpException(Status.BAD_REQUEST, "multipart part without Content-Disposition");
        }
        MediaType d = MediaType.parse(disposition);
        if (!d.type().equals("form-data")) {
            throw new HttpException(Status.BAD_REQUEST, "multipart part is not form-data: " + disposition);
        }
        Map<String, String> params = new HashMap<>();
        MediaType.parseParams(disposition, disposition.indexOf(';') + 1, params, true);
        String n = params.get("name");
        if (n == null) {
            throw new HttpException(Status.BAD_REQUEST, "multipart part without a name: " + disposition);
        }
        this.name = utf8(n);
        String f = params.get("filename");
        this.filename = f == null ? null : utf8(f);
    }

    private static String utf8(String latin1) {
        return new String(latin1.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    /** The part's header fields, read-only. */
    public Headers headers() {
        return headers;
    }

    /** The form field's name. */
    public String name() {
        return name;
    }

    /** The file name the client sent, or null if this part is not a file. */
    public String filename() {
        return filename;
    }

    /** Whether the part is a file (has a file name, possibly empty when no file was chosen). */
    public boolean isFile() {
        return filename != null;
    }

    /** The part's Content-Type, or {@code text/plain} if it has none (RFC 7578 §4.4). */
    public String contentType() {
        return headers.getOrDefault("Content-Type", "text/plain");
    }

    /** The content as a stream; the same stream on every call; ends at the part's end. */
    public InputStream stream() {
        return body;
    }

    /**
     * The content, read now.
     *
     * @throws HttpException 413 if it is longer than the limit for fields ({@link MultipartLimits#maxFieldSize()})
     */
    public byte[] bytes() throws IOException {
        byte[] b = bytesUpTo(maxFieldSize);
        if (b == null) {
            throw new HttpException(Status.CONTENT_TOO_LARGE, "multipart field \"" + name + "\" is larger than "
                    + maxFieldSize + " bytes; read it as a stream");
        }
        return b;
    }

    /** The content, read now, if it is at most {@code max} bytes; else null, with {@code max + 1} bytes read. */
    byte[] bytesUpTo(int max) throws IOException {
        byte[] b = body.readNBytes((int) Math.min(Integer.MAX_VALUE, max + 1L)); // one more tells "too large"
        return b.length > max ? null : b;
    }

    /**
     * The content as text in the charset of its Content-Type, else UTF-8; see {@link #bytes()}.
     *
     * @throws HttpException 400 if the Content-Type names a charset that is malformed or not supported (a fault in the
     *                       body, not in the request's media type), read no further; 413 as for {@link #bytes()}
     */
    public String text() throws IOException {
        return new String(bytes(), charset());
    }

    /**
     * The charset of the Content-Type, else UTF-8.
     *
     * @throws HttpException 400 if it names a charset that is malformed or not supported
     */
    Charset charset() {
        String name = MediaType.parse(contentType()).param("charset");
        Charset charset = Form.lookup(name);
        if (charset == null) {
            throw new HttpException(Status.BAD_REQUEST, "multipart part \"" + this.name
                    + "\" names an unknown charset: " + name);
        }
        return charset;
    }

    /** The content as text in {@code charset}; see {@link #bytes()}. */
    public String text(Charset charset) throws IOException {
        return new String(bytes(), charset);
    }

    @Override
    public String toString() {
        return "Part[" + name + (filename == null ? "" : ", file " + filename) + ", " + contentType() + "]";
    }
}
