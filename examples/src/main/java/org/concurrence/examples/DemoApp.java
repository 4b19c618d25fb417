package org.concurrence.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.DispatcherGroup;
import org.concurrence.core.Mailbox;
import org.concurrence.core.Tasklet;
import org.concurrence.core.Timeout;
import org.concurrence.http.HttpException;
import org.concurrence.http.Parameters;
import org.concurrence.http.Request;
import org.concurrence.http.Response;
import org.concurrence.http.Status;
import org.concurrence.http.sse.EventStream;
import org.concurrence.web.Router;
import org.concurrence.web.compress.CompressionFilter;
import org.concurrence.web.form.Form;
import org.concurrence.web.json.Json;
import org.concurrence.web.json.JsonFilter;
import org.concurrence.web.metrics.RequestMetrics;

/**
 * The demo web application: the greeting, a JSON endpoint, a form post to a guestbook held by a tasklet, a page of the
 * live tasklets, and the message-passing demo behind a page. {@link Demo} serves it; tests call {@link #router}.
 *
 * <p>Every handler runs in the tasklet of its connection and blocks freely: the guestbook pages wait for the guestbook
 * tasklet's reply, the message page waits for a token to travel around a ring of tasklets.
 */
public final class DemoApp {
    /** The most tasklets and laps the message page will run (a million hops at most). */
    static final int MAX_RING = 10_000;
    static final int MAX_LAPS = 100;
    private static final Response HELLO = Response.ok("Hello World!");

    private final Guestbook guestbook;
    private final SupervisedCounter counter;
    private final ChatRoom chat = new ChatRoom();

    private DemoApp(Guestbook guestbook, SupervisedCounter counter) {
        this.guestbook = guestbook;
        this.counter = counter;
    }

    /**
     * The application's router; starts the guestbook tasklet on {@code dispatcher} (and the counter's supervisor there,
     * on the first visit of its page). Callable from any thread.
     */
    public static Router router(Dispatcher dispatcher) {
        DemoApp app = new DemoApp(Guestbook.start(dispatcher), SupervisedCounter.on(dispatcher));
        RequestMetrics metrics = RequestMetrics.create()
                .addGauge("demo_tasklets_alive", "Tasklets alive on all dispatchers", () -> group().statistics()
                        .stream().mapToLong(Dispatcher.Statistics::alive).sum());
        return Router.builder()
                .filter(metrics) // outermost: counts every request, 404s included; served at /metrics
                .filter(CompressionFilter.gzip()) // pages and JSON over 1 KiB go gzipped to browsers
                .get("/metrics", metrics.handler())
                .get("/", app::home)
                .get("/hello", request -> HELLO)
                .get("/guestbook", app::guestbookPage)
                .post("/guestbook", app::sign)
                .get("/tasklets", app::tasklets)
                .get("/tasklets/events", request -> taskletEvents())
                .get("/messages", app::messages)
                .get("/supervisor", app::supervisorPage)
                .get("/chat", app.chat::page)
                .get("/chat/ws", app.chat::join)
                .post("/supervisor/crash", app::crash)
                .group("/api", api -> api
                        .filter(new JsonFilter())
                        .get("/greeting", app::greeting)
                        .get("/tasklets", app::taskletsJson)
                        .get("/guestbook", request -> Json.response(app.guestbook.entries())))
                .build();
    }

    private Response home(Request request) {
        return Html.page("Concurrence for Java", """
                <p>This page was served by tasklet <code>%s</code>. Every connection has a tasklet of its own, written
                as plain blocking Java; the dispatchers run them on %d carrier thread(s).</p>
                <ul>
                <li><a href="/hello">/hello</a> — the original's greeting, as plain text</li>
                <li><a href="/api/greeting?name=you">/api/greeting?name=you</a> — JSON through the router</li>
                <li><a href="/guestbook">/guestbook</a> — a form post; the entries live in a tasklet, reached by
                    messages</li>
                <li><a href="/tasklets">/tasklets</a> — every live tasklet, as a tree
                    (<a href="/api/tasklets">as JSON</a>), with counts pushed live by server-sent events</li>
                <li><a href="/messages">/messages</a> — a token passed around a ring of tasklets</li>
                <li><a href="/supervisor">/supervisor</a> — a worker that crashes on request and is restarted by its
                    supervisor</li>
                <li><a href="/chat">/chat</a> — a chat room over WebSocket: two tasklets per member and a broadcast
                    channel</li>
                <li><a href="/metrics">/metrics</a> — requests, statuses and durations in Prometheus's format</li>
                </ul>""".formatted(Html.escape(Tasklet.current()), group().size()));
    }

