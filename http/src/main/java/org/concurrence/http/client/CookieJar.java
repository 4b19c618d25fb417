package org.concurrence.http.client;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/*
 * Implementation notes. Cookies are kept by the domain they belong to (the host, for host-only ones), so a request
 * looks up its host and each parent domain: a few map lookups, however many origins a crawler visited. Each entry
 * carries an order number, so that "older first" among equally long paths holds when two were set in the same
 * instant; a replacement keeps the order and the creation time of what it replaces (RFC 6265 §5.3 step 11).
 * Expired cookies are dropped when met: by a lookup, a store into their domain, or a limit.
 */
/**
 * Cookies kept for an {@link HttpClient} (opt in with {@link HttpClientOptions#withCookies}): stored from the
 * {@code Set-Cookie} fields of every response the client reads — redirects it follows included — and sent in a
 * {@code Cookie} field with every request they match, after each redirect for the new URL. The rules are RFC 6265's
 * (§5.2 to §5.4), as browsers apply them:
 * <ul>
 * <li>Without a Domain attribute a cookie is <em>host-only</em>: sent to the host that set it and no other. With one,
 * it is sent to that domain and its subdomains, and it is refused unless the request's host is in that domain (a host
 * cannot set cookies for a sibling or a parent's other children); an IP address can set cookies only for itself. A
 * Domain of a single label ({@code com}) is refused unless it is the host itself: the jar has no public-suffix list,
 * so {@code co.uk} is not caught.
 * <li>Path: sent for requests to the path and below ({@code /docs} matches {@code /docs}, {@code /docs/a}, not
 * {@code /docsx}); without a Path attribute, the directory of the request's path.
 * <li>Secure: sent over https only, and accepted only from https (as browsers do since RFC 6265bis).
 * <li>Max-Age wins over Expires; zero, negative or a past date deletes the cookie; expiry is capped at 400 days.
 * Without either the cookie lasts as long as the jar (a session).
 * <li>A field without {@code name=}, with an empty name, or with control characters is ignored; so are attributes
 * the jar cannot read (an unreadable Expires), while the cookie is kept.
 * </ul>
 * Sent cookies are ordered longest path first, then oldest first. Limits, as RFC 6265 §6.1 suggests: name and value
 * of at most {@value #MAX_COOKIE_SIZE} bytes, {@value #MAX_PER_DOMAIN} cookies per domain and {@value #MAX_COOKIES} in
 * all; beyond a limit the expired go first, then the oldest.
 *
 * <p>Thread-safety: safe for any number of tasklets on any dispatchers (one client, one jar, shared by all); every
 * method holds the jar's lock for a short step, never across I/O, and never blocks otherwise.
 */
public final class CookieJar {
    /** Most bytes of name and value in one cookie. */
    public static final int MAX_COOKIE_SIZE = 4096;
    /** Most cookies kept for one domain (or host). */
    public static final int MAX_PER_DOMAIN = 50;
    /** Most cookies kept in all. */
    public static final int MAX_COOKIES = 3000;
    /** The furthest into the future an expiry is kept (RFC 6265bis §5.6). */
    public static final Duration MAX_LIFETIME = Duration.ofDays(400);

    private final InstantSource clock;
    private final Map<String, List<Entry>> byDomain = new HashMap<>();
    private int count;
    private long nextOrder;

    private record Entry(StoredCookie cookie, long order) {}

