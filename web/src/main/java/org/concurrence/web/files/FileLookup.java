package org.concurrence.web.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Locale;

/*
 * Implementation notes. Defence in depth against leaving the root: (1) the raw path is refused if it holds an encoded
 * slash, backslash or NUL, so nothing the router decoded can change the segment structure; (2) the decoded relative
 * path is refused if any segment is empty, ".", ".." or (unless allowed) hidden, or holds a backslash, NUL or a colon;
 * (3) the resolved path must still start with the root after normalisation; (4) the real path (symlinks resolved) must
 * start with the root's real path, and (unless allowed) no segment of it below the root may be hidden, so a symlink
 * inside the root that points outside, at a hidden file or into a hidden directory is not followed. The requested
 * name and the real one are both judged: a hidden link to a public file is refused too. The dot rule has no case, and
 * Linux file systems keep trailing dots as part of a name, so no other spelling of a hidden name passes (FAT's 8.3
 * aliases, which have no leading dot, would: do not serve a vfat mount that holds hidden files).
 * The file system calls of (4) and the stat are blocking: they run through the caller's choice of executor.
 */
/** Finds the file a request path names under a root, refusing anything that would leave the root. */
final class FileLookup {
    /** What a path names. */
    sealed interface Found permits File, Directory, Missing {}

    /** A regular file. */
    record File(Path path, long size, long modifiedMillis) implements Found {}

    /** A directory. */
    record Directory(Path path) implements Found {}

    /** Nothing servable: absent, refused, or not a regular file or directory. */
    record Missing() implements Found {}

    private final Path root;
    private final boolean serveHidden;

    /** @param root the root's real path */
    FileLookup(Path root, boolean serveHidden) {
        this.root = root;
        this.serveHidden = serveHidden;
    }

    /** Whether the request's raw path holds an escape that could change the path's structure. */
    static boolean suspiciousRawPath(String rawPath) {
        String lower = rawPath.toLowerCase(Locale.ROOT);
        return lower.contains("%2f") || lower.contains("%5c") || lower.contains("%00");
    }

    /** The path under the root for the decoded {@code relative} path (no leading slash), or null if refused. */
    Path resolve(String relative) {
        if (relative.isEmpty()) {
            return root;
        }
        String trimmed = relative.endsWith("/") ? relative.substring(0, relative.length() - 1) : relative;
        for (String segment : trimmed.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")
                    || (!serveHidden && segment.startsWith("."))
                    || segment.indexOf('\\') >= 0 || segment.indexOf('\0') >= 0 || segment.indexOf(':') >= 0) {
                return null;
            }
        }
        try {
            Path p = root.resolve(trimmed).normalize();
            return p.startsWith(root) ? p : null;
        } catch (InvalidPathException e) {
            return null;
        }
    }

    /**
     * Stats {@code path} (a blocking call), following symlinks only if they stay under the root and (unless hidden
     * files are served) lead to no hidden file or directory.
     */
    Found stat(Path path) throws IOException {
        try {
            Path real = path.toRealPath();
            if (!real.startsWith(root) || (!serveHidden && hidden(root.relativize(real)))) {
                return new Missing();
            }
            BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class);
            if (a.isDirectory()) {
                return new Directory(real);
            }
            if (a.isRegularFile()) {
                return new File(real, a.size(), a.lastModifiedTime().toMillis());
            }
            return new Missing();
        } catch (NoSuchFileException e) {
            return new Missing();
        } catch (java.nio.file.FileSystemException e) {
            return new Missing();
        }
    }

    /** Whether a segment of {@code relative} (a path below the root) names a hidden file or directory. */
    private static boolean hidden(Path relative) {
        for (Path segment : relative) {
            if (segment.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }
}
