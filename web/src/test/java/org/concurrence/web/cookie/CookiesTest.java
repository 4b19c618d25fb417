package org.concurrence.web.cookie;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.concurrence.http.Response;
import org.concurrence.web.TestRequest;
import org.junit.jupiter.api.Test;

class CookiesTest {

    @Test
    void theCookieHeaderIsParsedInOrderWithTheFirstOfADuplicateWinning() {
        var request = TestRequest.get("/", "Cookie", "sid=abc123; theme=\"dark\";  lang = en ; sid=other",
                "Cookie", "extra=1");
        assertEquals(Map.of("sid", "abc123", "theme", "dark", "lang", "en", "extra", "1"), Cookies.parse(request));
        assertEquals(List.of("sid", "theme", "lang", "extra"), List.copyOf(Cookies.parse(request).keySet()));
        assertEquals("abc123", Cookies.get(request, "sid"));
        assertNull(Cookies.get(request, "nope"));
    }

    @Test
    void malformedPairsAreSkippedAndEmptyValuesKept() {
        assertEquals(Map.of("a", "", "b", "2", "c", "x=y"), Cookies.parse("noequals; =novalue; a=; b=2; c=x=y;"));
        assertEquals(Map.of(), Cookies.parse(TestRequest.get("/")));
    }

    @Test
    void onlySpaceAndTabAroundNamesAndValuesAreDropped() {
        // RFC 6265 §5.2 trims WSP (SP, HTAB); String.strip() also ate CR, VT, FF and 0x1C-0x1F, which are octets of
        // the value (invalid ones, but the parser is lenient and keeps what it does not understand).
        assertEquals(Map.of("a", "\rx", "\u001fb", "y\u000b", "c", "z"),
                Cookies.parse("a=\rx; \u001fb= y\u000b;\tc\t=\t\"z\"\t"));
    }

    @Test
    void aCookieWithEveryAttributeIsWrittenInAFixedOrder() {
        Cookie c = Cookie.of("sid", "abc").withPath("/app").withDomain("example.com")
                .withMaxAge(Duration.ofHours(1)).withExpires(Instant.parse("2030-01-02T03:04:05Z"))
                .withSecure(true).withHttpOnly(true).withSameSite(Cookie.SameSite.NONE);
        assertEquals("sid=abc; Path=/app; Domain=example.com; Max-Age=3600; Expires=Wed, 02 Jan 2030 03:04:05 GMT;"
                + " Secure; HttpOnly; SameSite=None", c.toSetCookie());
        assertEquals("a=b", Cookie.of("a", "b").toSetCookie());
    }

    @Test
    void aDeletionCookieExpiresAtOnce() {
        assertEquals("sid=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
                Cookie.deletion("sid", "/", null).toSetCookie());
    }

    @Test
    void cookiesAreAddedAsSeparateSetCookieFields() {
        Response r = Cookies.add(Response.ok("hi"), Cookie.of("a", "1"), Cookie.of("b", "2").withHttpOnly(true));
        r = Cookies.add(r, Cookie.of("c", "3"));
        assertEquals(List.of("a=1", "b=2; HttpOnly", "c=3"), r.headers().all("Set-Cookie"));
    }

    @Test
    void badNamesValuesAndAttributesAreRejectedWhereTheCookieIsMade() {
        assertTrue(message(() -> Cookie.of("bad name", "v")).contains("name must be a token"));
        assertTrue(message(() -> Cookie.of("a", "x;y")).contains("outside cookie-octets"));
        assertTrue(message(() -> Cookie.of("a", "two words")).contains("outside cookie-octets"));
        assertTrue(message(() -> Cookie.of("a", "v\r\nSet-Cookie: evil=1")).contains("outside cookie-octets"));
        assertTrue(message(() -> Cookie.of("a", "v").withPath("/x; Domain=evil")).contains("path must be"));
        assertTrue(message(() -> Cookie.of("a", "v").withMaxAge(Duration.ofSeconds(-1))).contains("negative"));
        assertEquals("cookie a: SameSite=None requires Secure",
                message(() -> Cookie.of("a", "v").withSameSite(Cookie.SameSite.NONE)));
        assertEquals("\"quoted\"", Cookie.of("a", "\"quoted\"").value());
    }

    @Test
    void anExpiresDateThatCannotBeWrittenIsRejectedWhereTheCookieIsMade() {
        // Instant.MAX failed only in toSetCookie (a 500 when the response was built); year 10000 came out as
        // "+10000" and year -5 as "0006" (the year of era), dates no browser reads as meant.
        for (String at : new String[] {"+10000-01-01T00:00:00Z", "-0005-01-01T00:00:00Z", "1600-12-31T23:59:59Z"}) {
            assertEquals("cookie a: Expires must be in the years 1601 to 9999 (RFC 6265 5.1.1): " + at,
                    message(() -> Cookie.of("a", "v").withExpires(Instant.parse(at))), at);
        }
        assertTrue(message(() -> Cookie.of("a", "v").withExpires(Instant.MAX)).contains("years 1601 to 9999"));
        assertEquals("a=v; Expires=Fri, 31 Dec 9999 23:59:59 GMT",
                Cookie.of("a", "v").withExpires(Instant.parse("9999-12-31T23:59:59.999Z")).toSetCookie());
        assertEquals("a=v; Expires=Mon, 01 Jan 1601 00:00:00 GMT",
                Cookie.of("a", "v").withExpires(Instant.parse("1601-01-01T00:00:00Z")).toSetCookie());
    }

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }
}
