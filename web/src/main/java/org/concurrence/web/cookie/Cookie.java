package org.concurrence.web.cookie;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.concurrence.web.HttpDate;

/**
 * A cookie to set with {@code Set-Cookie} (RFC 6265 §4.1): a name, a value and its attributes.
 *
 * <pre>{@code
 * Cookie session = Cookie.of("session", token).withPath("/").withHttpOnly(true).withSecure(true)
 *         .withSameSite(Cookie.SameSite.LAX).withMaxAge(Duration.ofHours(8));
 * return Cookies.add(Response.ok("welcome"), session);
 * }</pre>
 *
 * <p>Every part is checked when the record is made, so a bad cookie fails where it is built, not in the browser:
 * the name must be a token, the value cookie-octets (optionally in double quotes; no spaces, commas, semicolons,
 * backslashes or control characters — encode other data, e.g. in Base64url), path and domain free of {@code ;} and
 * control characters, Max-Age not negative, Expires in the years 1601 to 9999 (what a cookie date can say), and
 * {@code SameSite=None} only with {@code Secure} (browsers drop it otherwise).
 *
 * <p>Immutable; thread-safe.
 *
 * @param name     the name, a token
 * @param value    the value, cookie-octets (may be empty)
 * @param path     the Path attribute, or null
 * @param domain   the Domain attribute, or null
 * @param maxAge   the Max-Age attribute (whole seconds; zero deletes the cookie), or null
 * @param expires  the Expires attribute, or null
 * @param secure   the Secure attribute
 * @param httpOnly the HttpOnly attribute
 * @param sameSite the SameSite attribute, or null
 */
public record Cookie(String name, String value, String path, String domain, Duration maxAge, Instant expires,
        boolean secure, boolean httpOnly, SameSite sameSite) {

    /** The SameSite attribute's values. */
    public enum SameSite {
        STRICT("Strict"), LAX("Lax"), NONE("None");

        private final String text;

        SameSite(String text) {
            this.text = text;
        }

        /** As written in the header. */
        public String text() {
            return text;
        }
    }

    /** The range of Expires: browsers refuse years before 1601, and an HTTP date has four digits for the year. */
    private static final Instant FIRST_EXPIRES = Instant.parse("1601-01-01T00:00:00Z");
    private static final Instant LAST_EXPIRES = Instant.parse("9999-12-31T23:59:59.999999999Z");

    public Cookie {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (!CookieSyntax.isToken(name)) {
            throw new IllegalArgumentException("cookie name must be a token (no spaces, separators or controls): \""
                    + name + "\"");
        }
        if (!CookieSyntax.isValue(value)) {
            throw new IllegalArgumentException("cookie " + name + ": value has a character outside cookie-octets"
                    + " (space, '\"', ',', ';', '\\\\' or a control): \"" + value + "\"");
        }
        checkAttribute(name, "path", path);
        checkAttribute(name, "domain", domain);
        if (maxAge != null && maxAge.isNegative()) {
            throw new IllegalArgumentException("cookie " + name + ": Max-Age must not be negative: " + maxAge);
        }
        if (expires != null && (expires.isBefore(FIRST_EXPIRES) || expires.isAfter(LAST_EXPIRES))) {
            throw new IllegalArgumentException("cookie " + name + ": Expires must be in the years 1601 to 9999"
                    + " (RFC 6265 5.1.1): " + expires);
        }
        if (sameSite == SameSite.NONE && !secure) {
            throw new IllegalArgumentException("cookie " + name + ": SameSite=None requires Secure");
        }
    }

    private static void checkAttribute(String cookie, String what, String value) {
        if (value != null && (value.isEmpty() || !CookieSyntax.isAttributeValue(value))) {
            throw new IllegalArgumentException("cookie " + cookie + ": " + what
                    + " must be non-empty, without ';' or control characters: \"" + value + "\"");
        }
    }

    /** A session cookie {@code name=value} with no attributes. */
    public static Cookie of(String name, String value) {
        return new Cookie(name, value, null, null, null, null, false, false, null);
    }

    /**
     * A cookie that makes the browser delete {@code name} (empty value, Max-Age 0, Expires in 1970); give the same
     * path and domain as when it was set.
     */
    public static Cookie deletion(String name, String path, String domain) {
        return new Cookie(name, "", path, domain, Duration.ZERO, Instant.EPOCH, false, false, null);
    }

    public Cookie withValue(String v) {
        return new Cookie(name, v, path, domain, maxAge, expires, secure, httpOnly, sameSite);
    }

    public Cookie withPath(String v) {
        return new Cookie(name, value, v, domain, maxAge, expires, secure, httpOnly, sameSite);
    }

    public Cookie withDomain(String v) {
        return new Cookie(name, value, path, v, maxAge, expires, secure, httpOnly, sameSite);
    }

    public Cookie withMaxAge(Duration v) {
        return new Cookie(name, value, path, domain, v, expires, secure, httpOnly, sameSite);
    }

    public Cookie withExpires(Instant v) {
        return new Cookie(name, value, path, domain, maxAge, v, secure, httpOnly, sameSite);
    }

    public Cookie withSecure(boolean v) {
        return new Cookie(name, value, path, domain, maxAge, expires, v, httpOnly, sameSite);
    }

    public Cookie withHttpOnly(boolean v) {
        return new Cookie(name, value, path, domain, maxAge, expires, secure, v, sameSite);
    }

    public Cookie withSameSite(SameSite v) {
        return new Cookie(name, value, path, domain, maxAge, expires, secure, httpOnly, v);
    }

    /** The value of a {@code Set-Cookie} field for this cookie, attributes in a fixed order. */
    public String toSetCookie() {
        StringBuilder sb = new StringBuilder(name).append('=').append(value);
        if (path != null) {
            sb.append("; Path=").append(path);
        }
        if (domain != null) {
            sb.append("; Domain=").append(domain);
        }
        if (maxAge != null) {
            sb.append("; Max-Age=").append(maxAge.toSeconds());
        }
        if (expires != null) {
            sb.append("; Expires=").append(HttpDate.format(expires));
        }
        if (secure) {
            sb.append("; Secure");
        }
        if (httpOnly) {
            sb.append("; HttpOnly");
        }
        if (sameSite != null) {
            sb.append("; SameSite=").append(sameSite.text());
        }
        return sb.toString();
    }
}
