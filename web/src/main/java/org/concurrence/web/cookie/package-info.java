/**
 * HTTP cookies (RFC 6265): {@link org.concurrence.web.cookie.Cookies} reads the {@code Cookie} header and adds
 * {@code Set-Cookie} fields to responses; a {@link org.concurrence.web.cookie.Cookie} is one cookie to set, checked
 * when it is made.
 */
package org.concurrence.web.cookie;
