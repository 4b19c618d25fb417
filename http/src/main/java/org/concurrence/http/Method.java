package org.concurrence.http;

import java.util.Objects;

/**
 * An HTTP request method (RFC 9110 §9). The standard methods are constants; {@link #of(String)} returns them for
 * their names, so {@code ==} works for them, and makes a new value for an extension method.
 *
 * <p>Immutable; thread-safe.
 *
 * @param name the method's token, case-sensitive as RFC 9110 says ({@code get} is not {@code GET})
 */
public record Method(String name) {
    public static final Method GET = new Method("GET");
    public static final Method HEAD = new Method("HEAD");
    public static final Method POST = new Method("POST");
    public static final Method PUT = new Method("PUT");
    public static final Method DELETE = new Method("DELETE");
    public static final Method PATCH = new Method("PATCH");
    public static final Method OPTIONS = new Method("OPTIONS");
    public static final Method TRACE = new Method("TRACE");
    public static final Method CONNECT = new Method("CONNECT");

    public Method {
        Objects.requireNonNull(name, "name");
        if (!Tokens.isToken(name)) {
            throw new IllegalArgumentException("not a method token: \"" + name + "\"");
        }
    }

    /** The constant for a standard method's name, else a new method; throws if {@code name} is not a token. */
    public static Method of(String name) {
        return switch (name) {
            case "GET" -> GET;
            case "HEAD" -> HEAD;
            case "POST" -> POST;
            case "PUT" -> PUT;
            case "DELETE" -> DELETE;
            case "PATCH" -> PATCH;
            case "OPTIONS" -> OPTIONS;
            case "TRACE" -> TRACE;
            case "CONNECT" -> CONNECT;
            default -> new Method(name);
        };
    }

    @Override
    public String toString() {
        return name;
    }
}
