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
     * The value of {@code --NAME VALUE} (or {@code --NAME=VALUE}), else {@code fallback}.
     *
     * @throws BadArgument if {@code --NAME} is last, without its value
     */
    static String value(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--" + name + "=")) {
                return args[i].substring(name.length() + 3);
            }
            if (args[i].equals("--" + name)) {
                if (i + 1 >= args.length) {
                    throw new BadArgument("--" + name + " needs a value");
                }
                return args[i + 1];
            }
        }
        return fallback;
    }

    /**
     * The value of {@code --NAME N}, a number from 1 to {@code max}, else {@code fallback}.
     *
     * @throws BadArgument if the value is missing or not such a number
     */
    static int count(String[] args, String name, int fallback, int max) {
        String value = value(args, name, null);
        if (value == null) {
            return fallback;
        }
        int n = count(value, max);
        if (n == 0) {
            throw new BadArgument("--" + name + " needs a number from 1 to " + max + ", not '" + value + "'");
        }
        return n;
    }

    /** {@code value} as a number from 1 to {@code max}, or 0 if it is not one (for an option or a query parameter). */
    static int count(String value, int max) {
        try {
            int n = Integer.parseInt(value);
            return n >= 1 && n <= max ? n : 0;
        } catch (NumberFormatException e) {
            return 0;
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
