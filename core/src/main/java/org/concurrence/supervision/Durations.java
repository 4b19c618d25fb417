package org.concurrence.supervision;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

/** Durations in messages, for people: "250 ms", "5 s", "unlimited". */
final class Durations {
    private Durations() {}

    static String format(Duration duration) {
        if (duration.compareTo(ChronoUnit.DAYS.getDuration().multipliedBy(365_000)) >= 0) {
            return "unlimited";
        }
        long millis = duration.toMillis();
        if (millis < 1_000 || millis % 1_000 != 0) {
            return millis < 10_000 ? millis + " ms" : String.format(java.util.Locale.ROOT, "%.3f s", millis / 1e3);
        }
        return (millis / 1_000) + " s";
    }

    /** Checks that {@code duration} is given and not negative; {@code what} names it in the message. */
    static Duration requireNonNegative(Duration duration, String what) {
        if (duration == null) {
            throw new NullPointerException(what);
        }
        if (duration.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative: " + duration);
        }
        return duration;
    }
}
