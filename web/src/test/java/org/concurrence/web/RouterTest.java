package org.concurrence.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.concurrence.http.Filter;
import org.concurrence.http.Method;
import org.concurrence.http.Request;
import org.concurrence.http.Response;
import org.concurrence.http.Status;
import org.junit.jupiter.api.Test;

class RouterTest {

    private static Response call(Router router, Request request) throws Exception {
        return router.handle(request);
    }

    private static String body(Router router, Method method, String target) throws Exception {
        return Responses.text(call(router, TestRequest.of(method, target)));
    }

    private static Response echo(String what) {
        return Response.ok(what);
    }

    @Test
    void aLiteralBeatsAParameterWhichBeatsACatchAll() throws Exception {
        Router router = Router.builder()
                .get("/users/me", r -> echo("me"))
                .get("/users/{id}", r -> echo("id=" + r.pathParam("id")))
                .get("/users/{rest...}", r -> echo("rest=" + r.pathParam("rest")))
                .build();
        assertEquals("me", body(router, Method.GET, "/users/me"));
        assertEquals("id=42", body(router, Method.GET, "/users/42"));
        assertEquals("rest=42/posts/7", body(router, Method.GET, "/users/42/posts/7"));
    }

    @Test
    void matchingBacktracksFromALiteralToAParameter() throws Exception {
        Router router = Router.builder()
                .get("/users/me/settings", r -> echo("settings"))
                .get("/users/{id}/posts", r -> echo("posts of " + r.pathParam("id")))
                .build();
        assertEquals("posts of me", body(router, Method.GET, "/users/me/posts"));
        assertEquals("settings", body(router, Method.GET, "/users/me/settings"));
    }

    @Test
    void aLessSpecificTemplateServesAMethodTheMoreSpecificOneLacks() throws Exception {
        Router router = Router.builder()
                .post("/users/me", r -> echo("post me"))
                .get("/users/{id}", r -> echo("get " + r.pathParam("id")))
                .build();
        assertEquals("get me", body(router, Method.GET, "/users/me"));
        assertEquals("post me", body(router, Method.POST, "/users/me"));
    }

    @Test
    void parametersAreDecodedAndSeveralReachTheHandler() throws Exception {
        Router router = Router.builder()
                .get("/a/{x}/b/{y}/c/{z}", r -> echo(r.pathParams().toString()))
                .get("/files/{path...}", r -> echo("[" + r.pathParam("path") + "]"))
                .build();
        assertEquals("{x=1, y=two words, z=é}", body(router, Method.GET, "/a/1/b/two%20words/c/%C3%A9"));
        assertEquals("[]", body(router, Method.GET, "/files/"));
        assertEquals("[a/b.txt]", body(router, Method.GET, "/files/a/b.txt"));
        assertEquals("/files/", call(router, TestRequest.get("/files")).headers().get("Location"));
    }

    @Test
    void theMatchedTemplateIsTheRouteAttribute() throws Exception {
        Router router = Router.builder().get("/users/{id}", r -> echo(r.attribute(Router.ROUTE))).build();
        assertEquals("/users/{id}", body(router, Method.GET, "/users/7"));
    }

    @Test
    void aParameterDoesNotMatchAnEmptySegment() throws Exception {
        Router router = Router.builder().get("/users/{id}", r -> echo("x")).build();
        assertEquals(404, call(router, TestRequest.get("/users/")).status().code());
    }

    @Test
    void unknownPathsGet404() throws Exception {
        Router router = Router.builder().get("/", r -> echo("root")).build();
        assertEquals("root", body(router, Method.GET, "/"));
        Response r = call(router, TestRequest.get("/nothing"));
        assertEquals(Status.NOT_FOUND, r.status());
        assertEquals("no route for /nothing", Responses.text(r));
    }

    @Test
    void aCustomNotFoundHandlerAnswersUnmatchedPaths() throws Exception {
        Router router = Router.builder().notFound(r -> Response.text(Status.NOT_FOUND, "custom")).build();
        assertEquals("custom", body(router, Method.GET, "/x"));
    }

    @Test
    void aKnownPathWithAnotherMethodGets405WithAllow() throws Exception {
        Router router = Router.builder()
                .get("/items/{id}", r -> echo("get"))
                .put("/items/{id}", r -> echo("put"))
                .delete("/items/{id}", r -> echo("delete"))
                .build();
        Response r = call(router, TestRequest.of(Method.POST, "/items/3"));
        assertEquals(Status.METHOD_NOT_ALLOWED, r.status());
        assertEquals("GET, HEAD, PUT, DELETE, OPTIONS", r.headers().get("Allow"));
    }

