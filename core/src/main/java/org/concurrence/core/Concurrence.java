package org.concurrence.core;

import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * Where a Concurrence program starts: {@link #dispatch} for a program that runs until it says {@link #quit}, and
 * {@link #run} for tests and tools, which returns when the main tasklet and every non-daemon tasklet are done.
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *     Concurrence.dispatch(() -> {
 *         Tasklet.spawn(() -> System.out.println("child"));
 *         System.out.println("start done.");   // printed first: a child runs when its spawner blocks
 *     });
 * }
 * }</pre>
 *
 * <p>Blocking and threads: {@link #run} starts a group of its own and blocks the calling thread (meant to be a plain
 * one: a test's or a tool's main thread) until the program is done, then closes the group, giving leftover tasklets
 * five seconds; it has no timeout of its own. {@link #dispatch} blocks until {@link #quit} and then exits the JVM.
 * {@link #quit} never blocks and may be called from any tasklet, or from any thread while a program is dispatching.
 */
public final class Concurrence {
    /** Exit codes, as in the original: normal end, failure, interrupted by Ctrl-C, timed out. */
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_INTERRUPTED = 127;
    public static final int EXIT_TIMEOUT = 128;

    private static final System.Logger LOG = System.getLogger(Concurrence.class.getName());
    private static volatile DispatcherGroup dispatching;

    private Concurrence() {}

    /**
     * How a group of dispatchers is set up. Immutable; the constructor refuses fewer than one dispatcher, and virtual
     * time on more than one.
     *
     * @param name        the prefix of the dispatchers' names (and carrier threads')
     * @param dispatchers how many dispatchers (carrier threads); default one per core
     * @param virtualTime run on virtual time: the clock jumps to the next timer whenever every tasklet is blocked, so
     *                    a test sleeps ten minutes in a millisecond; needs exactly one dispatcher
     * @param seed        null for first-in first-out order; otherwise each next tasklet to run is drawn by a random
     *                    generator with this seed, to explore interleavings reproducibly
     */
    public record Options(String name, int dispatchers, boolean virtualTime, Long seed) {
        public Options {
            Objects.requireNonNull(name, "name");
            if (dispatchers < 1) {
                throw new IllegalArgumentException("dispatchers must be at least 1: " + dispatchers);
            }
            if (virtualTime && dispatchers != 1) {
                throw new IllegalArgumentException("virtual time needs exactly one dispatcher, not " + dispatchers);
            }
        }

        /** One dispatcher per core, real time, first-in first-out. */
        public static Options defaults() {
            return new Options("dispatcher", Runtime.getRuntime().availableProcessors(), false, null);
        }

        /** One dispatcher on virtual time in first-in first-out order: exact, reproducible tests. */
        public static Options deterministic() {
            return new Options("test", 1, true, null);
        }

        /**
         * One dispatcher on virtual time, running tasklets in an order drawn from {@code seed}; a
         * {@linkplain Tasklet#kill() kill} does not hand over to its victim at once, the victim is drawn like the rest.
         */
        public static Options deterministic(long seed) {
            return new Options("test", 1, true, seed);
        }

        public Options withDispatchers(int count) {
            return new Options(name, count, virtualTime, seed);
        }

        public Options withName(String newName) {
            return new Options(newName, dispatchers, virtualTime, seed);
        }
    }

    /**
     * Runs {@code main} on a new default group and returns its result once no non-daemon tasklet is left; then kills
     * what remains (daemons) and stops the group. See {@link DispatcherGroup#run}.
     */
    public static <T> T run(Callable<T> main) {
        return run(Options.defaults(), main);
    }

    /** {@link #run(Callable)} for a body without a result. */
    public static void run(Runnable main) {
        run(Options.defaults(), main);
    }

    /** {@link #run(Callable)} on a group set up by {@code options}. */
    public static <T> T run(Options options, Callable<T> main) {
        try (DispatcherGroup group = DispatcherGroup.start(options)) {
            return group.run(main);
        }
    }

    /** {@link #run(Options, Callable)} for a body without a result. */
    public static void run(Options options, Runnable main) {
        run(options, () -> {
            main.run();
            return null;
        });
    }

    /**
     * Runs {@code main} on a default group until some tasklet calls {@link #quit}, then exits the JVM with the code
     * given. Ctrl-C quits with {@link #EXIT_INTERRUPTED}. If {@code main} itself fails (throws) before anyone quit, the
     * failure is logged and the program exits with {@link #EXIT_FAILURE}: a program whose start failed would otherwise
     * run on with nothing to do. Never returns.
     */
    public static void dispatch(Runnable main) {
        DispatcherGroup group = DispatcherGroup.start(Options.defaults());
        dispatching = group;
        installInterruptHandler(group);
        Tasklet.builder().name("main").on(group.dispatcher(0)).spawn(() -> {
            try {
                main.run();
            } catch (TaskletExit exit) {
                throw exit; // killed (the group is closing): not a failure of the program's start
            } catch (RuntimeException | Error failure) {
                LOG.log(System.Logger.Level.ERROR, "main failed; exiting with status " + EXIT_FAILURE, failure);
                group.quit(EXIT_FAILURE);
            }
        });
        int code;
        try {
            code = group.awaitQuit();
        } catch (InterruptedException e) {
            code = EXIT_INTERRUPTED;
        }
        group.close();
        System.exit(code);
    }

    /**
     * Ends the program: {@link #dispatch} exits with {@code code}; {@link #run} stops waiting and kills what is left.
     *
     * @throws IllegalStateException if called outside a tasklet while no program is dispatching
     */
    public static void quit(int code) {
        Tasklet<?> self = Tasklet.currentOrNull();
        DispatcherGroup group = self != null ? self.dispatcher().group() : dispatching;
        if (group == null) {
            throw new IllegalStateException("quit(" + code + ") outside a tasklet and no program is dispatching");
        }
        group.quit(code);
    }

    @SuppressWarnings("restriction")
    private static void installInterruptHandler(DispatcherGroup group) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), signal -> group.quit(EXIT_INTERRUPTED));
        } catch (IllegalArgumentException unsupported) {
            // No SIGINT on this platform: the JVM's default handling stays.
        }
    }
}
