package org.concurrence.web.json;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.http.Filter;
import org.concurrence.http.Handler;
import org.concurrence.http.HttpException;
import org.concurrence.http.Request;
import org.concurrence.http.Response;
import org.concurrence.http.ResponseBody;
import org.concurrence.http.Status;

/**
 * Makes every error of the handlers inside it a JSON body, as the original's {@code JSONFilter} did:
 * {@code {"status": 404, "message": "no such order: 42"}}.
 *
 * <ul>
 * <li>An {@link HttpException} gives its status and message.
 * <li>A {@link DeadlineExceededException} gives 504 with its message (what timed out, after how long).
 * <li>Any other exception gives 500 with the message {@code "internal server error"} and is logged (WARNING, with the
 *     request line); in development mode the message is the exception itself and {@code "trace"} holds its stack
 *     trace. Errors (such as a kill's {@code TaskletExit}) are not caught.
 * <li>A plain-text error response from inside (status 400 or more, {@code text/plain}, bytes in memory — such as the
 *     router's 404 and 405) is rewritten as JSON with the same status, message and other headers ({@code Allow}
 *     stays).
 * </ul>
 * Successful responses pass unchanged. Put it first among a router's filters to cover 404 and 405 too.
 *
 * <p>Blocking: none of its own. Thread-safety: immutable.
 */
public final class JsonFilter implements Filter {
    private static final System.Logger LOG = System.getLogger(JsonFilter.class.getName());

    private final JsonCodec codec;
    private final boolean development;

    /** A filter for production: no exception details reach the client. */
    public JsonFilter() {
        this(JsonCodec.standard(), false);
    }

    /**
     * @param codec       writes the error bodies
     * @param development whether a 500's body shows the exception and its stack trace (never in production)
     */
    public JsonFilter(JsonCodec codec, boolean development) {
        this.codec = Objects.requireNonNull(codec, "codec");
        this.development = development;
    }

    /** A filter that shows exceptions and stack traces in 500 responses: for development only. */
    public static JsonFilter development() {
        return new JsonFilter(JsonCodec.standard(), true);
    }

    @Override
    public Response filter(Request request, Handler next) throws Exception {
        Response response;
        try {
            response = next.handle(request);
        } catch (HttpException e) {
            return error(e.status(), e.getMessage(), null);
        } catch (DeadlineExceededException e) {
            return error(Status.GATEWAY_TIMEOUT, e.getMessage(), null);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, () -> request.method() + " " + request.target() + " failed", e);
            return development
                    ? error(Status.INTERNAL_SERVER_ERROR, e.toString(), trace(e))
                    : error(Status.INTERNAL_SERVER_ERROR, "internal server error", null);
        }
        return response.status().code() >= 400 ? rewrite(response) : response;
    }

    private Response error(Status status, String message, String trace) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status.code());
        body.put("message", message == null ? status.reason() : message);
        if (trace != null) {
            body.put("trace", trace);
        }
        return codec.response(status, body);
    }

    private Response rewrite(Response response) {
        String type = response.headers().get("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("text/plain")
                || !(response.body() instanceof ResponseBody.Bytes(byte[] text))) {
            return response;
        }
        Response json = error(response.status(), new String(text, StandardCharsets.UTF_8), null);
        Response.Builder b = response.toBuilder();
        b.header("Content-Type", JsonCodec.CONTENT_TYPE);
        return b.body(json.body()).build();
    }

    private static String trace(Throwable e) {
        StringWriter w = new StringWriter();
        e.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}
