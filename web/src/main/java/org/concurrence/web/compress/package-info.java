/**
 * Response compression: {@link org.concurrence.web.compress.CompressionFilter} gzips responses for the clients that
 * accept it, bodies of bytes in memory and streamed bodies as they are written.
 */
package org.concurrence.web.compress;
