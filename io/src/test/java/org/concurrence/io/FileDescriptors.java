package org.concurrence.io;

import com.sun.management.UnixOperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

/**
 * This JVM's file-descriptor budget, and a way to raise it: a test with thousands of connections needs two
 * descriptors per connection (both ends live in this process).
 */
final class FileDescriptors {
    private FileDescriptors() {}

    static long limit() {
        return bean().getMaxFileDescriptorCount();
    }

    static long open() {
        return bean().getOpenFileDescriptorCount();
    }

    /**
     * Tries to raise this process's RLIMIT_NOFILE (soft and hard) to at least {@code wanted} with util-linux's
     * {@code prlimit}, which can raise the hard limit only with CAP_SYS_RESOURCE (root). Returns the limit in force
     * afterwards, whether or not the raise worked.
     */
    static long raiseTo(long wanted) {
        if (limit() >= wanted) {
            return limit();
        }
        long pid = ProcessHandle.current().pid();
        try {
            Process prlimit = new ProcessBuilder("prlimit", "--pid", Long.toString(pid), "--nofile=" + wanted + ":" + wanted)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!prlimit.waitFor(30, TimeUnit.SECONDS)) {
                prlimit.destroyForcibly();
            }
        } catch (IOException notInstalled) {
            // No prlimit: the limit stays as it is.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return limit();
    }

    private static UnixOperatingSystemMXBean bean() {
        return (UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    }
}
