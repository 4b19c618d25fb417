package org.concurrence.examples;

import java.io.IOException;
import org.concurrence.channel.BroadcastChannel;
import org.concurrence.core.Mailbox;
import org.concurrence.core.Tasklet;
import org.concurrence.http.Request;
import org.concurrence.http.Response;
import org.concurrence.http.websocket.Message;
import org.concurrence.http.websocket.Session;
import org.concurrence.http.websocket.WebSocket;
import org.concurrence.http.websocket.WebSocketClosedException;

/**
 * The demo's chat room over WebSocket, the telnet chat's design in a browser: each member is two tasklets, the
 * connection's (reading what its browser sends and broadcasting it) and a writer subscribed to the room (sending what
 * the others say). Messages cross dispatchers through the broadcast channel; nothing is shared but the channel.
 *
 * <p>Thread-safety: the room is safe from any tasklet; a member's tasklets live on its connection's dispatcher.
 */
final class ChatRoom {
    /** What the room hears: a line to show every member. */
    private final BroadcastChannel<String> room = new BroadcastChannel<>("chat room");

    /** The page with the chat client. */
    Response page(Request request) {
        return Html.page("Chat", """
                <p>Open this page in two windows: each is a WebSocket session served by two tasklets, and what one
                says reaches the others through a broadcast channel.</p>
                <ul id="log"></ul>
                <form id="say">
                  <input id="line" maxlength="500" autocomplete="off" autofocus> <button>Say</button>
                </form>
                <script>
                const log = document.getElementById('log');
                const show = text => {
                    const li = document.createElement('li');
                    li.textContent = text;
                    log.append(li);
                };
                const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host
                    + '/chat/ws');
                ws.onmessage = e => show(e.data);
                ws.onclose = e => show('(closed: ' + e.code + ')');
                document.getElementById('say').onsubmit = e => {
                    e.preventDefault();
                    const line = document.getElementById('line');
                    if (line.value) { ws.send(line.value); line.value = ''; }
                };
                </script>""");
    }

    /** The WebSocket endpoint: joins the room until the browser leaves. */
    Response join(Request request) {
        return WebSocket.accept(request, this::member);
    }

    private void member(Session session) throws IOException {
        String name = "guest-" + Tasklet.current().id();
        Tasklet<Void> writer = Tasklet.builder().name(name + " writer").daemon(true).spawn(() -> {
            try {
                while (true) {
                    session.send((String) Mailbox.receive());
                }
            } catch (IOException gone) {
                // The session closed: the member is leaving.
            }
        });
        room.subscribe(writer);
        try {
            session.send("you are " + name + "; " + (room.subscriberCount() - 1) + " other(s) here");
            room.send(name + " joined");
            while (true) {
                // No time limit but the member's own: a chat may stay silent longer than the server's idle timeout.
                if (session.receive(null) instanceof Message.Text text) {
                    String line = text.text().strip();
                    if (!line.isEmpty()) {
                        room.send(name + ": " + line.substring(0, Math.min(500, line.length())));
                    }
                }
            }
        } catch (WebSocketClosedException left) {
            // The browser went away (or broke the protocol): the member leaves.
        } finally {
            room.unsubscribe(writer);
            writer.kill();
            room.send(name + " left");
        }
    }
}
