package org.concurrence.web.files;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicReference;
import org.concurrence.http.ResponseBody;

/**
 * Writes {@code length} bytes of a file from {@code offset}, in 64 KiB chunks read through {@link StaticFiles}'s
 * choice of blocking or inline reads; the file is opened only when the server writes the body (never for HEAD or a
 * body-less status) and closed on every path, a kill or deadline during the open included.
 */
record FileBody(Path path, long offset, long length, IoRunner io) implements ResponseBody.BodyWriter {
    private static final int CHUNK = 64 * 1024;
    /** Left in the open's handover by a caller that gave up. */
    private static final Object GAVE_UP = new Object();

    /** How file system calls are run: inline, or on the blocking pool. */
    @FunctionalInterface
    interface IoRunner {
        <T> T run(IoWork<T> work) throws IOException;
    }

    /** A file system call. */
    @FunctionalInterface
    interface IoWork<T> {
        T run() throws IOException;
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
        // The path is the real one the lookup checked; not following links at the open means a file swapped for a link
        // between that check and now (by someone who can write under the root) fails instead of leading elsewhere.
        FileChannel channel = open();
        try (channel) {
            byte[] chunk = new byte[(int) Math.min(CHUNK, Math.max(1, length))];
            ByteBuffer buffer = ByteBuffer.wrap(chunk);
            long position = offset;
            long left = length;
            while (left > 0) {
                buffer.clear().limit((int) Math.min(chunk.length, left));
                long at = position;
                int n = io.run(() -> channel.read(buffer, at));
                if (n < 0) {
                    throw new IOException("file " + path + " ended at byte " + position + " while being sent; "
                            + left + " bytes were still due");
                }
                out.write(chunk, 0, n);
                position += n;
                left -= n;
            }
        }
    }

    /**
     * Opens the file through the runner. A runner that gives up while the open runs on the blocking pool (the caller
     * killed, or past its deadline) drops the channel the open returns: whichever side comes second closes it, or its
     * file descriptor would stay open until a garbage collection.
     */
    private FileChannel open() throws IOException {
        AtomicReference<Object> handover = new AtomicReference<>();
        try {
            return io.run(() -> {
                FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
                if (!handover.compareAndSet(null, channel)) {
                    channel.close(); // the caller gave up before: nobody will take it
                }
                return channel;
            });
        } catch (Throwable gaveUp) {
            if (handover.getAndSet(GAVE_UP) instanceof FileChannel opened) {
                try {
                    opened.close();
                } catch (IOException e) {
                    gaveUp.addSuppressed(e);
                }
            }
            throw gaveUp;
        }
    }
}
