package org.concurrence.io.tls;

import static org.concurrence.io.Loopback.PATIENCE;
import static org.concurrence.io.Loopback.anyPort;
import static org.concurrence.io.Loopback.assertEndOfStream;
import static org.concurrence.io.Loopback.pattern;
import static org.concurrence.io.Loopback.readFully;
import static org.concurrence.io.Loopback.readToEnd;
import static org.concurrence.io.Loopback.roundTrip;
import static org.concurrence.io.tls.TestCertificates.PASSWORD;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.concurrence.core.DeadlineExceededException;
import org.concurrence.core.Dispatcher;
import org.concurrence.core.JoinError;
import org.concurrence.core.Tasklet;
import org.concurrence.core.TaskletExit;
import org.concurrence.core.Timeout;
import org.concurrence.io.Loopback;
import org.concurrence.io.ServerSocket;
import org.concurrence.io.Socket;
import org.concurrence.io.SocketServer;
import org.concurrence.sync.Event;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** TLS over the socket API, with certificates made for the run: versions, names, ALPN, failures, deadlines, ends. */
@org.junit.jupiter.api.Timeout(60)
class TlsSocketTest {
    private static TestCertificates certificates;
    private static TlsOptions serverOptions;
    private static TlsOptions clientOptions;

    @BeforeAll
    static void makeCertificates() throws Exception {
        certificates = TestCertificates.make();
        serverOptions = TlsOptions.server(certificates.server, PASSWORD);
        clientOptions = TlsOptions.clientTrusting(certificates.trustsServer);
    }

    /** A handler of one TLS session on the server side. */
    private interface TlsHandler {
        void handle(TlsSocket session) throws Exception;
    }

    private static SocketServer tlsServer(TlsOptions options, TlsHandler handler) throws IOException {
        return SocketServer.start(Dispatcher.current().group(), anyPort(), SocketServer.Options.defaults(),
                connection -> {
                    try (TlsSocket session = TlsSocket.server(connection, options)) {
                        session.handshake();
                        handler.handle(session);
                    }
                });
    }

    private static SocketServer echoServer() throws IOException {
        return tlsServer(serverOptions, Loopback::echoStream);
    }

    private static void writeLine(TlsSocket session, String line) throws IOException {
        session.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
    }

    private static String readLine(TlsSocket session) throws IOException {
        StringBuilder line = new StringBuilder();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (true) {
            one.clear();
            if (session.read(one) < 0 || one.get(0) == '\n') {
                return line.toString();
            }
            line.append((char) one.get(0));
        }
    }

    @Test
    void aTls13SessionCarriesEveryByteBothWaysAndEndsWithCloseNotify() {
        Loopback.run(() -> {
            try (SocketServer server = echoServer(); Timeout _ = Timeout.after(PATIENCE);
                 TlsSocket client = TlsSocket.connect(server.address(), "localhost",
                         clientOptions.withProtocols("TLSv1.3"), PATIENCE)) {
                assertEquals("TLSv1.3", client.session().getProtocol());
                roundTrip(client, "hello over TLS".getBytes());
                byte[] big = pattern(5, 2 << 20); // many records, more than the socket buffers hold
                Tasklet<byte[]> reader = Tasklet.spawn(() -> readFully(client, big.length));
                client.write(ByteBuffer.wrap(big));
                assertArrayEquals(big, reader.join());
                client.shutdownOutput(); // close_notify: the server's echo reads the end, returns, and closes
                assertEndOfStream(client);
                assertThrows(SSLException.class, () -> client.write(ByteBuffer.wrap(new byte[1])));
            }
            return null;
        });
    }

    @Test
    void aTls12SessionWorksAlike() {
        Loopback.run(() -> {
            try (SocketServer server = echoServer(); Timeout _ = Timeout.after(PATIENCE);
                 TlsSocket client = TlsSocket.connect(server.address(), "localhost",
                         clientOptions.withProtocols("TLSv1.2"), PATIENCE)) {
                assertEquals("TLSv1.2", client.session().getProtocol());
                roundTrip(client, pattern(6, 100_000));
            }
            return null;
        });
    }

