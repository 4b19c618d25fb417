package org.concurrence.http.client;

import java.time.Instant;
import java.util.Objects;

/**
 * A cookie as a {@link CookieJar} keeps it (RFC 6265 §5.3): what a server set, with the decisions the jar made —
 * the domain it is sent to and whether only to that exact host, the path, the expiry.
 *
 * <p>Immutable; thread-safe. {@link #toString()} leaves the value out (cookies are often credentials).
 *
 * @param name     the name
 * @param value    the value, as the server sent it
 * @param domain   the host (host-only) or the domain (and its subdomains) it is sent to, lower case
 * @param hostOnly whether it is sent to {@code domain} alone: the server set no Domain attribute
 * @param path     the path it is sent for: requests to it and below it
 * @param secure   whether it is sent over https only
 * @param httpOnly whether the server set HttpOnly (kept for inspection; this client is not a browser)
 * @param expires  when it expires; null for a session cookie (kept until the jar is cleared)
 * @param created  when it was first set (a replacement keeps the first time): of two cookies with equally long
 *                 paths, the older is sent first
 */
public record StoredCookie(String name, String value, String domain, boolean hostOnly, String path, boolean secure,
        boolean httpOnly, Instant expires, Instant created) {

    public StoredCookie {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(created, "created");
    }

    /** Whether it has expired at {@code now}. */
    public boolean isExpired(Instant now) {
        return expires != null && !expires.isAfter(now);
    }

    /** {@code session (Domain=example.com; Path=/; Secure; expires 2027-01-01T00:00:00Z)}, without the value. */
    @Override
    public String toString() {
        return name + " (" + (hostOnly ? "host " : "Domain=") + domain + "; Path=" + path + (secure ? "; Secure" : "")
                + (httpOnly ? "; HttpOnly" : "") + (expires != null ? "; expires " + expires : "; session") + ")";
    }
}