    @Test
    void allowListsTheMethodsOfEveryTemplateThatMatches() throws Exception {
        Router router = Router.builder()
                .post("/users/me", r -> echo("post me"))
                .put("/users/{id}", r -> echo("put"))
                .build();
        Response r = call(router, TestRequest.of(Method.DELETE, "/users/me"));
        assertEquals("POST, PUT, OPTIONS", r.headers().get("Allow"));
    }

    @Test
    void headIsServedByTheGetRouteUnlessItHasItsOwn() throws Exception {
        Router router = Router.builder()
                .get("/a", r -> echo("get a"))
                .get("/b", r -> echo("get b"))
                .route(Method.HEAD, "/b", r -> Response.of(Status.NO_CONTENT))
                .build();
        Response a = call(router, TestRequest.of(Method.HEAD, "/a"));
        assertEquals(Status.OK, a.status());
        assertEquals(5, a.body().length(), "the GET body's length, for the server to frame and not send");
        assertEquals(Status.NO_CONTENT, call(router, TestRequest.of(Method.HEAD, "/b")).status());
    }

    @Test
    void optionsIsAnsweredWithAllowUnlessRouted() throws Exception {
        Router router = Router.builder()
                .get("/a", r -> echo("a"))
                .post("/a", r -> echo("a"))
                .route(Method.OPTIONS, "/b", r -> echo("own options"))
                .patch("/c", r -> echo("c"))
                .build();
        Response a = call(router, TestRequest.of(Method.OPTIONS, "/a"));
        assertEquals(Status.NO_CONTENT, a.status());
        assertEquals("GET, HEAD, POST, OPTIONS", a.headers().get("Allow"));
        assertEquals("own options", body(router, Method.OPTIONS, "/b"));
        assertEquals(404, call(router, TestRequest.of(Method.OPTIONS, "/none")).status().code());
        Response star = call(router, TestRequest.of(Method.OPTIONS, "*"));
        assertEquals("GET, HEAD, POST, PATCH, OPTIONS", star.headers().get("Allow"));
    }

    @Test
    void aMissingOrExtraTrailingSlashRedirectsGetsToTheRoutedForm() throws Exception {
        Router router = Router.builder()
                .get("/docs/", r -> echo("docs"))
                .get("/about", r -> echo("about"))
                .post("/form", r -> echo("form"))
                .build();
        Response r = call(router, TestRequest.get("/docs?page=2"));
        assertEquals(Status.PERMANENT_REDIRECT, r.status());
        assertEquals("/docs/?page=2", r.headers().get("Location"));
        assertEquals("/about", call(router, TestRequest.get("/about/")).headers().get("Location"));
        assertEquals(404, call(router, TestRequest.of(Method.POST, "/form/")).status().code());
    }

    @Test
    void theTrailingSlashRedirectNeverPointsAtAnotherHost() throws Exception {
        Router pages = Router.builder().get("/{page}", r -> echo("page")).build();
        Router sections = Router.builder().get("/{section}/", r -> echo("section")).build();
        assertEquals("/docs", call(pages, TestRequest.get("/docs/")).headers().get("Location"));
        assertEquals("/docs/", call(sections, TestRequest.get("/docs")).headers().get("Location"));
        // Browsers read "/\\evil.example" as "//evil.example", another host: that would be an open redirect.
        Response r = call(pages, TestRequest.get("/\\evil.example/"));
        assertEquals(404, r.status().code(), "Location: " + r.headers().get("Location"));
        r = call(sections, TestRequest.get("/\\evil.example"));
        assertEquals(404, r.status().code(), "Location: " + r.headers().get("Location"));
    }

    @Test
    void anEncodedTrailingSlashIsNotRedirectedToADoubleSlash() throws Exception {
        Router router = Router.builder().get("/about", r -> echo("about")).build();
        Response r = call(router, TestRequest.get("/about%2F"));
        assertEquals(404, r.status().code(), "Location: " + r.headers().get("Location"));
    }

    @Test
    void filtersRunRouterThenOuterGroupThenInnerGroupThenRouteInOrder() throws Exception {
        List<String> trace = new ArrayList<>();
        Router router = Router.builder()
                .filter(tracing(trace, "router1"))
                .filter(tracing(trace, "router2"))
                .group("/api", api -> api
                        .filter(tracing(trace, "api"))
                        .group("/v1", v1 -> v1
                                .get("/x", r -> {
                                    trace.add("handler");
                                    return echo("x");
                                }, tracing(trace, "route1"), tracing(trace, "route2"))
                                .filter(tracing(trace, "v1 (added after the route)"))))
                .build();
        assertEquals("x", body(router, Method.GET, "/api/v1/x"));
        assertEquals(List.of("router1", "router2", "api", "v1 (added after the route)", "route1", "route2",
                "handler"), trace);
    }

