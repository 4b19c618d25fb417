package org.concurrence.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.concurrence.core.Concurrence;
import org.concurrence.core.DispatcherGroup;
import org.concurrence.core.Tasklet;
import org.concurrence.http.Status;
import org.concurrence.http.server.HttpServer;
import org.concurrence.http.server.HttpServerOptions;
import org.concurrence.web.compress.CompressionFilter;
import org.concurrence.web.files.StaticFiles;
import org.concurrence.web.form.Multipart;
import org.concurrence.web.form.Part;
import org.concurrence.web.json.Json;
import org.concurrence.web.json.JsonFilter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The web module on a real {@link HttpServer}, spoken to by the JDK's HTTP client over loopback. */
class WebEndToEndTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    record User(long id, String name) {}

    record Upload(String title, String file, long size, long crc) {}

    @TempDir
    Path dir;
    private DispatcherGroup group;
    private HttpServer server;
    private HttpClient client;
    private byte[] fileData;

    @BeforeEach
    void start() throws Exception {
        fileData = new byte[100_000];
        Arrays.fill(fileData, (byte) 'x');
        for (int i = 0; i < fileData.length; i += 100) {
            fileData[i] = (byte) ('a' + (i / 100) % 26);
        }
        Files.write(dir.resolve("data.txt"), fileData);
        Router router = Router.builder()
                .filter(new JsonFilter())
                .filter(TimeoutFilter.fromHeader().withMaximum(Duration.ofSeconds(30)))
                .get("/users/{id}", r -> Json.response(new User(Long.parseLong(r.pathParam("id")), "Ada")))
                .post("/users", r -> Json.response(Status.CREATED, Json.read(r, User.class)))
                .post("/upload", WebEndToEndTest::upload)
                .get("/wait", r -> {
                    Tasklet.builder().daemon(true).spawn(() -> Tasklet.sleep(Duration.ofDays(1))).join();
                    return Json.response("never");
                })
                .mount("/static", StaticFiles.of(dir))
                .get("/limited", r -> Json.response("fine"), RateLimitFilter.perClient(1, Duration.ofHours(1))
                        .withBurst(2).keyedBy(r -> r.header("X-Api-Key")))
                .build();
        org.concurrence.http.Handler compressed = CompressionFilter.gzip().wrap(router);
        group = DispatcherGroup.start(Concurrence.Options.defaults().withName("web-e2e"));
        server = HttpServer.start(group, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                HttpServerOptions.defaults(), compressed);
        client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        if (group != null) {
            group.close();
        }
    }

    private static org.concurrence.http.Response upload(org.concurrence.http.Request request) throws Exception {
        Multipart form = Multipart.read(request);
        String title = null;
        String file = null;
        long size = 0;
        CRC32 crc = new CRC32();
        for (Part p = form.next(); p != null; p = form.next()) {
            if (p.isFile()) {
                file = p.filename();
                byte[] chunk = new byte[8192];
                InputStream in = p.stream();
                for (int n; (n = in.read(chunk)) > 0; ) {
                    crc.update(chunk, 0, n);
                    size += n;
                }
            } else {
                title = p.text();
            }
        }
        return Json.response(new Upload(title, file, size, crc.getValue()));
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).timeout(TIMEOUT);
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aRateLimitedRouteAnswers429WithRetryAfterOverTheWire() throws Exception {
        for (int i = 0; i < 2; i++) {
            assertEquals(200, send(request("/limited").header("X-Api-Key", "k1").build()).statusCode());
        }
        HttpResponse<String> refused = send(request("/limited").header("X-Api-Key", "k1").build());
        assertEquals(429, refused.statusCode());
        assertEquals("3600", refused.headers().firstValue("Retry-After").orElseThrow(), "an hour, in whole seconds");
        assertEquals(200, send(request("/limited").header("X-Api-Key", "k2").build()).statusCode(), "another key");
        assertEquals(200, send(request("/users/7").build()).statusCode(), "other routes are not limited");
    }

    @Test
    void routesAnswerWithJsonAndErrorsAreJsonToo() throws Exception {
        HttpResponse<String> user = send(request("/users/7").build());
        assertEquals(200, user.statusCode());
        assertEquals("application/json", user.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("{\"id\":7,\"name\":\"Ada\"}", user.body());

        HttpResponse<String> created = send(request("/users").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":8,\"name\":\"Grace\"}")).build());
        assertEquals(201, created.statusCode());
        assertEquals("{\"id\":8,\"name\":\"Grace\"}", created.body());

        HttpResponse<String> bad = send(request("/users").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"x\"}")).build());
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().startsWith("{\"status\":400,\"message\":\"invalid JSON for User at $.id"), bad.body());

        HttpResponse<String> missing = send(request("/nothing").build());
        assertEquals(404, missing.statusCode());
        assertEquals("{\"status\":404,\"message\":\"no route for /nothing\"}", missing.body());

        HttpResponse<String> wrong = send(request("/users/7").DELETE().build());
        assertEquals(405, wrong.statusCode());
        assertEquals("GET, HEAD, OPTIONS", wrong.headers().firstValue("Allow").orElseThrow());
    }

    @Test
    void headGetsTheHeadersOfGetAndNoBody() throws Exception {
        HttpResponse<String> head = send(request("/users/7").method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build());
        assertEquals(200, head.statusCode());
        assertEquals("21", head.headers().firstValue("Content-Length").orElseThrow());
        assertEquals("", head.body());
    }

    @Test
    void aMultipartUploadStreamsThroughTheParser() throws Exception {
        String boundary = "e2e-boundary-1234";
        byte[] file = new byte[3 * 1024 * 1024 + 17];
        for (int i = 0; i < file.length; i++) {
            file[i] = (byte) (i * 13);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nholiday\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"p.bin\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(file);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        CRC32 crc = new CRC32();
        crc.update(file);
        HttpResponse<String> r = send(request("/upload")
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("{\"title\":\"holiday\",\"file\":\"p.bin\",\"size\":" + file.length + ",\"crc\":" + crc.getValue()
                + "}", r.body());
    }

    @Test
    void staticFilesServeRangesAndConditionals() throws Exception {
        HttpResponse<byte[]> whole = client.send(request("/static/data.txt").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, whole.statusCode());
        assertArrayEquals(fileData, whole.body());
        String etag = whole.headers().firstValue("ETag").orElseThrow();

        HttpResponse<byte[]> part = client.send(request("/static/data.txt").header("Range", "bytes=1000-1099")
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(206, part.statusCode());
        assertEquals("bytes 1000-1099/100000", part.headers().firstValue("Content-Range").orElseThrow());
        assertArrayEquals(Arrays.copyOfRange(fileData, 1000, 1100), part.body());

        assertEquals(304, send(request("/static/data.txt").header("If-None-Match", etag).build()).statusCode());
        assertEquals(416, send(request("/static/data.txt").header("Range", "bytes=100000-").build()).statusCode());
        assertEquals(404, send(request("/static/%2e%2e/etc/passwd").build()).statusCode());
    }

    @Test
    void staticFilesAreGzippedForAClientThatAsksAndStillRevalidate() throws Exception {
        HttpResponse<byte[]> gz = client.send(request("/static/data.txt").header("Accept-Encoding", "gzip").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, gz.statusCode());
        assertEquals("gzip", gz.headers().firstValue("Content-Encoding").orElseThrow());
        assertEquals("Accept-Encoding", gz.headers().firstValue("Vary").orElseThrow());
        assertTrue(gz.body().length < fileData.length / 10, "sent " + gz.body().length + " bytes");
        try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gz.body()))) {
            assertArrayEquals(fileData, in.readAllBytes());
        }
        String etag = gz.headers().firstValue("ETag").orElseThrow();
        assertTrue(etag.startsWith("W/\""), etag);
        assertEquals(304, send(request("/static/data.txt").header("Accept-Encoding", "gzip")
                .header("If-None-Match", etag).build()).statusCode());

        HttpResponse<byte[]> part = client.send(request("/static/data.txt").header("Accept-Encoding", "gzip")
                .header("Range", "bytes=0-99").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(206, part.statusCode());
        assertTrue(part.headers().firstValue("Content-Encoding").isEmpty(), "a range is of the identity bytes");
        assertArrayEquals(Arrays.copyOf(fileData, 100), part.body());

        HttpResponse<byte[]> plain = client.send(request("/static/data.txt").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertTrue(plain.headers().firstValue("Content-Encoding").isEmpty());
        assertArrayEquals(fileData, plain.body());
    }

    @Test
    void aBackslashPathIsNotRedirectedToAnotherHost() throws Exception {
        // The server takes "\\" in a target (visible ASCII); a 308 to "/\\evil.example" would send browsers there.
        Router pages = Router.builder().get("/{page}", r -> org.concurrence.http.Response.ok("page")).build();
        try (HttpServer own = HttpServer.start(group, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                HttpServerOptions.defaults(), pages);
                Socket socket = new Socket(InetAddress.getLoopbackAddress(), own.port())) {
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            socket.getOutputStream().write("GET /\\evil.example/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 404 "), answer);
        }
    }

    @Test
    void theTimeoutHeaderGives504AsJson() throws Exception {
        HttpResponse<String> r = send(request("/wait").header("Timeout", "0.2").build());
        assertEquals(504, r.statusCode());
        assertTrue(r.body().startsWith("{\"status\":504,\"message\":\"the request's deadline (the Timeout header's"
                + " 0.2 s) passed"), r.body());
    }
}
