package org.concurrence.examples;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.concurrence.core.Concurrence;
import org.concurrence.core.Tasklet;
import org.concurrence.http.proxy.ReverseProxy;
import org.concurrence.http.server.HttpServer;

/**
 * A reverse proxy in front of one or more upstream servers: every request goes up through a pool of keep-alive
 * connections and its answer streams back, bodies never held whole; several upstreams take requests in turn, one that
 * cannot be reached is left out for a while; an upstream that is down gives 502, one that hangs 504. The shape of an
 * API gateway, in a few lines of plain blocking code.
 *
 * <p>{@code ./concurrence run proxy [--port 8081] [--upstream http://127.0.0.1:8080[,http://...]]}, e.g. in front of
 * {@code ./concurrence demo}; Ctrl-C stops it.
 */
public final class Proxy {
    private static final String DEFAULT_UPSTREAM = "http://127.0.0.1:8080";

    private Proxy() {}

    public static void main(String[] args) {
        int port = Args.port(args, 8081);
        List<URI> upstreams = upstreams(args);
        ReverseProxy proxy = ReverseProxy.to(upstreams);
        Concurrence.dispatch(() -> {
            try {
                HttpServer server = HttpServer.start(new InetSocketAddress("127.0.0.1", port), proxy);
                System.out.println("proxy listening on http://127.0.0.1:" + server.port() + "/ for " + upstreams + " ("
                        + Tasklet.current().dispatcher().group().size() + " dispatchers); Ctrl-C stops it");
            } catch (IOException e) {
                System.err.println("proxy: cannot listen on port " + port + ": " + e.getMessage());
                Concurrence.quit(Concurrence.EXIT_FAILURE);
            }
        });
    }

    /**
     * The URLs of {@code --upstream URL[,URL...]} (or {@code --upstream=...}), else the demo's address.
     *
     * @throws Args.BadArgument naming the first URL that is not an http(s) URL with a host and no query
     */
    static List<URI> upstreams(String[] args) {
        String value = Args.value(args, "upstream", DEFAULT_UPSTREAM);
        List<URI> upstreams = new ArrayList<>();
        for (String url : value.split(",", -1)) {
            upstreams.add(upstream(url.strip()));
        }
        return upstreams;
    }

    private static URI upstream(String value) {
        try {
            URI uri = new URI(value);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    && uri.getRawQuery() == null) {
                return uri;
            }
        } catch (java.net.URISyntaxException e) {
            // Reported below.
        }
        throw new Args.BadArgument("--upstream needs an http:// or https:// URL with a host and no query, not '"
                + value + "'");
    }
}
