package org.concurrence.http.proxy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The upstream servers of one proxy, taken in turn (round robin), and which of them are left out for now: one that
 * could not be reached sits out its fail timeout, then gets requests again (and is left out again if it still
 * cannot be reached). When every one is left out, the one whose time out ends first is tried, so that a proxy whose
 * upstreams all blinked at once does not refuse everything until the timeouts end.
 *
 * <p>Thread-safety: any thread; the turn is an atomic counter and each upstream's state a volatile field, so two
 * requests that see the same failure at once may both log it, which is harmless.
 */
final class Upstreams {
    private static final System.Logger LOG = System.getLogger(ReverseProxy.class.getName());

    private final List<Upstream> all;
    private final AtomicInteger turn = new AtomicInteger();

    Upstreams(List<URI> uris) {
        this.all = uris.stream().map(Upstream::new).toList();
    }

    int size() {
        return all.size();
    }

    List<Upstream> all() {
        return all;
    }

    /**
     * The next upstream in turn that is not left out and not in {@code tried} (the ones this request met failing: the
     * turn is shared, so other requests may have moved it on since, and one with a zero fail timeout is available
     * again at once); if all the others are left out, the one whose time out ends first.
     *
     * @param tried fewer than {@link #size()} upstreams
     */
    Upstream next(List<Upstream> tried) {
        int n = all.size();
        int first = Math.floorMod(turn.getAndIncrement(), n);
        long now = System.nanoTime();
        Upstream soonest = null;
        for (int i = 0; i < n; i++) {
            Upstream u = all.get((first + i) % n);
            if (tried.contains(u)) {
                continue;
            }
            if (u.isAvailable(now)) {
                return u;
            }
            if (soonest == null || u.leftOutUntil - soonest.leftOutUntil < 0) {
                soonest = u;
            }
        }
        return soonest;
    }

    /** One upstream server: its URI, the prefix of every target forwarded to it, and whether it is left out. */
    static final class Upstream {
        final URI uri;
        /** The upstream's scheme, authority and path (no trailing slash): what every forwarded target follows. */
        final String base;
        /** On {@link System#nanoTime()}: until when it is left out; 0 (with {@code down} false) if it is not. */
        private volatile long leftOutUntil;
        /** It failed and has not answered since: set with the first failure, cleared by the next success. */
        private volatile boolean down;

        Upstream(URI uri) {
            this.uri = uri;
            String path = uri.getRawPath();
            String basePath = path == null || path.equals("/") ? "" : path.endsWith("/")
                    ? path.substring(0, path.length() - 1) : path;
            this.base = uri.getScheme() + "://" + uri.getRawAuthority() + basePath;
        }

        boolean isAvailable(long now) {
            return !down || now - leftOutUntil >= 0;
        }

        /** It could not be reached: left out for {@code failTimeout} from now. */
        void failed(Duration failTimeout, Exception cause) {
            boolean wasDown = down;
            leftOutUntil = System.nanoTime() + failTimeout.toNanos();
            down = true;
            if (!wasDown) {
                LOG.log(System.Logger.Level.WARNING, "proxy: upstream " + uri + " could not be reached (" + cause
                        + "); left out for " + failTimeout.toMillis() + " ms at a time until it answers");
            }
        }

        /** It answered: in the rotation again. */
        void answered() {
            if (down) {
                down = false;
                LOG.log(System.Logger.Level.INFO, "proxy: upstream " + uri + " answers again");
            }
        }

        boolean isDown() {
            return down;
        }

        @Override
        public String toString() {
            return uri.toString();
        }
    }
}
