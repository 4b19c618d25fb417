package org.concurrence.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * Something bytes can be read from, a tasklet at a time: here a {@link Socket}, a
 * {@link org.concurrence.io.tls.TlsSocket} or a {@link BufferedSource} over one of them; any other byte source may
 * implement it.
 *
 * <p>Blocking: {@link #read(ByteBuffer)} waits (parking only the calling tasklet) until at least one byte is
 * available, the end of the stream is reached, the tasklet's deadline passes
 * ({@link org.concurrence.core.DeadlineExceededException}) or the tasklet is killed
 * ({@link org.concurrence.core.TaskletExit}). A read that timed out consumed nothing.
 *
 * <p>Thread-safety: one reader at a time; a source may be read and its sibling {@link Sink} written by two different
 * tasklets of the same dispatcher at once.
 */
public interface Source extends AutoCloseable {

    /**
     * Reads at least one byte into {@code destination} (at its position, up to its limit), under the current
     * deadline.
     *
     * @return the number of bytes read, or -1 at the end of the stream
     * @throws IOException on an I/O error; the source is then unusable
     */
    int read(ByteBuffer destination) throws IOException;

    /** {@link #read(ByteBuffer)}, waiting at most {@code timeout} (and never past the current deadline). */
    int read(ByteBuffer destination, Duration timeout) throws IOException;

    /**
     * Waits until a {@link #read} would not wait: bytes or the end of the stream are there (under the current deadline,
     * or at most {@code timeout}). Lets a buffered reader park without holding a buffer, so an idle connection costs
     * no buffer memory. A source that cannot tell returns at once (the default); a read then waits as usual.
     */
    default void awaitReadable(Duration timeout) throws IOException {
    }

    @Override
    void close() throws IOException;
}
