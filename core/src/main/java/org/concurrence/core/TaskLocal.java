package org.concurrence.core;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A value per tasklet, the counterpart of {@link ThreadLocal} (which would cost every tasklet a map whether used or
 * not). An {@linkplain #inheritable inheritable} task-local is copied to the children a tasklet spawns, so a request
 * id set in a handler is seen by the tasklets it starts; a plain one starts empty in every tasklet.
 *
 * <p>Called from a thread that is not a tasklet, it throws {@link IllegalStateException}. A tasklet's values are
 * touched only by that tasklet (and copied once by its spawner), so no synchronisation is needed.
 *
 * @param <T> the value type
 */
public final class TaskLocal<T> {
    private final Supplier<? extends T> initial;
    private final boolean inheritable;

    private TaskLocal(Supplier<? extends T> initial, boolean inheritable) {
        this.initial = initial;
        this.inheritable = inheritable;
    }

    /** A task-local whose value starts as null in each tasklet. */
    public static <T> TaskLocal<T> create() {
        return new TaskLocal<>(() -> null, false);
    }

    /** A task-local whose value starts as {@code initial.get()} in each tasklet. */
    public static <T> TaskLocal<T> withInitial(Supplier<? extends T> initial) {
        return new TaskLocal<>(initial, false);
    }

    /** A task-local whose value is copied to children at spawn; absent in a root it starts as null. */
    public static <T> TaskLocal<T> inheritable() {
        return new TaskLocal<>(() -> null, true);
    }

    /** The current tasklet's value, set to the initial value on first access. */
    @SuppressWarnings("unchecked")
    public T get() {
        Values values = valuesOfCurrent();
        Object value = values.map.get(this);
        if (value == null && !values.map.containsKey(this)) {
            value = initial.get();
            values.map.put(this, value);
        }
        return (T) value;
    }

    /** Sets the current tasklet's value. */
    public void set(T value) {
        valuesOfCurrent().map.put(this, value);
    }

    /** Removes the current tasklet's value; the next {@link #get} starts over from the initial value. */
    public void remove() {
        TaskLocal.Values values = Tasklet.current().locals();
        if (values != null) {
            values.map.remove(this);
        }
    }

    private static Values valuesOfCurrent() {
        return Tasklet.current().localsForUpdate();
    }

    /** One tasklet's task-local values. */
    static final class Values {
        final Map<TaskLocal<?>, Object> map = new IdentityHashMap<>(4);

        /** The values a child inherits, or null if none. */
        Values inheritedBy() {
            Values child = null;
            for (Map.Entry<TaskLocal<?>, Object> e : map.entrySet()) {
                if (e.getKey().inheritable) {
                    if (child == null) {
                        child = new Values();
                    }
                    child.map.put(e.getKey(), e.getValue());
                }
            }
            return child;
        }
    }
}
