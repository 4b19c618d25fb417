package org.concurrence.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.concurrence.core.Concurrence;

/** Runs test bodies that throw IOException as the main tasklet of a deterministic group (one dispatcher, virtual time). */
final class InTasklet {
    private InTasklet() {}

    interface Body {
        void run() throws IOException;
    }

    static void run(Body body) {
        Concurrence.run(Concurrence.Options.deterministic(), () -> {
            try {
                body.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
