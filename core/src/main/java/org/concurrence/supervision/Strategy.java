package org.concurrence.supervision;

/**
 * Which children a supervisor stops and starts again when one of them ends and must be restarted (by its
 * {@link Restart} policy). Children not running at that moment (retired ones) stay as they are.
 */
public enum Strategy {
    /** Restart only the child that ended: the children are independent of one another. */
    ONE_FOR_ONE,
    /**
     * Stop every other running child in reverse start order, then start them all again in spec order: the children
     * depend on one another and make sense only together. A {@link Restart#TEMPORARY} child stopped this way is
     * retired, not started again.
     */
    ONE_FOR_ALL,
    /**
     * Stop the running children that come after the one that ended (in reverse order), then start it and them again
     * in spec order: each child depends on those started before it. As with {@link #ONE_FOR_ALL}, a
     * {@link Restart#TEMPORARY} child stopped this way is retired, not started again.
     */
    REST_FOR_ONE
}
