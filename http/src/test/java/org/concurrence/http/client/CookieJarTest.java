package org.concurrence.http.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The jar's rules (RFC 6265 §5), without a network: parsing, domain, path, Secure, expiry, order, limits. */
class CookieJarTest {
    private static final Instant START = Instant.parse("2026-12-07T12:00:00Z");
    private final AtomicReference<Instant> now = new AtomicReference<>(START);
    private final CookieJar jar = CookieJar.create(now::get);

    private static URI uri(String s) {
        return URI.create(s);
    }

    private String sent(String uri) {
        return jar.cookieHeader(uri(uri));
    }

    @Test
    void aCookieWithoutDomainGoesBackToItsHostOnly() {
        assertTrue(jar.store(uri("http://www.example.com/"), "id=1"));
        assertEquals("id=1", sent("http://www.example.com/"));
        assertEquals("id=1", sent("http://WWW.Example.COM/any/path"));
        assertNull(sent("http://example.com/"), "not to the parent domain");
        assertNull(sent("http://sub.www.example.com/"), "not to subdomains: host-only");
        assertNull(sent("http://www.example.org/"));
        StoredCookie c = jar.all().getFirst();
        assertTrue(c.hostOnly());
        assertEquals("www.example.com", c.domain());
        assertNull(c.expires(), "a session cookie");
    }

    @Test
    void aDomainCookieGoesToTheDomainAndItsSubdomainsIfTheHostIsInIt() {
        assertTrue(jar.store(uri("https://a.example.com/"), "d=1; Domain=.Example.com"));
        assertEquals("d=1", sent("http://example.com/"));
        assertEquals("d=1", sent("http://a.example.com/"));
        assertEquals("d=1", sent("http://deep.b.example.com/"));
        assertNull(sent("http://badexample.com/"), "a suffix without the dot is another domain");
        assertFalse(jar.store(uri("https://a.example.com/"), "x=1; Domain=b.example.com"), "a sibling's");
        assertFalse(jar.store(uri("https://a.example.com/"), "x=1; Domain=other.com"), "another site's");
        assertFalse(jar.store(uri("https://a.example.com/"), "x=1; Domain=com"), "a single label: a public suffix");
        assertFalse(jar.store(uri("https://example.com/"), "x=1; Domain=a.example.com"), "a child's, from above");
        assertTrue(jar.store(uri("http://localhost/"), "l=1; Domain=localhost"), "a single label that is the host");
        assertFalse(jar.store(uri("http://10.0.0.1/"), "x=1; Domain=0.0.1"), "an IP address is no domain");
        assertTrue(jar.store(uri("http://10.0.0.1/"), "ip=1; Domain=10.0.0.1"));
        assertTrue(jar.store(uri("http://[::1]:8080/"), "v6=1"));
        assertEquals("v6=1", sent("http://[::1]/"), "cookies do not depend on the port");
        assertEquals(4, jar.size());
    }

    @Test
    void pathsMatchAtSlashesAndDefaultToTheRequestsDirectory() {
        jar.store(uri("http://h/docs/guide/intro.html"), "dir=1");
        jar.store(uri("http://h/x"), "root=1");
        jar.store(uri("http://h/"), "p=1; Path=/docs");
        jar.store(uri("http://h/"), "bad=1; Path=relative");
        assertEquals("dir=1; p=1; root=1; bad=1", sent("http://h/docs/guide/other"), "longest path first, then oldest");
        assertEquals("p=1; root=1; bad=1", sent("http://h/docs"));
        assertEquals("p=1; root=1; bad=1", sent("http://h/docs/"));
        assertEquals("root=1; bad=1", sent("http://h/docsx"), "/docs does not match /docsx");
        assertEquals("root=1; bad=1", sent("http://h"));
        assertEquals("/docs/guide", CookieJar.defaultPath("/docs/guide/intro.html"));
        assertEquals("/", CookieJar.defaultPath("/x"));
        assertEquals("/", CookieJar.defaultPath(""));
    }

    @Test
    void secureCookiesComeFromAndGoToHttpsOnly() {
        assertFalse(jar.store(uri("http://h/"), "s=1; Secure"), "a Secure cookie from http is refused");
        assertTrue(jar.store(uri("https://h/"), "s=1; Secure; HttpOnly"));
        assertTrue(jar.store(uri("https://h/"), "plain=1"));
        assertEquals("s=1; plain=1", sent("https://h/"));
        assertEquals("plain=1", sent("http://h/"));
        assertTrue(jar.cookiesFor(uri("https://h/")).getFirst().httpOnly());
    }

