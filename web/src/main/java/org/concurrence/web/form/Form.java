package org.concurrence.web.form;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import org.concurrence.http.HttpException;
import org.concurrence.http.Parameters;
import org.concurrence.http.Request;
import org.concurrence.http.Status;

/**
 * Reads an {@code application/x-www-form-urlencoded} body — what an HTML form posts by default — into
 * {@link Parameters}.
 *
 * <pre>{@code
 * Parameters form = Form.read(request);
 * String email = form.get("email");
 * }</pre>
 *
 * <p>The body is read whole, at most {@link #DEFAULT_MAX_SIZE} bytes unless told otherwise; the charset is that of
 * the Content-Type, else UTF-8.
 *
 * <p>Blocking: parks the tasklet while the body arrives, under its deadline and the server's body timeout.
 * Thread-safety: stateless.
 */
public final class Form {
    /** The content type of a URL-encoded form. */
    public static final String URLENCODED = "application/x-www-form-urlencoded";
    /** The default limit on the body: 1 MiB. */
    public static final int DEFAULT_MAX_SIZE = 1024 * 1024;
    /**
     * The default limit on the number of fields: 1,000, as for the parts of a multipart body. A 1 MiB body of short
     * fields would otherwise decode into some 200,000 map entries, tens of MiB for one request.
     */
    public static final int DEFAULT_MAX_FIELDS = 1000;

    private Form() {}

    /** The form fields of the request's body, of at most {@link #DEFAULT_MAX_SIZE} bytes. */
    public static Parameters read(Request request) throws IOException {
        return read(request, DEFAULT_MAX_SIZE);
    }

    /** The form fields of the request's body, of at most {@code maxSize} bytes and {@link #DEFAULT_MAX_FIELDS}. */
    public static Parameters read(Request request, int maxSize) throws IOException {
        return read(request, maxSize, DEFAULT_MAX_FIELDS);
    }

    /**
     * The form fields of the request's body.
     *
     * @throws HttpException 415 if the Content-Type is not {@value #URLENCODED} (or names an unknown charset), 413 if
     *                       the body is longer than {@code maxSize} bytes or has more than {@code maxFields} fields
     *                       (empty ones between {@code &&} aside), 400 for a malformed percent escape
     * @throws IOException   if the client went away
     */
    public static Parameters read(Request request, int maxSize, int maxFields) throws IOException {
        MediaType type = MediaType.parse(request.header("Content-Type"));
        if (type == null || !type.type().equals(URLENCODED)) {
            throw new HttpException(Status.UNSUPPORTED_MEDIA_TYPE, "expected Content-Type " + URLENCODED + ", not "
                    + (type == null ? "none" : request.header("Content-Type")));
        }
        Charset charset = charset(type.param("charset"));
        long declared = request.body().length();
        if (declared > maxSize) {
            throw tooLarge(maxSize, declared + " bytes declared");
        }
        InputStream in = request.body().stream();
        byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE, maxSize + 1L)); // one more tells "too large"
        if (bytes.length > maxSize) {
            throw tooLarge(maxSize, "more sent");
        }
        if (fields(bytes) > maxFields) {
            throw new HttpException(Status.CONTENT_TOO_LARGE, "form has more than " + maxFields + " fields");
        }
        return Parameters.parse(escapeNonAscii(bytes), charset);
    }

    /**
     * The body as ASCII text, each byte above 0x7F written as its percent escape. The parser percent-decodes the
     * bytes and then decodes them in the charset (WHATWG URL §5.1); a raw byte must be one of those bytes too, not a
     * Latin-1 character of its own, or raw UTF-8 (as {@code curl -d} sends it) would read as mojibake.
     */
    private static String escapeNonAscii(byte[] bytes) {
        StringBuilder s = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            if (b >= 0) {
                s.append((char) b);
            } else {
                s.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
            }
        }
        return s.toString();
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** The number of non-empty {@code &}-separated fields in {@code body}. */
    private static int fields(byte[] body) {
        int fields = 0;
        boolean inField = false;
        for (byte b : body) {
            if (b == '&') {
                inField = false;
            } else if (!inField) {
                inField = true;
                fields++;
            }
        }
        return fields;
    }

    private static HttpException tooLarge(int maxSize, String actual) {
        return new HttpException(Status.CONTENT_TOO_LARGE, "form body larger than " + maxSize + " bytes (" + actual
                + ")");
    }

    /** The request's charset: part of its media type, so an unknown one is 415 (RFC 9110 §15.5.16). */
    private static Charset charset(String name) {
        Charset charset = lookup(name);
        if (charset == null) {
            throw new HttpException(Status.UNSUPPORTED_MEDIA_TYPE, "unknown charset in Content-Type: " + name);
        }
        return charset;
    }

    /** The charset {@code name}d, UTF-8 for null; null if the name is malformed or not supported by this JVM. */
    static Charset lookup(String name) {
        if (name == null) {
            return StandardCharsets.UTF_8;
        }
        try {
            return Charset.forName(name);
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            return null;
        }
    }
}
