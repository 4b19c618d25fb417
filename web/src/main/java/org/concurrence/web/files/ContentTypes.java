package org.concurrence.web.files;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Content types by file extension: a built-in table of the common web types, text types with
 * {@code charset=UTF-8}, anything else {@code application/octet-stream}. Immutable once built.
 */
final class ContentTypes {
    static final String DEFAULT = "application/octet-stream";
    private static final String UTF8 = "; charset=UTF-8";
    private static final Map<String, String> STANDARD = new HashMap<>();

    static {
        for (String[] e : new String[][] {
            {"html", "text/html" + UTF8}, {"htm", "text/html" + UTF8}, {"css", "text/css" + UTF8},
            {"js", "text/javascript" + UTF8}, {"mjs", "text/javascript" + UTF8}, {"json", "application/json"},
            {"map", "application/json"}, {"txt", "text/plain" + UTF8}, {"md", "text/markdown" + UTF8},
            {"csv", "text/csv" + UTF8}, {"xml", "application/xml"}, {"svg", "image/svg+xml"},
            {"png", "image/png"}, {"jpg", "image/jpeg"}, {"jpeg", "image/jpeg"}, {"gif", "image/gif"},
            {"webp", "image/webp"}, {"avif", "image/avif"}, {"ico", "image/vnd.microsoft.icon"},
            {"woff", "font/woff"}, {"woff2", "font/woff2"}, {"ttf", "font/ttf"}, {"otf", "font/otf"},
            {"wasm", "application/wasm"}, {"pdf", "application/pdf"}, {"zip", "application/zip"},
            {"gz", "application/gzip"}, {"tar", "application/x-tar"}, {"mp4", "video/mp4"},
            {"webm", "video/webm"}, {"mp3", "audio/mpeg"}, {"ogg", "audio/ogg"}, {"wav", "audio/wav"},
            {"webmanifest", "application/manifest+json"}, {"yaml", "application/yaml"},
            {"yml", "application/yaml"},
        }) {
            STANDARD.put(e[0], e[1]);
        }
    }

    private final Map<String, String> byExtension;

    ContentTypes(Map<String, String> extra) {
        byExtension = new HashMap<>(STANDARD);
        extra.forEach((ext, type) -> byExtension.put(ext.toLowerCase(Locale.ROOT), type));
    }

    /** The content type for {@code fileName} by its extension. */
    String of(String fileName) {
        int dot = fileName.lastIndexOf('.');
        if (dot < 0 || dot == fileName.length() - 1) {
            return DEFAULT;
        }
        return byExtension.getOrDefault(fileName.substring(dot + 1).toLowerCase(Locale.ROOT), DEFAULT);
    }
}
