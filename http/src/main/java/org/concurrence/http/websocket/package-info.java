/**
 * WebSocket (RFC 6455) in both roles. Server: a handler answers an upgrade request with
 * {@link org.concurrence.http.websocket.WebSocket#accept}, and a {@link org.concurrence.http.websocket.Session} then
 * runs on the connection's tasklet. Client: {@link org.concurrence.http.websocket.WebSocketClient#connect} opens a
 * {@link org.concurrence.http.websocket.ClientSession} through an {@link org.concurrence.http.client.HttpClient}. Both
 * are an {@link org.concurrence.http.websocket.Endpoint}: the same receive, send, ping and close; one extension,
 * permessage-deflate without context takeover.
 */
package org.concurrence.http.websocket;
