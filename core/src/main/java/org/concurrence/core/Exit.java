package org.concurrence.core;

/**
 * The message a tasklet that traps exits ({@link Tasklet#trapExits(boolean)}) receives when a tasklet linked to it
 * ends; without trapping, an abnormal end kills it instead. Immutable; queued even in a full bounded mailbox.
 *
 * @param tasklet the linked tasklet that ended
 * @param ending  how it ended
 */
public record Exit(Tasklet<?> tasklet, Ending ending) {}
