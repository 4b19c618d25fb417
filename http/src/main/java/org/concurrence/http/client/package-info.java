/**
 * The HTTP/1.1 client: {@link org.concurrence.http.client.HttpClient} sends a
 * {@link org.concurrence.http.client.ClientRequest} and returns a {@link org.concurrence.http.client.ClientResponse}
 * whose body streams from the connection, over pooled keep-alive connections (plain or TLS), every step under the
 * call's deadline. Shared by all tasklets of all dispatchers.
 */
package org.concurrence.http.client;
