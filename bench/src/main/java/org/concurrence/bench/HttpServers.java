package org.concurrence.bench;

import java.nio.charset.StandardCharsets;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the servers of {@code bench http} share: the two TechEmpower tests as issue 5 states them.
 *
 * <ul>
 *   <li>{@value #PLAINTEXT}: 200, {@code Content-Type: text/plain}, body {@value #PLAINTEXT_BODY} (the greeting,
 *       not TechEmpower's {@code Hello, World!}). The body's bytes may be one buffer reused (TechEmpower allows it);
 *       the response and its headers are composed per request.</li>
 *   <li>{@value #JSON}: 200, {@code Content-Type: application/json}, body {@code {"message":"Hello, World!"}}
 *       serialized per request from a new {@link Message}, with Jackson where the framework allows it.</li>
 * </ul>
 * Every response carries Date and Server headers. Anything else is a 404.
 */
final class HttpServers {
    static final String PLAINTEXT = "/plaintext";
    static final String JSON = "/json";
    static final String PLAINTEXT_BODY = "Hello World!";
    static final byte[] PLAINTEXT_BYTES = PLAINTEXT_BODY.getBytes(StandardCharsets.US_ASCII);
    static final String MESSAGE = "Hello, World!";
    static final String JSON_BODY = "{\"message\":\"Hello, World!\"}";
    static final String TEXT_PLAIN = "text/plain";
    static final String APPLICATION_JSON = "application/json";

    /** The object of the JSON test; a new one per request. */
    public record Message(String message) {}

    /** The Jackson mapper of ours and the Netty peer (Jackson 3, defaults); thread-safe. */
    static final JsonMapper JACKSON = JsonMapper.builder().build();

    private HttpServers() {}
}
