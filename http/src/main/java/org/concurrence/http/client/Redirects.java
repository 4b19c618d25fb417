package org.concurrence.http.client;

/**
 * Whether {@link HttpClient#send} follows redirects (3xx with a Location), as the JDK's client decides:
 * {@link HttpClientOptions#followRedirects()} chooses, and {@link HttpClientOptions#maxRedirects()} bounds the hops.
 */
public enum Redirects {
    /** Never: a 3xx is returned as it is. The default. */
    NEVER,
    /** Always, except from {@code https} to {@code http} (which would send the request in clear). */
    NORMAL,
    /** Always. */
    ALWAYS
}
