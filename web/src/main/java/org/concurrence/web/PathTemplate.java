package org.concurrence.web;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A parsed path template such as {@code /users/{id}/posts} or {@code /files/{path...}}: a list of segments, each a
 * literal, a parameter matching one non-empty segment, or (last only) a catch-all matching the rest of the path.
 *
 * <p>Segments are what lies between slashes after the leading one, so {@code /} is one empty literal segment and
 * {@code /a/} is {@code a} followed by an empty one: a trailing slash is part of the template. Immutable.
 */
record PathTemplate(String text, List<Segment> segments) {

    /** One segment of a template. */
    sealed interface Segment permits Literal, Param, CatchAll {}

    /** Matches exactly {@code value}. */
    record Literal(String value) implements Segment {}

    /** Matches one non-empty segment and captures it as {@code name}. */
    record Param(String name) implements Segment {}

    /** Matches the rest of the path (possibly empty, slashes included) and captures it as {@code name}. */
    record CatchAll(String name) implements Segment {}

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException naming the template and what is wrong with it
     */
    static PathTemplate parse(String text) {
        Objects.requireNonNull(text, "path template");
        if (!text.startsWith("/")) {
            throw new IllegalArgumentException("path template must start with '/': \"" + text + "\"");
        }
        List<Segment> segments = new ArrayList<>();
        Set<String> names = new HashSet<>();
        String[] parts = text.substring(1).split("/", -1);
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            boolean last = i == parts.length - 1;
            if (part.isEmpty() && !last) {
                throw new IllegalArgumentException("empty segment (\"//\") in path template \"" + text + "\"");
            }
            Segment segment = segment(text, part, last);
            String name = switch (segment) {
                case Param p -> p.name();
                case CatchAll c -> c.name();
                case Literal l -> null;
            };
            if (name != null && !names.add(name)) {
                throw new IllegalArgumentException("parameter {" + name + "} appears twice in \"" + text + "\"");
            }
            segments.add(segment);
        }
        return new PathTemplate(text, List.copyOf(segments));
    }

    private static Segment segment(String text, String part, boolean last) {
        if (!part.startsWith("{")) {
            if (part.indexOf('{') >= 0 || part.indexOf('}') >= 0) {
                throw new IllegalArgumentException("a parameter must be a whole segment, like /{id}/, in \""
                        + text + "\": \"" + part + "\"");
            }
            return new Literal(part);
        }
        if (!part.endsWith("}")) {
            throw new IllegalArgumentException("a parameter must be a whole segment, like /{id}/, in \"" + text
                    + "\": \"" + part + "\"");
        }
        String inner = part.substring(1, part.length() - 1);
        boolean catchAll = inner.endsWith("...");
        String name = catchAll ? inner.substring(0, inner.length() - 3) : inner;
        if (!validName(name)) {
            throw new IllegalArgumentException("parameter name must be a Java-like identifier in \"" + text
                    + "\": \"" + part + "\"");
        }
        if (catchAll && !last) {
            throw new IllegalArgumentException("a catch-all {" + name + "...} must be the last segment of \""
                    + text + "\"");
        }
        return catchAll ? new CatchAll(name) : new Param(name);
    }

    private static boolean validName(String name) {
        if (name.isEmpty() || !Character.isJavaIdentifierStart(name.charAt(0))) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            if (!Character.isJavaIdentifierPart(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** The parameter names in order of appearance. */
    String[] paramNames() {
        List<String> names = new ArrayList<>();
        for (Segment s : segments) {
            switch (s) {
                case Param p -> names.add(p.name());
                case CatchAll c -> names.add(c.name());
                case Literal l -> { }
            }
        }
        return names.toArray(String[]::new);
    }

    /** Whether every segment is a literal. */
    boolean isStatic() {
        return segments.stream().allMatch(s -> s instanceof Literal);
    }
}
