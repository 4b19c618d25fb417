package org.concurrence.web.compress;

import java.util.List;

/**
 * Whether a request's {@code Accept-Encoding} (RFC 9110 §12.5.3) takes gzip: named ({@code gzip} or the old
 * {@code x-gzip}) with a weight above zero, or covered by {@code *} with a weight above zero and not refused by name.
 * No field at all means no preference, which a server may read as anything; browsers always send one, so the filter
 * reads a missing field as "not gzip", as nginx and Netty do, and never surprises a client that asked for nothing.
 *
 * <p>Malformed elements are skipped rather than refused: a header that cannot be read only means no compression.
 */
final class AcceptEncoding {
    private AcceptEncoding() {}

    /** Whether the values of the request's Accept-Encoding fields accept gzip. */
    static boolean acceptsGzip(List<String> fields) {
        double gzip = -1;
        double any = -1;
        for (String field : fields) {
            for (String element : field.split(",", -1)) {
                int semicolon = element.indexOf(';');
                String coding = (semicolon < 0 ? element : element.substring(0, semicolon)).strip();
                if (coding.isEmpty()) {
                    continue;
                }
                double weight = semicolon < 0 ? 1 : weight(element.substring(semicolon + 1));
                if (weight < 0) {
                    continue;
                }
                if (coding.equalsIgnoreCase("gzip") || coding.equalsIgnoreCase("x-gzip")) {
                    gzip = Math.max(gzip, weight);
                } else if (coding.equals("*")) {
                    any = Math.max(any, weight);
                }
            }
        }
        return gzip > 0 || (gzip < 0 && any > 0);
    }

    /**
     * The weight of {@code ;q=0.5} style parameters (RFC 9110 §12.4.2: {@code 0} to {@code 1} with up to three
     * decimals); -1 if malformed. Parameters other than {@code q} are ignored.
     */
    private static double weight(String parameters) {
        double weight = 1;
        for (String parameter : parameters.split(";", -1)) {
            String p = parameter.strip();
            if (p.length() < 2 || Character.toLowerCase(p.charAt(0)) != 'q' || p.charAt(1) != '=') {
                continue;
            }
            String value = p.substring(2);
            if (!value.matches("(0(\\.\\d{0,3})?|1(\\.0{0,3})?)")) {
                return -1;
            }
            weight = Double.parseDouble(value);
        }
        return weight;
    }
}
