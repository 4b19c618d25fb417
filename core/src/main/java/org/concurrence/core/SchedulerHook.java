package org.concurrence.core;

import java.lang.reflect.Constructor;
import java.lang.reflect.InaccessibleObjectException;
import java.util.concurrent.Executor;

/**
 * The one place that reaches into the JDK: builds virtual threads whose scheduler is an {@link Executor} of ours.
 *
 * <p>JDK 25 has no public API for a custom virtual-thread scheduler. It keeps a package-private constructor
 * {@code java.lang.ThreadBuilders$VirtualThreadBuilder(Executor)} (used by the JDK's own tests). Reaching it needs
 * {@code --add-opens java.base/java.lang=ALL-UNNAMED}, which the {@code ./concurrence} launcher passes; an application
 * started with {@code java -jar} can carry {@code Add-Opens: java.base/java.lang} in its own jar's manifest instead
 * (the JVM reads it only from the jar it runs). Without it the runtime refuses to start
 * with a message naming the flag: there is no fall-back to the JDK's default scheduler, whose semantics differ
 * (preemptive, multi-carrier, no deterministic order).
 *
 * <p>When the JDK gains a public scheduler API this class is the only one to change.
 *
 * <p>Thread-safety: the returned builder is not thread-safe; callers create one builder per dispatcher and use it
 * only to create unstarted threads under that dispatcher's own synchronisation.
 */
final class SchedulerHook {
    /** The JVM option that opens the hook. */
    static final String REQUIRED_FLAG = "--add-opens java.base/java.lang=ALL-UNNAMED";

    /** The builder's constructor, or the IllegalStateException that says why it cannot be reached. */
    private static final Object CONSTRUCTOR_OR_FAILURE = findConstructor();

    private SchedulerHook() {}

    /**
     * Returns a builder of virtual threads that are scheduled by {@code scheduler}.
     *
     * @throws IllegalStateException if the JVM was started without {@link #REQUIRED_FLAG}
     */
    static Thread.Builder.OfVirtual virtualThreadBuilder(Executor scheduler) {
        if (CONSTRUCTOR_OR_FAILURE instanceof IllegalStateException failure) {
            throw new IllegalStateException(failure.getMessage(), failure.getCause());
        }
        try {
            return (Thread.Builder.OfVirtual) ((Constructor<?>) CONSTRUCTOR_OR_FAILURE).newInstance(scheduler);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create a virtual-thread builder with a custom scheduler", e);
        }
    }

    private static Object findConstructor() {
        String javaVersion = System.getProperty("java.specification.version");
        if (Runtime.version().feature() < 25) {
            return new IllegalStateException("Concurrence needs Java 25 or newer; this JVM is Java " + javaVersion
                    + " (" + System.getProperty("java.home") + "). Start it with ./concurrence, which finds a JDK 25.");
        }
        try {
            Class<?> builderClass = Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder");
            Constructor<?> constructor = builderClass.getDeclaredConstructor(Executor.class);
            constructor.setAccessible(true);
            return constructor;
        } catch (InaccessibleObjectException e) {
            return new IllegalStateException("Concurrence runs tasklets as virtual threads on its own dispatchers and "
                    + "needs the JDK's scheduler hook: start the JVM with " + REQUIRED_FLAG
                    + " (or, for an application run with java -jar, put Add-Opens: java.base/java.lang in that"
                    + " jar's manifest)", e);
        } catch (ReflectiveOperationException e) {
            return new IllegalStateException("this JDK (" + Runtime.version() + ") has no "
                    + "java.lang.ThreadBuilders$VirtualThreadBuilder(Executor) constructor; Concurrence needs JDK 25", e);
        }
    }
}
