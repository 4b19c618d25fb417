/**
 * The web framework on the HTTP handler interface: a {@link org.concurrence.web.Router} that dispatches by method and
 * path template to handlers, with filters per router, group and route, and {@link org.concurrence.web.TimeoutFilter}.
 * JSON, forms, cookies and static files are in the sub-packages.
 */
package org.concurrence.web;
