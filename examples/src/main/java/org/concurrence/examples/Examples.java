package org.concurrence.examples;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs an example by name: {@code ./concurrence run <name> [args]}. Each example is a small program of its own with a
 * {@code main}; this table is how the launcher finds them.
 */
public final class Examples {
    private static final Map<String, Example> EXAMPLES = new LinkedHashMap<>();

    static {
        add("hello", "tasklets say hello in turn, then the tree of who spawned whom", Hello::main);
        add("greeter", "the original's greeter: a fixed HTTP reply per request [--port 8080]", Greeter::main);
        add("http", "the hello handler on the HTTP/1.1 server: 200 Hello World! on any path [--port 8080]",
                HttpHello::main);
        add("echo", "the echo server of the course notes [--port 10000]", Echo::main);
        add("chat", "the telnet chat: reader, writer and controller tasklets per client [--port 9010]", Chat::main);
        add("message", "a printer tasklet prints the messages it receives; a call, then quit", MessageExample::main);
        add("supervisor", "a crashing worker restarted by a one-for-one supervisor", SupervisorExample::main);
        add("web", "routes, filters and JSON: a small task list API [--port 8080]", WebExample::main);
        add("fetch", "fetches URLs at once, a tasklet each, through one HTTP client [--timeout S] [--proxy H:P] URL...",
                Fetch::main);
        add("proxy", "a reverse proxy to upstream servers [--port 8081] [--upstream http://127.0.0.1:8080[,URL...]]",
                Proxy::main);
        add("chatbots", "bots in the demo's chat room over WebSocket [--url ws://127.0.0.1:8080/chat/ws] [--bots 20]"
                + " [--lines 3]", ChatBots::main);
        add("tour", "a console tour of tasklets, channels, deadlines, messages and supervision", Tour::main);
        add("demo", "the demo web app (same as ./concurrence demo) [--port 8080]", Demo::main);
    }

    private record Example(String description, Consumer<String[]> main) {}

    private Examples() {}

    private static void add(String name, String description, Consumer<String[]> main) {
        EXAMPLES.put(name, new Example(description, main));
    }

    public static void main(String[] args) {
        if (args.length == 0 || args[0].equals("help") || !EXAMPLES.containsKey(args[0])) {
            if (args.length > 0 && !args[0].equals("help")) {
                System.err.println("no example named '" + args[0] + "'");
            }
            System.out.println("usage: ./concurrence run <example> [args]\n\nexamples:");
            EXAMPLES.forEach((name, e) -> System.out.printf("  %-12s %s%n", name, e.description()));
            if (args.length > 0 && !args[0].equals("help")) {
                System.exit(2);
            }
            return;
        }
        try {
            EXAMPLES.get(args[0]).main().accept(Arrays.copyOfRange(args, 1, args.length));
        } catch (Args.BadArgument e) {
            System.err.println(args[0] + ": " + e.getMessage());
            System.exit(2);
        }
    }
}
