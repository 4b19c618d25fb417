package org.concurrence.http;

/** The HTTP versions the server speaks; anything else gets 505. */
public enum Version {
    HTTP_1_0("HTTP/1.0"),
    HTTP_1_1("HTTP/1.1");

    private final String text;

    Version(String text) {
        this.text = text;
    }

    /** As written on a request or status line, e.g. {@code HTTP/1.1}. */
    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }
}