    private CookieJar(InstantSource clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** An empty jar on the system clock. */
    public static CookieJar create() {
        return new CookieJar(InstantSource.system());
    }

    /** An empty jar that reads the time for expiry from {@code clock} (a test's, say). */
    public static CookieJar create(InstantSource clock) {
        return new CookieJar(clock);
    }

    /**
     * Takes the cookie that the {@code Set-Cookie} field value {@code setCookie}, received in the response to a
     * request for {@code requestUri}, sets — or deletes, if it has expired.
     *
     * @return whether the jar took it (stored, replaced or deleted a cookie); false if the rules above refused it
     * @throws IllegalArgumentException if {@code requestUri} is not an absolute http or https URI
     */
    public boolean store(URI requestUri, String setCookie) {
        Origin origin = Origin.of(requestUri);
        SetCookie parsed = SetCookie.parse(setCookie);
        if (parsed == null || parsed.name().length() + parsed.value().length() > MAX_COOKIE_SIZE) {
            return false;
        }
        String host = origin.host();
        String domain = host;
        boolean hostOnly = parsed.domain() == null;
        if (!hostOnly) {
            domain = parsed.domain();
            if (!domainMatches(host, domain) || (domain.indexOf('.') < 0 && !domain.equals(host))) {
                return false;
            }
        }
        if (parsed.secure() && !origin.isSecure()) {
            return false;
        }
        String path = parsed.path() != null ? parsed.path() : defaultPath(requestUri.getRawPath());
        Instant now = clock.instant();
        Instant expires = expiry(parsed, now);
        synchronized (this) {
            List<Entry> entries = byDomain.computeIfAbsent(domain, d -> new ArrayList<>(2));
            Entry old = null;
            for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
                Entry e = it.next();
                StoredCookie c = e.cookie();
                if (c.name().equals(parsed.name()) && c.path().equals(path) && c.hostOnly() == hostOnly) {
                    old = e;
                    it.remove();
                    count--;
                } else if (c.isExpired(now)) {
                    it.remove();
                    count--;
                }
            }
            if (expires != null && !expires.isAfter(now)) {
                if (entries.isEmpty()) {
                    byDomain.remove(domain);
                }
                return true; // deleted (if it was there)
            }
            StoredCookie cookie = new StoredCookie(parsed.name(), parsed.value(), domain, hostOnly, path,
                    parsed.secure(), parsed.httpOnly(), expires, old != null ? old.cookie().created() : now);
            entries.add(new Entry(cookie, old != null ? old.order() : nextOrder++));
            count++;
            if (entries.size() > MAX_PER_DOMAIN) {
                evictOldest(entries);
            }
            if (count > MAX_COOKIES) {
                evictOldestOfAll();
            }
            return true;
        }
    }

    /**
     * The value of the {@code Cookie} field for a request to {@code uri}: its cookies as {@code name=value} joined by
     * {@code "; "}, longest path first, then oldest first; null if none matches.
     */
    public String cookieHeader(URI uri) {
        return cookieHeader(uri, Set.of());
    }

    /** {@link #cookieHeader(URI)} without the cookies named in {@code except} (the request sets them itself). */
    String cookieHeader(URI uri, Set<String> except) {
        StringBuilder header = new StringBuilder();
        for (StoredCookie c : cookiesFor(uri)) {
            if (!except.contains(c.name())) {
                if (!header.isEmpty()) {
                    header.append("; ");
                }
                header.append(c.name()).append('=').append(c.value());
            }
        }
        return header.isEmpty() ? null : header.toString();
    }

