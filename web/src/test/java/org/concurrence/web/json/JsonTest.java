package org.concurrence.web.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.http.HttpException;
import org.concurrence.http.Method;
import org.concurrence.http.Request;
import org.concurrence.http.Response;
import org.concurrence.http.Status;
import org.concurrence.web.Responses;
import org.concurrence.web.Router;
import org.concurrence.web.TestRequest;
import org.junit.jupiter.api.Test;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.type.TypeReference;

class JsonTest {
    record Item(String sku, int qty) {}

    record Order(long id, String customer, List<Item> items, LocalDate due) {}

    private static Request post(String body, String contentType) {
        return TestRequest.withBody(Method.POST, "/orders", body, "Content-Type", contentType);
    }

    @Test
    void aRecordMakesAJsonResponseAndReadsBackEqual() throws Exception {
        Order order = new Order(7, "Ada", List.of(new Item("a-1", 2)), LocalDate.of(2026, 3, 1));
        Response r = Json.response(order);
        assertEquals(Status.OK, r.status());
        assertEquals("application/json", r.headers().get("Content-Type"));
        String text = Responses.text(r);
        assertEquals("{\"id\":7,\"customer\":\"Ada\",\"items\":[{\"sku\":\"a-1\",\"qty\":2}],\"due\":\"2026-03-01\"}",
                text);
        assertEquals(order, Json.read(post(text, "application/json"), Order.class));
    }

    @Test
    void aResponseMayHaveAnyStatus() {
        Response r = Json.response(Status.CREATED, Map.of("id", 1));
        assertEquals(Status.CREATED, r.status());
        assertEquals("{\"id\":1}", Responses.text(r));
    }

    @Test
    void genericTypesReadThroughATypeReference() throws Exception {
        List<Item> items = Json.read(post("[{\"sku\":\"x\",\"qty\":1}]", "application/json; charset=utf-8"),
                new TypeReference<List<Item>>() {});
        assertEquals(List.of(new Item("x", 1)), items);
    }

    @Test
    void vendorJsonTypesAreAccepted() throws Exception {
        assertEquals(new Item("x", 1),
                Json.read(post("{\"sku\":\"x\",\"qty\":1}", "application/vnd.api+json"), Item.class));
    }

    @Test
    void aBodyThatIsNotDeclaredJsonIs415() {
        HttpException e = assertThrows(HttpException.class, () -> Json.read(post("{}", "text/plain"), Item.class));
        assertEquals(Status.UNSUPPORTED_MEDIA_TYPE, e.status());
        assertEquals("expected Content-Type application/json, not text/plain", e.getMessage());
        HttpException none = assertThrows(HttpException.class,
                () -> Json.read(TestRequest.withBody(Method.POST, "/", "{}"), Item.class));
        assertEquals("expected Content-Type application/json, but the request has none", none.getMessage());
        HttpException latin = assertThrows(HttpException.class,
                () -> Json.read(post("{}", "application/json; charset=ISO-8859-1"), Item.class));
        assertEquals(415, latin.status().code());
    }

    @Test
    void aWrongValueIs400NamingThePropertyPathAndProblem() {
        HttpException e = assertThrows(HttpException.class,
                () -> Json.read(post("{\"id\":1,\"items\":[{\"sku\":\"a\",\"qty\":1},"
                        + "{\"sku\":\"b\",\"qty\":\"many\"}]}", "application/json"), Order.class));
        assertEquals(Status.BAD_REQUEST, e.status());
        assertTrue(e.getMessage().startsWith("invalid JSON for Order at $.items[1].qty (line 1, column "),
                e.getMessage());
        assertTrue(e.getMessage().contains("from String \"many\""), e.getMessage());
    }

    @Test
    void aWrongShapeIs400NamingTheTypeWithoutItsPackage() {
        HttpException e = assertThrows(HttpException.class,
                () -> Json.read(post("[1, 2]", "application/json"), Order.class));
        assertEquals(Status.BAD_REQUEST, e.status());
        assertTrue(e.getMessage().contains("`JsonTest$Order`"), e.getMessage());
        assertFalse(e.getMessage().contains("org.concurrence"), e.getMessage());
    }

