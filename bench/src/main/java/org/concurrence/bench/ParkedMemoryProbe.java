package org.concurrence.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import javax.management.JMException;
import javax.management.ObjectName;

import org.concurrence.core.Concurrence;
import org.concurrence.core.DispatcherGroup;
import org.concurrence.core.Mailbox;
import org.concurrence.core.Tasklet;
import org.concurrence.core.Waiter;

/**
 * The memory of parked tasks, measured in a JVM of its own:
 * {@code ParkedMemoryProbe <mode> <count> [--breakdown] [--hold]}.
 *
 * <p>Measures the used heap after a full GC, and the process's resident set ({@code VmRSS} in
 * {@code /proc/self/status}), before and after parking tasks until {@code count} are parked, and prints them on a
 * result line (see {@link SubprocessJvm}) for {@link ParkedMemory} to read; then exits without unparking anything.
 * The heap difference divided by the number of tasks parked in between is the heap cost of one parked task: its
 * thread object, its stack chunk (the frames of a parked virtual thread live in the heap), what it waits on, and its
 * share of whatever tracks it.
 *
 * <p>The first {@value #WARM_UP} (or a tenth of the count, if less) are parked before the "before" figure, so that the
 * parking path is compiled, as in a program that has run a while: compiled frames are smaller than interpreted ones,
 * and so is the stack chunk of a parked task. The heap figure is per task parked after the warm-up; the RSS is with
 * all {@code count} parked. Tasklets are spawned as daemons by a tasklet, in chunks of {@value #CHUNK} with a yield
 * between, so the run queue never holds more than a chunk; the dispatcher's list of live tasklets keeps them
 * reachable.
 *
 * <p>{@code --breakdown} adds a result line per class with at least one instance per two tasks parked after the
 * warm-up, from the difference of two class histograms (two more full GCs); {@code --hold} keeps the JVM alive
 * afterwards, for {@code jcmd}. {@link ParkedMemory} starts the probe with {@code -Xbatch}, so that the compiled
 * shape of the parking path, and so the stack chunk, is the same in every run.
 */
public final class ParkedMemoryProbe {
    private static final int CHUNK = 10_000;
    private static final int WARM_UP = 50_000;
    private static final long SETTLE_MILLIS = 500;
    private static final long SETTLE_LIMIT_MILLIS = 10_000;
    private static final Duration A_YEAR = Duration.ofDays(365);

    /** What a parked task does, and the names of its figures. */
    enum Mode {
        /** Tasklets on one dispatcher, each in {@code receive()} on a rendezvous channel of its own. */
        TASKLET_CHANNEL("tasklet-channel", "tasklet in Channel.receive (own channel)",
                "bytes_per_parked_tasklet_channel", "rss_mb_1m_parked_channel"),
        /**
         * Tasklets on one dispatcher, all in {@code receive()} on one shared rendezvous channel (a pool of workers):
         * the channel is not part of any one tasklet's cost.
         */
        TASKLET_SHARED_CHANNEL("tasklet-shared-channel", "tasklet in Channel.receive (one shared channel)",
                "bytes_per_parked_tasklet_shared_channel", "rss_mb_1m_parked_shared_channel"),
        /**
         * As {@link #TASKLET_SHARED_CHANNEL}, with a timeout of a year: a timed wait, with its timer in the
         * dispatcher's timer heap.
         */
        TASKLET_TIMED_RECEIVE("tasklet-shared-channel-timed",
                "tasklet in Channel.receive(timeout) (one shared channel)", "bytes_per_parked_tasklet_shared_channel_timed", "rss_mb_1m_parked_shared_channel_timed"),
        /** Tasklets each in {@link Mailbox#receive()} on its own (empty) mailbox, created by that receive. */
        TASKLET_MAILBOX("tasklet-mailbox", "tasklet in Mailbox.receive", "bytes_per_parked_tasklet_mailbox",
                "rss_mb_1m_parked_mailbox"),
        /** Tasklets each in {@link Tasklet#sleep} for a year: a timer each, in the dispatcher's timer heap. */
        TASKLET_SLEEP("tasklet-sleep", "tasklet in Tasklet.sleep", "bytes_per_parked_tasklet_sleep",
                "rss_mb_1m_parked_sleep"),
        /** Tasklets each blocked on a bare {@link Waiter}: the floor under every blocking primitive. */
        TASKLET_WAITER("tasklet-waiter", "tasklet on a bare Waiter", "bytes_per_parked_tasklet_waiter",
                "rss_mb_1m_parked_waiter"),
        /**
         * Plain virtual threads on the JDK's default scheduler in {@link LockSupport#park()}, held in an array (4 bytes
         * each, included) so that they cannot be collected.
         */
        VTHREAD_PARK("vthread-park", "virtual thread in LockSupport.park", "baseline_vthread_bytes_per_parked",
                "baseline_vthread_rss_mb_1m_parked");

