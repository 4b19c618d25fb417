package org.concurrence.examples;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.Mailbox;
import org.concurrence.core.Tasklet;

/**
 * The demo's guestbook: one tasklet owns the entries, and request handlers on every dispatcher talk to it with
 * messages — no lock anywhere. {@link #sign} and {@link #entries} are calls (the handler waits for the reply, under a
 * deadline); the guestbook keeps the newest {@link #KEEP} entries.
 *
 * <p>Thread-safety: the methods may be called from tasklets of any dispatcher.
 */
public final class Guestbook {
    static final int KEEP = 50;
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);

    /** One signature. */
    public record Entry(String name, String text, Instant at, String handledBy) {}

    /** The guestbook's messages. */
    sealed interface Message {}

    record Sign(String name, String text, String handledBy) implements Message {}

    record Entries() implements Message {}

    private final Tasklet<Void> owner;

    private Guestbook(Tasklet<Void> owner) {
        this.owner = owner;
    }

    /** Starts the guestbook's tasklet on {@code dispatcher} (a daemon: it does not keep the program alive). */
    public static Guestbook start(Dispatcher dispatcher) {
        return new Guestbook(Tasklet.builder().name("guestbook").daemon(true).on(dispatcher)
                .spawn(Guestbook::serve));
    }

    private static void serve() {
        Deque<Entry> entries = new ArrayDeque<>();
        while (true) {
            switch ((Message) Mailbox.receive()) {
                case Sign s -> {
                    entries.addFirst(new Entry(s.name(), s.text(), Instant.now(), s.handledBy()));
                    if (entries.size() > KEEP) {
                        entries.removeLast();
                    }
                    Mailbox.reply(entries.size());
                }
                case Entries e -> Mailbox.reply(List.copyOf(entries));
            }
        }
    }

    /** Adds an entry; returns how many the book holds now. */
    public int sign(String name, String text) {
        return owner.call(new Sign(name, text, Tasklet.current().toString()), Integer.class, CALL_TIMEOUT);
    }

    /** The entries, newest first. */
    @SuppressWarnings("unchecked")
    public List<Entry> entries() {
        return new ArrayList<>(owner.call(new Entries(), List.class, CALL_TIMEOUT));
    }
}
