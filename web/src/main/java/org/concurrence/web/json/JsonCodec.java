package org.concurrence.web.json;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import org.concurrence.http.HttpException;
import org.concurrence.http.Request;
import org.concurrence.http.Response;
import org.concurrence.http.ResponseBody;
import org.concurrence.http.Status;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON conversion for handlers through one configured Jackson {@link JsonMapper}. {@link Json} is the same for the
 * {@linkplain #standard() standard codec}; make one of your own with {@link #of(JsonMapper)} for other settings.
 *
 * <p>Writing goes straight to a byte array, which becomes the response body (no {@code String}, no copy).
 * Reading takes the whole body ({@code RequestBody.bytes()}, bounded by the server's limit for buffered bodies, 413
 * beyond it) and parses it from the array, which is Jackson's fastest input.
 *
 * <p>Limits: the body limit bounds the bytes, not what they become. Parsed into a {@code Map} or a tree, an 8 MiB
 * body of {@code [{},{},…]} takes 190 to 250 MiB of heap, and the property names of every request are kept in the
 * mapper's shared symbol table (up to 6,000 of them, at most 50,000 characters each by Jackson's defaults). The
 * standard codec therefore reads with {@link #READ_LIMITS}, tighter than Jackson's where it matters; a body over one
 * is 400 naming the limit. Make a codec with other limits from {@link #mapperBuilder(StreamReadConstraints)}.
 *
 * <p>Blocking: {@link #read} parks the tasklet while the body arrives, under its deadline and the server's body
 * timeout; writing never blocks.
 *
 * <p>Thread-safety: immutable; one instance serves every request on every dispatcher (Jackson's mappers are
 * thread-safe once configured, and Jackson 3 recycles its buffers in a shared concurrent pool, not per thread).
 */
public final class JsonCodec {
    /** The content type of JSON responses (RFC 8259 defines no charset parameter: JSON is UTF-8). */
    public static final String CONTENT_TYPE = "application/json";

    /**
     * The read limits of the {@linkplain #standard() standard codec} and of {@link #mapperBuilder()}: Jackson 3's
     * defaults, tightened where a body within the server's limit could otherwise cost far more than its size.
     * <ul>
     * <li>Nesting depth 100 (Jackson: 500), as Ruby's JSON; .NET allows 64, serde_json 128. No API body nests that
     *     deep, and databind recurses per level.
     * <li>Token count 1,000,000 (Jackson: unlimited): ordinary JSON of several MB fits (objects with names and
     *     values run 5–10 bytes per token; a dense array of small numbers, 2 bytes per token, stops near 2 MB), while
     *     the worst case (a body of {@code [{},{},…]}, some 30 times its size as a tree) stays near 35 MiB instead of
     *     250.
     * <li>Property name length 1,000 characters (Jackson: 50,000): names stay in the mapper's shared symbol table
     *     after the request, so this bounds what requests leave behind to some 12 MiB rather than hundreds.
     * </ul>
     * Kept as Jackson has them, because the body limit already bounds them or they cost no more than their size:
     * numbers of 1,000 digits, strings of 100,000,000 characters, documents of any length.
     */
    public static final StreamReadConstraints READ_LIMITS = StreamReadConstraints.builder()
            .maxNestingDepth(100)
            .maxTokenCount(1_000_000)
            .maxNameLength(1_000)
            .build();

    private static final JsonCodec STANDARD = new JsonCodec(mapperBuilder().build());
    private static final Response OK = Response.builder(Status.OK).contentType(CONTENT_TYPE).build();

    private final JsonMapper mapper;

    private JsonCodec(JsonMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    /**
     * The codec of Jackson 3's defaults but for the read limits ({@link #READ_LIMITS}): records and {@code java.time}
     * work, unknown properties are ignored, a null or missing value for a primitive fails, dates are written as
     * ISO-8601 text.
     */
    public static JsonCodec standard() {
        return STANDARD;
    }

    /**
     * A codec using {@code mapper}, which must not be reconfigured afterwards. Its own read limits apply: those of
     * {@code JsonMapper.builder()} are Jackson's looser defaults, so build it from {@link #mapperBuilder()} to keep
     * {@link #READ_LIMITS}.
     */
    public static JsonCodec of(JsonMapper mapper) {
        return new JsonCodec(mapper);
    }

    /** A mapper builder reading with {@link #READ_LIMITS}, to configure further for {@link #of(JsonMapper)}. */
    public static JsonMapper.Builder mapperBuilder() {
        return mapperBuilder(READ_LIMITS);
    }

    /**
     * A mapper builder reading with {@code limits}, such as {@code READ_LIMITS.rebuild().maxTokenCount(10_000_000)
     * .build()} for a handler that takes bulk uploads over a raised body limit.
     */
    public static JsonMapper.Builder mapperBuilder(StreamReadConstraints limits) {
        return JsonMapper.builder(JsonFactory.builder().streamReadConstraints(limits).build());
    }

    /** The mapper. */
    public JsonMapper mapper() {
        return mapper;
    }

    /** {@code value} as JSON bytes. */
    public byte[] bytes(Object value) {
        return mapper.writeValueAsBytes(value);
    }

    /** 200 with {@code value} as {@code application/json}. */
    public Response response(Object value) {
        return OK.withBody(ResponseBody.of(bytes(value)));
    }

    /** {@code status} with {@code value} as {@code application/json}. */
    public Response response(Status status, Object value) {
        return Response.builder(status).contentType(CONTENT_TYPE).body(bytes(value)).build();
    }

    /**
     * The request's JSON body as a {@code type}.
     *
     * @throws HttpException 415 if the Content-Type is missing or not JSON ({@code application/json} or
     *                       {@code application/*+json}, UTF-8); 400 if the body is empty, {@code null}, not JSON, or
     *                       does not fit {@code type} — the message names the property path and position — or if it
     *                       exceeds one of the mapper's read limits ({@link #READ_LIMITS}), which the message names;
     *                       413 if the body is larger than the server's limit for buffered bodies
     * @throws IOException   if the client went away
     */
    public <T> T read(Request request, Class<T> type) throws IOException {
        return read(request, mapper.constructType(type));
    }

    /** As {@link #read(Request, Class)} for a generic type: {@code new TypeReference<List<Item>>() {}}. */
    public <T> T read(Request request, TypeReference<T> type) throws IOException {
        return read(request, mapper.constructType(type));
    }

    private <T> T read(Request request, JavaType type) throws IOException {
        checkContentType(request.header("Content-Type"));
        byte[] body = request.body().bytes();
        String name = type.getRawClass().getSimpleName();
        if (body.length == 0) {
            throw new HttpException(Status.BAD_REQUEST, "request body is empty; expected JSON for " + name);
        }
        T value;
        try {
            value = mapper.readValue(body, type);
        } catch (StreamConstraintsException e) {
            throw new HttpException(Status.BAD_REQUEST, describe("JSON for " + name + " exceeds a limit", e), e);
        } catch (JacksonException e) {
            throw new HttpException(Status.BAD_REQUEST, describe("invalid JSON for " + name, e), e);
        }
        if (value == null) {
            throw new HttpException(Status.BAD_REQUEST, "request body is JSON null; expected " + name);
        }
        return value;
    }

    static void checkContentType(String contentType) {
        if (contentType == null) {
            throw new HttpException(Status.UNSUPPORTED_MEDIA_TYPE,
                    "expected Content-Type " + CONTENT_TYPE + ", but the request has none");
        }
        int semi = contentType.indexOf(';');
        String type = (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        if (!type.equals(CONTENT_TYPE) && !(type.startsWith("application/") && type.endsWith("+json"))) {
            throw new HttpException(Status.UNSUPPORTED_MEDIA_TYPE,
                    "expected Content-Type " + CONTENT_TYPE + ", not " + contentType);
        }
        if (semi >= 0) {
            for (String param : contentType.substring(semi + 1).split(";")) {
                String p = param.trim().toLowerCase(Locale.ROOT).replace("\"", "");
                if (p.startsWith("charset=") && !p.equals("charset=utf-8")) {
                    throw new HttpException(Status.UNSUPPORTED_MEDIA_TYPE, "JSON must be UTF-8, not " + p);
                }
            }
        }
    }

    /**
     * "invalid JSON for User at $.items[2].qty (line 1, column 40): Cannot deserialize ...", or "JSON for Map exceeds a
     * limit at $.x: Number value length (1001) exceeds the maximum allowed (1000, from ...)".
     */
    static String describe(String what, JacksonException e) {
        StringBuilder sb = new StringBuilder(what);
        List<JacksonException.Reference> path = e.getPath();
        if (!path.isEmpty()) {
            sb.append(" at $");
            for (JacksonException.Reference ref : path) {
                if (ref.getPropertyName() != null) {
                    sb.append('.').append(ref.getPropertyName());
                } else if (ref.getIndex() >= 0) {
                    sb.append('[').append(ref.getIndex()).append(']');
                }
            }
        }
        TokenStreamLocation at = e.getLocation();
        if (at != null && at.getLineNr() > 0) {
            sb.append(" (line ").append(at.getLineNr()).append(", column ").append(at.getColumnNr()).append(')');
        }
        return sb.append(": ").append(withoutPackages(e.getOriginalMessage())).toString();
    }

    /** A class named with its package, as Jackson names types: {@code com.example.internal.Order}. */
    private static final Pattern QUALIFIED_TYPE = Pattern.compile("\\b(?:[a-z][\\w$]*\\.)+([A-Z][\\w$]*)");

    /**
     * Jackson's message with the types it names by their simple names: the client learns what was expected
     * ({@code `Order`}), not the server's package layout.
     */
    static String withoutPackages(String message) {
        return message == null ? "" : QUALIFIED_TYPE.matcher(message).replaceAll("$1");
    }
}
