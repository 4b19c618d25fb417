package org.concurrence.examples;

/** The examples' few command-line options. */
final class Args {
    private Args() {}

    /** A command-line option that is missing its value or has a bad one; {@link Examples} reports it and exits 2. */
    static final class BadArgument extends IllegalArgumentException {
        BadArgument(String message) {
            super(message);
        }
    }

    /**
     * The value of {@code --port N} (or {@code --port=N}), else {@code fallback}; 0 picks a free port.
     *
     * @throws BadArgument if {@code --port} has no value, or one that is not a port number (0 to 65535)
     */
    static int port(String[] args, int fallback) {
        for (int i = 0; i < args.length; i++) {
            String value = args[i].startsWith("--port=") ? args[i].substring(7)
                    : args[i].equals("--port") ? (i + 1 < args.length ? args[i + 1] : "") : null;
            if (value != null) {
                int port;
                try {
                    port = Integer.parseInt(value);
                } catch (NumberFormatException e) {
                    port = -1;
                }
                if (port < 0 || port > 65535) {
                    throw new BadArgument("--port needs a number from 0 to 65535, not '" + value + "'");
                }
                return port;
            }
        }
        return fallback;
    }
}
