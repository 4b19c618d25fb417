package org.concurrence.http.proxy;

import java.util.Locale;
import java.util.Set;
import org.concurrence.http.Headers;

/**
 * The fields that belong to one connection and are not forwarded by a proxy (RFC 9110 §7.6.1): the fixed ones, and
 * those a message's {@code Connection} field names. Stateless.
 */
final class HopByHop {
    private static final Set<String> FIXED = Set.of("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade");

    private HopByHop() {}

    /** Whether the field {@code name} of {@code fields} is hop-by-hop. */
    static boolean isHopByHop(String name, Headers fields) {
        String lower = name.toLowerCase(Locale.ROOT);
        return FIXED.contains(lower) || fields.containsToken("Connection", name);
    }
}