    /** The JSON greeting. */
    public record Greeting(String message, String tasklet, String dispatcher) {}

    private Response greeting(Request request) {
        String name = request.queryParams().getOrDefault("name", "World");
        if (name.length() > 100) {
            throw new HttpException(Status.BAD_REQUEST, "name is longer than 100 characters");
        }
        return Json.response(new Greeting("Hello, " + name + "!", Tasklet.current().toString(),
                Dispatcher.current().name()));
    }

    private Response guestbookPage(Request request) {
        StringBuilder rows = new StringBuilder();
        for (Guestbook.Entry e : guestbook.entries()) {
            rows.append("<tr><td>").append(Html.escape(e.name())).append("</td><td>").append(Html.escape(e.text()))
                    .append("</td><td>").append(Html.escape(e.at())).append("</td></tr>\n");
        }
        return Html.page("Guestbook", """
                <form method="post" action="/guestbook">
                <p><label>Name <input name="name" maxlength="60" required></label></p>
                <p><label>Message <textarea name="text" maxlength="500" required></textarea></label></p>
                <p><button type="submit">Sign</button></p></form>
                <p>The newest %d entries, kept by the <code>guestbook</code> tasklet:</p>
                <table><tr><th>Name</th><th>Message</th><th>When</th></tr>
                %s</table>""".formatted(Guestbook.KEEP, rows));
    }

    private Response sign(Request request) throws IOException {
        Parameters form = Form.read(request, 16 * 1024);
        String name = required(form, "name", 60);
        String text = required(form, "text", 500);
        guestbook.sign(name, text);
        return Response.redirect(Status.SEE_OTHER, "/guestbook");
    }

    private static String required(Parameters form, String field, int maxLength) {
        String value = form.getOrDefault(field, "").strip();
        if (value.isEmpty() || value.length() > maxLength) {
            throw new HttpException(Status.BAD_REQUEST, "field '" + field + "' must have 1 to " + maxLength
                    + " characters");
        }
        return value;
    }

    private Response tasklets(Request request) {
        StringBuilder stats = new StringBuilder();
        for (Dispatcher.Statistics s : group().statistics()) {
            stats.append("<tr><td>").append(Html.escape(s.dispatcher())).append("</td><td>").append(s.alive())
                    .append("</td><td>").append(s.spawned()).append("</td><td>").append(s.switches())
                    .append("</td><td>").append(s.timersPending()).append("</td></tr>\n");
        }
        return Html.page("Live tasklets", """
                <table><tr><th>Dispatcher</th><th>Alive</th><th>Spawned</th><th>Switches</th><th>Timers</th></tr>
                <tbody id="stats">%s</tbody></table>
                <p id="live">The table is live: the server pushes the counts every second as server-sent events, from
                a tasklet that writes them as they come.</p>
                <script>
                const stats = document.getElementById('stats');
                new EventSource('/tasklets/events').addEventListener('stats', e => {
                    stats.replaceChildren(...JSON.parse(e.data).map(s => {
                        const tr = document.createElement('tr');
                        for (const v of [s.dispatcher, s.alive, s.spawned, s.switches, s.timersPending]) {
                            const td = document.createElement('td');
                            td.textContent = v;
                            tr.append(td);
                        }
                        return tr;
                    }));
                });
                </script>
                <p>The tree of who spawned whom (this request's tasklet is among them):</p>
                <pre>%s</pre>""".formatted(stats, Html.escape(group().dumpTree())));
    }

    /**
     * Each dispatcher's counts as a server-sent event every second, until the browser leaves (the send that finds it
     * gone ends the stream): a tasklet that writes a stream, in plain blocking code.
     */
    private static Response taskletEvents() {
        return EventStream.response(events -> {
            while (true) {
                events.send("stats", new String(Json.bytes(group().statistics()), StandardCharsets.UTF_8));
                Tasklet.sleep(Duration.ofSeconds(1));
            }
        });
    }

