package org.concurrence.web;

/**
 * The routes of one group under a common prefix, with filters of their own; given to the body of
 * {@link Routes#group}. Registration methods are those of {@link Routes}.
 *
 * <p>Not thread-safe; used only while the router is being built.
 */
public final class Group extends Routes<Group> {
    Group(String prefix) {
        super(prefix);
    }
}
