/**
 * Supervisors: tasklets that start other tasklets in order, restart them when they end, and stop them in reverse
 * order — Erlang/OTP's supervision trees for Concurrence.
 * <ul>
 *   <li>{@link org.concurrence.supervision.ChildSpec}: one child — its name, a body made fresh for each incarnation,
 *       its {@link org.concurrence.supervision.Restart} policy, an optional registered name, dispatcher, shutdown
 *       time and ready timeout.</li>
 *   <li>{@link org.concurrence.supervision.SupervisorSpec}: the children in start order, the
 *       {@link org.concurrence.supervision.Strategy} and the restart intensity (at most N restarts within T).</li>
 *   <li>{@link org.concurrence.supervision.Supervisor}: starts a supervisor and is the handle to it (children,
 *       restart count, stop); {@link org.concurrence.supervision.Supervisor#supervise} makes the current tasklet a
 *       supervisor, which is how supervisors nest.</li>
 *   <li>{@link org.concurrence.supervision.SupervisorGaveUpException}: what a supervisor fails with when its
 *       intensity runs out, so that its parent restarts it; {@link org.concurrence.supervision.ChildStartException}:
 *       a child that could not be started.</li>
 * </ul>
 * Intensity periods, ready timeouts and shutdown times are measured on the supervisor's dispatcher clock, so
 * supervision is tested exactly on virtual time. Children may run on any dispatcher of the group.
 */
package org.concurrence.supervision;
