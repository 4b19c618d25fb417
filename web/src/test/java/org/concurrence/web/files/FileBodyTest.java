package org.concurrence.web.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.concurrence.core.DeadlineExceededException;
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

    // A runner that gives up does what BlockingPool does when the calling tasklet is killed or its deadline passes
    // while the work runs on a pool thread: it throws, and drops whatever the work returns.

    @Test
    void aChannelOpenedBeforeTheCallerGaveUpIsClosed() throws IOException {
        Path file = Files.writeString(dir.resolve("a.txt"), "hello");
        List<Object> dropped = new ArrayList<>();
        FileBody.IoRunner droppingTheResult = new FileBody.IoRunner() {
            @Override
            public <T> T run(FileBody.IoWork<T> work) throws IOException {
                dropped.add(work.run());
                throw new DeadlineExceededException("blocking call on pool test", Duration.ZERO);
            }
        };
        assertThrows(DeadlineExceededException.class,
                () -> new FileBody(file, 0, 5, droppingTheResult).writeTo(new ByteArrayOutputStream()));
        assertFalse(((FileChannel) dropped.getFirst()).isOpen(), "the file descriptor would leak until a GC");
    }

    @Test
    void aChannelOpenedAfterTheCallerGaveUpIsClosed() throws IOException {
        Path file = Files.writeString(dir.resolve("a.txt"), "hello");
        List<FileBody.IoWork<?>> abandoned = new ArrayList<>();
        FileBody.IoRunner givingUpFirst = new FileBody.IoRunner() {
            @Override
            public <T> T run(FileBody.IoWork<T> work) {
                abandoned.add(work);
                throw new DeadlineExceededException("blocking call on pool test", Duration.ZERO);
            }
        };
        assertThrows(DeadlineExceededException.class,
                () -> new FileBody(file, 0, 5, givingUpFirst).writeTo(new ByteArrayOutputStream()));
        Object opened = abandoned.getFirst().run(); // the pool thread's open ends after the caller left
        assertFalse(((FileChannel) opened).isOpen(), "the file descriptor would leak until a GC");
    }
}