        final String id;
        final String label;
        final String bytesKey;
        final String rssKey;

        Mode(String id, String label, String bytesKey, String rssKey) {
            this.id = id;
            this.label = label;
            this.bytesKey = bytesKey;
            this.rssKey = rssKey;
        }

        static Mode of(String id) {
            return Arrays.stream(values()).filter(m -> m.id.equals(id)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown mode " + id));
        }
    }

    private ParkedMemoryProbe() {}

    public static void main(String[] args) throws Exception {
        List<String> options = List.of(args).subList(Math.min(2, args.length), args.length);
        if (args.length < 2 || !List.of("--breakdown", "--hold").containsAll(options)) {
            System.err.println("usage: ParkedMemoryProbe " + String.join("|", Arrays.stream(Mode.values())
                    .map(m -> m.id).toList()) + " <count> [--breakdown] [--hold]");
            System.exit(2);
        }
        Mode mode = Mode.of(args[0]);
        int count = Integer.parseInt(args[1]);
        int warmUp = Math.min(WARM_UP, count / 10);
        DispatcherGroup group = mode == Mode.VTHREAD_PARK ? null
                : DispatcherGroup.start(Concurrence.Options.defaults().withDispatchers(1).withName("probe"));
        Thread[] held = mode == Mode.VTHREAD_PARK ? new Thread[count] : null;

        park(mode, group, held, 0, warmUp);
        settleCompilation();
        long heapBefore = usedHeapAfterGc();
        long rssBefore = rssKilobytes();
        Map<String, long[]> classesBefore = options.contains("--breakdown") ? histogram() : null;
        long start = System.nanoTime();
        park(mode, group, held, warmUp, count);
        long parkNanos = System.nanoTime() - start;
        long heapAfter = usedHeapAfterGc();
        long rssAfter = rssKilobytes();

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("mode", mode.id);
        result.put("count", count - warmUp);
        result.put("total_parked", count);
        result.put("heap_before", heapBefore);
        result.put("heap_after", heapAfter);
        result.put("rss_kb_before", rssBefore);
        result.put("rss_kb_after", rssAfter);
        result.put("park_ms", parkNanos / 1_000_000);
        SubprocessJvm.printResult(result);
        if (options.contains("--breakdown")) {
            printBreakdown(classesBefore, count - warmUp);
        }
        if (options.contains("--hold")) {
            System.out.println("holding; pid " + ProcessHandle.current().pid());
            Thread.sleep(Long.MAX_VALUE);
        }
        Runtime.getRuntime().halt(0); // nothing to unpark or kill: a million tasklets need no orderly end
    }

    /** Parks tasks {@code from} (inclusive) to {@code to} (exclusive); returns once all of them are parked. */
    private static void park(Mode mode, DispatcherGroup group, Thread[] held, int from, int to)
            throws InterruptedException {
        switch (mode) {
            case TASKLET_CHANNEL -> parkTasklets(group, to - from, ChannelWorkloads::receiveOnOwnChannel);
            case TASKLET_SHARED_CHANNEL ->
                    parkTasklets(group, to - from, () -> ChannelWorkloads.RECEIVE_ON_SHARED_CHANNEL);
            case TASKLET_TIMED_RECEIVE ->
                    parkTasklets(group, to - from, () -> ChannelWorkloads.RECEIVE_ON_SHARED_CHANNEL_TIMED);
            case TASKLET_MAILBOX -> parkTasklets(group, to - from, () -> Mailbox::receive);
            case TASKLET_SLEEP -> parkTasklets(group, to - from, () -> () -> Tasklet.sleep(A_YEAR));
            case TASKLET_WAITER -> parkTasklets(group, to - from,
                    () -> () -> Waiter.create().await(Long.MAX_VALUE, "park", null));
            case VTHREAD_PARK -> parkVirtualThreads(held, from, to);
        }
    }

