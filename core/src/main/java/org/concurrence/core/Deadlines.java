package org.concurrence.core;

import java.time.Duration;
import java.util.Locale;

/**
 * Arithmetic on deadlines: absolute times in nanoseconds on a dispatcher's clock, {@link #NONE} for no deadline.
 * Saturates instead of overflowing, so that a huge {@code Duration} means "never".
 */
final class Deadlines {
    /** No deadline. */
    static final long NONE = Long.MAX_VALUE;

    private Deadlines() {}

    /** The deadline {@code timeout} from {@code now}; a null or enormous timeout gives {@link #NONE}. */
    static long after(long now, Duration timeout) {
        if (timeout == null) {
            return NONE;
        }
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            return timeout.isNegative() ? now : NONE;
        }
        if (nanos <= 0) {
            return now;
        }
        long due = now + nanos;
        return due < now ? NONE : due;
    }

    /**
     * A duration for people: "250 ms", "1.500 s", "12 µs". Always with a decimal point, whatever the default locale:
     * messages are compared and grepped.
     */
    static String format(Duration duration) {
        long nanos = duration.toNanos();
        if (nanos < 1_000) {
            return nanos + " ns";
        }
        if (nanos < 1_000_000) {
            return (nanos / 1_000) + " µs";
        }
        if (nanos < 10_000_000_000L) {
            long millis = nanos / 1_000_000;
            long tenths = (nanos / 100_000) % 10;
            return millis < 1_000 ? millis + (tenths == 0 ? "" : "." + tenths) + " ms"
                    : String.format(Locale.ROOT, "%.3f s", nanos / 1e9);
        }
        return duration.toSeconds() + " s";
    }
}
