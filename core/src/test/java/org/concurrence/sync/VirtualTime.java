package org.concurrence.sync;

import org.concurrence.core.Concurrence;
import org.concurrence.core.Dispatcher;

/** Runs test bodies on one dispatcher on virtual time, first in first out, and reads its clock. */
final class VirtualTime {
    private VirtualTime() {}

    /** Runs {@code main} as the main tasklet of a deterministic group and returns when every tasklet is done. */
    static void run(Runnable main) {
        Concurrence.run(Concurrence.Options.deterministic(), main);
    }

    /** The current dispatcher's clock in whole milliseconds (virtual time starts at 0). */
    static long millis() {
        return Dispatcher.current().nanoTime() / 1_000_000;
    }
}
