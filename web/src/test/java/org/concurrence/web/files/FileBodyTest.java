package org.concurrence.web.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file body opens the path the lookup checked without following links: a file swapped for a link between the check
 * and the response (by someone who can write under the root) fails the response instead of sending where the link
 * leads.
 */
class FileBodyTest {
    @TempDir
    Path dir;

    private static final FileBody.IoRunner INLINE = new FileBody.IoRunner() {
        @Override
        public <T> T run(FileBody.IoWork<T> work) throws IOException {
            return work.run();
        }
    };

    @Test
    void sendsTheCheckedFile() throws IOException {
        Path file = Files.writeString(dir.resolve("a.txt"), "hello");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new FileBody(file, 1, 3, INLINE).writeTo(out);
        assertArrayEquals("ell".getBytes(StandardCharsets.US_ASCII), out.toByteArray());
    }

    @Test
    void aFileSwappedForALinkAfterTheCheckIsNotFollowed() throws IOException {
        Path secret = Files.writeString(dir.resolve(".secret"), "password");
        Path checked = Files.writeString(dir.resolve("a.txt"), "hello");
        Files.delete(checked);
        Files.createSymbolicLink(checked, secret); // the swap, after the lookup took a.txt's real path
        assertThrows(IOException.class, () -> new FileBody(checked, 0, 5, INLINE).writeTo(new ByteArrayOutputStream()));
    }
}
