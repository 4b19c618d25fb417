package org.concurrence.examples;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.concurrence.core.Concurrence;
import org.concurrence.http.Filter;
import org.concurrence.http.HttpException;
import org.concurrence.http.Method;
import org.concurrence.http.Request;
import org.concurrence.http.Response;
import org.concurrence.http.Status;
import org.concurrence.http.server.HttpServer;
import org.concurrence.web.AccessLogFilter;
import org.concurrence.web.CorsFilter;
import org.concurrence.web.Router;
import org.concurrence.web.TimeoutFilter;
import org.concurrence.web.json.Json;
import org.concurrence.web.json.JsonFilter;

/**
 * The web framework in one screen: a task list API with routes and path parameters, filters at the router and the
 * group level (an access log, CORS for pages of any origin, a timing header), JSON in and out, and the original's
 * {@code Timeout} request header.
 *
 * <pre>
 * curl localhost:8080/tasks -d '{"title":"write docs"}' -H 'Content-Type: application/json'
 * curl localhost:8080/tasks/1
 * curl -X PUT localhost:8080/tasks/1 -d '{"title":"write docs","done":true}' -H 'Content-Type: application/json'
 * curl -X DELETE localhost:8080/tasks/1
 * </pre>
 *
 * <p>{@code ./concurrence run web [--port 8080]}; Ctrl-C stops it.
 */
public final class WebExample {
    private WebExample() {}

    /** A task as stored and as sent. */
    public record Task(long id, String title, boolean done) {}

    /** What a client sends to create or change a task. */
    public record TaskInput(String title, Boolean done) {}

    /** The tasks; handlers on every dispatcher share it, so it is a concurrent map. */
    static final class Tasks {
        private final Map<Long, Task> byId = new ConcurrentHashMap<>();
        private final AtomicLong ids = new AtomicLong();

        List<Task> list() {
            return byId.values().stream().sorted(Comparator.comparingLong(Task::id)).toList();
        }

        Response create(Request request) throws IOException {
            TaskInput in = Json.read(request, TaskInput.class);
            Task task = new Task(ids.incrementAndGet(), title(in), in.done() != null && in.done());
            byId.put(task.id(), task);
            return Json.response(Status.CREATED, task).withHeader("Location", "/tasks/" + task.id());
        }

        Response show(Request request) {
            return Json.response(find(request));
        }

        Response update(Request request) throws IOException {
            Task old = find(request);
            TaskInput in = Json.read(request, TaskInput.class);
            Task task = new Task(old.id(), title(in), in.done() != null ? in.done() : old.done());
            byId.put(task.id(), task);
            return Json.response(task);
        }

        Response delete(Request request) {
            byId.remove(find(request).id());
            return Response.of(Status.NO_CONTENT);
        }

        private Task find(Request request) {
            String id = request.pathParam("id");
            Task task = null;
            try {
                task = byId.get(Long.parseLong(id));
            } catch (NumberFormatException ignored) {
                // answered below
            }
            if (task == null) {
                throw new HttpException(Status.NOT_FOUND, "no task " + id);
            }
            return task;
        }

        private static String title(TaskInput in) {
            if (in.title() == null || in.title().isBlank() || in.title().length() > 200) {
                throw new HttpException(Status.UNPROCESSABLE_CONTENT, "title must have 1 to 200 characters");
            }
            return in.title().strip();
        }
    }

    /** A router-level filter: how long the handler took, as a Server-Timing header. */
    static final Filter TIMING = (request, next) -> {
        long start = System.nanoTime();
        Response response = next.handle(request);
        return response.withHeader("Server-Timing", "app;dur=" + (System.nanoTime() - start) / 1_000 / 1000.0);
    };

    /** The application. */
    static Router router() {
        Tasks tasks = new Tasks();
        return Router.builder()
                .filter(AccessLogFilter.to(System.out::println)) // one Combined Log Format line per request
                .filter(CorsFilter.allowingAnyOrigin().withMethods(Method.PUT, Method.DELETE)) // pages anywhere
                .filter(TIMING)
                .filter(TimeoutFilter.fromHeader().withMaximum(Duration.ofSeconds(30)))
                .get("/", request -> Response.ok("A task list: GET/POST /tasks, GET/PUT/DELETE /tasks/{id}\n"))
                .group("/tasks", group -> group
                        .filter(new JsonFilter())
                        .get("", request -> Json.response(tasks.list()))
                        .post("", tasks::create)
                        .get("/{id}", tasks::show)
                        .put("/{id}", tasks::update)
                        .delete("/{id}", tasks::delete))
                .build();
    }

    public static void main(String[] args) {
        int port = Args.port(args, 8080);
        Concurrence.dispatch(() -> {
            try {
                HttpServer server = HttpServer.start(new InetSocketAddress("127.0.0.1", port), router());
                System.out.println("web example listening on http://127.0.0.1:" + server.port()
                        + "/tasks; Ctrl-C stops it");
            } catch (IOException e) {
                System.err.println("web: cannot listen on port " + port + ": " + e.getMessage());
                Concurrence.quit(Concurrence.EXIT_FAILURE);
            }
        });
    }
}
