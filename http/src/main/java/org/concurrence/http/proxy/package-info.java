/**
 * A reverse proxy: {@link org.concurrence.http.proxy.ReverseProxy} is a handler that forwards requests to an upstream
 * server through the HTTP client and streams the answers back, for gateways in front of services.
 */
package org.concurrence.http.proxy;
