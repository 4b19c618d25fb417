package org.concurrence.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.function.Consumer;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.Poller;
import org.concurrence.core.Tasklet;

/**
 * One dispatcher's selector: the {@link Poller} through which sockets wake the tasklets waiting for them. Created the
 * first time a tasklet of the dispatcher waits for a socket, and polled by the dispatcher's own loop between passes —
 * so readiness reaches a tasklet without a hand-off through another thread.
 *
 * <p>Confined to the dispatcher's carrier (its loop and its tasklets), except {@link #wakeup()}.
 */
final class IoLoop implements Poller {
    private static final System.Logger LOG = System.getLogger(IoLoop.class.getName());

    /** The longest {@link #releaseClosed()} waits for another dispatcher's poll. */
    static final Duration RELEASE_WAIT = Duration.ofSeconds(1);

    private final Dispatcher dispatcher;
    private final Selector selector;
    private final Consumer<SelectionKey> onReady = IoLoop::ready;

    private IoLoop(Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector for " + dispatcher.name(), e);
        }
    }

    /**
     * The loop of the current tasklet's dispatcher, made on first use.
     *
     * @throws IOException if the selector cannot be opened (no file descriptors left, say): an I/O failure of the
     *                     call that needed it, which a later call retries (so a server's acceptor pauses and tries
     *                     again, as after a failed accept)
     */
    static IoLoop current() throws IOException {
        Tasklet<?> self = Tasklet.currentOrNull();
        if (self == null) {
            throw new IllegalStateException("socket I/O must be done in a tasklet (start one with Concurrence.run or "
                    + "Dispatcher.spawn), not on " + Thread.currentThread());
        }
        Dispatcher dispatcher = self.dispatcher();
        if (dispatcher.isVirtualTime()) {
            throw new IllegalStateException("sockets need real time, but " + dispatcher.name() + " runs on virtual "
                    + "time (its clock jumps past every network wait); use a dispatcher group on real time");
        }
        try {
            return (IoLoop) dispatcher.poller(() -> new IoLoop(dispatcher));
        } catch (UncheckedIOException noSelector) { // nothing was installed: the next call tries again
            throw new IOException(noSelector.getMessage(), noSelector.getCause());
        }
    }

    Dispatcher dispatcher() {
        return dispatcher;
    }

    /** Registers {@code channel} (non-blocking) with no interest yet; the registration is this loop's. */
    Registration register(SelectableChannel channel, Object owner) throws IOException {
        Registration registration = new Registration(this, owner);
        registration.key = channel.register(selector, 0, registration);
        return registration;
    }

    @Override
    public int pollNow() {
        try {
            return selector.selectNow(onReady);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "selector of " + dispatcher.name() + " failed", e);
            return 0;
        }
    }

    @Override
    public int poll(long timeoutNanos) {
        long millis = timeoutNanos <= 0 ? 0 : Math.max(1, (timeoutNanos + 999_999) / 1_000_000);
        try {
            return selector.select(onReady, millis);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "selector of " + dispatcher.name() + " failed", e);
            return 0;
        }
    }

    /**
     * Returns once this loop has deregistered the channels closed so far, which is when the JDK closes their file
     * descriptors: on this loop's carrier by polling now, from elsewhere by running that poll in a short tasklet there
     * and waiting for it, at most {@link #RELEASE_WAIT} (then, or if the dispatcher has stopped, it returns anyway:
     * a stopped dispatcher's selector is closed, which deregisters everything). Blocks the caller; any thread.
     */
    void releaseClosed() {
        if (Dispatcher.current() == dispatcher) {
            pollNow();
            return;
        }
        try {
            Tasklet.builder().name("release closed channels on " + dispatcher.name()).daemon(true).on(dispatcher)
                    .spawn(this::pollNow).join(RELEASE_WAIT);
        } catch (RuntimeException stoppedOrLate) {
            // The dispatcher refused the tasklet (it is stopping) or did not run it in time: nothing more to wait for.
        }
    }

    @Override
    public void wakeup() {
        selector.wakeup();
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "closing the selector of " + dispatcher.name() + " failed", e);
        }
    }

    private static void ready(SelectionKey key) {
        try {
            ((Registration) key.attachment()).ready(key);
        } catch (RuntimeException e) {
            // An exception here would end the select call and the dispatcher's loop with it: contain it to the key.
            LOG.log(System.Logger.Level.ERROR, "handling readiness of " + key.channel() + " failed", e);
        }
    }
}