    @Test
    void malformedEmptyAndNullBodiesAre400() {
        HttpException broken = assertThrows(HttpException.class,
                () -> Json.read(post("{\"sku\":", "application/json"), Item.class));
        assertEquals(400, broken.status().code());
        assertTrue(broken.getMessage().startsWith("invalid JSON for Item (line 1, column 8): Unexpected end-of-input"),
                broken.getMessage());
        HttpException empty = assertThrows(HttpException.class,
                () -> Json.read(post("", "application/json"), Item.class));
        assertEquals("request body is empty; expected JSON for Item", empty.getMessage());
        HttpException nul = assertThrows(HttpException.class,
                () -> Json.read(post("null", "application/json"), Item.class));
        assertEquals("request body is JSON null; expected Item", nul.getMessage());
    }

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    /** {@code {"a":{"a":...{"a":1}...}}}, {@code depth} objects deep. */
    private static String nested(int depth) {
        return "{\"a\":".repeat(depth - 1) + "{\"a\":1}" + "}".repeat(depth - 1);
    }

    private static HttpException readFails(JsonCodec codec, String body) {
        return assertThrows(HttpException.class, () -> codec.read(post(body, "application/json"), MAP));
    }

    @Test
    void anOrdinaryBodyStillReadsIntoAMap() throws Exception {
        String body = "{\"name\":\"Ada\",\"tags\":[\"x\",\"y\"],\"n\":12345678901234567890,\"d\":" + nested(20) + "}";
        Map<String, Object> map = Json.read(post(body, "application/json"), MAP);
        assertEquals("Ada", map.get("name"));
        assertEquals(List.of("x", "y"), map.get("tags"));
        assertEquals(new java.math.BigInteger("12345678901234567890"), map.get("n"));
        assertTrue(map.containsKey("d"));
        assertEquals(100, JsonCodec.READ_LIMITS.getMaxNestingDepth());
        Json.read(post(nested(100), "application/json"), MAP);                  // the limit itself is allowed
    }

    @Test
    void deepNestingIs400NamingTheDepthLimit() {
        HttpException e = readFails(JsonCodec.standard(), nested(101));
        assertEquals(Status.BAD_REQUEST, e.status());
        assertTrue(e.getMessage().startsWith("JSON for Map exceeds a limit"), e.getMessage());
        assertTrue(e.getMessage().contains("nesting depth (101) exceeds the maximum allowed (100"), e.getMessage());
        assertTrue(e.getMessage().contains("getMaxNestingDepth"), e.getMessage());
    }

    @Test
    void anOverlongNumberIs400NamingTheNumberLimit() {
        HttpException e = readFails(JsonCodec.standard(), "{\"n\":" + "9".repeat(1001) + "}");
        assertEquals(Status.BAD_REQUEST, e.status());
        assertTrue(e.getMessage().startsWith("JSON for Map exceeds a limit"), e.getMessage());
        assertTrue(e.getMessage().contains("Number value length (1001) exceeds the maximum allowed (1000"),
                e.getMessage());
    }

    @Test
    void aVeryWideBodyIs400NamingTheTokenLimit() {
        // The standard limit is a million tokens (2 MB of "0,", over this test request's 1 MiB body limit): the same
        // check with a lower limit, 200,001 tokens in 400 KB, many times its size in heap as a tree
        assertEquals(1_000_000, JsonCodec.READ_LIMITS.getMaxTokenCount());
        JsonCodec codec = JsonCodec.of(JsonCodec.mapperBuilder(
                JsonCodec.READ_LIMITS.rebuild().maxTokenCount(200_000).build()).build());
        HttpException e = readFails(codec, "{\"a\":[" + "0,".repeat(199_995) + "0]}");
        assertEquals(Status.BAD_REQUEST, e.status());
        assertTrue(e.getMessage().contains("Token count (200001) exceeds the maximum allowed (200000"),
                e.getMessage());
    }

    @Test
    void anOverlongPropertyNameIs400NamingTheNameLimit() {
        HttpException e = readFails(JsonCodec.standard(), "{\"" + "k".repeat(1001) + "\":1}");
        assertEquals(Status.BAD_REQUEST, e.status());
        assertTrue(e.getMessage().contains("Name length (1001) exceeds the maximum allowed (1000"), e.getMessage());
        // Into a record too: unknown properties are skipped, but their names are read (and would be kept by the
        // mapper's shared symbol table)
        HttpException typed = assertThrows(HttpException.class,
                () -> Json.read(post("{\"" + "k".repeat(1001) + "\":1}", "application/json"), Item.class));
        assertEquals(Status.BAD_REQUEST, typed.status());
    }

    @Test
    void theLimitsAreConfigurableThroughTheMapperBuilder() throws Exception {
        JsonCodec strict = JsonCodec.of(JsonCodec.mapperBuilder(
                JsonCodec.READ_LIMITS.rebuild().maxNestingDepth(3).build()).build());
        assertTrue(readFails(strict, nested(4)).getMessage().contains("exceeds the maximum allowed (3"));
        strict.read(post(nested(3), "application/json"), MAP);
        JsonCodec loose = JsonCodec.of(JsonCodec.mapperBuilder(
                StreamReadConstraints.builder().maxNestingDepth(1000).build()).build());
        assertEquals(Map.of("a", 1), loose.read(post(nested(1), "application/json"), MAP));
        loose.read(post(nested(500), "application/json"), MAP);
        assertEquals(JsonCodec.READ_LIMITS.getMaxTokenCount(),
                JsonCodec.mapperBuilder().build().tokenStreamFactory().streamReadConstraints().getMaxTokenCount());
    }

