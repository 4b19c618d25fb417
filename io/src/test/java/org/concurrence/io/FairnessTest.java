package org.concurrence.io;

import static org.concurrence.io.Loopback.PATIENCE;
import static org.concurrence.io.Loopback.anyPort;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.Tasklet;
import org.concurrence.core.Timeout;
import org.junit.jupiter.api.Test;

/**
 * A socket that never makes its reader wait must not keep the other tasklets of its dispatcher from running: a
 * cooperative scheduler relies on the I/O calls to switch.
 */
@org.junit.jupiter.api.Timeout(60)
class FairnessTest {
    private static final long FLOOD = 16L << 20;

    @Test
    void aReaderThatAlwaysFindsDataStillLetsTheOtherTaskletsOfItsDispatcherRun() {
        Loopback.run(() -> {
            Dispatcher home = Dispatcher.current();
            Dispatcher other = home.group().dispatcher(1);
            try (ServerSocket listener = ServerSocket.bind(anyPort()); Timeout _ = Timeout.after(PATIENCE)) {
                // The flood comes from another dispatcher (another core), in big writes; it is read here in small
                // reads, which always find data waiting.
                Tasklet<Void> sender = Tasklet.builder().on(other).spawn(() -> {
                    try (Socket out = Socket.connect(listener.localAddress())) {
                        ByteBuffer chunk = ByteBuffer.allocate(256 << 10);
                        for (long sent = 0; sent < FLOOD; sent += chunk.capacity()) {
                            out.write(chunk.clear());
                        }
                    }
                    return null;
                });
                AtomicLong consumed = new AtomicLong();
                AtomicLong consumedAtFirstTick = new AtomicLong(-1);
                try (Socket in = listener.accept()) {
                    Tasklet<Void> ticker = Tasklet.spawn(() -> {
                        Tasklet.sleep(Duration.ofMillis(1));
                        consumedAtFirstTick.set(consumed.get());
                    });
                    ByteBuffer small = ByteBuffer.allocate(64);
                    int n;
                    while ((n = in.read(small.clear())) >= 0) {
                        consumed.addAndGet(n);
                    }
                    ticker.join();
                }
                sender.join();
                assertTrue(consumedAtFirstTick.get() < FLOOD, "the ticker ran only after the whole flood: "
                        + consumedAtFirstTick.get() + " of " + FLOOD + " bytes");
            }
            return null;
        });
    }
}
