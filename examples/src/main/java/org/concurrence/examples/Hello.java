package org.concurrence.examples;

import java.time.Duration;
import org.concurrence.core.Concurrence;
import org.concurrence.core.Tasklet;

/**
 * The original's hello example: a few tasklets greet in turn, each sleeping a little, while the main tasklet prints
 * the tree of tasklets; the program ends with {@link Concurrence#quit}.
 */
public final class Hello {
    private Hello() {}

    public static void main(String[] args) {
        Concurrence.dispatch(() -> {
            for (String name : new String[] {"Ann", "Bob", "Cy"}) {
                Tasklet.builder().name("greeter-" + name).spawn(() -> {
                    for (int i = 1; i <= 3; i++) {
                        System.out.println("hello " + i + " from " + name);
                        Tasklet.sleep(Duration.ofMillis(100));
                    }
                });
            }
            System.out.println("start done.");
            Tasklet.sleep(Duration.ofMillis(50));
            System.out.print(Tasklet.current().tree());
            Tasklet.joinChildren(Duration.ofSeconds(5));
            Concurrence.quit(Concurrence.EXIT_OK);
        });
    }
}
