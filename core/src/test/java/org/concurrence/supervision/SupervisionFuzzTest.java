package org.concurrence.supervision;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.concurrence.core.Concurrence;
import org.concurrence.core.Down;
import org.concurrence.core.Ending;
import org.concurrence.core.Exit;
import org.concurrence.core.FuzzRunner;
import org.concurrence.core.JoinError;
import org.concurrence.core.Mailbox;
import org.concurrence.core.QuietLogs;
import org.concurrence.core.Registry;
import org.concurrence.core.Tasklet;
import org.concurrence.core.TaskletExit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Model-based fuzzing of supervision and tasklet relations on virtual time. From a seed it builds a supervisor tree
 * (a top supervisor with workers and at most one nested supervisor; random strategies, restart types, intensities,
 * registered names, ready timeouts, exit trapping, children that take 10-20 ms to end once killed) and a script of
 * events two seconds of virtual time apart: children crash, end normally, are killed by another tasklet or through a
 * link, fail to start, start too late, are killed while starting, or crash while their supervisor waits on another
 * child's slow start; a supervisor is killed or stopped in the middle of a restart, killed while it stops, and a
 * nested one is stopped or killed. Between events the tree settles, and a model written from the Javadoc of
 * {@link Supervisor}, {@link Strategy}, {@link Restart}, {@link ChildSpec} and {@link ChildStartException} predicts
 * the exact sequence of child starts and ends, the snapshot of each supervisor (running children, restart counts),
 * which names are registered, and how the top supervisor ends. At the end every monitor must have had exactly one
 * {@code Down} per monitoring with the ending the child logged, every trapping child one {@code Exit} per live link,
 * no tasklet may be left alive and no name registered, and the run must end.
 *
 * <p>What the model leaves out, because the contract leaves the order to the scheduler: a nested supervisor stopped
 * or crashing while its parent is still starting later siblings (the script skips those moves), and the order in
 * which children killed "without waiting" end (that step's log is compared as a multiset). Intensity periods end on
 * 777 ms, which no restart time difference (multiples of 5 ms) can equal: whether a restart exactly one period old
 * is "within the period" is not documented (OTP counts it; this code does not), so the model never depends on it.
 *
 * <p>{@code -Dsupfuzz.cases=N} runs N cases (default 1,000, about 2 s), {@code -Dsupfuzz.seed=S} picks the seed,
 * {@code -Dsupfuzz.from=I} the first case; a failure prints its replay line and script.
 */
@ExtendWith(QuietLogs.class)
class SupervisionFuzzTest {
    private static final long GAP = 2_000;
    private static final long READY_TIMEOUT = 100;
    private static final long SLOW = 40;
    private static final long TOO_SLOW = 200;
    /** How long after a slow start begins the script acts on it: the script looks every 10 ms from 5 ms on. */
    private static final long KILL_AT = 5;

    // ---------------------------------------------------------------------------------------------------------
    // The tree and the script.

    sealed interface Node permits Worker, Sup {
        String name();
        Restart restart();
    }

    /** A worker; one that lingers takes {@code linger} ms to end once killed (it cleans up, then rethrows). */
    record Worker(String name, Restart restart, String registered, boolean ready, boolean traps, long linger)
            implements Node {}

    record Sup(String name, Restart restart, Strategy strategy, int maxRestarts, long periodMs, List<Node> children)
            implements Node {}

    enum Kind { CRASH, NORMAL, KILL, LINK, FAIL_START, TOO_LATE, KILLED_STARTING, SUP_KILLED_MID_RESTART,
        STOP_NESTED, KILL_NESTED, MID_CRASH, STOP_MID_RESTART, KILL_WHILE_STOPPING }

    /**
     * One step: a monitoring op on a running worker (0 none, 1 monitor, 2 monitor twice, 3 demonitor one watched),
     * then the event on {@code target}.
     */
    record Step(Kind kind, String target, int count, boolean linkCrash, boolean unlink, int monitorOp,
                String monitorTarget) {}

    record Case(Sup top, Map<String, Integer> initialFailures, List<Step> steps) {
        String describe() {
            StringBuilder b = new StringBuilder();
            describe(top, "", b);
            b.append("initial start failures ").append(initialFailures).append('\n');
            for (int i = 0; i < steps.size(); i++) {
                b.append("  t=").append((i + 1) * GAP).append(" ms: ").append(steps.get(i)).append('\n');
            }
            return b.toString();
        }

        private static void describe(Node node, String indent, StringBuilder b) {
            b.append(indent).append(node).append('\n');
            if (node instanceof Sup s) {
                s.children().forEach(c -> describe(c, indent + "  ", b));
            }
        }
    }

    static Case generate(Random r) {
        int[] next = {0};
        List<Node> kids = new ArrayList<>();
        int n = 1 + r.nextInt(4);
        int nestedAt = r.nextInt(3) == 0 ? -1 : r.nextInt(n + 1);
        for (int i = 0; i <= n; i++) {
            if (i == nestedAt) {
                List<Node> inner = new ArrayList<>();
                for (int j = 0, m = 1 + r.nextInt(3); j < m; j++) {
                    inner.add(worker(r, next));
                }
                kids.add(new Sup("mid", restart(r), strategy(r), r.nextInt(4), period(r), inner));
            } else if (i < n) {
                kids.add(worker(r, next));
            }
        }
        Sup top = new Sup("top", Restart.PERMANENT, strategy(r), r.nextInt(5), period(r), kids);
        List<Worker> workers = new ArrayList<>();
        collect(top, workers);
        Map<String, Integer> initial = new HashMap<>();
        if (r.nextInt(12) == 0) {
            initial.put(workers.get(r.nextInt(workers.size())).name(), 1);
        }
        List<Step> steps = new ArrayList<>();
        for (int i = 0, m = 3 + r.nextInt(10); i < m; i++) {
            Worker w = workers.get(r.nextInt(workers.size()));
            Kind kind = Kind.values()[r.nextInt(Kind.values().length)];
            if (!w.ready() && (kind == Kind.TOO_LATE || kind == Kind.KILLED_STARTING
                    || kind == Kind.SUP_KILLED_MID_RESTART || kind == Kind.MID_CRASH
                    || kind == Kind.STOP_MID_RESTART)) {
                kind = Kind.CRASH;
            }
            Worker watched = workers.get(r.nextInt(workers.size()));
            steps.add(new Step(kind, w.name(), 1 + r.nextInt(3), r.nextBoolean(), r.nextInt(4) == 0, r.nextInt(4),
                    watched.name()));
        }
        return new Case(top, initial, steps);
    }

    private static Worker worker(Random r, int[] next) {
        String name = "w" + next[0]++;
        return new Worker(name, restart(r), r.nextBoolean() ? "r-" + name : null, r.nextInt(3) == 0,
                r.nextInt(4) == 0, r.nextInt(4) == 0 ? 10 * (1 + r.nextInt(2)) : 0);
    }

    private static Restart restart(Random r) {
        return Restart.values()[r.nextInt(3)];
    }

    private static Strategy strategy(Random r) {
        return Strategy.values()[r.nextInt(3)];
    }

    private static long period(Random r) {
        return (1 + r.nextInt(5)) * GAP + 777;
    }

    private static void collect(Node node, List<Worker> into) {
        switch (node) {
            case Worker w -> into.add(w);
            case Sup s -> s.children().forEach(c -> collect(c, into));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // The model: the documented contract, replayed on the script.

    /** A supervisor killed while it starts a child, at the moment the script kills it. */
    private static final class SupKilled extends RuntimeException {
        final MSup sup;

        SupKilled(MSup sup) {
            super(null, null, false, false);
            this.sup = sup;
        }
    }

    private static final class MSup {
        final Sup cfg;
        final List<MChild> kids = new ArrayList<>();
        final ArrayDeque<Long> times = new ArrayDeque<>();
        final MChild asChild;
        final MSup parent;
        /** Ends of children that arrived while the supervisor was busy, handled after its restart. */
        final ArrayDeque<Pending> mailbox = new ArrayDeque<>();
        boolean stopRequested;
        /** Starting its children for the first time (as a child being started by its parent). */
        boolean starting;
        int restartCount;
        boolean alive = true;

        MSup(Sup cfg, MSup parent, MChild asChild) {
            this.cfg = cfg;
            this.parent = parent;
            this.asChild = asChild;
            cfg.children().forEach(c -> kids.add(new MChild(c)));
        }
    }

    private record Pending(MChild child, boolean abnormal) {}

    private static final class MChild {
        final Node cfg;
        /** It ended by itself while its supervisor was busy: its end waits in the supervisor's mailbox. */
        boolean deadPending;
        boolean running;
        boolean starting;
        boolean retired;
        int restarts;
        MSup nested;

        MChild(Node cfg) {
            this.cfg = cfg;
        }
    }

    static final class Model {
        final List<String> out = new ArrayList<>();
        final Map<String, Integer> failStarts = new HashMap<>();
        String slowTarget;
        Kind slowMode;
        /** For {@link Kind#MID_CRASH}: the worker to crash while the slow start waits; set to the one crashed. */
        String midVictim;
        /**
         * A worker still in its slow start when its supervisor was killed: it goes on starting (and logs its start)
         * until the supervisor, stopping its children in reverse order, comes to it.
         */
        MChild slowStarting;
        long readyAt;
        boolean midCrashed;
        /**
         * For {@link Kind#STOP_MID_RESTART}: false if the slow start came in a nested supervisor's own first start.
         * Its stop would then run alongside its parent's starting of the next children, in an order the seed picks,
         * which this model does not predict; the script skips that stop (and the crash of {@link Kind#MID_CRASH}).
         */
        boolean midStop = true;
        long clock;
        MSup top;
        /** How the top supervisor ended: null while running, else "normal", "gaveup w3", "killed", "start w3". */
        String topEnd;
        /** Where the log stops being ordered (see {@link Kind#KILL_WHILE_STOPPING}), or -1. */
        int unordered = -1;

        /** The first start; false if it failed. */
        boolean startTop(Sup cfg) {
            top = new MSup(cfg, null, null);
            try {
                for (MChild c : top.kids) {
                    if (!start(top, c)) {
                        stopAll(top);
                        top.alive = false;
                        topEnd = "start " + c.cfg.name();
                        return false;
                    }
                }
            } catch (SupKilled k) {
                throw new AssertionError("no kill during the first start");
            }
            return true;
        }

        boolean start(MSup s, MChild c) {
            switch (c.cfg) {
                case Worker w -> {
                    int fails = failStarts.getOrDefault(w.name(), 0);
                    if (fails > 0) {
                        failStarts.put(w.name(), fails - 1);
                        out.add("FAIL " + w.name());
                        return false;
                    }
                    if (w.name().equals(slowTarget) && slowMode != null) {
                        Kind mode = slowMode;
                        slowMode = null;
                        switch (mode) {
                            case TOO_LATE -> {
                                clock += READY_TIMEOUT + w.linger();
                                out.add("ABORT " + w.name() + " SUPKILL");
                                return false;
                            }
                            case KILLED_STARTING -> {
                                clock += KILL_AT + w.linger();
                                out.add("ABORT " + w.name() + " KILL");
                                return false;
                            }
                            case SUP_KILLED_MID_RESTART -> {
                                slowStarting = c;
                                readyAt = clock + SLOW;
                                clock += KILL_AT;
                                c.running = true;
                                c.starting = true;
                                throw new SupKilled(s);
                            }
                            case MID_CRASH -> {
                                MChild victim = s.kids.stream().filter(k -> k.cfg.name().equals(midVictim))
                                        .findFirst().orElse(null);
                                if (!s.starting && victim != null && victim != c && victim.running && !victim.starting
                                        && !victim.deadPending && victim.cfg instanceof Worker) {
                                    out.add("END " + midVictim + " CRASH");
                                    victim.deadPending = true;
                                    s.mailbox.add(new Pending(victim, true));
                                    midCrashed = true;
                                }
                                clock += SLOW;
                            }
                            case STOP_MID_RESTART -> {
                                if (s.starting) {
                                    midStop = false;
                                } else {
                                    s.stopRequested = true;
                                }
                                clock += SLOW;
                            }
                            default -> throw new AssertionError(mode);
                        }
                    }
                    out.add("START " + w.name());
                    c.running = true;
                    return true;
                }
                case Sup cfg -> {
                    MSup nested = new MSup(cfg, s, c);
                    c.nested = nested;
                    c.running = true;
                    c.starting = true;
                    nested.starting = true;
                    try {
                        for (MChild k : nested.kids) {
                            if (!start(nested, k)) {
                                stopAll(nested);
                                nested.alive = false;
                                c.nested = null;
                                c.running = false;
                                c.starting = false;
                                return false;
                            }
                        }
                    } catch (SupKilled k) {
                        if (k.sup != nested) {
                            throw k;
                        }
                        stopAll(nested);
                        nested.alive = false;
                        c.nested = null;
                        c.running = false;
                        c.starting = false;
                        return false;
                    }
                    c.starting = false;
                    nested.starting = false;
                    return true;
                }
            }
        }

        void stop(MChild c) {
            if (c.deadPending) {
                // Ended already: the stop just takes its end out of the mailbox.
                c.deadPending = false;
                c.running = false;
                c.nested = null;
                return;
            }
            switch (c.cfg) {
                case Worker w -> {
                    // Killed now: a slow start that ends before the kill, or while an earlier child lingers, logs.
                    readyBefore(c == slowStarting ? clock : clock + w.linger());
                    out.add((c.starting ? "ABORT " : "END ") + w.name() + " SUPKILL");
                    clock += w.linger();
                }
                case Sup ignored -> {
                    stopAll(c.nested);
                    c.nested.alive = false;
                    c.nested = null;
                }
            }
            c.running = false;
            c.starting = false;
        }

        private void readyBefore(long time) {
            if (slowStarting != null && slowStarting.starting && readyAt < time) {
                out.add("START " + slowStarting.cfg.name());
                slowStarting.starting = false;
            }
        }

        void stopAll(MSup s) {
            for (MChild c : s.kids.reversed()) {
                if (c.running) {
                    stop(c);
                }
            }
        }

        /** Child {@code c} of {@code s} ended by itself (already logged); the supervisor reacts. */
        void ended(MSup s, MChild c, boolean abnormal) {
            c.running = false;
            c.starting = false;
            c.nested = null;
            ArrayDeque<MChild> failedStarts = new ArrayDeque<>();
            MChild current = c;
            try {
                while (current != null) {
                    if (!restartsAfter(current.cfg.restart(), abnormal)) {
                        current.retired = true;
                    } else if (!countRestart(s)) {
                        stopAll(s);
                        died(s, "gaveup " + current.cfg.name());
                        return;
                    } else {
                        restart(s, current, failedStarts);
                    }
                    current = failedStarts.poll();
                    abnormal = true;
                    if (current == null && s.stopRequested) {
                        stopAll(s);
                        died(s, "normal");
                        return;
                    }
                    if (current == null) {
                        Pending next = s.mailbox.poll();
                        while (next != null && !next.child().deadPending) {
                            next = s.mailbox.poll(); // stopped meanwhile: its end was taken by the stop
                        }
                        if (next != null) {
                            current = next.child();
                            abnormal = next.abnormal();
                            current.deadPending = false;
                            current.running = false;
                            current.starting = false;
                            current.nested = null;
                        }
                    }
                }
            } catch (SupKilled k) {
                if (k.sup != s) {
                    throw k;
                }
                stopAll(s);
                died(s, "killed");
            }
        }

        /** Supervisor {@code s} ended (its children are stopped): its parent reacts, or the run is over. */
        void died(MSup s, String how) {
            s.alive = false;
            s.mailbox.clear();
            if (s.parent == null) {
                topEnd = how;
            } else {
                ended(s.parent, s.asChild, !how.equals("normal"));
            }
        }

        private static boolean restartsAfter(Restart restart, boolean abnormal) {
            return switch (restart) {
                case PERMANENT -> true;
                case TRANSIENT -> abnormal;
                case TEMPORARY -> false;
            };
        }

        private boolean countRestart(MSup s) {
            while (!s.times.isEmpty() && clock - s.times.peekFirst() > s.cfg.periodMs()) {
                s.times.pollFirst();
            }
            if (s.times.size() >= s.cfg.maxRestarts()) {
                return false;
            }
            s.times.addLast(clock);
            s.restartCount++;
            return true;
        }

        private void restart(MSup s, MChild ended, ArrayDeque<MChild> failedStarts) {
            int at = s.kids.indexOf(ended);
            List<MChild> scope = switch (s.cfg.strategy()) {
                case ONE_FOR_ONE -> List.of(ended);
                case ONE_FOR_ALL -> s.kids;
                case REST_FOR_ONE -> s.kids.subList(at, s.kids.size());
            };
            for (MChild other : scope.reversed()) {
                if (other.running) {
                    stop(other);
                    // Strategy.ONE_FOR_ALL documents it; for REST_FOR_ONE see the report (OTP does the same).
                    if (other.cfg.restart() == Restart.TEMPORARY) {
                        other.retired = true;
                    }
                }
            }
            for (MChild child : scope) {
                if (child.retired || child.running) {
                    continue;
                }
                child.restarts++;
                if (!start(s, child)) {
                    failedStarts.add(child);
                    break;
                }
            }
        }

        /** The supervisor model of the running worker {@code name}'s supervisor, or null. */
        MSup supOf(String name) {
            return supOf(top, name);
        }

        private static MSup supOf(MSup s, String name) {
            if (s == null || !s.alive) {
                return null;
            }
            for (MChild c : s.kids) {
                if (c.cfg.name().equals(name)) {
                    return s;
                }
                if (c.nested != null) {
                    MSup found = supOf(c.nested, name);
                    if (found != null) {
                        return found;
                    }
                }
            }
            return null;
        }

        MChild child(MSup s, String name) {
            return s.kids.stream().filter(c -> c.cfg.name().equals(name)).findFirst().orElseThrow();
        }

        MChild nestedChild() {
            return top == null ? null : top.kids.stream().filter(c -> c.cfg instanceof Sup).findFirst()
                    .orElse(null);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // The real run.

    enum Cmd { CRASH, NORMAL }

    /** One incarnation of a worker, as it saw itself. */
    static final class Inc {
        final String name;
        final Tasklet<?> tasklet;
        boolean started;
        String cause;
        int exits;

        Inc(String name, Tasklet<?> tasklet) {
            this.name = name;
            this.tasklet = tasklet;
        }
    }

    static final class Crash extends RuntimeException {
        Crash(String name) {
            super(name + " crashes (expected)", null, false, false);
        }
    }

    static final class World {
        final List<String> log = new ArrayList<>();
        final Map<String, Integer> failStarts = new HashMap<>();
        final Map<String, Long> slow = new HashMap<>();
        final Map<Tasklet<?>, Inc> incs = new IdentityHashMap<>();
        final Map<Tasklet<?>, Integer> monitors = new IdentityHashMap<>();
        final Map<Tasklet<?>, Integer> expectedExits = new IdentityHashMap<>();
        final List<Tasklet<?>> helpers = new ArrayList<>();
    }

    static SupervisorSpec spec(Sup sup, World world) {
        SupervisorSpec.Builder b = SupervisorSpec.builder(sup.name()).strategy(sup.strategy())
                .intensity(sup.maxRestarts(), Duration.ofMillis(sup.periodMs()));
        for (Node node : sup.children()) {
            switch (node) {
                case Worker w -> {
                    ChildSpec c = ChildSpec.fromFactory(w.name(), () -> {
                        int fails = world.failStarts.getOrDefault(w.name(), 0);
                        if (fails > 0) {
                            world.failStarts.put(w.name(), fails - 1);
                            world.log.add("FAIL " + w.name());
                            throw new IllegalStateException(w.name() + " cannot start (expected)");
                        }
                        return () -> {
                            work(w, sup.name(), world);
                            return null;
                        };
                    }).withRestart(w.restart()).withRegisteredName(w.registered());
                    if (w.ready()) {
                        c = c.withReadyTimeout(Duration.ofMillis(READY_TIMEOUT));
                    }
                    b.child(c);
                }
                case Sup s -> b.child(ChildSpec.supervisor(spec(s, world)).withRestart(s.restart()));
            }
        }
        return b.build();
    }

    static void work(Worker w, String supervisor, World world) {
        Tasklet<?> me = Tasklet.current();
        Inc inc = new Inc(w.name(), me);
        world.incs.put(me, inc);
        if (w.traps()) {
            Tasklet.trapExits(true);
        }
        try {
            if (w.ready()) {
                Long delay = world.slow.remove(w.name());
                if (delay != null) {
                    Tasklet.sleep(Duration.ofMillis(delay));
                }
                Supervisor.ready();
            }
            inc.started = true;
            world.log.add("START " + w.name());
            while (true) {
                switch (Mailbox.receive()) {
                    case Cmd.CRASH -> {
                        inc.cause = "CRASH";
                        world.log.add("END " + w.name() + " CRASH");
                        throw new Crash(w.name());
                    }
                    case Cmd.NORMAL -> {
                        inc.cause = "NORMAL";
                        world.log.add("END " + w.name() + " NORMAL");
                        return;
                    }
                    case Exit ignored -> inc.exits++;
                    default -> throw new AssertionError("unexpected message");
                }
            }
        } catch (TaskletExit exit) {
            inc.cause = exit.getMessage().endsWith("killed by " + supervisor) ? "SUPKILL" : "KILL";
            try {
                if (w.linger() > 0) {
                    Tasklet.sleep(Duration.ofMillis(w.linger()));
                }
            } finally {
                world.log.add((inc.started ? "END " : "ABORT ") + w.name() + " " + inc.cause);
            }
            throw exit;
        }
    }

    /** Runs one case; returns null if it kept to the model, else what went wrong. */
    /** What the cases exercised, for the summary line: top endings, log lines, Downs and Exits checked. */
    static final Map<String, Integer> STATS = new java.util.concurrent.ConcurrentSkipListMap<>();

    static String run(Case c, long seed) {
        Model model = new Model();
        World world = new World();
        model.failStarts.putAll(c.initialFailures());
        world.failStarts.putAll(c.initialFailures());
        return Concurrence.run(Concurrence.Options.deterministic(seed), () -> {
            try {
                String failure = check(c, model, world);
                if (failure != null) {
                    Concurrence.quit(1);
                }
                return failure;
            } catch (Throwable t) {
                Concurrence.quit(1);
                java.io.StringWriter trace = new java.io.StringWriter();
                t.printStackTrace(new java.io.PrintWriter(trace));
                return "threw " + trace;
            }
        });
    }

    private static String check(Case c, Model model, World world) {
        long origin = Tasklet.current().dispatcher().nanoTime();
        boolean started = model.startTop(c.top());
        Supervisor top;
        try {
            top = Supervisor.start(spec(c.top(), world));
        } catch (ChildStartException e) {
            if (started) {
                return "the first start failed, the model says it succeeds: " + e;
            }
            if (!model.topEnd.equals("start " + e.child())) {
                return "the first start failed for " + e.child() + ", the model says " + model.topEnd;
            }
            return finalChecks(c, model, world, null);
        }
        if (!started) {
            return "the first start succeeded, the model says it fails: " + model.topEnd;
        }
        top.tasklet().monitor();
        String problem = compare(model, world, top, "after the start");
        if (problem != null) {
            return problem;
        }
        for (int i = 0; i < c.steps().size() && model.topEnd == null; i++) {
            Step step = c.steps().get(i);
            long t = (i + 1) * GAP;
            Tasklet.sleep(Duration.ofNanos(origin + t * 1_000_000 - Tasklet.current().dispatcher().nanoTime()));
            model.clock = t;
            monitorOp(step, model, world, top);
            apply(step, model, world, top);
            Tasklet.sleep(Duration.ofNanos(origin + (t + GAP * 9 / 10) * 1_000_000
                    - Tasklet.current().dispatcher().nanoTime()));
            world.slow.remove(step.target());
            model.slowMode = null;
            problem = compare(model, world, top, "after step " + (i + 1) + " " + step);
            if (problem != null) {
                return problem;
            }
        }
        if (model.topEnd == null) {
            model.stopAll(model.top);
            model.top.alive = false;
            model.topEnd = "normal";
            top.stop(Duration.ofMinutes(1));
        }
        return finalChecks(c, model, world, top);
    }

    private static void monitorOp(Step step, Model model, World world, Supervisor top) {
        Optional<Tasklet<?>> inc = running(step.monitorTarget(), model, top);
        if (inc.isEmpty() || step.monitorOp() == 0) {
            return;
        }
        Tasklet<?> t = inc.get();
        if (step.monitorOp() == 3) {
            if (world.monitors.getOrDefault(t, 0) > 0) {
                t.demonitor();
                world.monitors.merge(t, -1, Integer::sum);
            }
            return;
        }
        for (int k = 0; k < step.monitorOp(); k++) {
            t.monitor();
            world.monitors.merge(t, 1, Integer::sum);
        }
    }

    /** The running incarnation of worker {@code name}, as the model and the handles agree it runs. */
    private static Optional<Tasklet<?>> running(String name, Model model, Supervisor top) {
        MSup s = model.supOf(name);
        if (s == null || !model.child(s, name).running) {
            return Optional.empty();
        }
        return handleOf(s, top).flatMap(h -> h.child(name));
    }

    private static Optional<Supervisor> handleOf(MSup s, Supervisor top) {
        if (s.parent == null) {
            return Optional.of(top);
        }
        return top.child(s.cfg.name()).flatMap(Supervisor::of);
    }

    private static void apply(Step step, Model model, World world, Supervisor top) {
        String x = step.target();
        MSup s = model.supOf(x);
        MChild mc = s == null ? null : model.child(s, x);
        switch (step.kind()) {
            case KILL_WHILE_STOPPING -> {
                // A stop, and 5 ms later a kill: the supervisor, still stopping a child that lingers, kills the
                // rest without waiting. Which of those ends first is the seed's choice: the log of this step is
                // compared as a multiset, and the supervisor ends killed if any running worker lingers.
                int mark = model.out.size();
                boolean lingers = lingering(model.top);
                model.stopAll(model.top);
                model.died(model.top, lingers ? "killed" : "normal");
                model.unordered = mark;
                Tasklet.spawn(() -> top.stop(Duration.ofMinutes(1)));
                Tasklet.sleep(Duration.ofMillis(5));
                top.tasklet().kill();
                return;
            }
            case STOP_NESTED, KILL_NESTED -> {
                MChild nested = model.nestedChild();
                if (nested == null || !nested.running) {
                    return;
                }
                Supervisor handle = top.child(nested.cfg.name()).flatMap(Supervisor::of).orElseThrow(
                        () -> new AssertionError("no handle for the running nested supervisor"));
                MSup ns = nested.nested;
                model.stopAll(ns);
                if (step.kind() == Kind.STOP_NESTED) {
                    model.died(ns, "normal");
                    handle.stop(Duration.ofMinutes(1));
                } else {
                    model.died(ns, "killed");
                    handle.tasklet().kill();
                }
                return;
            }
            default -> {
            }
        }
        if (mc == null || !mc.running) {
            return;
        }
        Tasklet<?> inc = handleOf(s, top).flatMap(h -> h.child(x)).orElseThrow(
                () -> new AssertionError("the model runs " + x + ", its supervisor does not"));
        Worker w = (Worker) mc.cfg;
        switch (step.kind()) {
            case CRASH, NORMAL, KILL -> {
                String cause = step.kind().name();
                if (step.kind() == Kind.KILL) {
                    model.clock += w.linger();
                }
                model.out.add("END " + x + " " + cause);
                model.ended(s, mc, step.kind() != Kind.NORMAL);
                if (step.kind() == Kind.KILL) {
                    inc.kill();
                } else {
                    inc.send(step.kind() == Kind.CRASH ? Cmd.CRASH : Cmd.NORMAL);
                }
            }
            case LINK -> {
                boolean kills = step.linkCrash() && !step.unlink() && !w.traps();
                if (w.traps() && !step.unlink()) {
                    world.expectedExits.merge(inc, 1, Integer::sum);
                }
                if (kills) {
                    model.clock += 10 + w.linger(); // the helper fails 10 ms after linking
                    model.out.add("END " + x + " KILL");
                    model.ended(s, mc, true);
                }
                world.helpers.add(Tasklet.spawn(() -> {
                    inc.link();
                    if (step.unlink()) {
                        inc.unlink();
                    }
                    Tasklet.sleep(Duration.ofMillis(10));
                    if (step.linkCrash()) {
                        throw new IllegalStateException("helper fails (expected)");
                    }
                }));
            }
            case FAIL_START -> {
                model.failStarts.put(x, step.count());
                world.failStarts.put(x, step.count());
                model.out.add("END " + x + " CRASH");
                model.ended(s, mc, true);
                inc.send(Cmd.CRASH);
            }
            case TOO_LATE, KILLED_STARTING, SUP_KILLED_MID_RESTART, MID_CRASH, STOP_MID_RESTART -> {
                world.slow.put(x, step.kind() == Kind.TOO_LATE ? TOO_SLOW : SLOW);
                model.slowTarget = x;
                model.slowMode = step.kind();
                model.midVictim = step.monitorTarget();
                model.midCrashed = false;
                model.midStop = true;
                model.out.add("END " + x + " CRASH");
                MSup killTarget = step.kind() == Kind.SUP_KILLED_MID_RESTART ? s : null;
                model.ended(s, mc, true);
                boolean consumed = model.slowMode == null;
                model.slowMode = null;
                long settled = (model.clock / GAP) * GAP + GAP / 2;
                if (!consumed && (step.kind() == Kind.STOP_MID_RESTART || killTarget != null)) {
                    // No slow start happened (x was not restarted): the script acts once the tree has settled.
                    MSup now = model.supOf(x);
                    if (now != null) {
                        model.clock = settled;
                        model.stopAll(now);
                        model.died(now, killTarget != null ? "killed" : "normal");
                    }
                }
                inc.send(Cmd.CRASH);
                if (!consumed) {
                    Tasklet.sleep(Duration.ofMillis(GAP / 2));
                    if (step.kind() == Kind.STOP_MID_RESTART) {
                        findSup(x, top).ifPresent(h -> h.stop(Duration.ofMinutes(1)));
                    } else if (killTarget != null) {
                        findSup(x, top).ifPresent(h -> h.tasklet().kill());
                    }
                    return;
                }
                if (step.kind() == Kind.TOO_LATE) {
                    return;
                }
                // Wait for the slow start of x (after any stops that came first in its restart).
                Tasklet<?> starting = null;
                for (int k = 0; k < 100 && starting == null; k++) {
                    Tasklet.sleep(Duration.ofMillis(k == 0 ? KILL_AT : 10));
                    starting = findSup(x, top).flatMap(h -> h.child(x))
                            .filter(t -> world.incs.get(t) != null && !world.incs.get(t).started).orElse(null);
                }
                if (starting == null) {
                    throw new AssertionError("the model starts " + x + " slowly, it never did");
                }
                switch (step.kind()) {
                    case KILLED_STARTING -> starting.kill();
                    case SUP_KILLED_MID_RESTART -> findSup(x, top).orElseThrow().tasklet().kill();
                    case STOP_MID_RESTART -> {
                        if (model.midStop) {
                            findSup(x, top).orElseThrow().stop(Duration.ofMinutes(1));
                        }
                    }
                    case MID_CRASH -> {
                        if (model.midCrashed) {
                            String y = step.monitorTarget();
                            findSup(y, top).flatMap(h -> h.child(y)).orElseThrow(
                                    () -> new AssertionError("no running " + y + " to crash mid-restart"))
                                    .send(Cmd.CRASH);
                        }
                    }
                    default -> throw new AssertionError(step);
                }
            }
            default -> throw new AssertionError(step);
        }
    }

    private static boolean lingering(MSup s) {
        for (MChild c : s.kids) {
            if (c.running && (c.cfg instanceof Worker w ? w.linger() > 0 : lingering(c.nested))) {
                return true;
            }
        }
        return false;
    }

    /** The handle of the running supervisor whose spec has worker {@code name}. */
    private static Optional<Supervisor> findSup(String name, Supervisor top) {
        if (!top.tasklet().isAlive()) {
            return Optional.empty();
        }
        if (top.children().stream().anyMatch(ch -> ch.name().equals(name))) {
            return Optional.of(top);
        }
        for (Supervisor.Child ch : top.children()) {
            if (ch.tasklet() != null) {
                Optional<Supervisor> nested = Supervisor.of(ch.tasklet());
                if (nested.isPresent()) {
                    return nested;
                }
            }
        }
        return Optional.empty();
    }

    private static boolean sameLog(Model model, World world) {
        if (model.unordered < 0) {
            return model.out.equals(world.log);
        }
        int mark = model.unordered;
        if (world.log.size() != model.out.size() || !model.out.subList(0, mark).equals(world.log.subList(0, mark))) {
            return false;
        }
        List<String> expected = new ArrayList<>(model.out.subList(mark, model.out.size()));
        List<String> actual = new ArrayList<>(world.log.subList(mark, world.log.size()));
        expected.sort(null);
        actual.sort(null);
        return expected.equals(actual);
    }

    private static String compare(Model model, World world, Supervisor top, String when) {
        if (!sameLog(model, world)) {
            return "the log differs " + when + "\n  expected " + model.out + "\n  actual   " + world.log;
        }
        if (model.topEnd == null) {
            String problem = compareSup(model.top, top, when);
            if (problem != null) {
                return problem;
            }
        }
        // Registered names: held exactly by running workers.
        Registry registry = Registry.current();
        List<Worker> workers = new ArrayList<>();
        collect(model.top.cfg, workers);
        for (Worker w : workers) {
            if (w.registered() == null) {
                continue;
            }
            Optional<Tasklet<?>> holder = registry.lookup(w.registered());
            Optional<Tasklet<?>> runningNow = model.topEnd == null ? running(w.name(), model, top) : Optional.empty();
            if (!holder.equals(runningNow)) {
                return "name " + w.registered() + " is held by " + holder + " " + when + "; running: " + runningNow;
            }
        }
        return null;
    }

    private static String compareSup(MSup m, Supervisor real, String when) {
        if (real.restartCount() != m.restartCount) {
            return "supervisor " + m.cfg.name() + " counts " + real.restartCount() + " restarts " + when
                    + ", the model " + m.restartCount;
        }
        List<Supervisor.Child> kids = real.children();
        for (int i = 0; i < kids.size(); i++) {
            Supervisor.Child k = kids.get(i);
            MChild mk = m.kids.get(i);
            if (k.isRunning() != mk.running || k.restarts() != mk.restarts) {
                return "supervisor " + m.cfg.name() + " shows " + k + " " + when + ", the model running="
                        + mk.running + " restarts=" + mk.restarts;
            }
            if (mk.nested != null) {
                Optional<Supervisor> nested = Supervisor.of(k.tasklet());
                if (nested.isEmpty()) {
                    return "no handle for nested supervisor " + k + " " + when;
                }
                String problem = compareSup(mk.nested, nested.get(), when);
                if (problem != null) {
                    return problem;
                }
            }
        }
        return null;
    }

    private static String finalChecks(Case c, Model model, World world, Supervisor top) {
        if (top != null) {
            try {
                top.tasklet().join(Duration.ofMinutes(1));
            } catch (JoinError ended) {
                // checked through its Down below
            }
        }
        for (Tasklet<?> helper : world.helpers) {
            try {
                helper.join(Duration.ofMinutes(1));
            } catch (JoinError ended) {
                // helpers may fail on purpose
            }
        }
        Tasklet.sleep(Duration.ofSeconds(1)); // killed children end; Downs arrive
        if (!sameLog(model, world)) {
            return "the log differs at the end\n  expected " + model.out + "\n  actual   " + world.log;
        }
        for (Inc inc : world.incs.values()) {
            if (inc.tasklet.isAlive()) {
                return "worker " + inc.name + " (" + inc.tasklet + ") is alive after its supervisor ended";
            }
        }
        if (!Registry.current().names().isEmpty()) {
            return "names left registered: " + Registry.current().names();
        }
        if (!Tasklet.current().children().isEmpty()) {
            return "tasklets left alive: " + Tasklet.current().children();
        }
        Map<Tasklet<?>, List<Ending>> downs = new IdentityHashMap<>();
        for (Optional<Object> m; (m = Mailbox.tryReceive()).isPresent(); ) {
            if (m.get() instanceof Down d) {
                downs.computeIfAbsent(d.tasklet(), k -> new ArrayList<>()).add(d.ending());
            } else {
                return "unexpected message " + m.get();
            }
        }
        if (top != null) {
            List<Ending> topDowns = downs.remove(top.tasklet());
            if (topDowns == null || topDowns.size() != 1) {
                return "the top supervisor's monitor got " + topDowns;
            }
            String how = switch (topDowns.getFirst()) {
                case Ending.Normal ignored -> "normal";
                case Ending.Killed ignored -> "killed";
                case Ending.Failed(SupervisorGaveUpException e) -> "gaveup " + e.child();
                case Ending.Failed(Throwable e) -> "failed " + e;
            };
            if (!how.equals(model.topEnd)) {
                return "the top supervisor ended " + how + ", the model says " + model.topEnd;
            }
        }
        for (Map.Entry<Tasklet<?>, Integer> e : world.monitors.entrySet()) {
            List<Ending> got = downs.getOrDefault(e.getKey(), List.of());
            Inc inc = world.incs.get(e.getKey());
            if (got.size() != e.getValue()) {
                return "worker " + inc.name + " (" + inc.cause + ") monitored " + e.getValue() + " times net gave "
                        + got.size() + " Downs: " + got;
            }
            for (Ending ending : got) {
                String kind = switch (ending) {
                    case Ending.Normal ignored -> "NORMAL";
                    case Ending.Killed ignored -> "KILL";
                    case Ending.Failed(Crash ignored) -> "CRASH";
                    case Ending.Failed(Throwable t) -> "failed " + t;
                };
                if (!kind.equals(inc.cause.equals("SUPKILL") ? "KILL" : inc.cause)) {
                    return "worker " + inc.name + " ended " + inc.cause + ", its Down says " + ending;
                }
            }
            downs.remove(e.getKey());
        }
        if (!downs.isEmpty()) {
            return "Downs nobody asked for: " + downs;
        }
        STATS.merge("top " + model.topEnd.replaceAll(" .*", ""), 1, Integer::sum);
        STATS.merge("log lines", world.log.size(), Integer::sum);
        STATS.merge("monitors", world.monitors.values().stream().mapToInt(Integer::intValue).sum(), Integer::sum);
        STATS.merge("exits", world.expectedExits.values().stream().mapToInt(Integer::intValue).sum(),
                Integer::sum);
        STATS.merge("aborted starts", (int) world.log.stream().filter(l -> l.startsWith("ABORT")
                || l.startsWith("FAIL")).count(), Integer::sum);
        for (Inc inc : world.incs.values()) {
            int expected = world.expectedExits.getOrDefault(inc.tasklet, 0);
            if (inc.exits != expected) {
                return "worker " + inc.name + " trapped " + inc.exits + " Exits, expected " + expected;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------------------------------------------------

    @Test
    void supervisionKeepsToItsDocumentedContract() throws Exception {
        new FuzzRunner<Case>("SupervisionFuzzTest", "supfuzz", 0x5eed_5afeL, 1000)
                .run(SupervisionFuzzTest::generate, SupervisionFuzzTest::run, Case::describe, STATS::toString);
    }
}
