package org.concurrence.http.proxy;

import java.util.ArrayList;
import java.util.List;
import org.concurrence.http.Headers;

/**
 * The fields of one message that belong to its connection and are not forwarded by a proxy (RFC 9110 §7.6.1): the
 * fixed ones, and those the message's {@code Connection} field names. Immutable.
 */
final class HopByHop {
    private static final String[] FIXED = {"Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate",
        "Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding", "Upgrade"};
    private static final HopByHop FIXED_ONLY = new HopByHop(List.of());

    /** The names the message's Connection field lists (most messages have none, or only keep-alive / close). */
    private final List<String> named;

    private HopByHop(List<String> named) {
        this.named = named;
    }

    /** The hop-by-hop fields of the message whose fields are {@code fields}. */
    static HopByHop of(Headers fields) {
        List<String> connection = fields.all("Connection");
        if (connection.isEmpty()) {
            return FIXED_ONLY;
        }
        List<String> named = new ArrayList<>();
        for (String value : connection) {
            for (String token : value.split(",")) {
                String name = token.strip();
                if (!name.isEmpty()) {
                    named.add(name);
                }
            }
        }
        return new HopByHop(named);
    }

    /** Whether the field {@code name} is hop-by-hop (case-insensitive). */
    boolean contains(String name) {
        for (String fixed : FIXED) {
            if (fixed.equalsIgnoreCase(name)) {
                return true;
            }
        }
        for (String listed : named) {
            if (listed.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }
}
