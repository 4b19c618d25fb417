package org.concurrence.core;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Names for tasklets within one {@link DispatcherGroup}: register a tasklet under a name, look it up by name; the
 * name is freed when the tasklet ends. A tasklet has at most one name. Remoting later builds on this.
 *
 * <p>Thread-safety: safe from any thread; a lookup sees a registration once {@code register} has returned.
 */
public final class Registry {
    private final Map<String, Tasklet<?>> byName = new ConcurrentHashMap<>();

    Registry() {}

    /** The registry of the current tasklet's group. */
    public static Registry current() {
        return Tasklet.current().dispatcher().group().registry();
    }

    /**
     * Registers {@code tasklet} under {@code name}.
     *
     * @throws IllegalStateException if the name is taken by a living tasklet, or the tasklet already has a name or
     *                               has ended
     */
    public void register(String name, Tasklet<?> tasklet) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a registered name must not be blank: '" + name + "'");
        }
        Tasklet<?> previous = byName.putIfAbsent(name, tasklet);
        if (previous != null && previous != tasklet) {
            throw new IllegalStateException("name '" + name + "' is taken by tasklet " + previous.name());
        }
        try {
            tasklet.registeredAs(name, this);
        } catch (IllegalStateException refused) {
            byName.remove(name, tasklet);
            throw refused;
        }
    }

    /** The living tasklet registered under {@code name}. */
    public Optional<Tasklet<?>> lookup(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** Removes {@code name}; returns whether it was registered. */
    public boolean unregister(String name) {
        Tasklet<?> tasklet = byName.remove(name);
        if (tasklet != null) {
            tasklet.registeredAs(null, this);
            return true;
        }
        return false;
    }

    /** The names registered now, sorted. */
    public Set<String> names() {
        return new TreeSet<>(byName.keySet());
    }

    void ended(String name, Tasklet<?> tasklet) {
        byName.remove(name, tasklet);
    }
}
