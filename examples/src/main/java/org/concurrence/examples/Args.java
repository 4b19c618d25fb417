package org.concurrence.examples;

/** The examples' few command-line options. */
final class Args {
    private Args() {}

    /** The value of {@code --port N} (or {@code --port=N}), else {@code fallback}. */
    static int port(String[] args, int fallback) {
        for (int i = 0; i < args.length; i++) {
            String value = args[i].startsWith("--port=") ? args[i].substring(7)
                    : args[i].equals("--port") && i + 1 < args.length ? args[i + 1] : null;
            if (value != null) {
                try {
                    return Integer.parseInt(value);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--port needs a number, not '" + value + "'");
                }
            }
        }
        return fallback;
    }
}
