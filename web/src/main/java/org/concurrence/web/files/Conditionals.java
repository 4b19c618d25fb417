package org.concurrence.web.files;

import java.time.Instant;
import org.concurrence.http.Request;
import org.concurrence.web.HttpDate;

/** The conditional request fields of RFC 9110 §13 that a static file honours. Stateless. */
final class Conditionals {
    private Conditionals() {}

    /**
     * Whether a GET or HEAD gets 304: If-None-Match matches (weak comparison, or {@code *}); or, only when there is
     * no If-None-Match, If-Modified-Since is a valid date not before the modification time (to the second).
     */
    static boolean notModified(Request request, String etag, Instant modified) {
        String inm = request.header("If-None-Match");
        if (inm != null) {
            return matchesAny(inm, etag, false);
        }
        Instant since = HttpDate.parse(request.header("If-Modified-Since"));
        return since != null && modified.getEpochSecond() <= since.getEpochSecond();
    }

    /**
     * Whether a Range may be honoured: no If-Range, or an If-Range that is the current strong ETag or exactly the
     * Last-Modified date.
     */
    static boolean ifRangeHolds(Request request, String etag, String lastModified) {
        String ifRange = request.header("If-Range");
        if (ifRange == null) {
            return true;
        }
        String v = ifRange.strip();
        return v.startsWith("\"") ? v.equals(etag) : v.equals(lastModified);
    }

    private static boolean matchesAny(String list, String etag, boolean strong) {
        for (String candidate : list.split(",")) {
            String c = candidate.strip();
            if (c.equals("*")) {
                return true;
            }
            if (!strong && c.startsWith("W/")) {
                c = c.substring(2);
            }
            if (c.equals(etag)) {
                return true;
            }
        }
        return false;
    }
}