    @Test
    void aLimitBehindTheFilterIsAJson400NotA500() throws Exception {
        Router router = Router.builder()
                .filter(new JsonFilter())
                .post("/items", req -> Json.response(Json.read(req, MAP)))
                .build();
        Response r = router.handle(TestRequest.withBody(Method.POST, "/items", nested(200),
                "Content-Type", "application/json"));
        assertEquals(400, r.status().code());
        String text = Responses.text(r);
        assertTrue(text.startsWith("{\"status\":400,\"message\":\"JSON for Map exceeds a limit"), text);
        assertFalse(text.contains("trace"), text);
    }

    @Test
    void theFilterTurnsAnHttpExceptionIntoAJsonError() throws Exception {
        Response r = new JsonFilter().filter(TestRequest.get("/"), req -> {
            throw new HttpException(Status.NOT_FOUND, "no such order: 42");
        });
        assertEquals(Status.NOT_FOUND, r.status());
        assertEquals("application/json", r.headers().get("Content-Type"));
        assertEquals("{\"status\":404,\"message\":\"no such order: 42\"}", Responses.text(r));
    }

    @Test
    void theFilterHidesExceptionsInProductionAndShowsThemInDevelopment() throws Exception {
        Response prod = new JsonFilter().filter(TestRequest.get("/"), req -> {
            throw new IllegalStateException("secret detail");
        });
        assertEquals(500, prod.status().code());
        assertEquals("{\"status\":500,\"message\":\"internal server error\"}", Responses.text(prod));
        Response dev = JsonFilter.development().filter(TestRequest.get("/"), req -> {
            throw new IllegalStateException("secret detail");
        });
        String text = Responses.text(dev);
        assertTrue(text.startsWith("{\"status\":500,\"message\":\"java.lang.IllegalStateException: secret detail\""
                + ",\"trace\":\"java.lang.IllegalStateException: secret detail"), text);
        assertFalse(Responses.text(prod).contains("trace"));
    }

    @Test
    void theFilterMakesADeadlineA504() throws Exception {
        Response r = new JsonFilter().filter(TestRequest.get("/"), req -> {
            throw new DeadlineExceededException("query orders", Duration.ofSeconds(2));
        });
        assertEquals(Status.GATEWAY_TIMEOUT, r.status());
        assertEquals("{\"status\":504,\"message\":\"query orders timed out after 2.000 s\"}", Responses.text(r));
    }

    @Test
    void theFilterRewritesTheRoutersTextErrorsKeepingAllow() throws Exception {
        Router router = Router.builder()
                .filter(new JsonFilter())
                .get("/orders/{id}", req -> Json.response(new Item(req.pathParam("id"), 1)))
                .build();
        Response r = router.handle(TestRequest.of(Method.DELETE, "/orders/1"));
        assertEquals(405, r.status().code());
        assertEquals("GET, HEAD, OPTIONS", r.headers().get("Allow"));
        assertEquals("application/json", r.headers().get("Content-Type"));
        assertEquals("{\"status\":405,\"message\":\"method DELETE is not allowed for /orders/1; allowed: GET, HEAD,"
                + " OPTIONS\"}", Responses.text(r));
        assertEquals("{\"sku\":\"9\",\"qty\":1}", Responses.text(router.handle(TestRequest.get("/orders/9"))));
        assertEquals("{\"status\":404,\"message\":\"no route for /x\"}",
                Responses.text(router.handle(TestRequest.get("/x"))));
    }

    @Test
    void aBadRequestInsideARouteComesBackAsJson() throws Exception {
        Router router = Router.builder()
                .filter(new JsonFilter())
                .post("/items", req -> Json.response(Status.CREATED, Json.read(req, Item.class)))
                .build();
        Response ok = router.handle(TestRequest.withBody(Method.POST, "/items", "{\"sku\":\"z\",\"qty\":3}",
                "Content-Type", "application/json"));
        assertEquals(201, ok.status().code());
        Response bad = router.handle(TestRequest.withBody(Method.POST, "/items", "{}", "Content-Type", "text/csv"));
        assertEquals(415, bad.status().code());
        assertEquals("{\"status\":415,\"message\":\"expected Content-Type application/json, not text/csv\"}",
                Responses.text(bad));
    }
}
