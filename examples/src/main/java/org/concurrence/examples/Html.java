package org.concurrence.examples;

import org.concurrence.http.Response;

/** The demo's page layout and HTML escaping; every value shown on a page goes through {@link #escape}. */
final class Html {
    private Html() {}

    /** {@code s} safe inside HTML text and attribute values. */
    static String escape(Object value) {
        String s = String.valueOf(value);
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** A whole page: the navigation, {@code title} and {@code body} (already HTML). */
    static Response page(String title, String body) {
        return Response.html("""
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8">
                <title>%s — Concurrence demo</title>
                <style>
                  body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; }
                  nav a { margin-right: 1rem; } pre { background: #f4f4f4; padding: .8rem; overflow-x: auto; }
                  td, th { padding: .2rem .6rem; text-align: left; } input, textarea { width: 100%%; }
                </style></head>
                <body><nav><a href="/">Home</a><a href="/hello">Greeting</a>\
                <a href="/api/greeting?name=you">JSON</a><a href="/guestbook">Guestbook (form)</a>\
                <a href="/tasklets">Live tasklets</a><a href="/messages">Message passing</a></nav>
                <h1>%s</h1>
                %s
                </body></html>
                """.formatted(escape(title), escape(title), body));
    }
}
