package org.concurrence.core;

/**
 * The message a monitor receives when the tasklet it monitors ends ({@link Tasklet#monitor()}). Immutable; queued
 * even in a full bounded mailbox.
 *
 * @param tasklet the tasklet that ended
 * @param ending  how it ended
 */
public record Down(Tasklet<?> tasklet, Ending ending) {}
