package org.concurrence.core;

import java.util.logging.Level;
import java.util.logging.Logger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Turns the runtime's logging ({@code org.concurrence}) off for a test class and back to its level after it: for
 * fuzz tests whose thousands of expected crashes would each be logged as a warning and drown the test output.
 * {@code @ExtendWith(QuietLogs.class)}.
 */
public final class QuietLogs implements BeforeAllCallback, AfterAllCallback {
    /** Held strongly: a logger only weakly referenced could be collected, and its level with it. */
    private static final Logger RUNTIME = Logger.getLogger("org.concurrence");
    private Level before;

    @Override
    public void beforeAll(ExtensionContext context) {
        before = RUNTIME.getLevel();
        RUNTIME.setLevel(Level.OFF);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        RUNTIME.setLevel(before);
    }
}
