package org.concurrence.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.concurrence.core.Concurrence;
import org.concurrence.core.DispatcherGroup;
import org.concurrence.http.server.HttpServer;
import org.concurrence.http.server.HttpServerOptions;
import org.concurrence.http.websocket.WebSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The chat bots against the demo's room on the real server: every bot hears every bot's lines. */
@Timeout(60)
class ChatBotsTest {
    @Test
    void everyBotHearsEveryLine() throws Exception {
        try (DispatcherGroup group = DispatcherGroup.start(Concurrence.Options.defaults().withDispatchers(2)
                .withName("chatbots-test"));
                HttpServer demo = HttpServer.start(group, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        HttpServerOptions.defaults(), DemoApp.router(group.dispatcher(0)))) {
            URI url = URI.create("ws://127.0.0.1:" + demo.port() + "/chat/ws");
            List<Integer> heard = Concurrence.run(() -> ChatBots.talk(url, 12, 4, Duration.ofSeconds(20)));
            assertEquals(Collections.nCopies(12, 12 * 4), heard);
        }
    }

    @Test
    void aSilentRoomFailsEveryBotWithinThePatienceInsteadOfHangingThem() throws Exception {
        // The room lets the bots in and never says a word: each bot must give up within the patience (deadlines are
        // not inherited, so the talk's own Timeout does not reach the bots' tasklets) and count as failed.
        try (DispatcherGroup group = DispatcherGroup.start(Concurrence.Options.defaults().withDispatchers(1)
                .withName("chatbots-silent"));
                HttpServer silent = HttpServer.start(group, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        HttpServerOptions.defaults(), request -> WebSocket.accept(request, session -> {
                            session.receive(); // until the bot leaves
                        }))) {
            URI url = URI.create("ws://127.0.0.1:" + silent.port() + "/chat/ws");
            List<Integer> heard = assertTimeoutPreemptively(Duration.ofSeconds(20),
                    () -> Concurrence.run(() -> ChatBots.talk(url, 3, 1, Duration.ofMillis(500))));
            assertEquals(Collections.nCopies(3, -1), heard);
        }
    }

    @Test
    void theUrlMustBeAWebSocketOne() {
        assertEquals(URI.create("wss://chat.example/ws"), ChatBots.webSocketUrl("wss://chat.example/ws"));
        for (String bad : new String[] {"http://x/chat", "ws:///nohost", "not a url"}) {
            org.junit.jupiter.api.Assertions.assertThrows(Args.BadArgument.class, () -> ChatBots.webSocketUrl(bad));
        }
    }
}
