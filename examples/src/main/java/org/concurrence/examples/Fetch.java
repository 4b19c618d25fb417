package org.concurrence.examples;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.concurrence.core.Concurrence;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Outcome;
import org.concurrence.core.Tasklet;
import org.concurrence.http.client.ClientRequest;
import org.concurrence.http.client.ClientResponse;
import org.concurrence.http.client.ForwardProxy;
import org.concurrence.http.client.HttpClient;
import org.concurrence.http.client.HttpClientOptions;

/**
 * Fetches URLs at once, a tasklet each, through one shared {@link HttpClient}, and prints what each answered: the
 * shape of a crawler's or an API gateway's fan-out, in plain blocking code. Each fetch (connect, TLS, request,
 * response and the whole body) runs under its own deadline; one that fails or times out prints its error and the
 * others go on.
 *
 * <p>{@code ./concurrence run fetch [--timeout SECONDS] [--proxy HOST:PORT] URL...}, e.g. {@code ./concurrence run
 * fetch http://127.0.0.1:8080/ http://127.0.0.1:8080/api/hello} against the demo; {@code --proxy} sends every fetch
 * through an HTTP proxy (https by a {@code CONNECT} tunnel), as a crawler behind one does.
 */
public final class Fetch {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private Fetch() {}

    public static void main(String[] args) {
        Duration timeout = DEFAULT_TIMEOUT;
        InetSocketAddress proxy = null;
        List<String> urls = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--timeout") || args[i].startsWith("--timeout=")) {
                String value = args[i].startsWith("--timeout=") ? args[i].substring(10)
                        : i + 1 < args.length ? args[++i] : "";
                timeout = seconds(value);
            } else if (args[i].equals("--proxy") || args[i].startsWith("--proxy=")) {
                String value = args[i].startsWith("--proxy=") ? args[i].substring(8)
                        : i + 1 < args.length ? args[++i] : "";
                proxy = hostAndPort(value);
            } else {
                urls.add(args[i]);
            }
        }
        if (urls.isEmpty()) {
            throw new Args.BadArgument("give one or more URLs, e.g. ./concurrence run fetch http://127.0.0.1:8080/");
        }
        List<String> lines = Concurrence.run(fetchAll(urls, timeout, proxy));
        lines.forEach(System.out::println);
    }

    private static Duration seconds(String value) {
        try {
            double seconds = Double.parseDouble(value);
            if (seconds > 0 && seconds < 1e6) {
                return Duration.ofNanos((long) (seconds * 1e9));
            }
        } catch (NumberFormatException e) {
            // Reported below.
        }
        throw new Args.BadArgument("--timeout needs a number of seconds above 0, not '" + value + "'");
    }

    /** {@code --proxy}'s {@code host:port}, unresolved (the client looks it up off the dispatcher). */
    static InetSocketAddress hostAndPort(String value) {
        int colon = value.lastIndexOf(':');
        try {
            int port = Integer.parseInt(value.substring(colon + 1));
            if (colon > 0 && port > 0 && port < 65536) {
                return InetSocketAddress.createUnresolved(value.substring(0, colon), port);
            }
        } catch (NumberFormatException e) {
            // Reported below.
        }
        throw new Args.BadArgument("--proxy needs HOST:PORT, not '" + value + "'");
    }

    /**
     * What fetching {@code urls} at once prints: a line per URL, in the order given; through {@code proxy} unless it
     * is null. Run it in a tasklet.
     */
    static java.util.concurrent.Callable<List<String>> fetchAll(List<String> urls, Duration timeout,
            InetSocketAddress proxy) {
        return () -> {
            HttpClientOptions options = HttpClientOptions.defaults();
            if (proxy != null) {
                options = options.withProxy(ForwardProxy.at(proxy));
            }
            try (HttpClient client = HttpClient.create(options)) {
                List<Tasklet<String>> fetches = new ArrayList<>();
                for (String url : urls) {
                    fetches.add(Tasklet.spawn(() -> fetch(client, url, timeout)));
                }
                List<String> lines = new ArrayList<>();
                for (Outcome<String> outcome : Tasklet.joinAll(fetches)) {
                    lines.add(switch (outcome) {
                        case Outcome.Succeeded<String> s -> s.value();
                        case Outcome.Failed<String> f -> "failed: " + f.error().getCause();
                    });
                }
                return lines;
            }
        };
    }

    /** One fetch: status, body size and time, or the error that ended it. */
    static String fetch(HttpClient client, String url, Duration timeout) {
        long start = System.nanoTime();
        try (ClientResponse response = client.send(ClientRequest.get(url), timeout)) {
            long bytes = response.stream().transferTo(OutputStream.nullOutputStream());
            return String.format(Locale.ROOT, "%d %,11d B %6d ms  %s", response.statusCode(), bytes,
                    (System.nanoTime() - start) / 1_000_000, url);
        } catch (IOException | DeadlineExceededException | IllegalArgumentException e) {
            return String.format(Locale.ROOT, "--- %s  %s", e.getMessage(), url);
        }
    }
}
