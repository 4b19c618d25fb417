package org.concurrence.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * Something bytes can be written to, a tasklet at a time: here a {@link Socket}, a
 * {@link org.concurrence.io.tls.TlsSocket} or a {@link BufferedSink} over one of them; any other byte sink may
 * implement it.
 *
 * <p>Blocking: {@link #write(ByteBuffer)} writes every remaining byte of the buffer, waiting (parking only the calling
 * tasklet) while the peer does not take them, until the tasklet's deadline passes
 * ({@link org.concurrence.core.DeadlineExceededException}) or the tasklet is killed
 * ({@link org.concurrence.core.TaskletExit}). A write that timed out may have written part of the bytes (the buffer's
 * position says how many); a stream protocol should then close the connection.
 *
 * <p>Thread-safety: one writer at a time.
 */
public interface Sink extends AutoCloseable {

    /** Writes every remaining byte of {@code source} under the current deadline. */
    void write(ByteBuffer source) throws IOException;

    /** {@link #write(ByteBuffer)}, waiting at most {@code timeout} (and never past the current deadline). */
    void write(ByteBuffer source, Duration timeout) throws IOException;

    @Override
    void close() throws IOException;
}
