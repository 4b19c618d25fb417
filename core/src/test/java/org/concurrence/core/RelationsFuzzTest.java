package org.concurrence.core;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Model-based fuzzing of links, exit trapping, monitors and registered names on virtual time. A few "nodes" link,
 * unlink, trap exits, register names and end (crash, return, killed) on command; a few "watchers", which never end
 * until the last step, monitor and demonitor them. A model of the documented contract ({@link Tasklet#link()},
 * {@link Tasklet#monitor()}, {@link Tasklet#trapExits}, {@link Registry}; Erlang's semantics where they agree)
 * predicts, after each step, which nodes are alive, the {@link Exit}s each trapping node received, the
 * {@link Down}s each watcher received (exactly one per monitoring, with the ending), and the registered names. Steps
 * include a demonitor or an unlink sent just before the other side is killed. Under a seeded dispatcher a kill does
 * not hand over to its victim at once (it is one of the runnable tasklets drawn at random), so either may come
 * first: the model accepts both orders and goes on with the one that happened. If the death comes first, the
 * {@code Down} (or, through the link, the exit) has been sent and the demonitor (unlink) does not take it back, as
 * in Erlang without {@code flush}.
 *
 * <p>{@code -Drelfuzz.cases=N}, {@code -Drelfuzz.seed=S}, {@code -Drelfuzz.from=I} for big runs and replays.
 */
@ExtendWith(QuietLogs.class)
class RelationsFuzzTest {
    private static final long STEP = 10;
    private static final String[] NAMES = {"a", "b"};

    enum Op { LINK, UNLINK, TRAP, UNTRAP, REGISTER, UNREGISTER, CRASH, NORMAL, KILL, MONITOR, DEMONITOR,
        DEMONITOR_THEN_KILL, UNLINK_THEN_KILL }

    /** One step: {@code op} by node (or watcher) {@code a} on node {@code b}; {@code name} for registering. */
    record Step(Op op, int a, int b, String name) {}

    record Case(int nodes, int watchers, List<Step> steps) {}

    static Case generate(Random r) {
        int nodes = 2 + r.nextInt(6);
        int watchers = 1 + r.nextInt(2);
        List<Step> steps = new ArrayList<>();
        for (int i = 0, m = 5 + r.nextInt(30); i < m; i++) {
            Op op = Op.values()[r.nextInt(Op.values().length)];
            // Links and monitors are the point: draw them more often than ends.
            if (r.nextInt(3) == 0) {
                op = r.nextBoolean() ? Op.LINK : Op.MONITOR;
            }
            int a = r.nextInt(op == Op.MONITOR || op == Op.DEMONITOR || op == Op.DEMONITOR_THEN_KILL
                    ? watchers : nodes);
            int b = r.nextInt(nodes);
            if ((op == Op.LINK || op == Op.UNLINK || op == Op.UNLINK_THEN_KILL) && a == b) {
                b = (b + 1) % nodes;
            }
            String name = r.nextInt(3) == 0 ? "n" + a : NAMES[r.nextInt(NAMES.length)];
            steps.add(new Step(op, a, b, name));
        }
        return new Case(nodes, watchers, steps);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The model.

    static final class Model {
        final int n;
        final boolean[] alive;
        final boolean[] trap;
        final String[] ending;
        final String[] name;
        final Set<Long> links = new HashSet<>();
        final int[][] monitors;
        final Map<String, Integer> names = new TreeMap<>();
        final List<List<String>> nodeLog = new ArrayList<>();
        final List<List<String>> watcherLog = new ArrayList<>();

        Model copy() {
            Model m = new Model(n, monitors.length);
            System.arraycopy(alive, 0, m.alive, 0, n);
            System.arraycopy(trap, 0, m.trap, 0, n);
            System.arraycopy(ending, 0, m.ending, 0, n);
            System.arraycopy(name, 0, m.name, 0, n);
            m.links.addAll(links);
            for (int w = 0; w < monitors.length; w++) {
                System.arraycopy(monitors[w], 0, m.monitors[w], 0, n);
                m.watcherLog.get(w).addAll(watcherLog.get(w));
            }
            for (int i = 0; i < n; i++) {
                m.nodeLog.get(i).addAll(nodeLog.get(i));
            }
            m.names.putAll(names);
            return m;
        }

        Model(int n, int w) {
            this.n = n;
            alive = new boolean[n];
            java.util.Arrays.fill(alive, true);
            trap = new boolean[n];
            ending = new String[n];
            name = new String[n];
            monitors = new int[w][n];
            for (int i = 0; i < n; i++) {
                nodeLog.add(new ArrayList<>());
            }
            for (int i = 0; i < w; i++) {
                watcherLog.add(new ArrayList<>());
            }
        }

        private static long key(int i, int j) {
            return (long) Math.min(i, j) << 32 | Math.max(i, j);
        }

        /** Node {@code i} ends with {@code how} (N, F, K), and so, through links, may others. */
        void die(int i, String how) {
            ArrayDeque<int[]> queue = new ArrayDeque<>();
            ArrayDeque<String> hows = new ArrayDeque<>();
            queue.add(new int[] {i});
            hows.add(how);
            while (!queue.isEmpty()) {
                int x = queue.poll()[0];
                String h = hows.poll();
                if (!alive[x]) {
                    continue;
                }
                alive[x] = false;
                ending[x] = h;
                if (name[x] != null) {
                    names.remove(name[x]);
                    name[x] = null;
                }
                for (int w = 0; w < monitors.length; w++) {
                    for (int k = 0; k < monitors[w][x]; k++) {
                        watcherLog.get(w).add("DOWN n" + x + " " + h);
                    }
                    monitors[w][x] = 0;
                }
                for (int y = 0; y < n; y++) {
                    if (y != x && links.remove(key(x, y)) && alive[y]) {
                        if (trap[y]) {
                            nodeLog.get(y).add("EXIT n" + x + " " + h);
                        } else if (!h.equals("N")) {
                            queue.add(new int[] {y});
                            hows.add("K");
                        }
                    }
                }
            }
        }

        void apply(Step s) {
            int a = s.a();
            int b = s.b();
            switch (s.op()) {
                case LINK -> {
                    if (!alive[a]) {
                        return;
                    }
                    if (alive[b]) {
                        links.add(key(a, b));
                    } else if (trap[a]) {
                        nodeLog.get(a).add("EXIT n" + b + " " + ending[b]);
                    } else if (!ending[b].equals("N")) {
                        die(a, "K");
                    }
                }
                case UNLINK -> {
                    if (alive[a]) {
                        links.remove(key(a, b));
                    }
                }
                case TRAP, UNTRAP -> {
                    if (alive[a]) {
                        trap[a] = s.op() == Op.TRAP;
                    }
                }
                case REGISTER -> {
                    if (!alive[a]) {
                        return;
                    }
                    Integer holder = names.get(s.name());
                    boolean ok = (name[a] == null || name[a].equals(s.name())) && (holder == null || holder == a);
                    if (ok) {
                        names.put(s.name(), a);
                        name[a] = s.name();
                    }
                    nodeLog.get(a).add("REG " + s.name() + (ok ? " ok" : " refused"));
                }
                case UNREGISTER -> {
                    Integer holder = names.remove(s.name());
                    if (holder != null) {
                        name[holder] = null;
                    }
                }
                case CRASH -> {
                    if (alive[a]) {
                        die(a, "F");
                    }
                }
                case NORMAL -> {
                    if (alive[a]) {
                        die(a, "N");
                    }
                }
                case KILL -> die(a, "K");
                case MONITOR -> {
                    if (alive[b]) {
                        monitors[a][b]++;
                    } else {
                        watcherLog.get(a).add("DOWN n" + b + " " + ending[b]);
                    }
                }
                case DEMONITOR -> {
                    if (monitors[a][b] > 0) {
                        monitors[a][b]--;
                    }
                }
                case DEMONITOR_THEN_KILL -> {
                    die(b, "K");
                    apply(new Step(Op.DEMONITOR, a, b, null));
                }
                case UNLINK_THEN_KILL -> {
                    die(b, "K");
                    apply(new Step(Op.UNLINK, a, b, null));
                }
            }
        }

        /** The other order of a racing step: the request is handled before the kill lands. */
        void applyRequestFirst(Step s) {
            switch (s.op()) {
                case DEMONITOR_THEN_KILL -> {
                    apply(new Step(Op.DEMONITOR, s.a(), s.b(), null));
                    die(s.b(), "K");
                }
                case UNLINK_THEN_KILL -> {
                    apply(new Step(Op.UNLINK, s.a(), s.b(), null));
                    die(s.b(), "K");
                }
                default -> throw new AssertionError(s);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // The real run.

    record Command(Step step) {}

    record Stop() {}

    static final class Crash extends RuntimeException {
        Crash() {
            super("crash (expected)", null, false, false);
        }
    }

    static String kind(Ending ending) {
        return switch (ending) {
            case Ending.Normal ignored -> "N";
            case Ending.Failed(Crash ignored) -> "F";
            case Ending.Failed(Throwable t) -> "failed " + t;
            case Ending.Killed ignored -> "K";
        };
    }

    static void node(Tasklet<?>[] nodes, List<String> log) {
        while (true) {
            switch (Mailbox.receive()) {
                case Exit exit -> log.add("EXIT " + exit.tasklet().name() + " " + kind(exit.ending()));
                case Command(Step s) -> {
                    switch (s.op()) {
                        case LINK -> nodes[s.b()].link();
                        case UNLINK, UNLINK_THEN_KILL -> nodes[s.b()].unlink();
                        case TRAP -> Tasklet.trapExits(true);
                        case UNTRAP -> Tasklet.trapExits(false);
                        case REGISTER -> {
                            try {
                                Tasklet.current().register(s.name());
                                log.add("REG " + s.name() + " ok");
                            } catch (IllegalStateException refused) {
                                log.add("REG " + s.name() + " refused");
                            }
                        }
                        case CRASH -> throw new Crash();
                        case NORMAL -> {
                            return;
                        }
                        default -> throw new AssertionError(s);
                    }
                }
                default -> throw new AssertionError("unexpected message");
            }
        }
    }

    static void watcher(Tasklet<?>[] nodes, List<String> log) {
        while (true) {
            switch (Mailbox.receive()) {
                case Down down -> log.add("DOWN " + down.tasklet().name() + " " + kind(down.ending()));
                case Command(Step s) -> {
                    switch (s.op()) {
                        case MONITOR -> nodes[s.b()].monitor();
                        case DEMONITOR, DEMONITOR_THEN_KILL -> nodes[s.b()].demonitor();
                        default -> throw new AssertionError(s);
                    }
                }
                case Stop ignored -> {
                    return;
                }
                default -> throw new AssertionError("unexpected message");
            }
        }
    }

    static String run(Case c, long seed) {
        return Concurrence.run(Concurrence.Options.deterministic(seed), () -> {
            try {
                String failure = check(c);
                if (failure != null) {
                    Tasklet.current().children().forEach(Tasklet::kill);
                }
                return failure;
            } catch (Throwable t) {
                Tasklet.current().children().forEach(Tasklet::kill);
                java.io.StringWriter trace = new java.io.StringWriter();
                t.printStackTrace(new java.io.PrintWriter(trace));
                return "threw " + trace;
            }
        });
    }

    private static String check(Case c) {
        Model model = new Model(c.nodes(), c.watchers());
        Tasklet<?>[] nodes = new Tasklet<?>[c.nodes()];
        Tasklet<?>[] watchers = new Tasklet<?>[c.watchers()];
        List<List<String>> nodeLog = new ArrayList<>();
        List<List<String>> watcherLog = new ArrayList<>();
        for (int i = 0; i < nodes.length; i++) {
            List<String> log = new ArrayList<>();
            nodeLog.add(log);
            nodes[i] = Tasklet.builder().name("n" + i).spawn(() -> node(nodes, log));
        }
        for (int i = 0; i < watchers.length; i++) {
            List<String> log = new ArrayList<>();
            watcherLog.add(log);
            watchers[i] = Tasklet.builder().name("watcher" + i).spawn(() -> watcher(nodes, log));
        }
        Registry registry = Registry.current();
        for (int i = 0; i < c.steps().size(); i++) {
            Step s = c.steps().get(i);
            Tasklet.sleep(Duration.ofMillis(STEP));
            boolean racing = s.op() == Op.DEMONITOR_THEN_KILL || s.op() == Op.UNLINK_THEN_KILL;
            Model other = racing ? model.copy() : null;
            if (racing) {
                other.applyRequestFirst(s);
            }
            model.apply(s);
            switch (s.op()) {
                case UNREGISTER -> registry.unregister(s.name());
                case KILL -> nodes[s.a()].kill();
                case MONITOR, DEMONITOR -> watchers[s.a()].send(new Command(s));
                case DEMONITOR_THEN_KILL -> {
                    watchers[s.a()].send(new Command(s));
                    nodes[s.b()].kill();
                }
                case UNLINK_THEN_KILL -> {
                    nodes[s.a()].send(new Command(s));
                    nodes[s.b()].kill();
                }
                default -> nodes[s.a()].send(new Command(s));
            }
            Tasklet.sleep(Duration.ofMillis(STEP));
            String when = "after step " + (i + 1) + " " + s;
            String problem = compare(model, nodes, nodeLog, watcherLog, registry, when);
            if (problem != null && other != null
                    && compare(other, nodes, nodeLog, watcherLog, registry, when) == null) {
                model = other;
                problem = null;
            }
            if (problem != null) {
                return problem;
            }
        }
        for (int i = 0; i < nodes.length; i++) {
            // One at a time: a trapping node killed in the same instant might not get to its Exit first.
            model.apply(new Step(Op.KILL, i, i, null));
            nodes[i].kill();
            Tasklet.sleep(Duration.ofMillis(STEP));
            String problem = compare(model, nodes, nodeLog, watcherLog, registry, "after killing n" + i);
            if (problem != null) {
                return problem;
            }
        }
        for (Tasklet<?> w : watchers) {
            w.send(new Stop());
        }
        Tasklet.joinChildren(Duration.ofMinutes(1));
        if (!registry.names().isEmpty()) {
            return "names left: " + registry.names();
        }
        return null;
    }

    private static String compare(Model model, Tasklet<?>[] nodes, List<List<String>> nodeLog,
                                  List<List<String>> watcherLog, Registry registry, String when) {
        for (int i = 0; i < nodes.length; i++) {
            if (nodes[i].isAlive() != model.alive[i]) {
                return "n" + i + " is " + (nodes[i].isAlive() ? "alive" : "dead") + " " + when + ", the model says "
                        + (model.alive[i] ? "alive" : "dead (" + model.ending[i] + ")");
            }
            if (!sorted(nodeLog.get(i)).equals(sorted(model.nodeLog.get(i)))) {
                return "n" + i + " received " + nodeLog.get(i) + " " + when + ", the model says "
                        + model.nodeLog.get(i);
            }
        }
        for (int w = 0; w < watcherLog.size(); w++) {
            if (!sorted(watcherLog.get(w)).equals(sorted(model.watcherLog.get(w)))) {
                return "watcher" + w + " received " + watcherLog.get(w) + " " + when + ", the model says "
                        + model.watcherLog.get(w);
            }
        }
        Map<String, String> names = new TreeMap<>();
        for (String name : registry.names()) {
            names.put(name, registry.lookup(name).map(Tasklet::name).orElse("?"));
        }
        Map<String, String> expected = new TreeMap<>();
        model.names.forEach((name, i) -> expected.put(name, "n" + i));
        if (!names.equals(expected)) {
            return "registered " + names + " " + when + ", the model says " + expected;
        }
        for (int i = 0; i < nodes.length; i++) {
            String has = nodes[i].registeredName().orElse(null);
            if (!Objects.equals(has, model.name[i])) {
                return "n" + i + " says it is registered as " + has + " " + when + ", the model says "
                        + model.name[i];
            }
        }
        return null;
    }

    private static List<String> sorted(List<String> log) {
        List<String> copy = new ArrayList<>(log);
        copy.sort(null);
        return copy;
    }

    @Test
    void linksMonitorsAndNamesKeepToTheirDocumentedContract() throws Exception {
        new FuzzRunner<Case>("RelationsFuzzTest", "relfuzz", 0x5eed_1157L, 1000)
                .run(RelationsFuzzTest::generate, RelationsFuzzTest::run, Case::toString, null);
    }
}
