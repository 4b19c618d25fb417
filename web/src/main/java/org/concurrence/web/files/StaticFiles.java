package org.concurrence.web.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.concurrence.core.Blocking;
import org.concurrence.http.Handler;
import org.concurrence.http.Method;
import org.concurrence.http.Request;
import org.concurrence.http.Response;
import org.concurrence.http.ResponseBody;
import org.concurrence.http.Status;
import org.concurrence.web.HttpDate;

/**
 * Serves the files under a root directory.
 *
 * <pre>{@code
 * Router router = Router.builder()
 *         .mount("/static", StaticFiles.of(Path.of("public")))          // /static/css/site.css
 *         .build();
 * }</pre>
 *
 * <p><b>Which file.</b> The path parameter {@code path} if the route has one (as {@link
 * org.concurrence.web.Routes#mount mount} and a {@code {path...}} template give), else the whole decoded request
 * path, taken relative to the root. A directory requested without a trailing slash is redirected (301) to the same
 * path with one, so relative links in its index work; with the slash, its {@code index.html} (or the configured
 * index file) is served, and without one the answer is 404 — there are no directory listings. A file requested with
 * a trailing slash is 404.
 *
 * <p><b>Never outside the root.</b> 404 for: an encoded slash, backslash or NUL in the raw path; a segment that is
 * {@code .}, {@code ..}, empty, hidden ({@code .git}, unless {@link Builder#serveHidden}), or holds a backslash, NUL
 * or colon; a path that normalises outside the root; a symlink whose target is outside the root's real path or
 * (unless {@link Builder#serveHidden}) is hidden or inside a hidden directory — the real path, symlinks resolved, is
 * judged as well as the requested one. A 404 says nothing about why, so probes learn nothing.
 *
 * <p><b>Headers and validators.</b> Content-Type by extension (text types in UTF-8, unknown ones
 * {@code application/octet-stream}), {@code X-Content-Type-Options: nosniff}, {@code Accept-Ranges: bytes},
 * {@code Last-Modified}, a strong {@code ETag} made of the modification time and size, and an optional
 * {@code Cache-Control}. {@code If-None-Match} (weak comparison, {@code *}) or else {@code If-Modified-Since} give 304.
 *
 * <p><b>Ranges.</b> One byte range of a GET gives 206 with {@code Content-Range}; a range starting past the end gives
 * 416 with {@code Content-Range: bytes *}{@code /size}. <em>Several ranges are answered with the whole file (200)</em>:
 * RFC 9110 lets a server ignore Range, multipart/byteranges responses are rarely used by clients (browsers and
 * download tools ask for one range), and they are a known amplification vector. A malformed Range or an
 * {@code If-Range} that does not match the current validator also gives the whole file.
 *
 * <p><b>Streaming and blocking.</b> The body is written from the file in 64 KiB chunks as the server sends it
 * ({@link ResponseBody#ofWriter}); the file is opened only then, so HEAD and 304 never open it. File system calls are
 * blocking system calls that a virtual thread cannot unmount from: on our single-carrier dispatchers one slow read
 * (a cold disk, a network file system) would stall every tasklet of the dispatcher. So by default the stat, the open
 * and each chunk read go through {@link Blocking#call} (the shared blocking pool), which parks only the requesting
 * tasklet; the cost is a hand-off per 64 KiB. For files known to be in memory (tmpfs, a warm page cache on a
 * dedicated box) {@link Builder#inlineIo()} reads on the dispatcher instead. Deadlines apply to each call.
 *
 * <p><b>Methods.</b> GET and HEAD (the headers of the GET, no body); others get 405 with {@code Allow: GET, HEAD}.
 *
 * <p>Thread-safety: immutable; one instance serves every request.
 */
public final class StaticFiles implements Handler {
    private final FileLookup lookup;
    private final Path root;
    private final String indexFile;
    private final String cacheControl;
    private final ContentTypes types;
    private final FileBody.IoRunner io;

    private StaticFiles(Builder b) {
        this.root = b.root;
        this.lookup = new FileLookup(b.root, b.serveHidden);
        this.indexFile = b.indexFile;
        this.cacheControl = b.cacheControl;
        this.types = new ContentTypes(b.types);
        this.io = b.blocking ? StaticFiles::onBlockingPool : StaticFiles::inline;
    }

    /** Serves {@code root} with the defaults: index.html, no Cache-Control, no hidden files, reads on the pool. */
    public static StaticFiles of(Path root) {
        return builder(root).build();
    }

    /**
     * A builder for serving {@code root}.
     *
     * @throws UncheckedIOException if {@code root} is not an existing directory (its real path is taken now)
     */
    public static Builder builder(Path root) {
        return new Builder(root);
    }

