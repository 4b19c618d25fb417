package org.concurrence.web.json;

import java.io.IOException;
import org.concurrence.http.HttpException;
import org.concurrence.http.Request;
import org.concurrence.http.Response;
import org.concurrence.http.Status;
import tools.jackson.core.type.TypeReference;

/**
 * JSON for handlers with the {@linkplain JsonCodec#standard() standard codec}:
 * <pre>{@code
 * router.get("/users/{id}", request -> Json.response(users.find(request.pathParam("id"))));
 * router.post("/users", request -> {
 *     NewUser form = Json.read(request, NewUser.class);     // 415 / 400 with the reason if it does not fit
 *     return Json.response(Status.CREATED, users.create(form));
 * });
 * }</pre>
 *
 * <p>Blocking, errors and thread-safety: see {@link JsonCodec}.
 */
public final class Json {
    private Json() {}

    /** 200 with {@code value} as {@code application/json}. */
    public static Response response(Object value) {
        return JsonCodec.standard().response(value);
    }

    /** {@code status} with {@code value} as {@code application/json}. */
    public static Response response(Status status, Object value) {
        return JsonCodec.standard().response(status, value);
    }

    /** {@code value} as JSON bytes. */
    public static byte[] bytes(Object value) {
        return JsonCodec.standard().bytes(value);
    }

    /**
     * The request's JSON body as a {@code type}; see {@link JsonCodec#read(Request, Class)}.
     *
     * @throws HttpException 415 for a body that is not declared JSON, 400 for one that does not parse or fit
     */
    public static <T> T read(Request request, Class<T> type) throws IOException {
        return JsonCodec.standard().read(request, type);
    }

    /** As {@link #read(Request, Class)} for a generic type. */
    public static <T> T read(Request request, TypeReference<T> type) throws IOException {
        return JsonCodec.standard().read(request, type);
    }
}