    /**
     * The cookies a request to {@code uri} carries, in the order they are sent.
     *
     * @throws IllegalArgumentException if {@code uri} is not an absolute http or https URI
     */
    public List<StoredCookie> cookiesFor(URI uri) {
        Origin origin = Origin.of(uri);
        String host = origin.host();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        Instant now = clock.instant();
        List<Entry> matching = new ArrayList<>();
        synchronized (this) {
            String domain = host;
            while (domain != null) {
                List<Entry> entries = byDomain.get(domain);
                if (entries != null) {
                    for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
                        Entry e = it.next();
                        StoredCookie c = e.cookie();
                        if (c.isExpired(now)) {
                            it.remove();
                            count--;
                        } else if ((!c.hostOnly() || domain.equals(host)) && pathMatches(path, c.path())
                                && (!c.secure() || origin.isSecure())) {
                            matching.add(e);
                        }
                    }
                    if (entries.isEmpty()) {
                        byDomain.remove(domain);
                    }
                }
                domain = parentDomain(domain, host);
            }
        }
        matching.sort(Comparator.comparingInt((Entry e) -> -e.cookie().path().length())
                .thenComparingLong(Entry::order));
        return matching.stream().map(Entry::cookie).toList();
    }

    /** Every cookie kept (the expired dropped first), in no particular order. */
    public synchronized List<StoredCookie> all() {
        dropExpired(clock.instant());
        List<StoredCookie> all = new ArrayList<>(count);
        byDomain.values().forEach(entries -> entries.forEach(e -> all.add(e.cookie())));
        return all;
    }

    /** How many cookies are kept, the expired not yet dropped included. */
    public synchronized int size() {
        return count;
    }

    /** Forgets every cookie. */
    public synchronized void clear() {
        byDomain.clear();
        count = 0;
    }

    /** {@code CookieJar[12 cookies]}. */
    @Override
    public String toString() {
        return "CookieJar[" + size() + " cookies]";
    }

    /** RFC 6265 §5.3 step 3: Max-Age wins over Expires; capped at {@link #MAX_LIFETIME}; null for a session. */
    private static Instant expiry(SetCookie parsed, Instant now) {
        Instant latest = now.plus(MAX_LIFETIME);
        if (parsed.maxAge() != null) {
            long seconds = parsed.maxAge();
            return seconds <= 0 ? Instant.MIN : seconds >= MAX_LIFETIME.toSeconds() ? latest : now.plusSeconds(seconds);
        }
        if (parsed.expires() != null) {
            return parsed.expires().isAfter(latest) ? latest : parsed.expires();
        }
        return null;
    }

    /**
     * RFC 6265 §5.1.3: {@code host} is {@code domain}, or ends with it after a dot and is a host name (not an IP
     * address: 10.0.0.1 is not in the domain 0.0.1).
     */
    static boolean domainMatches(String host, String domain) {
        if (host.equals(domain)) {
            return true;
        }
        return host.endsWith(domain) && host.charAt(host.length() - domain.length() - 1) == '.'
                && !isIpAddress(host);
    }

    /** The next domain up from {@code domain} to look cookies up in for {@code host}; null after the last. */
    private static String parentDomain(String domain, String host) {
        int dot = domain.indexOf('.');
        return dot < 0 || isIpAddress(host) ? null : domain.substring(dot + 1);
    }

    private static boolean isIpAddress(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
    }

    /**
     * RFC 6265 §5.1.4: {@code requestPath} is {@code cookiePath}, or below it — the cookie path ends with a slash,
     * or the request path goes on with one.
     */
    static boolean pathMatches(String requestPath, String cookiePath) {
        if (requestPath.equals(cookiePath)) {
            return true;
        }
        return requestPath.startsWith(cookiePath)
                && (cookiePath.endsWith("/") || requestPath.charAt(cookiePath.length()) == '/');
    }

    /** RFC 6265 §5.1.4: the request path up to its last slash (not included), or {@code /}. */
    static String defaultPath(String requestPath) {
        if (requestPath == null || !requestPath.startsWith("/")) {
            return "/";
        }
        int last = requestPath.lastIndexOf('/');
        return last == 0 ? "/" : requestPath.substring(0, last);
    }

    /** Drops the expired cookies of {@code entries}, or if there are none, the oldest. Under the lock. */
    private void evictOldest(List<Entry> entries) {
        Instant now = clock.instant();
        int before = entries.size();
        entries.removeIf(e -> e.cookie().isExpired(now));
        count -= before - entries.size();
        if (entries.size() > MAX_PER_DOMAIN) {
            entries.remove(entries.stream().min(Comparator.comparingLong(Entry::order)).orElseThrow());
            count--;
        }
    }

    /** Drops every expired cookie, or if there are none, the oldest of all. Under the lock. */
    private void evictOldestOfAll() {
        dropExpired(clock.instant());
        if (count <= MAX_COOKIES) {
            return;
        }
        List<Entry> oldestList = null;
        Entry oldest = null;
        for (List<Entry> entries : byDomain.values()) {
            for (Entry e : entries) {
                if (oldest == null || e.order() < oldest.order()) {
                    oldest = e;
                    oldestList = entries;
                }
            }
        }
        if (oldestList != null) {
            oldestList.remove(oldest);
            count--;
            if (oldestList.isEmpty()) {
                byDomain.remove(oldest.cookie().domain());
            }
        }
    }

    private void dropExpired(Instant now) {
        for (Iterator<List<Entry>> lists = byDomain.values().iterator(); lists.hasNext(); ) {
            List<Entry> entries = lists.next();
            int before = entries.size();
            entries.removeIf(e -> e.cookie().isExpired(now));
            count -= before - entries.size();
            if (entries.isEmpty()) {
                lists.remove();
            }
        }
    }
}
