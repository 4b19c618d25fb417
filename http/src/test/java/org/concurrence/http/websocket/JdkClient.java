package org.concurrence.http.websocket;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.concurrence.http.server.TestServer;

/** The JDK's WebSocket client, with what it receives collected: whole messages, pongs, the close. */
final class JdkClient implements WebSocket.Listener, AutoCloseable {
    record Closed(int code, String reason) {}

    final BlockingQueue<Object> messages = new LinkedBlockingQueue<>(); // String or byte[]
    final BlockingQueue<ByteBuffer> pongs = new LinkedBlockingQueue<>();
    final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final StringBuilder text = new StringBuilder();
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
    private final HttpClient http;
    final WebSocket ws;

    JdkClient(URI uri) throws Exception {
        this(uri, HttpClient.newHttpClient());
    }

    JdkClient(URI uri, HttpClient http) throws Exception {
        this.http = http;
        ws = http.newWebSocketBuilder().buildAsync(uri, this).get(TestServer.PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }

    Object next() throws InterruptedException {
        Object m = messages.poll(TestServer.PATIENCE.toSeconds(), TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("no message within " + TestServer.PATIENCE);
        }
        return m;
    }

    Closed awaitClose() throws Exception {
        return closed.get(TestServer.PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
            messages.add(text.toString());
            text.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        binary.writeBytes(bytes);
        if (last) {
            messages.add(binary.toByteArray());
            binary.reset();
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
        pongs.add(message);
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(new Closed(statusCode, reason));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.completeExceptionally(error);
    }

    @Override
    public void close() {
        ws.abort();
        http.close();
    }
}
