package org.concurrence.web;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.SignStyle;
import java.time.temporal.ChronoField;
import java.util.Locale;

/**
 * HTTP dates (RFC 9110 §5.6.7): written as IMF-fixdate ({@code Sun, 06 Nov 1994 08:49:37 GMT}), read in that form
 * and in the two obsolete ones a recipient must accept (RFC 850 and asctime).
 *
 * <p>Stateless; thread-safe.
 */
public final class HttpDate {
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter RFC_850 =
            new DateTimeFormatterBuilder().appendPattern("EEEE, dd-MMM-")
                    .appendValueReduced(ChronoField.YEAR, 2, 2, 1970)
                    .appendPattern(" HH:mm:ss 'GMT'").toFormatter(Locale.US);
    private static final DateTimeFormatter ASCTIME =
            new DateTimeFormatterBuilder().appendPattern("EEE MMM ").padNext(2)
                    .appendValue(ChronoField.DAY_OF_MONTH, 1, 2, SignStyle.NOT_NEGATIVE)
                    .appendPattern(" HH:mm:ss yyyy").toFormatter(Locale.US);

    private HttpDate() {}

    /** {@code instant} as an IMF-fixdate, to the second. */
    public static String format(Instant instant) {
        return IMF_FIXDATE.format(instant);
    }

    /** The instant {@code text} names in any of the three forms, or null if it is none of them. */
    public static Instant parse(String text) {
        if (text == null) {
            return null;
        }
        String s = text.strip();
        for (DateTimeFormatter f : new DateTimeFormatter[] {IMF_FIXDATE, RFC_850, ASCTIME}) {
            try {
                return LocalDateTime.parse(s, f).toInstant(ZoneOffset.UTC);
            } catch (DateTimeException e) {
                // try the next form
            }
        }
        return null;
    }
}