    @Test
    void closeSendsCloseNotifyBeforeTheConnectionEnds() {
        Loopback.run(() -> {
            Event serverHandshaken = new Event("server handshaken");
            try (ServerSocket listener = ServerSocket.bind(anyPort()); Timeout _ = Timeout.after(PATIENCE)) {
                Tasklet<byte[]> server = Tasklet.spawn(() -> {
                    try (Socket accepted = listener.accept()) {
                        TlsSocket session = TlsSocket.server(accepted, serverOptions);
                        session.handshake();
                        serverHandshaken.set();
                        return readToEnd(accepted); // raw: what the client sends after the handshake
                    }
                });
                TlsSocket client = TlsSocket.connect(listener.localAddress(), "localhost",
                        clientOptions.withProtocols("TLSv1.3"), PATIENCE);
                serverHandshaken.await();
                client.close();
                byte[] after = server.join();
                // One TLS 1.3 record (its outer type is application data; the alert inside is encrypted).
                assertTrue(after.length >= 5, "bytes after the handshake: " + after.length);
                assertEquals(0x17, after[0]);
                assertEquals(0x0303, ((after[1] & 0xff) << 8) | (after[2] & 0xff));
                assertEquals(after.length - 5, ((after[3] & 0xff) << 8) | (after[4] & 0xff), "exactly one record");
            }
            return null;
        });
    }

    @Test
    void aServerWhoseCertificateDoesNotNameTheHostFailsTheHandshakeNamingIt() {
        Loopback.run(() -> {
            try (SocketServer server = echoServer()) {
                SSLHandshakeException e = assertThrows(SSLHandshakeException.class,
                        () -> TlsSocket.connect(server.address(), "wrong.example", clientOptions, PATIENCE));
                assertTrue(e.getMessage().startsWith("TLS handshake with wrong.example at " + server.address()
                        + " failed: "), e.getMessage());
                assertTrue(e.getMessage().contains("wrong.example found"), e.getMessage());
            }
            return null;
        });
    }

    @Test
    void aClientVerifiesHostNamesUnlessToldNotTo() {
        Loopback.run(() -> {
            try (SocketServer server = echoServer();
                 TlsSocket client = TlsSocket.connect(server.address(), "wrong.example",
                         clientOptions.withHostnameVerification(false), PATIENCE)) {
                roundTrip(client, "trusting the certificate, not the name".getBytes());
            }
            return null;
        });
    }

    @Test
    void aServerWithAnUntrustedCertificateFailsTheHandshake() {
        Loopback.run(() -> {
            try (SocketServer server = echoServer()) {
                SSLHandshakeException e = assertThrows(SSLHandshakeException.class,
                        () -> TlsSocket.connect(server.address(), "localhost", TlsOptions.client(), PATIENCE));
                assertTrue(e.getMessage().contains("PKIX path building failed"), e.getMessage());
            }
            return null;
        });
    }

    @Test
    void theServersFirstPreferredProtocolThatTheClientOffersIsNegotiatedByAlpn() {
        Loopback.run(() -> {
            TlsOptions alpnServer = serverOptions.withApplicationProtocols("h2", "http/1.1");
            try (SocketServer server = tlsServer(alpnServer,
                    session -> writeLine(session, session.applicationProtocol().orElse("(none)")));
                 Timeout _ = Timeout.after(PATIENCE)) {
                assertEquals("h2", negotiate(server.address(), clientOptions.withApplicationProtocols("http/1.1", "h2")));
                assertEquals("http/1.1", negotiate(server.address(), clientOptions.withApplicationProtocols("http/1.1")));
                assertEquals("(none)", negotiate(server.address(), clientOptions));
                SSLHandshakeException e = assertThrows(SSLHandshakeException.class,
                        () -> negotiate(server.address(), clientOptions.withApplicationProtocols("spdy/3")));
                assertTrue(e.getMessage().contains("no_application_protocol"), e.getMessage());
            }
            return null;
        });
    }

    /** What the server says it negotiated, checked against what the client says. */
    private static String negotiate(SocketAddress address, TlsOptions options) throws IOException {
        try (TlsSocket client = TlsSocket.connect(address, "localhost", options, PATIENCE)) {
            String told = readLine(client);
            assertEquals(told, client.applicationProtocol().orElse("(none)"));
            return told;
        }
    }

    @Test
    void theServerNameTheClientAsksForBySniReachesTheServer() {
        Loopback.run(() -> {
            try (SocketServer server = tlsServer(serverOptions,
                    session -> writeLine(session, session.serverName().orElse("(none)")));
                 Timeout _ = Timeout.after(PATIENCE)) {
                try (TlsSocket client = TlsSocket.connect(server.address(), "localhost", clientOptions, PATIENCE)) {
                    assertEquals("localhost", readLine(client));
                    assertEquals(Optional.of("localhost"), client.serverName());
                }
                // An address literal is verified against the certificate's IP entry, but never sent as SNI.
                int port = ((InetSocketAddress) server.address()).getPort();
                try (TlsSocket client = TlsSocket.connect(new InetSocketAddress("127.0.0.1", port), null,
                        clientOptions, PATIENCE)) {
                    assertEquals("(none)", readLine(client));
                }
            }
            return null;
        });
    }

