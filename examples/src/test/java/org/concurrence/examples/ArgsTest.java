package org.concurrence.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** {@code --port}: a value is used, a missing or bad one is refused (a bad port used to hang the example). */
class ArgsTest {

    @Test
    void portTakesBothFormsAndFallsBack() {
        assertEquals(9000, Args.port(new String[] {"--port", "9000"}, 1));
        assertEquals(9001, Args.port(new String[] {"--port=9001"}, 1));
        assertEquals(0, Args.port(new String[] {"--port", "0"}, 1));
        assertEquals(1, Args.port(new String[] {}, 1));
    }

    @Test
    void aMissingOrBadPortIsRefused() {
        assertEquals("--port needs a number from 0 to 65535, not 'x'",
                assertThrows(Args.BadArgument.class, () -> Args.port(new String[] {"--port", "x"}, 1)).getMessage());
        assertThrows(Args.BadArgument.class, () -> Args.port(new String[] {"--port"}, 1));
        assertThrows(Args.BadArgument.class, () -> Args.port(new String[] {"--port", "70000"}, 1));
        assertThrows(Args.BadArgument.class, () -> Args.port(new String[] {"--port=-1"}, 1));
    }
}