    @Override
    public Response handle(Request request) throws IOException {
        Method method = request.method();
        if (!method.equals(Method.GET) && !method.equals(Method.HEAD)) {
            return Response.builder(Status.METHOD_NOT_ALLOWED).header("Allow", "GET, HEAD")
                    .body("method " + method + " is not allowed for static files; allowed: GET, HEAD").build();
        }
        if (FileLookup.suspiciousRawPath(request.rawPath())) {
            return notFound();
        }
        String relative = request.pathParams().get("path");
        if (relative == null) {
            relative = request.path().startsWith("/") ? request.path().substring(1) : request.path();
        }
        Path path = lookup.resolve(relative);
        if (path == null) {
            return notFound();
        }
        FileLookup.Found found = io.run(() -> lookup.stat(path));
        if (found instanceof FileLookup.File && relative.endsWith("/")) {
            return notFound(); // a file is not a directory, as open() says with ENOTDIR
        }
        if (found instanceof FileLookup.Directory(Path dir)) {
            if (!request.path().endsWith("/")) {
                String q = request.rawQuery();
                String location = request.rawPath() + "/" + (q.isEmpty() ? "" : "?" + q);
                return Response.redirect(Status.MOVED_PERMANENTLY, location);
            }
            found = io.run(() -> lookup.stat(dir.resolve(indexFile)));
        }
        return found instanceof FileLookup.File file ? serve(request, file) : notFound();
    }

    private Response serve(Request request, FileLookup.File file) {
        String etag = "\"" + Long.toHexString(file.modifiedMillis()) + "-" + Long.toHexString(file.size()) + "\"";
        Instant modified = Instant.ofEpochMilli(file.modifiedMillis());
        String lastModified = HttpDate.format(modified);
        Response.Builder b = Response.builder(Status.OK)
                .header("ETag", etag)
                .header("Last-Modified", lastModified);
        if (cacheControl != null) {
            b.header("Cache-Control", cacheControl);
        }
        if (Conditionals.notModified(request, etag, modified)) {
            return b.status(Status.NOT_MODIFIED).build();
        }
        b.contentType(types.of(file.path().getFileName().toString()))
                .header("X-Content-Type-Options", "nosniff")
                .header("Accept-Ranges", "bytes");
        long size = file.size();
        ByteRange.Outcome range = request.method().equals(Method.GET)
                && Conditionals.ifRangeHolds(request, etag, lastModified)
                ? ByteRange.parse(request.header("Range"), size) : new ByteRange.Full();
        return switch (range) {
            case ByteRange.Full full -> b.body(ResponseBody.ofWriter(size, new FileBody(file.path(), 0, size, io)))
                    .build();
            case ByteRange.Partial(ByteRange r) -> b.status(Status.PARTIAL_CONTENT)
                    .header("Content-Range", "bytes " + r.first() + "-" + r.last() + "/" + size)
                    .body(ResponseBody.ofWriter(r.length(), new FileBody(file.path(), r.first(), r.length(), io)))
                    .build();
            case ByteRange.Unsatisfiable u -> b.status(Status.RANGE_NOT_SATISFIABLE)
                    .header("Content-Range", "bytes */" + size)
                    .contentType("text/plain; charset=UTF-8") // the message, not the file's type
                    .body("range not satisfiable: " + request.header("Range") + " for " + size + " bytes")
                    .build();
        };
    }

    private static Response notFound() {
        return Response.text(Status.NOT_FOUND, "not found");
    }

    private static <T> T onBlockingPool(FileBody.IoWork<T> work) throws IOException {
        return Blocking.call(work::run);
    }

    private static <T> T inline(FileBody.IoWork<T> work) throws IOException {
        return work.run();
    }

    @Override
    public String toString() {
        return "StaticFiles[" + root + "]";
    }

    /** Configures {@link StaticFiles}; not thread-safe. */
    public static final class Builder {
        private final Path root;
        private String indexFile = "index.html";
        private String cacheControl;
        private boolean serveHidden;
        private boolean blocking = true;
        private final Map<String, String> types = new HashMap<>();

        private Builder(Path root) {
            Objects.requireNonNull(root, "root");
            if (!Files.isDirectory(root)) {
                throw new UncheckedIOException(new IOException("static files root is not a directory: " + root));
            }
            try {
                this.root = root.toRealPath();
            } catch (IOException e) {
                throw new UncheckedIOException("static files root " + root + " cannot be resolved", e);
            }
        }

        /** The file served for a directory (default {@code index.html}). */
        public Builder indexFile(String name) {
            if (name.isEmpty() || name.contains("/") || name.contains("\\")) {
                throw new IllegalArgumentException("index file must be a plain file name: \"" + name + "\"");
            }
            this.indexFile = name;
            return this;
        }

        /** {@code Cache-Control: public, max-age=<seconds>} on every file. */
        public Builder maxAge(Duration maxAge) {
            return cacheControl("public, max-age=" + maxAge.toSeconds());
        }

        /** This {@code Cache-Control} value on every file (default: none). */
        public Builder cacheControl(String value) {
            this.cacheControl = Objects.requireNonNull(value, "value");
            return this;
        }

        /**
         * Serve files and directories whose names start with a dot (default: 404 for them, whether named in the request
         * or reached through a symlink, a hidden index file included).
         */
        public Builder serveHidden(boolean serve) {
            this.serveHidden = serve;
            return this;
        }

        /** The content type for files with {@code extension} (no dot), over the built-in table. */
        public Builder contentType(String extension, String contentType) {
            types.put(extension, contentType);
            return this;
        }

        /** Do file system calls on the dispatcher instead of the blocking pool; see the class comment. */
        public Builder inlineIo() {
            this.blocking = false;
            return this;
        }

        public StaticFiles build() {
            return new StaticFiles(this);
        }
    }
}
