package org.concurrence.core;

import java.util.ArrayList;
import java.util.List;

/**
 * A tasklet's monitors, links, exit trapping and registered name: created on first use (most tasklets have none),
 * guarded by the tasklet's monitor, and announced once when the tasklet ends.
 */
final class Relations {
    final List<Tasklet<?>> monitors = new ArrayList<>(2);
    final List<Tasklet<?>> links = new ArrayList<>(2);
    /**
     * The tasklets this one monitors (once per {@link Tasklet#monitor()}), made on first use: when this one ends, it
     * leaves their monitor lists, so a long-lived tasklet monitored by many short-lived ones does not keep them.
     */
    List<Tasklet<?>> watching;
    boolean trapExits;
    String registeredName;
    Registry registry;

    /** Notes that this tasklet monitors {@code watched} (once more). */
    void watch(Tasklet<?> watched) {
        if (watching == null) {
            watching = new ArrayList<>(2);
        }
        watching.add(watched);
    }

    /** Forgets one monitoring of {@code watched}: it ended, or was demonitored. */
    void unwatch(Tasklet<?> watched) {
        if (watching != null) {
            watching.remove(watched);
        }
    }

    /** Links {@code partner} unless it is linked already: a link is a relation, not a count (as in Erlang). */
    static void addLink(Relations relations, Tasklet<?> partner) {
        if (!relations.links.contains(partner)) {
            relations.links.add(partner);
        }
    }

    /** True if a monitor or a linked tasklet will hear of the end. */
    boolean tellsAnyone() {
        return !monitors.isEmpty() || !links.isEmpty();
    }

    /** Tells monitors and links that {@code tasklet} ended; frees its name. */
    void announce(Tasklet<?> tasklet, Ending ending) {
        if (registeredName != null) {
            registry.ended(registeredName, tasklet);
        }
        for (Tasklet<?> watcher : monitors) {
            synchronized (watcher) {
                Relations relations = watcher.relationsOrNull();
                if (relations != null) {
                    relations.unwatch(tasklet);
                }
            }
            watcher.sendNotice(new Down(tasklet, ending));
        }
        if (watching != null) {
            // This tasklet monitored others that are still alive: it leaves their lists (Erlang drops such monitors).
            for (Tasklet<?> watched : watching) {
                synchronized (watched) {
                    Relations relations = watched.relationsOrNull();
                    if (relations != null) {
                        relations.monitors.remove(tasklet);
                    }
                }
            }
        }
        for (Tasklet<?> partner : links) {
            synchronized (partner) {
                Relations relations = partner.relationsOrNull();
                if (relations != null) {
                    relations.links.remove(tasklet);
                }
            }
            signalExit(partner, tasklet, ending);
        }
    }

    /** The exit of {@code ended} reaching its linked {@code partner}: a message if it traps, else maybe a kill. */
    static void signalExit(Tasklet<?> partner, Tasklet<?> ended, Ending ending) {
        if (partner.trapsExits()) {
            partner.sendNotice(new Exit(ended, ending));
        } else if (ending.isAbnormal()) {
            String cause = switch (ending) {
                case Ending.Failed(Throwable t) -> "failed: " + t;
                case Ending.Killed(TaskletExit exit) -> "was killed (" + exit.getMessage() + ")";
                case Ending.Normal ignored -> "ended";
            };
            partner.kill("killed because linked tasklet " + ended.name() + " " + cause, false);
        }
    }
}