    @Test
    void whatTheHandshakeSettlesIsNotReadBeforeIt() {
        Loopback.run(() -> {
            try (SocketServer server = echoServer(); Timeout _ = Timeout.after(PATIENCE);
                 Socket socket = Socket.connect(server.address())) {
                TlsSocket client = TlsSocket.client(socket, "localhost", clientOptions);
                IllegalStateException e = assertThrows(IllegalStateException.class, client::applicationProtocol);
                assertTrue(e.getMessage().contains("only after the handshake"), e.getMessage());
                roundTrip(client, "the first write performs the handshake".getBytes());
                assertEquals(Optional.empty(), client.applicationProtocol());
                assertEquals(Optional.of("localhost"), client.serverName());
            }
            return null;
        });
    }

    @Test
    void aHandshakeThePeerNeverAnswersTimesOutAndClosesTheSocket() {
        Loopback.run(() -> {
            try (ServerSocket listener = ServerSocket.bind(anyPort()); Timeout _ = Timeout.after(PATIENCE)) {
                Tasklet<byte[]> silent = Tasklet.spawn(() -> {
                    try (Socket accepted = listener.accept()) {
                        return readToEnd(accepted); // reads the ClientHello, never answers
                    }
                });
                Socket socket = Socket.connect(listener.localAddress());
                TlsSocket client = TlsSocket.client(socket, "localhost", clientOptions);
                DeadlineExceededException e = assertThrows(DeadlineExceededException.class,
                        () -> client.handshake(Duration.ofMillis(200)));
                assertTrue(e.getMessage().startsWith("read from socket"), e.getMessage());
                assertFalse(socket.isOpen(), "a handshake that timed out closes the socket");
                byte[] clientHello = silent.join(); // ends: the client closed its socket
                assertEquals(0x16, clientHello[0], "a handshake record");
            }
            return null;
        });
    }

    @Test
    void mutualTlsAcceptsAClientWithATrustedCertificateAndRefusesOneWithout() {
        Loopback.run(() -> {
            TlsOptions server = TlsOptions.server(TlsOptions.context(certificates.server, PASSWORD,
                    certificates.trustsClient)).withClientAuth(TlsOptions.ClientAuth.NEED);
            TlsOptions withCertificate = TlsOptions.client(TlsOptions.context(certificates.client, PASSWORD,
                    certificates.trustsServer));
            try (SocketServer tls = tlsServer(server,
                    session -> writeLine(session, session.session().getPeerPrincipal().getName()));
                 Timeout _ = Timeout.after(PATIENCE)) {
                try (TlsSocket client = TlsSocket.connect(tls.address(), "localhost", withCertificate, PATIENCE)) {
                    assertEquals("CN=test client", readLine(client));
                }
                // TLS 1.3: the client may finish its side of the handshake before the server refuses it.
                SSLException refused = assertThrows(SSLException.class, () -> {
                    try (TlsSocket client = TlsSocket.connect(tls.address(), "localhost", clientOptions, PATIENCE)) {
                        readLine(client);
                    }
                });
                assertTrue(refused.getMessage().contains("certificate_required")
                        || refused.getMessage().contains("bad_certificate"), refused.getMessage());
            }
            return null;
        });
    }

    @Test
    void aTlsReadThatTimesOutOrIsKilledLeavesTheSessionUsable() {
        Loopback.run(() -> {
            try (SocketServer server = echoServer(); Timeout _ = Timeout.after(PATIENCE);
                 TlsSocket client = TlsSocket.connect(server.address(), "localhost", clientOptions, PATIENCE)) {
                assertThrows(DeadlineExceededException.class,
                        () -> client.read(ByteBuffer.allocate(8), Duration.ofMillis(50)));
                Tasklet<Integer> reader = Tasklet.spawn(() -> client.read(ByteBuffer.allocate(8)));
                Tasklet.yield();
                reader.kill();
                assertInstanceOf(TaskletExit.class, assertThrows(JoinError.class, reader::join).getCause());
                roundTrip(client, "after a timeout and a kill".getBytes());
            }
            return null;
        });
    }

