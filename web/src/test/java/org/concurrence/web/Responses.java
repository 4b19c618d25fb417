package org.concurrence.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.concurrence.http.Response;
import org.concurrence.http.ResponseBody;

/** Reads response bodies in tests. */
public final class Responses {
    private Responses() {}

    public static byte[] bytes(Response response) {
        return switch (response.body()) {
            case ResponseBody.Empty e -> new byte[0];
            case ResponseBody.Bytes b -> b.bytes();
            case ResponseBody.Streamed s -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try {
                    s.writer().writeTo(out);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                if (s.length() >= 0 && s.length() != out.size()) {
                    throw new AssertionError("declared " + s.length() + " bytes, wrote " + out.size());
                }
                yield out.toByteArray();
            }
        };
    }

    public static String text(Response response) {
        return new String(bytes(response), StandardCharsets.UTF_8);
    }
}
