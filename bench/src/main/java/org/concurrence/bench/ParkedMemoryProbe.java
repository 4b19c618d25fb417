package org.concurrence.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;

import javax.management.JMException;
import javax.management.ObjectName;

import org.concurrence.core.Concurrence;
import org.concurrence.core.DispatcherGroup;
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
 * <p>{@code --breakdown} adds a result line per class with at least one instance per two parked tasks, from a class
 * histogram (one more full GC); {@code --hold} keeps the JVM alive afterwards, for {@code jcmd}.
 */
public final class ParkedMemoryProbe {
    private static final int CHUNK = 10_000;
    private static final int WARM_UP = 50_000;
    private static final long SETTLE_MILLIS = 500;

    /** What a parked task does, and the names of its figures. */
    enum Mode {
        /** Tasklets on one dispatcher, each in {@code receive()} on a rendezvous channel of its own. */
        TASKLET_CHANNEL("tasklet-channel", "tasklet in Channel.receive (own channel)",
                "bytes_per_parked_tasklet_channel", "rss_mb_1m_parked_channel"),
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
            System.err.println("usage: ParkedMemoryProbe tasklet-channel|tasklet-waiter|vthread-park <count> "
                    + "[--breakdown] [--hold]");
            System.exit(2);
        }
        Mode mode = Mode.of(args[0]);
        int count = Integer.parseInt(args[1]);
        int warmUp = Math.min(WARM_UP, count / 10);
        DispatcherGroup group = mode == Mode.VTHREAD_PARK ? null
                : DispatcherGroup.start(Concurrence.Options.defaults().withDispatchers(1).withName("probe"));
        Thread[] held = mode == Mode.VTHREAD_PARK ? new Thread[count] : null;

        park(mode, group, held, 0, warmUp);
        Thread.sleep(SETTLE_MILLIS); // let the JIT finish what the warm-up queued
        long heapBefore = usedHeapAfterGc();
        long rssBefore = rssKilobytes();
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
            printBreakdown(count);
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
            case TASKLET_CHANNEL -> parkTasklets(group, to - from, ChannelWorkloads.RECEIVE_ON_OWN_CHANNEL);
            case TASKLET_WAITER -> parkTasklets(group, to - from,
                    () -> Waiter.create().await(Long.MAX_VALUE, "park", null));
            case VTHREAD_PARK -> parkVirtualThreads(held, from, to);
        }
    }

    private static void parkTasklets(DispatcherGroup group, int count, Runnable body) throws InterruptedException {
        CountDownLatch parked = new CountDownLatch(1);
        group.dispatcher(0).spawn(() -> {
            Tasklet.Builder daemons = Tasklet.builder().daemon(true);
            for (int i = 0; i < count; i++) {
                daemons.spawn(body);
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

    /** The used heap after a full GC (one: with a million parked tasks a full GC takes seconds on two cores). */
    private static long usedHeapAfterGc() throws InterruptedException {
        System.gc();
        Thread.sleep(50);
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    /** Prints a result line per class with at least one instance per two parked tasks, from a class histogram. */
    private static void printBreakdown(int parked) throws JMException {
        String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        for (String line : histogram.lines().toList()) {
            // "   1:       1000000      458578720  jdk.internal.vm.StackChunk (java.base@25.0.3)"
            String[] f = line.strip().split("\\s+");
            if (f.length < 4 || !f[0].endsWith(":")) {
                continue;
            }
            long instances = Long.parseLong(f[1]);
            long bytes = Long.parseLong(f[2]);
            if (instances * 2 >= parked) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("class", f[3]);
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
