package org.concurrence.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.concurrence.core.Concurrence;
import org.concurrence.core.DispatcherGroup;
import org.concurrence.http.server.HttpServer;
import org.concurrence.http.server.HttpServerOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The demo web app and the web example on the real server, through the JDK's HTTP client. */
@Timeout(60)
class DemoAppTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private DispatcherGroup group;
    private HttpServer demo;
    private HttpServer web;
    private HttpClient client;
    private final List<java.net.http.WebSocket> sockets = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        group = DispatcherGroup.start(Concurrence.Options.defaults().withDispatchers(2).withName("demo-test"));
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        demo = HttpServer.start(group, any, HttpServerOptions.defaults(), DemoApp.router(group.dispatcher(0)));
        web = HttpServer.start(group, any, HttpServerOptions.defaults(), WebExample.router());
        client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    }

    @AfterEach
    void stop() {
        sockets.forEach(java.net.http.WebSocket::abort); // a failed test must not leave the client waiting on them
        client.close();
        demo.close();
        web.close();
        group.close();
    }

    private HttpResponse<String> send(HttpServer server, HttpRequest.Builder request) throws Exception {
        return client.send(request.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder at(HttpServer server, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
    }

    /** Two browsers in the chat room: what one says over its WebSocket reaches the other. */
    @Test
    void theChatRoomBroadcastsOverWebSockets() throws Exception {
        java.util.concurrent.BlockingQueue<String> ann = new java.util.concurrent.LinkedBlockingQueue<>();
        java.util.concurrent.BlockingQueue<String> bob = new java.util.concurrent.LinkedBlockingQueue<>();
        java.net.http.WebSocket a = join(ann);
        String you = poll(ann);
        assertTrue(you.startsWith("you are guest-"), you);
        String annName = you.substring("you are ".length(), you.indexOf(';'));
        java.net.http.WebSocket b = join(bob);
        assertTrue(poll(bob).startsWith("you are guest-"));
        pollUntil(ann, line -> line.endsWith(" joined") && !line.startsWith(annName + " "), "Ann hears Bob join");
        a.sendText("hello, Bob", true).get(20, java.util.concurrent.TimeUnit.SECONDS);
        pollUntil(bob, line -> line.equals(annName + ": hello, Bob"), "Bob hears Ann");
        b.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "bye").get(20, java.util.concurrent.TimeUnit.SECONDS);
        pollUntil(ann, line -> line.endsWith(" left"), "Ann hears Bob leave");
        a.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "bye").get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(200, send(demo, at(demo, "/chat")).statusCode());
    }

    /** Takes lines until one matches (each member also hears its own lines and joins). */
    private static void pollUntil(java.util.concurrent.BlockingQueue<String> heard,
            java.util.function.Predicate<String> wanted, String what) throws InterruptedException {
        List<String> seen = new ArrayList<>();
        while (true) {
            String line = heard.poll(20, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(line != null, what + ": not within 20 s; heard " + seen);
            if (wanted.test(line)) {
                return;
            }
            seen.add(line);
        }
    }

    private java.net.http.WebSocket join(java.util.concurrent.BlockingQueue<String> heard) throws Exception {
        URI room = URI.create("ws://127.0.0.1:" + demo.port() + "/chat/ws");
        java.net.http.WebSocket ws = client.newWebSocketBuilder().buildAsync(room,
                new java.net.http.WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket ws,
                            CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            heard.add(text.toString());
                            text.setLength(0);
                        }
                        ws.request(1);
                        return null;
                    }
                }).get(20, java.util.concurrent.TimeUnit.SECONDS);
        sockets.add(ws);
        return ws;
    }

    private static String poll(java.util.concurrent.BlockingQueue<String> heard) throws InterruptedException {
        String line = heard.poll(20, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(line != null, "nothing heard within 20 s");
        return line;
    }

    @Test
    void everyPageOfTheDemoAnswers() throws Exception {
        HttpResponse<String> home = send(demo, at(demo, "/"));
        assertEquals(200, home.statusCode());
        assertTrue(home.body().contains("/guestbook"), home.body());
        assertEquals("Hello World!", send(demo, at(demo, "/hello")).body());
        HttpResponse<String> json = send(demo, at(demo, "/api/greeting?name=Ada"));
        assertEquals("application/json", json.headers().firstValue("Content-Type").orElseThrow().split(";")[0]);
        assertTrue(json.body().contains("\"message\":\"Hello, Ada!\""), json.body());
        HttpResponse<String> tasklets = send(demo, at(demo, "/tasklets"));
        assertTrue(tasklets.body().contains("guestbook"), "the tree lists the guestbook tasklet: " + tasklets.body());
        HttpResponse<String> messages = send(demo, at(demo, "/messages?tasklets=100&laps=3"));
        assertEquals(200, messages.statusCode());
        assertTrue(messages.body().contains("300 messages"), messages.body());
        assertTrue(messages.body().contains("printer: quit"), messages.body());
        assertEquals(400, send(demo, at(demo, "/messages?tasklets=0")).statusCode());
        assertEquals(404, send(demo, at(demo, "/nowhere")).statusCode());
    }

    @Test
    void theMetricsCountWhatWasServed() throws Exception {
        send(demo, at(demo, "/hello"));
        send(demo, at(demo, "/no-such-page"));
        String metrics = send(demo, at(demo, "/metrics")).body();
        assertTrue(metrics.contains("http_server_requests_total{method=\"GET\",code=\"200\"} "), metrics);
        assertTrue(metrics.contains("http_server_requests_total{method=\"GET\",code=\"404\"} 1\n"), metrics);
        assertTrue(metrics.contains("\ndemo_tasklets_alive "), metrics);
    }

    @Test
    void theTaskletCountsArePushedAsServerSentEvents() throws Exception {
        HttpResponse<java.util.stream.Stream<String>> events = client.send(at(demo, "/tasklets/events")
                .timeout(TIMEOUT).header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, events.statusCode());
        assertEquals("text/event-stream; charset=utf-8", events.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(events.headers().firstValue("Content-Encoding").isEmpty(), "an event stream is never gzipped");
        try (java.util.stream.Stream<String> lines = events.body()) {
            java.util.Iterator<String> it = lines.iterator();
            for (int i = 0; i < 2; i++) { // two ticks: the stream goes on
                assertEquals("event: stats", it.next());
                String data = it.next();
                assertTrue(data.startsWith("data: [{\"dispatcher\":\"") && data.contains("\"alive\":"), data);
                assertEquals("", it.next());
            }
        }
        assertTrue(send(demo, at(demo, "/tasklets")).body().contains("new EventSource('/tasklets/events')"));
    }

    @Test
    void theGuestbookKeepsWhatTheFormPosts() throws Exception {
        HttpResponse<String> posted = send(demo, at(demo, "/guestbook")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("name=Ada+L&text=%3Cb%3Ehi%3C%2Fb%3E")));
        assertEquals(303, posted.statusCode());
        assertEquals("/guestbook", posted.headers().firstValue("Location").orElseThrow());
        HttpResponse<String> page = send(demo, at(demo, "/guestbook"));
        assertTrue(page.body().contains("Ada L"), page.body());
        assertTrue(page.body().contains("&lt;b&gt;hi&lt;/b&gt;"), "entries are escaped: " + page.body());
        HttpResponse<String> bad = send(demo, at(demo, "/guestbook")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("name=&text=x")));
        assertEquals(400, bad.statusCode());
        assertTrue(send(demo, at(demo, "/api/guestbook")).body().contains("\"name\":\"Ada L\""));
    }

    @Test
    void theSupervisorPageShowsTheWorkerRestartedAfterACrash() throws Exception {
        HttpResponse<String> first = send(demo, at(demo, "/supervisor"));
        assertEquals(200, first.statusCode());
        assertTrue(first.body().contains("has answered 1 call(s)"), first.body());
        assertTrue(first.body().contains("restarted it 0 time(s)"), first.body());
        assertTrue(send(demo, at(demo, "/supervisor")).body().contains("has answered 2 call(s)"));
        HttpResponse<String> crashed = send(demo, at(demo, "/supervisor/crash")
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertEquals(303, crashed.statusCode());
        HttpResponse<String> after = send(demo, at(demo, "/supervisor"));
        assertTrue(after.body().contains("has answered 1 call(s)"), "a new incarnation counts from zero: "
                + after.body());
        assertTrue(after.body().contains("restarted it 1 time(s)"), after.body());
        assertTrue(after.body().contains("<code>counter</code>"), "same name: " + after.body());
    }

    @Test
    void theTaskListApiCreatesReadsUpdatesAndDeletes() throws Exception {
        HttpResponse<String> created = send(web, at(web, "/tasks").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"write docs\"}")));
        assertEquals(201, created.statusCode(), created.body());
        assertEquals("/tasks/1", created.headers().firstValue("Location").orElseThrow());
        assertTrue(created.headers().firstValue("Server-Timing").isPresent(), "the router-level filter ran");
        assertEquals("{\"id\":1,\"title\":\"write docs\",\"done\":false}", send(web, at(web, "/tasks/1")).body());
        HttpResponse<String> updated = send(web, at(web, "/tasks/1").header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"title\":\"write docs\",\"done\":true}")));
        assertTrue(updated.body().contains("\"done\":true"), updated.body());
        assertTrue(send(web, at(web, "/tasks")).body().startsWith("[{\"id\":1"));
        assertEquals(204, send(web, at(web, "/tasks/1").DELETE()).statusCode());
        HttpResponse<String> gone = send(web, at(web, "/tasks/1"));
        assertEquals(404, gone.statusCode());
        assertTrue(gone.body().contains("no task 1"), "JSON error names the task: " + gone.body());
        HttpResponse<String> badJson = send(web, at(web, "/tasks").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"title\":")));
        assertEquals(400, badJson.statusCode());
        assertEquals(422, send(web, at(web, "/tasks").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"\"}"))).statusCode());
    }
}
