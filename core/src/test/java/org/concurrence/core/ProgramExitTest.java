package org.concurrence.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Whole programs in a child JVM: exit codes of dispatch/quit, Ctrl-C, and the missing-flag message. */
@Timeout(120)
class ProgramExitTest {

    /** A program that prints "ready" and then waits to be told how to end. */
    public static final class WaitingProgram {
        public static void main(String[] args) {
            Concurrence.dispatch(() -> {
                System.out.println("ready");
                System.out.flush();
                if (args.length > 0 && args[0].equals("fail")) {
                    throw new IllegalStateException("cannot start (expected)");
                }
                if (args.length > 0) {
                    Tasklet.sleep(Duration.ofMillis(1));
                    Concurrence.quit(Integer.parseInt(args[0]));
                } else {
                    Tasklet.sleep(Duration.ofDays(1));
                }
            });
        }
    }

    private static Process start(boolean withFlag, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        if (withFlag) {
            command.add("--add-opens");
            command.add("java.base/java.lang=ALL-UNNAMED");
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(WaitingProgram.class.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static String firstLine(Process process) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        return reader.readLine();
    }

    private static int exitCode(Process process) throws InterruptedException {
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the program did not end");
        return process.exitValue();
    }

    @Test
    void quitEndsDispatchWithItsCode() throws Exception {
        Process program = start(true, "3");
        assertEquals("ready", firstLine(program));
        assertEquals(3, exitCode(program));
    }

    @Test
    void aMainThatFailsBeforeQuittingEndsDispatchWithCode1() throws Exception {
        Process program = start(true, "fail");
        assertEquals("ready", firstLine(program));
        assertEquals(Concurrence.EXIT_FAILURE, exitCode(program));
    }

    @Test
    void ctrlCEndsDispatchWithCode127() throws Exception {
        Process program = start(true);
        assertEquals("ready", firstLine(program));
        Process signal = new ProcessBuilder("kill", "-INT", Long.toString(program.pid())).start();
        assertEquals(0, signal.waitFor());
        assertEquals(Concurrence.EXIT_INTERRUPTED, exitCode(program));
    }

    @Test
    void withoutTheFlagTheRuntimeFailsAtOnceNamingIt() throws Exception {
        Process program = start(false);
        String output = new String(program.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = exitCode(program);
        assertTrue(code != 0, "exit code " + code);
        assertTrue(output.contains("--add-opens java.base/java.lang=ALL-UNNAMED"), output);
    }
}
