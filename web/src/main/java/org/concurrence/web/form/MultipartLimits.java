package org.concurrence.web.form;

/**
 * Limits on a {@code multipart/form-data} body; going past one fails the read with 413. The body's total size is
 * the server's limit ({@code HttpServerOptions.maxBodySize}); a part's body streams and has no limit here, except
 * what {@link Part#text()} and {@link Part#bytes()} will hold. Immutable and thread-safe.
 *
 * @param maxParts      the most parts in one body
 * @param maxHeaderSize the most bytes of header lines in one part
 * @param maxFieldSize  the most bytes {@link Part#text()} or {@link Part#bytes()} reads into memory, and
 *                      {@link Multipart#fields()} for all its fields together
 */
public record MultipartLimits(int maxParts, int maxHeaderSize, int maxFieldSize) {
    public MultipartLimits {
        if (maxParts < 1 || maxHeaderSize < 1 || maxFieldSize < 0) {
            throw new IllegalArgumentException("multipart limits must be positive: parts " + maxParts + ", header "
                    + maxHeaderSize + ", field " + maxFieldSize);
        }
    }

    /** 1,000 parts, 8 KiB of headers per part, 1 MiB per field read into memory (and for {@code fields()} in all). */
    public static MultipartLimits defaults() {
        return new MultipartLimits(1000, 8 * 1024, 1024 * 1024);
    }
}
