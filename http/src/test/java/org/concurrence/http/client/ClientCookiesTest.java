package org.concurrence.http.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.Outcome;
import org.concurrence.core.Tasklet;
import org.concurrence.http.Response;
import org.concurrence.http.Status;
import org.concurrence.http.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A client with a cookie jar against our server: set and sent back, the caller's own, redirects, sharing. */
@Timeout(120)
class ClientCookiesTest {
    private static final Duration PATIENCE = TestServer.PATIENCE;

    /** /set?c=name=value... sets what it is told; /go?to=... redirects there setting a cookie; others echo Cookie. */
    private static Response cookies(org.concurrence.http.Request request) {
        return switch (request.path()) {
            case "/set" -> {
                Response r = Response.ok("set");
                for (String c : request.queryParams().all("c")) {
                    r = r.withAddedHeader("Set-Cookie", c);
                }
                yield r;
            }
            case "/go" -> Response.redirect(Status.FOUND, request.queryParam("to"))
                    .withAddedHeader("Set-Cookie", "hop=1; Path=/");
            default -> Response.ok(String.valueOf(request.header("Cookie")));
        };
    }

    private static String set(HttpClient client, TestServer server, String... setCookies) throws Exception {
        StringBuilder query = new StringBuilder();
        for (String c : setCookies) {
            query.append(query.isEmpty() ? "?" : "&").append("c=").append(java.net.URLEncoder.encode(c,
                    java.nio.charset.StandardCharsets.UTF_8));
        }
        return client.send(ClientRequest.get(server.uri("/set" + query)), PATIENCE).text();
    }

    private static String echo(HttpClient client, URI uri) throws Exception {
        return client.send(ClientRequest.get(uri), PATIENCE).text();
    }

    @Test
    void cookiesAreSetAndSentBackByTheirRules() {
        CookieJar jar = CookieJar.create();
        try (TestServer server = TestServer.start(ClientCookiesTest::cookies);
             HttpClient client = HttpClient.create(HttpClientOptions.defaults().withCookies(jar));
             HttpClient without = HttpClient.create()) {
            InTasklets.run(() -> {
                assertEquals("set", set(client, server, "session=abc; Path=/; HttpOnly", "pref=dark; Path=/app",
                        "secure=1; Secure", "gone=1; Max-Age=0", "bad=1; Domain=example.com"));
                assertEquals(2, jar.size(), "Secure from http, expired and foreign-domain ones refused");
                assertEquals("session=abc", echo(client, server.uri("/")));
                assertEquals("pref=dark; session=abc", echo(client, server.uri("/app/page")), "longest path first");
                assertEquals("null", echo(without, server.uri("/app/page")), "no jar, no cookies");
                ClientRequest own = ClientRequest.get(server.uri("/app")).withHeader("Cookie", "mine=1; pref=light");
                assertEquals("mine=1; pref=light; session=abc", client.send(own, PATIENCE).text(),
                        "one field: the request's cookies, then the jar's that it does not name");
                set(client, server, "session=; Max-Age=0; Path=/");
                assertEquals("pref=dark", echo(client, server.uri("/app/")), "deleted by the server");
            });
        }
    }

    @Test
    void redirectsCarryTheCookiesOfTheirNewUrl() {
        CookieJar jar = CookieJar.create();
        try (TestServer server = TestServer.start(ClientCookiesTest::cookies);
             TestServer other = TestServer.start(ClientCookiesTest::cookies);
             HttpClient client = HttpClient.create(HttpClientOptions.defaults().withCookies(jar)
                     .withFollowRedirects(Redirects.NORMAL))) {
            InTasklets.run(() -> {
                set(client, server, "a=1; Path=/", "deep=1; Path=/deep");
                ClientResponse r = client.send(ClientRequest.get(server.uri("/go?to=/deep/page")), PATIENCE);
                assertEquals(server.uri("/deep/page"), r.request().uri());
                assertEquals("deep=1; a=1; hop=1", r.text(), "the cookie set by the redirect came along too");
                // To another host (localhost, not 127.0.0.1): the host-only cookies stay home.
                URI away = URI.create("http://localhost:" + other.port() + "/echo");
                ClientResponse elsewhere = client.send(ClientRequest.get(server.uri("/go?to=" + away)), PATIENCE);
                assertEquals(away, elsewhere.request().uri());
                assertEquals("null", elsewhere.text());
                assertEquals("a=1; hop=1", echo(client, server.uri("/")));
            });
        }
    }

    @Test
    void oneJarIsSharedByTaskletsOnTwoDispatchers() {
        CookieJar jar = CookieJar.create();
        int workers = 20;
        try (TestServer server = TestServer.start(ClientCookiesTest::cookies);
             HttpClient client = HttpClient.create(HttpClientOptions.defaults().withCookies(jar))) {
            InTasklets.run(2, () -> {
                List<Dispatcher> dispatchers = Dispatcher.current().group().dispatchers();
                List<Tasklet<String>> tasks = new ArrayList<>();
                for (int i = 0; i < workers; i++) {
                    int id = i;
                    tasks.add(Tasklet.builder().on(dispatchers.get(i % dispatchers.size())).spawn(() -> {
                        for (int k = 0; k < 5; k++) {
                            set(client, server, "w" + id + "=" + k);
                        }
                        return echo(client, server.uri("/"));
                    }));
                }
                for (Outcome<String> o : Tasklet.joinAll(tasks, PATIENCE)) {
                    assertTrue(o.get().contains("="), o.get());
                }
                String all = echo(client, server.uri("/"));
                for (int i = 0; i < workers; i++) {
                    assertTrue(all.contains("w" + i + "=4"), "w" + i + "'s last value in " + all);
                }
            });
            assertEquals(workers, jar.size(), "each worker's cookie once, replaced in place");
        }
    }
}
