package org.concurrence.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The supervisor example reports each crash in one line of its own: no warnings with stack traces in between. */
@Timeout(60)
class SupervisorExampleTest {

    @Test
    void crashesAreReportedByTheClientOnly() {
        List<String> warnings = new ArrayList<>();
        Handler handler = new Handler() {
            @Override
            public synchronized void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(r.getLoggerName() + ": " + r.getMessage());
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger root = Logger.getLogger("");
        root.addHandler(handler);
        try {
            SupervisorExample.main(new String[0]);
        } finally {
            root.removeHandler(handler);
        }
        assertEquals(List.of(), warnings);
    }
}
