package org.concurrence.web.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import org.concurrence.http.Method;
import org.concurrence.http.Response;
import org.concurrence.http.ResponseBody;
import org.concurrence.http.Status;
import org.concurrence.web.Responses;
import org.concurrence.web.Router;
import org.concurrence.web.TestRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaticFilesTest {
    private static final Instant MODIFIED = Instant.parse("2026-01-02T03:04:05Z");
    private static final String LAST_MODIFIED = "Fri, 02 Jan 2026 03:04:05 GMT";

    @TempDir
    Path dir;
    Path root;
    StaticFiles files;
    byte[] data;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createDirectory(dir.resolve("public"));
        data = new byte[200_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7);
        }
        write("big.bin", data);
        write("index.html", "<h1>home</h1>".getBytes(StandardCharsets.UTF_8));
        write("css/site.css", "body{}".getBytes(StandardCharsets.UTF_8));
        write("docs/index.html", "<h1>docs</h1>".getBytes(StandardCharsets.UTF_8));
        Files.createDirectories(root.resolve("empty"));
        write(".env", "SECRET=1".getBytes(StandardCharsets.UTF_8));
        write("a b.txt", "spaced".getBytes(StandardCharsets.UTF_8));
        Files.writeString(dir.resolve("secret.txt"), "outside");
        files = StaticFiles.builder(root).maxAge(Duration.ofHours(1)).build();
    }

    private void write(String name, byte[] bytes) throws Exception {
        Path p = root.resolve(name);
        Files.createDirectories(p.getParent());
        Files.write(p, bytes);
        Files.setLastModifiedTime(p, FileTime.from(MODIFIED));
    }

    private Response get(String target, String... headers) throws Exception {
        return files.handle(TestRequest.get(target, headers));
    }

    @Test
    void aFileIsStreamedWithTypeValidatorsAndCaching() throws Exception {
        Response r = get("/css/site.css");
        assertEquals(Status.OK, r.status());
        assertEquals("text/css; charset=UTF-8", r.headers().get("Content-Type"));
        assertEquals(LAST_MODIFIED, r.headers().get("Last-Modified"));
        assertEquals("\"" + Long.toHexString(MODIFIED.toEpochMilli()) + "-6\"", r.headers().get("ETag"));
        assertEquals("bytes", r.headers().get("Accept-Ranges"));
        assertEquals("public, max-age=3600", r.headers().get("Cache-Control"));
        assertEquals("nosniff", r.headers().get("X-Content-Type-Options"));
        assertInstanceOf(ResponseBody.Streamed.class, r.body());
        assertEquals(6, r.body().length());
        assertEquals("body{}", Responses.text(r));
    }

    @Test
    void contentTypesComeFromTheExtension() throws Exception {
        assertEquals("application/octet-stream", get("/big.bin").headers().get("Content-Type"));
        assertEquals("text/html; charset=UTF-8", get("/index.html").headers().get("Content-Type"));
        assertEquals("text/plain; charset=UTF-8", get("/a%20b.txt").headers().get("Content-Type"));
        StaticFiles custom = StaticFiles.builder(root).contentType("BIN", "application/x-custom").build();
        assertEquals("application/x-custom",
                custom.handle(TestRequest.get("/big.bin")).headers().get("Content-Type"));
    }

    @Test
    void aLargeFileArrivesWhole() throws Exception {
        assertArrayEquals(data, Responses.bytes(get("/big.bin")));
    }

    @Test
    void aMatchingEtagOrAnUnchangedDateGives304() throws Exception {
        String etag = get("/big.bin").headers().get("ETag");
        Response r = get("/big.bin", "If-None-Match", "\"other\", W/" + etag);
        assertEquals(Status.NOT_MODIFIED, r.status());
        assertEquals(etag, r.headers().get("ETag"));
        assertEquals(0, r.body().length());
        assertEquals(304, get("/big.bin", "If-None-Match", "*").status().code());
        assertEquals(304, get("/big.bin", "If-Modified-Since", LAST_MODIFIED).status().code());
        assertEquals(200, get("/big.bin", "If-Modified-Since", "Thu, 01 Jan 2026 00:00:00 GMT").status().code());
        assertEquals(200, get("/big.bin", "If-None-Match", "\"other\"", "If-Modified-Since", LAST_MODIFIED)
                .status().code(), "If-None-Match decides when present");
        assertEquals(200, get("/big.bin", "If-Modified-Since", "yesterday").status().code());
    }

    @Test
    void oneRangeGives206WithContentRange() throws Exception {
        Response r = get("/big.bin", "Range", "bytes=100-199");
        assertEquals(Status.PARTIAL_CONTENT, r.status());
        assertEquals("bytes 100-199/200000", r.headers().get("Content-Range"));
        assertArrayEquals(Arrays.copyOfRange(data, 100, 200), Responses.bytes(r));
        Response open = get("/big.bin", "Range", "bytes=199990-");
        assertEquals("bytes 199990-199999/200000", open.headers().get("Content-Range"));
        assertArrayEquals(Arrays.copyOfRange(data, 199990, 200000), Responses.bytes(open));
        Response suffix = get("/big.bin", "Range", "bytes=-5");
        assertEquals("bytes 199995-199999/200000", suffix.headers().get("Content-Range"));
        Response clamped = get("/big.bin", "Range", "bytes=199999-500000");
        assertEquals("bytes 199999-199999/200000", clamped.headers().get("Content-Range"));
        assertEquals(1, Responses.bytes(clamped).length);
    }

    @Test
    void aRangePastTheEndGives416WithTheSize() throws Exception {
        Response r = get("/big.bin", "Range", "bytes=200000-");
        assertEquals(Status.RANGE_NOT_SATISFIABLE, r.status());
        assertEquals("bytes */200000", r.headers().get("Content-Range"));
        assertEquals(416, get("/big.bin", "Range", "bytes=-0").status().code());
    }

    @Test
    void positionsTooLargeForALongAreReadAsPastTheEnd() throws Exception {
        // Valid syntax (1*DIGIT has no bound): a first byte past any file is 416, a last byte past it is the end.
        String huge = "99999999999999999999999";
        Response first = get("/big.bin", "Range", "bytes=" + huge + "-");
        assertEquals(Status.RANGE_NOT_SATISFIABLE, first.status());
        assertEquals("bytes */200000", first.headers().get("Content-Range"));
        Response last = get("/big.bin", "Range", "bytes=199998-" + huge);
        assertEquals(Status.PARTIAL_CONTENT, last.status());
        assertEquals("bytes 199998-199999/200000", last.headers().get("Content-Range"));
        Response suffix = get("/big.bin", "Range", "bytes=-" + huge);
        assertEquals(Status.PARTIAL_CONTENT, suffix.status());
        assertEquals("bytes 0-199999/200000", suffix.headers().get("Content-Range"));
        Response zeros = get("/big.bin", "Range", "bytes=000000000000000000000000001-0000000000000000000000002");
        assertEquals("bytes 1-2/200000", zeros.headers().get("Content-Range"), "leading zeros count for nothing");
    }

    @Test
    void the416MessageIsPlainTextNotTheFilesType() throws Exception {
        // The message echoes the client's Range header: labelled text/html it would be markup in the page's origin.
        Response r = get("/index.html", "Range", "bytes=9999-");
        assertEquals(Status.RANGE_NOT_SATISFIABLE, r.status());
        assertEquals("text/plain; charset=UTF-8", r.headers().get("Content-Type"));
        assertEquals("range not satisfiable: bytes=9999- for 13 bytes", Responses.text(r));
    }

    @Test
    void severalRangesMalformedRangesAndStaleIfRangeGiveTheWholeFile() throws Exception {
        for (String range : new String[] {"bytes=0-1,5-6", "bytes=5-2", "items=0-1", "bytes=x-y", "bytes=-"}) {
            Response r = get("/big.bin", "Range", range);
            assertEquals(200, r.status().code(), range);
            assertEquals(200_000, r.body().length(), range);
        }
        String etag = get("/big.bin").headers().get("ETag");
        assertEquals(206, get("/big.bin", "Range", "bytes=0-1", "If-Range", etag).status().code());
        assertEquals(206, get("/big.bin", "Range", "bytes=0-1", "If-Range", LAST_MODIFIED).status().code());
        assertEquals(200, get("/big.bin", "Range", "bytes=0-1", "If-Range", "\"stale\"").status().code());
    }

    @Test
    void headHasTheHeadersOfGet() throws Exception {
        Response r = files.handle(TestRequest.of(Method.HEAD, "/big.bin"));
        assertEquals(200, r.status().code());
        assertEquals(200_000, r.body().length());
        assertEquals(405, files.handle(TestRequest.of(Method.POST, "/big.bin")).status().code());
        assertEquals("GET, HEAD", files.handle(TestRequest.of(Method.PUT, "/x")).headers().get("Allow"));
    }

    @Test
    void aDirectoryServesItsIndexAndIsRedirectedToItsSlashedPath() throws Exception {
        assertEquals("<h1>home</h1>", Responses.text(get("/")));
        assertEquals("<h1>docs</h1>", Responses.text(get("/docs/")));
        Response r = get("/docs?v=1");
        assertEquals(Status.MOVED_PERMANENTLY, r.status());
        assertEquals("/docs/?v=1", r.headers().get("Location"));
        assertEquals(404, get("/empty/").status().code(), "no listing");
    }

    @Test
    void aFileAskedForAsADirectoryIsNotFound() throws Exception {
        // As on a file system (ENOTDIR): served at /css/site.css/, its relative links would resolve under it.
        assertEquals(404, get("/css/site.css/").status().code());
        assertEquals(404, get("/index.html/").status().code());
        assertEquals("body{}", Responses.text(get("/css/site.css")));
    }

    @Test
    void traversalAttemptsAreNotFound() throws Exception {
        for (String target : new String[] {"/../secret.txt", "/%2e%2e/secret.txt", "/css/../../secret.txt",
            "/css%2f..%2f..%2fsecret.txt", "/css%2F..%2Fsecret.txt", "/..%5csecret.txt", "/index.html%00.txt",
            "/.env", "/./index.html", "//etc/passwd", "/C:/windows"}) {
            Response r = get(target);
            assertEquals(404, r.status().code(), target);
            assertEquals("not found", Responses.text(r), target);
        }
    }

    @Test
    void aSymlinkLeavingTheRootIsNotFollowedButOneInsideIs() throws Exception {
        Files.createSymbolicLink(root.resolve("escape.txt"), dir.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("escape-dir"), dir);
        Files.createSymbolicLink(root.resolve("alias.css"), root.resolve("css/site.css"));
        assertEquals(404, get("/escape.txt").status().code());
        assertEquals(404, get("/escape-dir/secret.txt").status().code());
        assertEquals("body{}", Responses.text(get("/alias.css")));
    }

    @Test
    void aSymlinkIsJudgedByWhereItLeadsAsWellAsByItsName() throws Exception {
        write(".secret", "hidden".getBytes(StandardCharsets.UTF_8));
        write(".git/config", "[core]".getBytes(StandardCharsets.UTF_8));
        write(".git/index.html", "<h1>repo</h1>".getBytes(StandardCharsets.UTF_8));
        write("public.txt", "public".getBytes(StandardCharsets.UTF_8));
        Files.createSymbolicLink(root.resolve("to-secret.txt"), root.resolve(".secret"));
        Files.createSymbolicLink(root.resolve("css/relative.txt"), Path.of("../.secret"));
        Files.createSymbolicLink(root.resolve("chain.txt"), Path.of("to-secret.txt"));
        Files.createSymbolicLink(root.resolve("outside.txt"), dir.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("repo"), root.resolve(".git"));
        Files.createDirectories(root.resolve("trap"));
        Files.createSymbolicLink(root.resolve("trap/index.html"), root.resolve(".secret"));
        Files.createSymbolicLink(root.resolve("ok.txt"), Path.of("public.txt"));
        for (String target : new String[] {"/to-secret.txt", "/css/relative.txt", "/chain.txt", "/outside.txt",
            "/repo", "/repo/", "/repo/config", "/repo/index.html", "/trap/"}) {
            Response r = get(target);
            assertEquals(404, r.status().code(), target);
            assertEquals("not found", Responses.text(r), target);
        }
        assertEquals("public", Responses.text(get("/ok.txt")));
        StaticFiles open = StaticFiles.builder(root).serveHidden(true).build();
        assertEquals("hidden", Responses.text(open.handle(TestRequest.get("/to-secret.txt"))));
        assertEquals("[core]", Responses.text(open.handle(TestRequest.get("/repo/config"))));
        assertEquals("hidden", Responses.text(open.handle(TestRequest.get("/trap/"))));
        assertEquals(404, open.handle(TestRequest.get("/outside.txt")).status().code());
    }

    @Test
    void neitherCaseNorTrailingDotsGetPastTheHiddenCheck() throws Exception {
        // On a case-sensitive Linux file system other spellings name other (absent) files; the dot rule itself has
        // no case, and a trailing dot is part of the name (Windows would strip it)
        write(".Secret", "hidden".getBytes(StandardCharsets.UTF_8));
        Files.createSymbolicLink(root.resolve("Link.txt"), root.resolve(".Secret"));
        Files.createSymbolicLink(root.resolve("Dots.txt."), root.resolve(".Secret"));
        for (String target : new String[] {"/.Secret", "/.SECRET", "/.secret", "/.Secret.", "/.Secret..",
            "/%2eSecret", "/%2ESecret", "/.Secret%20", "/Link.txt", "/LINK.TXT", "/Link.txt.", "/Link.txt%2e",
            "/Dots.txt.", "/Dots.txt", "/.ENV", "/.env."}) {
            Response r = get(target);
            assertEquals(404, r.status().code(), target);
        }
    }

    @Test
    void hiddenFilesAreServedOnlyWhenAllowed() throws Exception {
        StaticFiles open = StaticFiles.builder(root).serveHidden(true).build();
        assertEquals("SECRET=1", Responses.text(open.handle(TestRequest.get("/.env"))));
    }

    @Test
    void mountedUnderAPrefixTheRestOfThePathNamesTheFile() throws Exception {
        Router router = Router.builder().mount("/static", files).build();
        assertEquals("body{}", Responses.text(router.handle(TestRequest.get("/static/css/site.css"))));
        Response bare = router.handle(TestRequest.get("/static"));
        assertEquals("/static/", bare.headers().get("Location"));
        assertEquals("<h1>home</h1>", Responses.text(router.handle(TestRequest.get("/static/"))));
        assertEquals(404, router.handle(TestRequest.get("/static/%2e%2e/secret.txt")).status().code());
        assertNull(router.handle(TestRequest.get("/static/nothing")).headers().get("ETag"));
    }
}
