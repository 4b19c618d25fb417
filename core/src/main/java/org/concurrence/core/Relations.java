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
    boolean trapExits;
    String registeredName;
    Registry registry;

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
            watcher.sendNotice(new Down(tasklet, ending));
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
