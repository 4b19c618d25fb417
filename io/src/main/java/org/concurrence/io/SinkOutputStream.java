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
        sink.writeByte(b);
    }

    @Override
    public void write(byte[] source, int offset, int length) throws IOException {
        sink.write(source, offset, length);
    }

    @Override
    public void flush() throws IOException {
        sink.flush();
    }

    @Override
    public void close() throws IOException {
        sink.close();
    }

    @Override
    public String toString() {
        return sink + ".asOutputStream()";
    }
}
