/**
 * Synchronisation for tasklets: {@link org.concurrence.sync.Lock}, {@link org.concurrence.sync.RLock},
 * {@link org.concurrence.sync.Condition}, {@link org.concurrence.sync.Semaphore}, {@link org.concurrence.sync.Event}
 * and the blocking {@link org.concurrence.sync.TaskletDeque}.
 *
 * <p>Tasklets that share a dispatcher need no locks for plain data; these primitives are for coordination (wait
 * until something happens, bound how many do something at once) and for state shared across dispatchers. They
 * share one contract:
 * <ul>
 *   <li><b>Waiting parks only the tasklet</b>, never its dispatcher; plain threads may use them too and park
 *       themselves.</li>
 *   <li><b>First in, first out.</b> Waiters are served in the order they began to wait, and what a release frees
 *       is handed straight to the first waiter, so nobody barges in. On one dispatcher the order is deterministic.</li>
 *   <li><b>Three forms.</b> {@code tryX()} never waits; {@code x()} waits under the tasklet's current deadline
 *       ({@link org.concurrence.core.Timeout} scopes); {@code x(Duration)} also for at most the given time.</li>
 *   <li><b>Deadlines</b> end a wait with {@link org.concurrence.core.DeadlineExceededException}; a call that must
 *       wait when its deadline has already passed fails at once (one that need not wait succeeds).
 *       <b>Kills</b> end a wait with {@link org.concurrence.core.TaskletExit}. Either way the operation did not take
 *       effect, the waiter has left the line, and what it would have received goes to the next waiter: no permit,
 *       ownership, item or signal is lost. A hand-over that races with a deadline or kill wins.</li>
 *   <li><b>Safe across dispatchers</b>, with a small internal lock that is never held while waiting; a release
 *       happens-before the return of the wait it ends.</li>
 * </ul>
 * Genuinely blocking work (file I/O, DNS, native calls) belongs in {@link org.concurrence.core.Blocking}.
 */
package org.concurrence.sync;
