/**
 * The runtime: {@link org.concurrence.core.Concurrence} starts a program on a
 * {@link org.concurrence.core.DispatcherGroup} of {@link org.concurrence.core.Dispatcher}s, each a single carrier
 * thread that runs its {@link org.concurrence.core.Tasklet}s one at a time and switches only where a tasklet blocks or
 * yields. Also here: deadlines ({@link org.concurrence.core.Timeout}), the wait primitive
 * ({@link org.concurrence.core.Waiter}), task-locals, the pool for genuinely blocking work
 * ({@link org.concurrence.core.Blocking}), mailboxes and messages ({@link org.concurrence.core.Mailbox}), monitors,
 * links, the {@link org.concurrence.core.Registry} and hot swap.
 *
 * <p>The shared contract of blocking calls: a call that waits parks only its tasklet, never the dispatcher; it honours
 * the tasklet's current deadline (and a {@code Duration} argument, whichever is sooner) with
 * {@link org.concurrence.core.DeadlineExceededException}, and a kill with {@link org.concurrence.core.TaskletExit};
 * {@link org.concurrence.core.Tasklet#sleep} alone ignores the deadline. Each type states which of its methods may
 * be called from any thread.
 */
package org.concurrence.core;