    /**
     * A server that completes the handshake, then sends {@code bytes} raw over the socket and reads what comes back
     * until the client closes.
     */
    private static Tasklet<byte[]> rawAfterHandshake(ServerSocket listener, byte... bytes) {
        return Tasklet.spawn(() -> {
            try (Socket accepted = listener.accept()) {
                TlsSocket.server(accepted, serverOptions).handshake();
                accepted.write(ByteBuffer.wrap(bytes));
                return readToEnd(accepted);
            }
        });
    }

    @Test
    void aSessionThatFailedKeepsFailingInsteadOfReadingAsTheEnd() {
        Loopback.run(() -> {
            try (ServerSocket listener = ServerSocket.bind(anyPort()); Timeout _ = Timeout.after(PATIENCE)) {
                // An application data record that does not decrypt.
                Tasklet<byte[]> server = rawAfterHandshake(listener, (byte) 0x17, (byte) 3, (byte) 3, (byte) 0,
                        (byte) 20, (byte) 1, (byte) 2, (byte) 3, (byte) 4, (byte) 5, (byte) 6, (byte) 7, (byte) 8,
                        (byte) 9, (byte) 10, (byte) 11, (byte) 12, (byte) 13, (byte) 14, (byte) 15, (byte) 16,
                        (byte) 17, (byte) 18, (byte) 19, (byte) 20);
                try (TlsSocket client = TlsSocket.connect(listener.localAddress(), "localhost",
                        clientOptions.withProtocols("TLSv1.3"), PATIENCE)) {
                    SSLException e = assertThrows(SSLException.class, () -> client.read(ByteBuffer.allocate(16)));
                    assertTrue(e.getMessage().contains("bad_record_mac"), e.getMessage());
                    assertFalse(client.isOpen());
                    // The engine is closed now; a second read must not take that for the peer's close_notify.
                    SSLException again = assertThrows(SSLException.class,
                            () -> client.read(ByteBuffer.allocate(16)), "a failed session is not at its end");
                    assertTrue(again.getMessage().contains("bad_record_mac"), again.getMessage());
                    SSLException write = assertThrows(SSLException.class,
                            () -> client.write(ByteBuffer.wrap(new byte[1])));
                    assertTrue(write.getMessage().contains("bad_record_mac"), write.getMessage());
                }
                server.join();
            }
            return null;
        });
    }

    @Test
    void aConnectionThatEndsInTheMiddleOfARecordFailsTheReadInsteadOfEndingTheStream() {
        Loopback.run(() -> {
            try (ServerSocket listener = ServerSocket.bind(anyPort()); Timeout _ = Timeout.after(PATIENCE)) {
                // The header of a 32-byte application data record, five of its bytes, then the end of the stream.
                Tasklet<byte[]> server = Tasklet.spawn(() -> {
                    try (Socket accepted = listener.accept()) {
                        TlsSocket.server(accepted, serverOptions).handshake();
                        accepted.write(ByteBuffer.wrap(new byte[] {0x17, 3, 3, 0, 32, 1, 2, 3, 4, 5}));
                        accepted.shutdownOutput();
                        return readToEnd(accepted);
                    }
                });
                try (TlsSocket client = TlsSocket.connect(listener.localAddress(), "localhost",
                        clientOptions.withProtocols("TLSv1.3"), PATIENCE)) {
                    SSLException e = assertThrows(SSLException.class, () -> client.read(ByteBuffer.allocate(16)),
                            "a truncated record is not the end of the stream");
                    assertTrue(e.getMessage().contains("middle of a TLS record"), e.getMessage());
                    SSLException again = assertThrows(SSLException.class,
                            () -> client.read(ByteBuffer.allocate(16)), "a failed session keeps failing");
                    assertTrue(again.getMessage().contains("middle of a TLS record"), again.getMessage());
                }
                server.join();
            }
            return null;
        });
    }

    @Test
    void closingASessionFromAnotherTaskletWakesItsReader() {
        Loopback.run(() -> {
            try (SocketServer server = echoServer(); Timeout _ = Timeout.after(PATIENCE)) {
                TlsSocket client = TlsSocket.connect(server.address(), "localhost", clientOptions, PATIENCE);
                Tasklet<Integer> reader = Tasklet.spawn(() -> client.read(ByteBuffer.allocate(8)));
                Tasklet.yield();
                client.close();
                JoinError e = assertThrows(JoinError.class, reader::join);
                assertInstanceOf(org.concurrence.io.ClosedWhileWaitingException.class, e.getCause());
                assertFalse(client.isOpen());
            }
            return null;
        });
    }
}
