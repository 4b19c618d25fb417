package org.concurrence.examples;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.concurrence.core.Concurrence;
import org.concurrence.core.Outcome;
import org.concurrence.core.Tasklet;
import org.concurrence.core.Timeout;
import org.concurrence.http.client.HttpClient;
import org.concurrence.http.websocket.ClientSession;
import org.concurrence.http.websocket.Message;
import org.concurrence.http.websocket.WebSocketClient;
import org.concurrence.sync.Event;

/**
 * Bots in the demo's chat room: each is a tasklet with a WebSocket client session. They all join, each says its
 * lines, and each listens until it has heard every bot's lines (its own included: the room sends to every member),
 * then leaves. The WebSocket client at work, and a load test of the room, in plain blocking code: a bot reads as a
 * script, and a hundred of them are a hundred tasklets.
 *
 * <p>{@code ./concurrence run chatbots [--url ws://127.0.0.1:8080/chat/ws] [--bots 20] [--lines 3]}, against
 * {@code ./concurrence demo}; everything within 30 s.
 */
public final class ChatBots {
    static final String DEFAULT_URL = "ws://127.0.0.1:8080/chat/ws";
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private ChatBots() {}

    public static void main(String[] args) {
        URI url = webSocketUrl(Args.value(args, "url", DEFAULT_URL));
        int bots = Args.count(args, "bots", 20, 1000);
        int lines = Args.count(args, "lines", 3, 100);
        long start = System.nanoTime();
        List<Integer> heard = Concurrence.run(() -> talk(url, bots, lines, PATIENCE));
        long ms = (System.nanoTime() - start) / 1_000_000;
        int expected = bots * lines;
        long whole = heard.stream().filter(n -> n == expected).count();
        System.out.printf("%d bots said %d lines each; %d of them heard all %d lines in %d ms%n", bots, lines, whole,
                expected, ms);
        if (whole < bots) {
            System.exit(1);
        }
    }

    /**
     * Runs {@code bots} bots against the room at {@code url}, all within {@code patience}: how many bots' lines each
     * heard (a bot that failed or ran out of time counts -1). Must run in a tasklet.
     */
    static List<Integer> talk(URI url, int bots, int lines, Duration patience) {
        // Deadlines are not inherited: each bot opens its own, ending at the same moment as the others'.
        long deadline = Tasklet.current().dispatcher().nanoTime() + patience.toNanos();
        try (HttpClient client = HttpClient.create()) {
            AtomicInteger joined = new AtomicInteger();
            Event allJoined = new Event("all bots joined");
            List<Tasklet<Integer>> tasklets = new ArrayList<>();
            for (int b = 0; b < bots; b++) {
                int bot = b;
                tasklets.add(Tasklet.builder().name("bot " + bot).spawn(() -> {
                    Duration left = Duration.ofNanos(deadline - Tasklet.current().dispatcher().nanoTime());
                    try (Timeout _ = Timeout.after(left);
                            ClientSession ws = WebSocketClient.connect(client, url, patience)) {
                        ws.receive(); // "you are guest-N": this bot is in the room now
                        if (joined.incrementAndGet() == bots) {
                            allJoined.set();
                        }
                        allJoined.await();
                        for (int line = 0; line < lines; line++) {
                            ws.send("bot " + bot + " line " + line);
                        }
                        return listen(ws, bots * lines);
                    }
                }));
            }
            List<Integer> heard = new ArrayList<>();
            // Every bot ends by the deadline (its own): the join's grace only covers closing its session.
            for (Outcome<Integer> outcome : Tasklet.joinAll(tasklets, patience.plusSeconds(5))) {
                heard.add(outcome instanceof Outcome.Succeeded<Integer>(Integer n) ? n : -1);
            }
            return heard;
        }
    }

    /** {@code --url}'s value as a ws:// or wss:// URI with a host. */
    static URI webSocketUrl(String value) {
        try {
            URI uri = new URI(value);
            if (("ws".equals(uri.getScheme()) || "wss".equals(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (java.net.URISyntaxException e) {
            // Reported below.
        }
        throw new Args.BadArgument("--url needs a ws:// or wss:// URL with a host, not '" + value + "'");
    }

    /** Reads the room until {@code expected} bot lines came by; the count (other members' chatter is skipped). */
    private static int listen(ClientSession ws, int expected) throws IOException {
        int heard = 0;
        while (heard < expected) {
            if (ws.receive() instanceof Message.Text t && t.text().contains(": bot ")) {
                heard++;
            }
        }
        return heard;
    }
}
