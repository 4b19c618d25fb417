/**
 * Serving files from a directory: {@link org.concurrence.web.files.StaticFiles}, with content types, validators
 * (ETag, Last-Modified), conditional and range requests, and no way out of its root.
 */
package org.concurrence.web.files;
