package org.concurrence.http.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The content codings the client decodes (RFC 9110 §8.4.1): gzip (and its old name x-gzip), deflate — the zlib
 * format, or raw deflate data as some servers send and browsers accept. Identity is no coding.
 */
enum ContentCoding {
    GZIP("gzip"), DEFLATE("deflate");

    /** What {@link HttpClientOptions#decompress()} asks for, when the request sets no Accept-Encoding. */
    static final String ACCEPT = "gzip, deflate";
    /** Most codings decoded on one body: enough for a body gzipped twice (by an application and a proxy). */
    static final int MAX_STACKED = 3;

    private final String label;

    ContentCoding(String label) {
        this.label = label;
    }

    /**
     * The codings of the Content-Encoding field values {@code values}, in the order they were applied (so decoded in
     * reverse), identity left out; null if one is not known here (the body is then passed on as it came); empty if
     * the fields name none.
     */
    static List<ContentCoding> parse(List<String> values) {
        List<ContentCoding> codings = new ArrayList<>(1);
        for (String value : values) {
            for (String element : value.split(",", -1)) {
                String name = element.strip().toLowerCase(Locale.ROOT);
                switch (name) {
                    case "", "identity" -> { }
                    case "gzip", "x-gzip" -> codings.add(GZIP);
                    case "deflate" -> codings.add(DEFLATE);
                    default -> {
                        return null;
                    }
                }
            }
        }
        return codings;
    }

    /** {@code gzip}, {@code deflate}. */
    @Override
    public String toString() {
        return label;
    }
}