    /** Spawns {@code count} tasklets, each running a body from {@code bodies}, and returns once all are parked. */
    private static void parkTasklets(DispatcherGroup group, int count, Supplier<Runnable> bodies)
            throws InterruptedException {
        CountDownLatch parked = new CountDownLatch(1);
        group.dispatcher(0).spawn(() -> {
            Tasklet.Builder daemons = Tasklet.builder().daemon(true);
            for (int i = 0; i < count; i++) {
                daemons.spawn(bodies.get());
                if (i % CHUNK == CHUNK - 1) {
                    Tasklet.yield(); // the chunk runs up to its blocking call
                }
            }
            Tasklet.yield();
            parked.countDown();
        });
        parked.await();
    }

    private static void parkVirtualThreads(Thread[] held, int from, int to) throws InterruptedException {
        Runnable parkForever = () -> {
            while (true) {
                LockSupport.park();
            }
        };
        for (int i = from; i < to; i++) {
            held[i] = Thread.ofVirtual().start(parkForever);
        }
        for (int i = from; i < to; i++) {
            while (held[i].getState() != Thread.State.WAITING) {
                Thread.sleep(1);
            }
        }
    }

    /**
     * Lets the JIT finish what the warm-up queued: waits at least {@value #SETTLE_MILLIS} ms and until the total
     * compilation time has not moved for that long (at most {@value #SETTLE_LIMIT_MILLIS} ms). A tasklet parked
     * while its path is still interpreted or compiled by C1 has a bigger stack chunk; on a loaded machine a fixed
     * pause was not enough and the figure moved by 50 B between runs.
     */
    private static void settleCompilation() throws InterruptedException {
        var jit = ManagementFactory.getCompilationMXBean();
        long limit = System.nanoTime() + SETTLE_LIMIT_MILLIS * 1_000_000;
        long seen = -1;
        while (System.nanoTime() < limit) {
            Thread.sleep(SETTLE_MILLIS);
            long now = jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
            if (now == seen) {
                return;
            }
            seen = now;
        }
    }

    /** The used heap after a full GC (one: with a million parked tasks a full GC takes seconds on two cores). */
    private static long usedHeapAfterGc() throws InterruptedException {
        System.gc();
        Thread.sleep(50);
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    /** Bytes of each class in a class histogram (which runs a full GC first). */
    private static Map<String, long[]> histogram() throws JMException {
        String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        Map<String, long[]> byClass = new LinkedHashMap<>();
        for (String line : text.lines().toList()) {
            // "   1:       1000000      458578720  jdk.internal.vm.StackChunk (java.base@25.0.3)"
            String[] f = line.strip().split("\\s+");
            if (f.length >= 4 && f[0].endsWith(":")) {
                byClass.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
            }
        }
        return byClass;
    }

    /**
     * Prints a result line per class that gained at least one instance per two tasks parked after the warm-up, with
     * its bytes per such task: the difference between two class histograms.
     */
    private static void printBreakdown(Map<String, long[]> before, int parked) throws JMException {
        for (Map.Entry<String, long[]> e : histogram().entrySet()) {
            long[] was = before.getOrDefault(e.getKey(), new long[2]);
            long instances = e.getValue()[0] - was[0];
            long bytes = e.getValue()[1] - was[1];
            if (instances * 2 >= parked) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("class", e.getKey());
                row.put("instances", instances);
                row.put("bytes_per_task", String.format(Locale.ROOT, "%.1f", bytes / (double) parked));
                SubprocessJvm.printResult(row);
            }
        }
    }

    /** This process's resident set in kilobytes, or -1 where {@code /proc} is not available. */
    static long rssKilobytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // Not Linux: no RSS figure.
        }
        return -1;
    }
}
