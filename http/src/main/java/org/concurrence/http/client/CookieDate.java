package org.concurrence.http.client;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Locale;

/**
 * The date of a cookie's Expires attribute, read by the lenient algorithm of RFC 6265 §5.1.1 that browsers use: the
 * text is split into tokens at delimiters, and the first token that reads as a time, a day of the month, a month name
 * and a year (in that order of trial) gives each part, whatever the format around them — IMF-fixdate, RFC 850,
 * asctime, and the many variants servers send.
 *
 * <p>Stateless; thread-safe.
 */
final class CookieDate {
    private static final String[] MONTHS = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
            "nov", "dec"};

    private CookieDate() {}

    /** The instant {@code text} names, in UTC; null if it is not a cookie-date (the attribute is then ignored). */
    static Instant parse(String text) {
        int hour = -1;
        int minute = -1;
        int second = -1;
        int day = -1;
        int month = -1;
        int year = -1;
        int i = 0;
        int n = text.length();
        while (i < n) {
            while (i < n && isDelimiter(text.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !isDelimiter(text.charAt(i))) {
                i++;
            }
            if (start == i) {
                continue;
            }
            String token = text.substring(start, i);
            int[] time;
            int value;
            if (hour < 0 && (time = time(token)) != null) {
                hour = time[0];
                minute = time[1];
                second = time[2];
            } else if (day < 0 && (value = digits(token, 1, 2)) >= 0) {
                day = value;
            } else if (month < 0 && (value = month(token)) >= 0) {
                month = value;
            } else if (year < 0 && (value = digits(token, 2, 4)) >= 0) {
                year = value;
            }
        }
        if (year >= 70 && year <= 99) {
            year += 1900;
        } else if (year >= 0 && year <= 69) {
            year += 2000;
        }
        if (hour < 0 || day < 0 || month < 0 || year < 0 || day < 1 || day > 31 || year < 1601 || hour > 23
                || minute > 59 || second > 59) {
            return null;
        }
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second).toInstant(ZoneOffset.UTC);
        } catch (DateTimeException noSuchDay) {
            return null; // 31 February
        }
    }

    /** delimiter = %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E. */
    private static boolean isDelimiter(char c) {
        return c == 0x09 || (c >= 0x20 && c <= 0x2f) || (c >= 0x3b && c <= 0x40) || (c >= 0x5b && c <= 0x60)
                || (c >= 0x7b && c <= 0x7e);
    }

    /** hms-time: three fields of one or two digits joined by colons, then the end or a non-digit; else null. */
    private static int[] time(String token) {
        int[] fields = new int[3];
        int i = 0;
        for (int f = 0; f < 3; f++) {
            int start = i;
            int value = 0;
            while (i < token.length() && i - start < 2 && isDigit(token.charAt(i))) {
                value = value * 10 + token.charAt(i++) - '0';
            }
            if (i == start) {
                return null;
            }
            fields[f] = value;
            if (f < 2) {
                if (i >= token.length() || token.charAt(i) != ':') {
                    return null;
                }
                i++;
            }
        }
        return i == token.length() || !isDigit(token.charAt(i)) ? fields : null;
    }

    /** {@code min} to {@code max} digits, then the end or a non-digit: their value; else -1. */
    private static int digits(String token, int min, int max) {
        int i = 0;
        int value = 0;
        while (i < token.length() && isDigit(token.charAt(i))) {
            if (i == max) {
                return -1;
            }
            value = value * 10 + token.charAt(i++) - '0';
        }
        return i >= min ? value : -1;
    }

    /** The month (1 to 12) a token's first three letters name, in any case; else -1. */
    private static int month(String token) {
        if (token.length() < 3) {
            return -1;
        }
        String prefix = token.substring(0, 3).toLowerCase(Locale.ROOT);
        for (int m = 0; m < MONTHS.length; m++) {
            if (MONTHS[m].equals(prefix)) {
                return m + 1;
            }
        }
        return -1;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
