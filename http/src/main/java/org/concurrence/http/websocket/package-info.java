/**
 * WebSocket (RFC 6455), server side: a handler answers an upgrade request with
 * {@link org.concurrence.http.websocket.WebSocket#accept}, and a {@link org.concurrence.http.websocket.Session} then
 * runs on the connection's tasklet; no extensions (permessage-deflate is not offered).
 */
package org.concurrence.http.websocket;