    /** The tasklets as JSON. */
    public record TaskletsView(List<Dispatcher.Statistics> dispatchers, List<String> tree) {}

    private Response taskletsJson(Request request) {
        return Json.response(new TaskletsView(group().statistics(), group().dumpTree().lines().toList()));
    }

    private Response messages(Request request) {
        int size = bounded(request, "tasklets", 1_000, MAX_RING);
        int laps = bounded(request, "laps", 10, MAX_LAPS);
        Ring.Result ring = Timeout.call(Duration.ofSeconds(10), () -> Ring.run(size, laps));
        List<String> transcript = printerTranscript();
        return Html.page("Message passing", """
                <p>A ring of %,d tasklets passed a token %,d times around: %,d messages in %.1f ms
                (%,.0f messages/s), on dispatcher <code>%s</code>.
                Try <a href="/messages?tasklets=10000&amp;laps=100">10,000 tasklets, 100 laps</a>.</p>
                <p>The original's printer: a tasklet prints what it receives; a call waits for its reply.</p>
                <pre>%s</pre>""".formatted(size, laps, ring.messages(), ring.nanos() / 1e6,
                ring.messages() / (ring.nanos() / 1e9), Html.escape(Dispatcher.current().name()),
                Html.escape(String.join("\n", transcript))));
    }

    private Response supervisorPage(Request request) {
        SupervisedCounter.View view = counter.next();
        return Html.page("Supervision", """
                <p>The worker <code>%s</code> (tasklet id %d) has answered %d call(s) in this incarnation — this page
                is one of them. Its supervisor has restarted it %d time(s)%s.</p>
                <form method="post" action="/supervisor/crash"><button type="submit">Crash the worker</button></form>
                <p>A crash ends the worker's tasklet with an exception (logged with its name). The one-for-one
                supervisor starts a new tasklet under the same name and registered name; its count starts again at
                zero. More than %d restarts within %s and the supervisor gives up, as Erlang's would.</p>""".formatted(
                Html.escape(view.worker().worker()), view.worker().taskletId(), view.worker().count(),
                view.restarts(), view.supervisorsStarted() > 1
                        ? "; it gave up " + (view.supervisorsStarted() - 1) + " time(s) and was started anew" : "",
                SupervisedCounter.MAX_RESTARTS, SupervisedCounter.PERIOD));
    }

    private Response crash(Request request) {
        counter.crash();
        return Response.redirect(Status.SEE_OTHER, "/supervisor");
    }

    private static int bounded(Request request, String name, int fallback, int max) {
        String value = request.queryParam(name);
        if (value == null) {
            return fallback;
        }
        int n = Args.count(value, max);
        if (n == 0) {
            throw new HttpException(Status.BAD_REQUEST, name + " must be a number from 1 to " + max + ": " + value);
        }
        return n;
    }

    /** The message example, with its lines collected instead of printed. */
    private static List<String> printerTranscript() {
        List<String> lines = new ArrayList<>();
        Tasklet<Integer> printer = Tasklet.builder().name("printer").spawn(() -> {
            int printed = 0;
            while (true) {
                Object m = Mailbox.receive(Duration.ofSeconds(5));
                if (m.equals("how many?")) {
                    Mailbox.reply(printed);
                } else if (m.equals("quit")) {
                    lines.add("printer: quit");
                    return printed;
                } else {
                    lines.add("printer: " + m);
                    printed++;
                }
            }
        });
        printer.send(new MessageExample.Greeting("main", "hello"));
        printer.send(new MessageExample.Temperature("Amsterdam", 11.5));
        lines.add("main: sent 2 messages to " + printer.name() + " (it runs when main blocks)");
        lines.add("main: the printer says it printed " + printer.call("how many?", Integer.class,
                Duration.ofSeconds(5)));
        printer.send("quit");
        lines.add("main: the printer ended with " + printer.join(Duration.ofSeconds(5)));
        return lines;
    }

    private static DispatcherGroup group() {
        return Dispatcher.current().group();
    }
}
