package org.concurrence.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.concurrence.http.HttpException;
import org.concurrence.http.Response;
import org.concurrence.http.ResponseBody;
import org.concurrence.http.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The JDK's HttpClient and curl against the server, and what clients get when a handler fails. */
@Timeout(120)
class RealClientsTest {
    private static final Path CURL = Path.of("/usr/bin/curl");

    private static Response app(org.concurrence.http.Request request) throws IOException {
        return switch (request.path()) {
            case "/echo" -> Response.ok(request.method() + " " + request.body().text() + " " + request.queryParam("q"));
            case "/stream" -> Response.ok(ResponseBody.ofWriter(-1, out -> {
                for (int i = 0; i < 1000; i++) {
                    out.write(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
                }
            }), "text/plain");
            case "/refuse" -> throw new HttpException(Status.CONFLICT, "no such order: 42");
            case "/fail" -> throw new IllegalStateException("secret internal detail");
            default -> Response.ok("hello " + request.path());
        };
    }

    private static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @Test
    void theJdkClientGetsPostsStreamsAndReusesItsConnection() throws Exception {
        try (TestServer s = TestServer.start(RealClientsTest::app); HttpClient client = client()) {
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(s.uri("/x" + i)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode());
                assertEquals("hello /x" + i, r.body());
            }
            assertEquals(1, s.server.connectionCount(), "keep-alive: one connection for every request");
            HttpResponse<String> posted = client.send(HttpRequest.newBuilder(s.uri("/echo?q=a%20b"))
                    .POST(HttpRequest.BodyPublishers.ofString("payload")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("POST payload a b", posted.body());
            HttpResponse<String> chunkedUp = client.send(HttpRequest.newBuilder(s.uri("/echo"))
                    .POST(HttpRequest.BodyPublishers.ofInputStream(
                            () -> new ByteArrayInputStream("streamed up".getBytes(StandardCharsets.UTF_8))))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("POST streamed up null", chunkedUp.body());
            HttpResponse<String> down = client.send(HttpRequest.newBuilder(s.uri("/stream")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(1000, down.body().lines().count());
            HttpResponse<Void> head = client.send(HttpRequest.newBuilder(s.uri("/x"))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            assertEquals("8", head.headers().firstValue("Content-Length").orElseThrow());
        }
    }

    @Test
    void theJdkClientWithExpectContinueSendsItsBody() throws Exception {
        try (TestServer s = TestServer.start(RealClientsTest::app);
             HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(s.uri("/echo")).expectContinue(true)
                    .POST(HttpRequest.BodyPublishers.ofString("after continue")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("POST after continue null", r.body());
        }
    }

    @Test
    void anHttpExceptionBecomesItsStatusWithItsMessage() throws Exception {
        try (TestServer s = TestServer.start(RealClientsTest::app); HttpClient client = client()) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(s.uri("/refuse")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(409, r.statusCode());
            assertEquals("no such order: 42\n", r.body());
            assertEquals("text/plain; charset=UTF-8", r.headers().firstValue("Content-Type").orElseThrow());
        }
    }

    @Test
    void aFailingHandlerGetsAGeneric500AndTheConnectionGoesOn() throws Exception {
        try (TestServer s = TestServer.start(RealClientsTest::app); RawClient c = s.connect()) {
            RawClient.Response r = c.send("GET /fail HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertEquals(500, r.status());
            assertFalse(r.text().contains("secret"), r.text());
            assertFalse(r.text().contains("IllegalStateException"), r.text());
            assertEquals("hello /next", c.send("GET /next HTTP/1.1\r\nHost: x\r\n\r\n").read().text());
        }
    }

    @Test
    void inDevelopmentModeA500ShowsTheStackTrace() {
        try (TestServer s = TestServer.start(HttpServerOptions.defaults().withDevelopment(true),
                RealClientsTest::app); RawClient c = s.connect()) {
            RawClient.Response r = c.send("GET /fail HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertEquals(500, r.status());
            assertTrue(r.text().contains("java.lang.IllegalStateException: secret internal detail"), r.text());
            assertTrue(r.text().contains("RealClientsTest.app"), r.text());
        }
    }

    @Test
    void curlGetsHeadsUploadsChunkedAndSpeaksHttp10() throws Exception {
        assertTrue(Files.isExecutable(CURL), "curl is required for this test: " + CURL);
        try (TestServer s = TestServer.start(RealClientsTest::app)) {
            assertEquals("hello /a", curl("-s", s.uri("/a").toString()));
            String head = curl("-s", "-I", s.uri("/a").toString());
            assertTrue(head.startsWith("HTTP/1.1 200 OK\r\n"), head);
            assertTrue(head.contains("Content-Length: 8\r\n"), head);
            assertEquals("POST chunked body null", curl("-s", "-H", "Transfer-Encoding: chunked",
                    "--data-binary", "chunked body", s.uri("/echo").toString()));
            assertEquals("POST continued null", curl("-s", "-H", "Expect: 100-continue", "--data-binary",
                    "continued", s.uri("/echo").toString()));
            assertEquals("hello /old", curl("-s", "--http1.0", s.uri("/old").toString()));
            String streamed = curl("-s", "--http1.0", s.uri("/stream").toString());
            assertEquals(1000, streamed.lines().count(), "close-delimited body on HTTP/1.0");
            assertEquals("hello /1 [1]hello /2 [0]", curl("-s", "-w", " [%{num_connects}]", s.uri("/1").toString(),
                    s.uri("/2").toString()), "curl made one connection for both");
        }
    }

    private static String curl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(CURL.toString(), "--max-time", "20"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "curl finished");
        assertEquals(0, p.exitValue(), "curl " + args + ": " + new String(out, StandardCharsets.UTF_8));
        return new String(out, StandardCharsets.UTF_8);
    }
}
