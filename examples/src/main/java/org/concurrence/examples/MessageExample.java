package org.concurrence.examples;

import java.time.Duration;
import org.concurrence.core.Concurrence;
import org.concurrence.core.Mailbox;
import org.concurrence.core.Tasklet;

/**
 * The original's message example: a printer tasklet prints every message it receives. The main tasklet sends it a
 * few messages (records), asks it with a {@code call} how many it has printed, and then tells it to quit.
 *
 * <p>Sending never blocks and does not switch: the printer runs only when main blocks, here in the {@code call}. So
 * main's "sent" line comes first, then the printer works through its mailbox in arrival order and answers the call.
 */
public final class MessageExample {
    private MessageExample() {}

    /** Something to print. */
    record Greeting(String from, String text) {}

    /** Something else to print: any message will do. */
    record Temperature(String city, double celsius) {}

    /** A call: the printer replies with how many messages it has printed. */
    record HowMany() {}

    /** Tells the printer to end; it ends with the number of messages it printed. */
    record Quit() {}

    /** The printer's body: print each message until told to quit. */
    static int printer() {
        int printed = 0;
        while (true) {
            switch (Mailbox.receive()) {
                case HowMany ignored -> Mailbox.reply(printed);
                case Quit ignored -> {
                    System.out.println("printer: quit");
                    return printed;
                }
                case Object message -> {
                    System.out.println("printer: " + message);
                    printed++;
                }
            }
        }
    }

    public static void main(String[] args) {
        Concurrence.run(() -> {
            Tasklet<Integer> printer = Tasklet.builder().name("printer").spawn(MessageExample::printer);
            printer.send(new Greeting("main", "hello"));
            printer.send(new Greeting("main", "world"));
            printer.send(new Temperature("Amsterdam", 11.5));
            System.out.println("main: sent 3 messages to " + printer.name());
            int printed = printer.call(new HowMany(), Integer.class, Duration.ofSeconds(1));
            System.out.println("main: the printer says it printed " + printed);
            printer.send(new Quit());
            System.out.println("main: the printer ended with " + printer.join(Duration.ofSeconds(1)));
        });
    }
}
