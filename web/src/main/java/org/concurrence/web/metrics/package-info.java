/**
 * Metrics of a server: {@link org.concurrence.web.metrics.RequestMetrics} counts requests, their statuses and
 * durations, and serves them in Prometheus's text format.
 */
package org.concurrence.web.metrics;
