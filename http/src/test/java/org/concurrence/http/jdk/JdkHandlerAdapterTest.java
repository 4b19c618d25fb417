package org.concurrence.http.jdk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.SimpleFileServer;
import com.sun.net.httpserver.spi.HttpServerProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.concurrence.core.Tasklet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Handlers written for com.sun.net.httpserver, unchanged, on our server — with the JDK's own HTTP client. */
class JdkHandlerAdapterTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private HttpServer server;
    private HttpClient client;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        client.close();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(path)).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void reply(HttpExchange ex, int code, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(code, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Test
    void createPicksOurProviderAndBindsAtOnce() {
        assertInstanceOf(ConcurrenceHttpServerProvider.class, HttpServerProvider.provider());
        assertInstanceOf(AdaptedHttpServer.class, server);
        assertNotEquals(0, server.getAddress().getPort(), "port 0 is resolved by bind, before start");
    }

    @Test
    void fixedLengthResponseFromAHandlerRunningInATasklet() throws Exception {
        server.createContext("/hello", ex -> reply(ex, 200,
                "Hello from " + (Tasklet.currentOrNull() != null ? "a tasklet" : "a thread")));
        server.start();
        HttpResponse<String> r = get("/hello");
        assertEquals(200, r.statusCode());
        assertEquals("Hello from a tasklet", r.body());
        assertEquals("text/plain; charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("20", r.headers().firstValue("Content-Length").orElseThrow());
    }

    @Test
    void chunkedResponseStreamsALargeBody() throws Exception {
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(data);
        server.createContext("/big", ex -> {
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i < data.length; i += 1000) {
                    out.write(data, i, Math.min(1000, data.length - i));
                }
            }
        });
        server.start();
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(uri("/big")).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertArrayEquals(data, r.body());
    }

    @Test
    void requestBodyAndHeadersReachTheHandler() throws Exception {
        server.createContext("/echo", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            reply(ex, 201, ex.getRequestMethod() + " " + ex.getRequestURI() + " " + ex.getProtocol() + " "
                    + ex.getRequestHeaders().getFirst("X-Test") + " " + body);
        });
        server.start();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/echo/a?b=c")).timeout(TIMEOUT)
                .header("X-Test", "yes").POST(HttpRequest.BodyPublishers.ofString("payload")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode());
        assertEquals("POST /echo/a?b=c HTTP/1.1 yes payload", r.body());
    }

    @Test
    void headGetsTheLengthButNoBody() throws Exception {
        server.createContext("/", ex -> reply(ex, 200, "twelve bytes"));
        server.start();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/x")).timeout(TIMEOUT)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("12", r.headers().firstValue("Content-Length").orElseThrow());
        assertEquals("", r.body());
    }

    @Test
    void headKeepsTheContentLengthTheHandlerSetAsTheJdksOwnFileServerDoes(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("hello.txt"), "twelve bytes");
        server.createContext("/files", SimpleFileServer.createFileHandler(dir.toAbsolutePath()));
        server.createContext("/stream", ex -> {
            ex.sendResponseHeaders(200, 0); // chunked: the length is not known
            ex.close();
        });
        server.start();
        HttpResponse<String> file = head("/files/hello.txt");
        assertEquals(200, file.statusCode());
        assertEquals("12", file.headers().firstValue("Content-Length").orElseThrow());
        assertEquals("12", get("/files/hello.txt").headers().firstValue("Content-Length").orElseThrow());
        HttpResponse<String> stream = head("/stream");
        assertEquals(200, stream.statusCode());
        assertEquals(Optional.empty(), stream.headers().firstValue("Content-Length"), "a length of 0 is a lie");
    }

    private HttpResponse<String> head(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(path)).timeout(TIMEOUT)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void noBodyStatusAndMinusOneLength() throws Exception {
        server.createContext("/none", ex -> {
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        server.start();
        HttpResponse<String> r = get("/none");
        assertEquals(204, r.statusCode());
        assertEquals("", r.body());
    }

    @Test
    void longestPrefixContextWinsAndUnmatchedIs404() throws Exception {
        server.createContext("/a", ex -> reply(ex, 200, "a"));
        server.createContext("/a/b", ex -> reply(ex, 200, "ab " + ex.getHttpContext().getPath()));
        server.start();
        assertEquals("a", get("/a/x").body());
        assertEquals("ab /a/b", get("/a/b/c").body());
        assertEquals(404, get("/other").statusCode());
        server.removeContext("/a/b");
        assertEquals("a", get("/a/b/c").body());
        assertThrows(IllegalArgumentException.class, () -> server.removeContext("/nope"));
        assertThrows(IllegalArgumentException.class, () -> server.createContext("/a", ex -> {}));
    }

    @Test
    void filtersRunInOrderAroundTheHandlerAndShareAttributes() throws Exception {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch outerDone = new CountDownLatch(1);
        var context = server.createContext("/f", ex -> {
            seen.add("handler " + ex.getAttribute("who"));
            reply(ex, 200, "ok");
        });
        context.getFilters().add(namedFilter("outer", seen, outerDone));
        context.getFilters().add(namedFilter("inner", seen, new CountDownLatch(1)));
        server.start();
        HttpResponse<String> r = get("/f");
        assertEquals("ok", r.body());
        // The client may have the whole response before the filters' code after the chain has run (so with the JDK's
        // own server): wait for the outer filter to finish, under a deadline.
        assertTrue(outerDone.await(10, TimeUnit.SECONDS), "the outer filter did not finish");
        assertEquals(List.of("outer", "inner", "handler inner", "after inner", "after outer"), seen);
    }

    @Test
    void theContextsAttributesAreVisibleToEveryExchange() throws Exception {
        var context = server.createContext("/config", ex -> {
            String nullName;
            try {
                ex.getAttribute(null);
                nullName = "accepted";
            } catch (NullPointerException e) {
                nullName = "NPE";
            }
            reply(ex, 200, ex.getAttribute("greeting") + " " + nullName);
        });
        context.getAttributes().put("greeting", "configured");
        server.start();
        assertEquals("configured NPE", get("/config").body());
        assertEquals("configured NPE", get("/config").body());
    }

    private static Filter namedFilter(String name, List<String> seen, CountDownLatch done) {
        return new Filter() {
            @Override
            public void doFilter(HttpExchange ex, Chain chain) throws IOException {
                seen.add(name);
                ex.setAttribute("who", name);
                chain.doFilter(ex);
                seen.add("after " + name);
                done.countDown();
            }

            @Override
            public String description() {
                return name;
            }
        };
    }

    @Test
    void basicAuthenticatorGuardsTheContext() throws Exception {
        var context = server.createContext("/secret", ex -> reply(ex, 200, "hi " + ex.getPrincipal().getUsername()));
        context.setAuthenticator(new BasicAuthenticator("realm") {
            @Override
            public boolean checkCredentials(String user, String password) {
                return user.equals("ann") && password.equals("pw");
            }
        });
        server.start();
        HttpResponse<String> denied = get("/secret");
        assertEquals(401, denied.statusCode());
        assertTrue(denied.headers().firstValue("WWW-Authenticate").orElseThrow().startsWith("Basic"));
        String credentials = Base64.getEncoder().encodeToString("ann:pw".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> allowed = client.send(HttpRequest.newBuilder(uri("/secret")).timeout(TIMEOUT)
                .header("Authorization", "Basic " + credentials).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, allowed.statusCode());
        assertEquals("hi ann", allowed.body());
    }

    @Test
    void aThrowingHandlerGets500AndTheServerGoesOn() throws Exception {
        server.createContext("/boom", ex -> {
            throw new IllegalStateException("secret detail");
        });
        server.createContext("/ok", ex -> reply(ex, 200, "fine"));
        server.start();
        HttpResponse<String> boom = get("/boom");
        assertEquals(500, boom.statusCode());
        assertTrue(!boom.body().contains("secret detail"), "no exception detail leaks: " + boom.body());
        assertEquals("fine", get("/ok").body());
    }

    /** As on the JDK's server, the exchange ends when it is closed: a handler may return and answer later. */
    @Test
    void aHandlerMayReturnAndAnotherThreadAnswersLater() throws Exception {
        CountDownLatch returned = new CountDownLatch(1);
        server.createContext("/later", ex -> {
            Thread.ofPlatform().start(() -> {
                try {
                    assertTrue(returned.await(20, TimeUnit.SECONDS));
                    reply(ex, 200, "answered by a platform thread");
                } catch (IOException | InterruptedException e) {
                    throw new AssertionError(e);
                }
            });
            returned.countDown(); // the answer starts only once the handler is about to return
        });
        server.createContext("/ok", ex -> reply(ex, 200, "fine"));
        server.start();
        HttpResponse<String> r = get("/later");
        assertEquals(200, r.statusCode());
        assertEquals("answered by a platform thread", r.body());
        assertEquals("fine", get("/ok").body(), "the next request on the connection is served");
    }

    /**
     * Long polling: handlers park their exchanges and return; a later request answers them all, each with a chunked
     * body written and closed from the answering handler's tasklet.
     */
    @Test
    void parkedExchangesAreAnsweredByALaterRequest() throws Exception {
        List<HttpExchange> waiting = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch parked = new CountDownLatch(3);
        server.createContext("/poll", ex -> {
            waiting.add(ex);
            parked.countDown();
        });
        server.createContext("/publish", ex -> {
            List<HttpExchange> all;
            synchronized (waiting) {
                all = new ArrayList<>(waiting);
                waiting.clear();
            }
            for (HttpExchange polled : all) {
                polled.sendResponseHeaders(200, 0);
                try (OutputStream out = polled.getResponseBody()) {
                    out.write("news ".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    out.write("for you".getBytes(StandardCharsets.UTF_8));
                }
            }
            reply(ex, 200, "told " + all.size());
        });
        server.start();
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> polls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            polls.add(client.sendAsync(HttpRequest.newBuilder(uri("/poll")).timeout(TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        assertTrue(parked.await(20, TimeUnit.SECONDS), "three polls parked");
        assertEquals("told 3", get("/publish").body());
        for (var poll : polls) {
            HttpResponse<String> r = poll.get(20, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode());
            assertEquals("news for you", r.body());
        }
    }

    /** An exchange parked by its handler does not hold up stop: its client fails, a late answer fails to write. */
    @Test
    void stopEndsAParkedExchangeAndItsLateAnswerFails() throws Exception {
        List<HttpExchange> parked = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch polled = new CountDownLatch(1);
        server.createContext("/poll", ex -> {
            parked.add(ex);
            polled.countDown();
        });
        server.start();
        var poll = client.sendAsync(HttpRequest.newBuilder(uri("/poll")).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(polled.await(20, TimeUnit.SECONDS));
        server.stop(0);
        var failure = assertThrows(java.util.concurrent.ExecutionException.class, () -> poll.get(20, TimeUnit.SECONDS));
        assertInstanceOf(IOException.class, failure.getCause());
        assertThrows(IOException.class, () -> reply(parked.getFirst(), 200, "too late"));
    }

    /** Closing without sending anything answers 500 (the JDK's server drops the connection); it never hangs. */
    @Test
    void anExchangeClosedBeforeItsHeadersIs500AndTheServerGoesOn() throws Exception {
        server.createContext("/closed", HttpExchange::close);
        server.createContext("/ok", ex -> reply(ex, 200, "fine"));
        server.start();
        assertEquals(500, get("/closed").statusCode());
        assertEquals("fine", get("/ok").body());
    }

    /**
     * The request body comes straight from the connection: read on another thread it fails at once with a message
     * saying so (and the exchange can still be answered), instead of racing the connection or hanging.
     */
    @Test
    void readingTheBodyOnAnotherThreadFailsAtOnceNamingWhy() throws Exception {
        server.createContext("/upload", ex -> Thread.ofPlatform().start(() -> {
            String outcome;
            try {
                outcome = "read " + ex.getRequestBody().readAllBytes().length;
            } catch (IOException e) {
                outcome = e.getMessage();
            }
            try {
                reply(ex, 200, outcome);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }));
        server.start();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri("/upload")).timeout(TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofString("0123456789")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertTrue(r.body().startsWith("the request body can be read only on the request's dispatcher"), r.body());
    }

    /** The one forgiveness: a fixed-length body written whole is a complete response even if never closed. */
    @Test
    void aFixedLengthBodyWrittenWholeEndsWhenTheHandlerReturnsWithoutClosing() throws Exception {
        server.createContext("/unclosed", ex -> {
            byte[] body = "all of it".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
        });
        server.start();
        HttpResponse<String> r = get("/unclosed");
        assertEquals(200, r.statusCode());
        assertEquals("all of it", r.body());
        assertEquals("all of it", get("/unclosed").body());
    }

    @Test
    void tooFewBytesForTheDeclaredLengthBreaksOnlyThatResponse() throws Exception {
        server.createContext("/short", ex -> {
            ex.sendResponseHeaders(200, 100);
            OutputStream out = ex.getResponseBody();
            out.write(new byte[10]);
            out.close();
        });
        server.createContext("/ok", ex -> reply(ex, 200, "fine"));
        server.start();
        assertThrows(IOException.class, () -> get("/short"));
        assertEquals("fine", get("/ok").body());
    }

    @Test
    void requestsWaitUntilStart() throws Exception {
        server.createContext("/", ex -> reply(ex, 200, "started"));
        var pending = client.sendAsync(HttpRequest.newBuilder(uri("/")).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
        server.start();
        assertEquals("started", pending.get().body());
        assertThrows(IllegalStateException.class, server::start);
    }
}
