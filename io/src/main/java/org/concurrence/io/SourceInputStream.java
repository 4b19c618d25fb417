package org.concurrence.io;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/** {@link BufferedSource#asInputStream()}: the {@code InputStream} contract over a buffered source. */
final class SourceInputStream extends InputStream {
    private final BufferedSource source;

    SourceInputStream(BufferedSource source) {
        this.source = source;
    }

    @Override
    public int read() throws IOException {
        checkOpen();
        return source.request(1) ? source.readUnsignedByte() : -1;
    }

    @Override
    public int read(byte[] destination, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, destination.length);
        checkOpen();
        return source.readSome(destination, offset, length);
    }

    @Override
    public int available() {
        return source.buffered();
    }

    @Override
    public long skip(long byteCount) throws IOException {
        checkOpen();
        if (byteCount <= 0 || !source.request(1)) {
            return 0;
        }
        long n = Math.min(byteCount, source.buffered());
        source.skip(n);
        return n;
    }

    @Override
    public void close() throws IOException {
        source.close();
    }

    /** java.io's contract: a closed stream fails with an IOException (the source's own check is unchecked). */
    private void checkOpen() throws IOException {
        if (source.isClosed()) {
            throw new IOException(this + " is closed");
        }
    }

    @Override
    public String toString() {
        return source + ".asInputStream()";
    }
}
