package org.concurrence.io;

import java.io.IOException;
import java.io.OutputStream;

/** {@link BufferedSink#asOutputStream()}: the {@code OutputStream} contract over a buffered sink. */
final class SinkOutputStream extends OutputStream {
    private final BufferedSink sink;

    SinkOutputStream(BufferedSink sink) {
        this.sink = sink;
    }

    @Override
    public void write(int b) throws IOException {
        checkOpen();
        sink.writeByte(b);
    }

    @Override
    public void write(byte[] source, int offset, int length) throws IOException {
        checkOpen();
        sink.write(source, offset, length);
    }

    @Override
    public void flush() throws IOException {
        checkOpen();
        sink.flush();
    }

    @Override
    public void close() throws IOException {
        sink.close();
    }

    /** java.io's contract: a closed stream fails with an IOException (the sink's own check is unchecked). */
    private void checkOpen() throws IOException {
        if (sink.isClosed()) {
            throw new IOException(this + " is closed");
        }
    }

    @Override
    public String toString() {
        return sink + ".asOutputStream()";
    }
}
