package org.concurrence.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.concurrence.http.HttpException;
import org.concurrence.http.Method;
import org.concurrence.http.Response;
import org.concurrence.http.Status;
import org.junit.jupiter.api.Test;

class CorsFilterTest {
    private static final String APP = "https://app.example.com";
    private final AtomicInteger handled = new AtomicInteger();

    private Router router(CorsFilter cors) {
        return Router.builder()
                .filter(cors)
                .get("/items", r -> {
                    handled.incrementAndGet();
                    return Response.ok("items").withHeader("X-Total", "3");
                })
                .delete("/items/{id}", r -> {
                    handled.incrementAndGet();
                    return Response.of(Status.NO_CONTENT);
                })
                .get("/broken", r -> {
                    throw new HttpException(Status.CONFLICT, "no");
                })
                .build();
    }

    @Test
    void anActualRequestFromAnAllowedOriginMayBeReadByItsPage() throws Exception {
        Response r = router(CorsFilter.allowing(APP)).handle(TestRequest.get("/items", "Origin", APP));
        assertEquals(200, r.status().code());
        assertEquals(APP, r.headers().get("Access-Control-Allow-Origin"));
        assertTrue(r.headers().containsToken("Vary", "Origin"));
        assertNull(r.headers().get("Access-Control-Allow-Credentials"));
    }

    @Test
    void anotherOriginGetsTheResponseWithoutPermissionAndNoOriginIsNotCors() throws Exception {
        Router router = router(CorsFilter.allowing(APP));
        Response other = router.handle(TestRequest.get("/items", "Origin", "https://evil.example"));
        assertEquals(200, other.status().code(), "the server answers; the browser withholds it from the page");
        assertNull(other.headers().get("Access-Control-Allow-Origin"));
        assertTrue(other.headers().containsToken("Vary", "Origin"));
        Response none = router.handle(TestRequest.get("/items"));
        assertNull(none.headers().get("Access-Control-Allow-Origin"));
        assertTrue(none.headers().containsToken("Vary", "Origin"),
                "a cache must not serve this (permissionless) answer to a CORS request");
        Response anyNone = router(CorsFilter.allowingAnyOrigin()).handle(TestRequest.get("/items"));
        assertNull(anyNone.headers().get("Vary"), "with any origin the answer is the same for all: no Vary");
    }

    @Test
    void aPreflightIsAnsweredWithoutRunningTheHandlerEvenWhereTheRouterHasNoOptionsRoute() throws Exception {
        CorsFilter cors = CorsFilter.allowing(APP).withMethods(Method.DELETE).withMaxAge(Duration.ofMinutes(10));
        Response r = router(cors).handle(TestRequest.of(Method.OPTIONS, "/items/7", "Origin", APP,
                "Access-Control-Request-Method", "DELETE", "Access-Control-Request-Headers", "content-type, X-Token"));
        assertEquals(204, r.status().code());
        assertEquals(APP, r.headers().get("Access-Control-Allow-Origin"));
        assertEquals("DELETE, GET, HEAD, POST", r.headers().get("Access-Control-Allow-Methods"));
        assertEquals("content-type, x-token", r.headers().get("Access-Control-Allow-Headers"));
        assertEquals("600", r.headers().get("Access-Control-Max-Age"));
        assertTrue(r.headers().containsToken("Vary", "Access-Control-Request-Headers"));
        assertEquals(0, handled.get());
    }

    @Test
    void aPreflightForWhatIsNotAllowedIs403NamingIt() throws Exception {
        Router router = router(CorsFilter.allowing(APP).withHeaders("Content-Type"));
        Response method = router.handle(TestRequest.of(Method.OPTIONS, "/items/7", "Origin", APP,
                "Access-Control-Request-Method", "DELETE"));
        assertEquals(403, method.status().code());
        assertTrue(Responses.text(method).contains("method DELETE is not allowed"));
        assertNull(method.headers().get("Access-Control-Allow-Origin"));
        Response header = router.handle(TestRequest.of(Method.OPTIONS, "/items", "Origin", APP,
                "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "content-type,x-token"));
        assertEquals(403, header.status().code());
        assertTrue(Responses.text(header).contains("[x-token]"));
        Response origin = router.handle(TestRequest.of(Method.OPTIONS, "/items", "Origin", "http://app.example.com",
                "Access-Control-Request-Method", "GET"));
        assertEquals(403, origin.status().code(), "another scheme is another origin");
        Response junk = router.handle(TestRequest.of(Method.OPTIONS, "/items", "Origin", APP,
                "Access-Control-Request-Method", "G(E)T"));
        assertEquals(403, junk.status().code());
    }

    @Test
    void anyOriginIsAStarAndCredentialsNeedListedOriginsWhichAreEchoed() throws Exception {
        Response star = router(CorsFilter.allowingAnyOrigin()).handle(TestRequest.get("/items", "Origin", APP));
        assertEquals("*", star.headers().get("Access-Control-Allow-Origin"));
        assertFalse(star.headers().containsToken("Vary", "Origin"), "the same for every origin");
        Response echoed = router(CorsFilter.allowing(APP).withCredentials().withExposedHeaders("X-Total"))
                .handle(TestRequest.get("/items", "Origin", APP));
        assertEquals(APP, echoed.headers().get("Access-Control-Allow-Origin"));
        assertEquals("true", echoed.headers().get("Access-Control-Allow-Credentials"));
        assertEquals("X-Total", echoed.headers().get("Access-Control-Expose-Headers"));
        assertTrue(echoed.headers().containsToken("Vary", "Origin"));
        // Any origin with credentials would let every site read its visitors' data: refused when configured.
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> CorsFilter.allowingAnyOrigin().withCredentials());
        assertTrue(refused.getMessage().contains("list the origins"), refused.getMessage());
    }

    @Test
    void errorsCarryThePermissionTooSoThePageCanReadThem() throws Exception {
        Response r = router(CorsFilter.allowing(APP)).handle(TestRequest.get("/nothing-here", "Origin", APP));
        assertEquals(404, r.status().code());
        assertEquals(APP, r.headers().get("Access-Control-Allow-Origin"));
        Response thrown = router(CorsFilter.allowing(APP)).handle(TestRequest.get("/broken", "Origin", APP));
        assertEquals(409, thrown.status().code());
        assertEquals("no\n", Responses.text(thrown));
        assertEquals(APP, thrown.headers().get("Access-Control-Allow-Origin"));
    }

    @Test
    void originsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> CorsFilter.allowing("app.example.com"));
        assertThrows(IllegalArgumentException.class, () -> CorsFilter.allowing("https://*.example.com"));
        assertThrows(IllegalArgumentException.class, () -> CorsFilter.allowing("https://app.example.com/"));
        assertThrows(IllegalArgumentException.class, () -> CorsFilter.allowing());
        assertThrows(IllegalArgumentException.class, () -> CorsFilter.allowingAnyOrigin()
                .withMaxAge(Duration.ofSeconds(-1)));
    }

    @Test
    void originsCompareWithoutRegardToCase() throws Exception {
        Response r = router(CorsFilter.allowing("HTTPS://App.Example.COM")).handle(TestRequest.get("/items",
                "Origin", APP));
        assertEquals(APP, r.headers().get("Access-Control-Allow-Origin"), "the request's origin is echoed");
    }
}
