package org.concurrence.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The results of a benchmark run: a readable table (sections of rows, then the targets and whether each was met)
 * and one JSON object of the figures by key, printed last on a line of its own for scripts.
 *
 * <p>Not thread-safe; filled by the benchmark's own thread.
 */
final class Report {
    private record Row(String section, String label, String value, String note) {}

    private record Target(String description, boolean met, String evidence) {}

    private final String title;
    private final List<Row> rows = new ArrayList<>();
    private final List<Target> targets = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final Map<String, Object> json = new LinkedHashMap<>();
    private String section = "";

    Report(String title) {
        this.title = title;
    }

    /** Starts a section of the table; the rows that follow belong to it. */
    void section(String name) {
        section = name;
    }

    /** A table row that is also a JSON figure. */
    void figure(String key, String label, double value, String unit, String note) {
        rows.add(new Row(section, label, format(value) + " " + unit, note));
        json(key, value);
    }

    /** A table row only. */
    void row(String label, String value, String note) {
        rows.add(new Row(section, label, value, note));
    }

    /** A JSON entry only (a number, boolean or string). */
    void json(String key, Object value) {
        json.put(key, value instanceof Double d ? round(d) : value);
    }

    /** A line printed under the table. */
    void note(String text) {
        notes.add(text);
    }

    /** A target from the issue and whether this run met it. */
    void target(String key, String description, boolean met, String evidence) {
        targets.add(new Target(description, met, evidence));
        json.put("target_" + key, met);
    }

    void print(PrintStream out) {
        int labelWidth = 12;
        int valueWidth = 8;
        for (Row r : rows) {
            labelWidth = Math.max(labelWidth, r.label.length());
            valueWidth = Math.max(valueWidth, r.value.length());
        }
        String format = "  %-" + labelWidth + "s  %" + valueWidth + "s  %s%n";
        out.println();
        out.println(title);
        String current = null;
        for (Row r : rows) {
            if (!r.section.equals(current)) {
                current = r.section;
                out.println();
                out.println(current);
            }
            out.printf(Locale.ROOT, format, r.label, r.value, r.note);
        }
        if (!targets.isEmpty()) {
            out.println();
            out.println("Targets");
            for (Target t : targets) {
                out.printf(Locale.ROOT, "  [%s] %s  (%s)%n", t.met ? "met" : "NOT met", t.description, t.evidence);
            }
        }
        if (!notes.isEmpty()) {
            out.println();
            notes.forEach(out::println);
        }
        out.println();
        out.println(toJson());
    }

    String toJson() {
        StringBuilder b = new StringBuilder("{");
        json.forEach((k, v) -> {
            if (b.length() > 1) {
                b.append(", ");
            }
            b.append('"').append(k).append("\": ");
            switch (v) {
                case null -> b.append("null");
                case Number n -> b.append(n);
                case Boolean bool -> b.append(bool);
                default -> b.append('"').append(escape(v.toString())).append('"');
            }
        });
        return b.append('}').toString();
    }

    /** A rate or count the way a person reads it: 1.23 M, 456 k, 789. */
    static String si(double value) {
        double a = Math.abs(value);
        if (a >= 1e9) {
            return String.format(Locale.ROOT, "%.2f G", value / 1e9);
        }
        if (a >= 1e6) {
            return String.format(Locale.ROOT, "%.2f M", value / 1e6);
        }
        if (a >= 1e4) {
            return String.format(Locale.ROOT, "%.0f k", value / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", value);
    }

    private static String format(double value) {
        return Math.abs(value) >= 1e4 ? si(value) : String.format(Locale.ROOT, "%.0f", value);
    }

    private static Object round(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return null;
        }
        return Math.abs(d) >= 100 ? (Object) Math.round(d) : (Object) (Math.round(d * 100) / 100.0);
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
