package org.concurrence.http.client;

import java.net.URI;
import java.net.URISyntaxException;
import org.concurrence.http.Headers;
import org.concurrence.http.Method;

/**
 * Which request follows a redirect (RFC 9110 §15.4), under a {@link Redirects} policy: 301, 302, 303, 307 and 308 with
 * a Location that resolves against the request's URI to an {@code http} or {@code https} URI. 303 — and 301 or 302
 * after a POST, as browsers do — becomes a GET (a HEAD stays a HEAD) without body or Content-Type; 307 and 308 repeat
 * the method and body, unless the body was streamed (it cannot be sent twice: the 3xx is then the answer).
 * Credentials (Authorization, Proxy-Authorization, Cookie) are not sent to another origin.
 *
 * <p>Stateless; thread-safe.
 */
final class RedirectRule {
    private RedirectRule() {}

    /** The request to send next, or null if {@code response} is the answer. */
    static ClientRequest next(Redirects policy, ClientRequest request, ClientResponse response) {
        int code = response.statusCode();
        String location = response.header("Location");
        if (policy == Redirects.NEVER || location == null
                || !(code == 301 || code == 302 || code == 303 || code == 307 || code == 308)) {
            return null;
        }
        URI target;
        Origin origin;
        try {
            target = request.uri().resolve(new URI(location));
            origin = Origin.of(target); // refuses other schemes, no host, a port out of range (":0")
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null; // a Location that is no http(s) URI we can send to: the 3xx is the answer
        }
        String scheme = target.getScheme();
        if (policy == Redirects.NORMAL && request.origin().isSecure() && !"https".equalsIgnoreCase(scheme)) {
            return null;
        }
        boolean toGet = code == 303 ? !request.method().equals(Method.HEAD)
                : (code == 301 || code == 302) && request.method().equals(Method.POST);
        if (!toGet && request.body() instanceof ClientRequest.Body.Streamed) {
            return null;
        }
        Headers fields = Headers.copyOf(request.headers());
        if (!origin.equals(request.origin())) {
            fields.remove("Authorization").remove("Proxy-Authorization").remove("Cookie").remove("Host");
        }
        ClientRequest next = request.withUri(target);
        if (toGet) {
            fields.remove("Content-Type").remove("Expect");
            next = next.withMethod(Method.GET).withBody(ClientRequest.Body.empty());
        }
        return next.withHeaders(fields);
    }
}
