package org.concurrence.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.concurrence.http.Response;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void answersAGet() {
        try (TestServer s = TestServer.start(request -> Response.ok("Hello World!"));
             RawClient c = s.connect()) {
            for (int i = 0; i < 3; i++) {
                c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                RawClient.Response r = c.read();
                assertEquals(200, r.status());
                assertEquals("Hello World!", r.text());
                System.out.println(r.headers());
            }
        }
    }
}