    @Test
    void routerFiltersSeeUnmatchedRequestsButGroupFiltersDoNot() throws Exception {
        List<String> trace = new ArrayList<>();
        Router router = Router.builder()
                .filter(tracing(trace, "router"))
                .group("/api", api -> api.filter(tracing(trace, "api")).get("/x", r -> echo("x")))
                .build();
        assertEquals(404, call(router, TestRequest.get("/api/y")).status().code());
        assertEquals(List.of("router"), trace);
    }

    @Test
    void aFilterMayAnswerWithoutCallingTheRoute() throws Exception {
        Filter deny = (request, next) -> Response.text(Status.FORBIDDEN, "no");
        Router router = Router.builder()
                .group("/admin", admin -> admin.filter(deny).get("/x", r -> echo("secret")))
                .get("/x", r -> echo("public"))
                .build();
        assertEquals(403, call(router, TestRequest.get("/admin/x")).status().code());
        assertEquals("public", body(router, Method.GET, "/x"));
    }

    @Test
    void aGroupRoutesItsPrefixWithTheEmptyPath() throws Exception {
        Router router = Router.builder()
                .group("/api", api -> api.get("", r -> echo("api root")).get("/", r -> echo("api slash")))
                .build();
        assertEquals("api root", body(router, Method.GET, "/api"));
        assertEquals("api slash", body(router, Method.GET, "/api/"));
    }

    @Test
    void aMountTakesEveryMethodUnderItsPrefixWithTheRestAsPath() throws Exception {
        Router router = Router.builder()
                .mount("/static", r -> echo(r.method() + " [" + r.pathParam("path") + "]"))
                .get("/static/special", r -> echo("special"))
                .build();
        assertEquals("GET [css/site.css]", body(router, Method.GET, "/static/css/site.css"));
        assertEquals("DELETE []", body(router, Method.DELETE, "/static"));
        assertEquals("special", body(router, Method.GET, "/static/special"));
    }

    @Test
    void conflictingRoutesFailTheBuild() {
        var builder = Router.builder().get("/users/{id}", r -> echo("a")).get("/users/{name}", r -> echo("b"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, builder::build);
        assertEquals("route GET /users/{name} conflicts with GET /users/{id} registered before", e.getMessage());
    }

    @Test
    void differentMethodsMayNameTheSameParameterDifferently() throws Exception {
        Router router = Router.builder()
                .get("/users/{id}", r -> echo("id " + r.pathParam("id")))
                .post("/users/{name}", r -> echo("name " + r.pathParam("name")))
                .build();
        assertEquals("id 1", body(router, Method.GET, "/users/1"));
        assertEquals("name 1", body(router, Method.POST, "/users/1"));
    }

    @Test
    void malformedTemplatesAreRejectedWithTheReason() {
        assertTrue(message(() -> Router.builder().get("users", r -> echo(""))).contains("must start with '/'"));
        assertTrue(message(() -> Router.builder().get("/a/{x...}/b", r -> echo(""))).contains("last segment"));
        assertTrue(message(() -> Router.builder().get("/a/x{y}", r -> echo(""))).contains("whole segment"));
        assertTrue(message(() -> Router.builder().get("/{a}/{a}", r -> echo(""))).contains("appears twice"));
        assertTrue(message(() -> Router.builder().get("/a//b", r -> echo(""))).contains("empty segment"));
        assertTrue(message(() -> Router.builder().group("/a/", g -> { })).contains("prefix"));
    }

    @Test
    void anUnknownPathParameterIsAClearProgrammingError() throws Exception {
        Router router = Router.builder().get("/users/{id}", r -> echo(r.pathParam("ID"))).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> router.handle(TestRequest.get("/users/1")));
        assertEquals("no path parameter \"ID\" in [id] for GET /users/1", e.getMessage());
    }

    @Test
    void theRouteAttributeIsAbsentOnUnmatchedRequests() throws Exception {
        List<String> seen = new ArrayList<>();
        Router router = Router.builder()
                .filter((request, next) -> {
                    Response r = next.handle(request);
                    seen.add(String.valueOf(request.attribute(Router.ROUTE)));
                    return r;
                })
                .build();
        router.handle(TestRequest.get("/x"));
        assertEquals(List.of("null"), seen);
        assertNull(TestRequest.get("/").attribute(Router.ROUTE));
    }

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    private static Filter tracing(List<String> trace, String name) {
        return (request, next) -> {
            trace.add(name);
            return next.handle(request);
        };
    }
}