    @Test
    void maxAgeWinsOverExpiresAndAPastExpiryDeletes() {
        jar.store(uri("http://h/"), "a=1; Max-Age=60");
        jar.store(uri("http://h/"), "b=1; Expires=Mon, 07 Dec 2026 12:00:30 GMT");
        jar.store(uri("http://h/"), "c=1; Expires=Sun, 06 Dec 2026 00:00:00 GMT; Max-Age=120"); // Max-Age wins
        jar.store(uri("http://h/"), "d=1; Max-Age=999999999999999999999"); // saturates, capped at 400 days
        assertEquals("a=1; b=1; c=1; d=1", sent("http://h/"));
        now.set(START.plusSeconds(30));
        assertEquals("a=1; c=1; d=1", sent("http://h/"), "b expired at its Expires");
        now.set(START.plusSeconds(61));
        assertEquals("c=1; d=1", sent("http://h/"), "a after its Max-Age");
        jar.store(uri("http://h/"), "c=gone; Max-Age=0");
        assertEquals("d=1", sent("http://h/"), "Max-Age=0 deletes");
        jar.store(uri("http://h/"), "d=; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
        assertNull(sent("http://h/"), "a past Expires deletes");
        jar.store(uri("http://h/"), "e=1; Max-Age=-5");
        assertEquals(0, jar.size(), "a negative Max-Age stores nothing");
        jar.store(uri("http://h/"), "f=1; Max-Age=x; Expires=not a date");
        assertNull(jar.all().getFirst().expires(), "unreadable attributes are ignored, the cookie kept");
        jar.store(uri("http://h/"), "g=1; Max-Age=99999999999");
        assertEquals(now.get().plus(CookieJar.MAX_LIFETIME),
                jar.cookiesFor(uri("http://h/")).stream().filter(c -> c.name().equals("g")).findFirst()
                        .orElseThrow().expires());
    }

    @Test
    void aReplacementKeepsItsPlaceAndTheLastAttributeWins() {
        jar.store(uri("http://h/"), "first=1");
        now.set(START.plusSeconds(10));
        jar.store(uri("http://h/"), "second=1");
        jar.store(uri("http://h/"), "first=2; Path=/a; Path=/");
        assertEquals("first=2; second=1", sent("http://h/"), "replaced in place: still older");
        assertEquals(START, jar.cookiesFor(uri("http://h/")).getFirst().created());
        jar.store(uri("http://h/"), "first=other-path; Path=/p");
        assertEquals("first=other-path; first=2; second=1", sent("http://h/p"), "name and path identify a cookie");
    }

    @Test
    void fieldsThatCannotBeACookieAreIgnored() {
        assertFalse(jar.store(uri("http://h/"), "no-equals-sign"));
        assertFalse(jar.store(uri("http://h/"), "=value"));
        assertFalse(jar.store(uri("http://h/"), "  = value"));
        assertFalse(jar.store(uri("http://h/"), "a=b\u0001c"));
        assertFalse(jar.store(uri("http://h/"), "a=\u20ac"));
        assertFalse(jar.store(uri("http://h/"), "big=" + "x".repeat(CookieJar.MAX_COOKIE_SIZE)));
        assertTrue(jar.store(uri("http://h/"), " spaced = \"quoted value\" ; unknown ; SameSite=Lax"));
        assertEquals("spaced=\"quoted value\"", sent("http://h/"));
        assertTrue(jar.store(uri("http://h/"), "empty="));
        assertEquals("spaced=\"quoted value\"; empty=", sent("http://h/"));
    }

    @Test
    void cookieDatesAreReadInTheirManyForms() {
        Instant expected = Instant.parse("2027-03-09T08:07:06Z");
        for (String date : new String[] {"Tue, 09 Mar 2027 08:07:06 GMT", "Tuesday, 09-Mar-27 08:07:06 GMT",
                "Tue Mar  9 08:07:06 2027", "9 march 2027 8:7:6", "2027-mar-09 08:07:06", "Tue, 09-Mar-2027 08:07:06 UTC"}) {
            assertEquals(expected, CookieDate.parse(date), date);
        }
        assertEquals(Instant.parse("1999-01-01T00:00:00Z"), CookieDate.parse("01 Jan 99 00:00:00"));
        for (String bad : new String[] {"", "tomorrow", "Tue, 31 Feb 2027 08:07:06 GMT", "09 Mar 2027",
                "09 Mar 2027 24:00:00", "09 Mar 1600 00:00:00", "09 Xyz 2027 00:00:00", "090 Mar 2027 00:00:00"}) {
            assertNull(CookieDate.parse(bad), bad);
        }
    }

    @Test
    void aDomainKeepsAtMostItsLimitDroppingTheOldest() {
        for (int i = 0; i < CookieJar.MAX_PER_DOMAIN + 5; i++) {
            now.set(START.plusSeconds(i));
            assertTrue(jar.store(uri("http://h/"), "c" + i + "=" + i));
        }
        assertEquals(CookieJar.MAX_PER_DOMAIN, jar.size());
        assertFalse(sent("http://h/").contains("c4="), "the oldest went first");
        assertTrue(sent("http://h/").startsWith("c5=5; "));
        jar.clear();
        assertEquals(0, jar.size());
        assertNull(sent("http://h/"));
    }

    @Test
    void toStringLeavesTheValueOut() {
        jar.store(uri("https://h/"), "session=secret-token; Secure; Max-Age=60");
        String s = jar.all().getFirst().toString();
        assertFalse(s.contains("secret-token"), s);
        assertTrue(s.startsWith("session (host h; Path=/; Secure; expires "), s);
        assertEquals("CookieJar[1 cookies]", jar.toString());
        assertEquals(Duration.ofDays(400), CookieJar.MAX_LIFETIME);
    }
}
