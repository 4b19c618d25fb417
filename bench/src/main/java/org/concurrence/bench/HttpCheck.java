package org.concurrence.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * Checks, before any load, that a server of {@code bench http} answers the two tests as TechEmpower's rules and issue
 * 5 want (status, Content-Type, body, Date and Server headers), one request at a time and 16 pipelined in one write,
 * and records what its responses look like for the report (their header lines and sizes). An HTTPS server is checked
 * the same way through the JDK's {@link SSLSocket} trusting only the run's certificate ({@link BenchCertificate}),
 * which must be TLS 1.3.
 */
final class HttpCheck {
    /**
     * The TLS 1.3 suites in OpenSSL's default order, which wrk and httperf offer: the check's client offers them the
     * same way, so the suite it reports is the one the loads get (the servers here pick in their own order or the
     * client's).
     */
    private static final String[] OPENSSL_TLS13_SUITES = {"TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
        "TLS_AES_128_GCM_SHA256"};

    private HttpCheck() {}

    /**
     * One response as read off the wire.
     *
     * @param headerLines the header fields as sent, {@code Name: value}
     * @param headBytes   bytes of the status line and headers, through the empty line
     * @param chunked     framed with {@code Transfer-Encoding: chunked}
     */
    record Exchange(int status, List<String> headerLines, String body, int headBytes, boolean chunked) {
        String header(String name) {
            for (String line : headerLines) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).strip();
                }
            }
            return null;
        }

        /** The header lines, Date's value left out (it changes), joined for a report line. */
        String describe() {
            List<String> shown = new ArrayList<>();
            for (String line : headerLines) {
                shown.add(line.regionMatches(true, 0, "Date:", 0, 5) ? "Date: …" : line);
            }
            return "%d B head%s: %s".formatted(headBytes, chunked ? ", chunked" : "", String.join(" | ", shown));
        }
    }

    /** The request wrk sends for {@code path} in {@code bench http}: Host, Accept and Connection as TechEmpower's. */
    static String request(String path, String accept) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: " + accept
                + "\r\nConnection: keep-alive\r\n\r\n";
    }

    /**
     * Sends {@code count} requests for {@code path} in one write on a new connection and reads as many responses.
     *
     * @throws IOException if the connection fails or closes early
     */
    static List<Exchange> exchange(int port, String path, String accept, int count) throws IOException {
        return exchange(port, null, path, accept, count);
    }

    /**
     * {@link #exchange(int, String, String, int)} over TLS with a client of {@code tls} (the host name checked against
     * the certificate), or over plain TCP if {@code tls} is null.
     */
    static List<Exchange> exchange(int port, SSLContext tls, String path, String accept, int count)
            throws IOException {
        try (Socket socket = connect(port, tls)) {
            OutputStream out = socket.getOutputStream();
            out.write(request(path, accept).repeat(count).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            List<Exchange> responses = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                responses.add(read(in));
            }
            return responses;
        }
    }

    /**
     * Makes a TLS handshake with the server on {@code port} as a client of {@code tls} and returns the version and
     * cipher suite agreed, {@code TLSv1.3 TLS_AES_256_GCM_SHA384}.
     *
     * @throws IllegalStateException if the version is not {@value BenchCertificate#TLS_VERSION}
     */
    static String tlsSession(int port, SSLContext tls) throws IOException {
        try (SSLSocket socket = (SSLSocket) connect(port, tls)) {
            SSLSession session = socket.getSession();
            if (!session.getProtocol().equals(BenchCertificate.TLS_VERSION)) {
                throw new IllegalStateException("TLS version " + session.getProtocol() + ", not "
                        + BenchCertificate.TLS_VERSION);
            }
            return session.getProtocol() + " " + session.getCipherSuite();
        }
    }

    /** A connected socket, with the TLS handshake done if {@code tls} is not null. */
    private static Socket connect(int port, SSLContext tls) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(5000);
            if (tls == null) {
                return socket;
            }
            SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(socket, "127.0.0.1", port, true);
            SSLParameters parameters = ssl.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            parameters.setCipherSuites(OPENSSL_TLS13_SUITES);
            ssl.setSSLParameters(parameters);
            ssl.startHandshake();
            return ssl;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * What is wrong with {@code e} as the answer to {@code path}, or null if nothing.
     *
     * @param contentType the media type the test wants (parameters such as a charset are allowed)
     */
    static String problem(Exchange e, String contentType, String expectedBody, boolean json) {
        List<String> wrong = new ArrayList<>();
        if (e.status() != 200) {
            wrong.add("status " + e.status());
        }
        String type = e.header("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith(contentType)) {
            wrong.add("Content-Type " + type);
        }
        if (e.header("Date") == null) {
            wrong.add("no Date header");
        }
        if (e.header("Server") == null) {
            wrong.add("no Server header");
        }
        boolean bodyOk;
        if (json) {
            try {
                bodyOk = HttpServers.JACKSON.readValue(e.body(), Map.class).equals(Map.of("message",
                        HttpServers.MESSAGE));
            } catch (RuntimeException ex) {
                bodyOk = false;
            }
        } else {
            bodyOk = e.body().equals(expectedBody);
        }
        if (!bodyOk) {
            wrong.add("body " + e.body());
        }
        return wrong.isEmpty() ? null : String.join(", ", wrong);
    }

    private static Exchange read(InputStream in) throws IOException {
        int headBytes = 0;
        String statusLine = line(in);
        headBytes += statusLine.length() + 2;
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP response: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        List<String> headers = new ArrayList<>();
        String line;
        while (!(line = line(in)).isEmpty()) {
            headers.add(line);
            headBytes += line.length() + 2;
        }
        headBytes += 2;
        Exchange head = new Exchange(status, headers, "", headBytes, false);
        String length = head.header("Content-Length");
        String encoding = head.header("Transfer-Encoding");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean chunked = encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked");
        if (chunked) {
            while (true) {
                int size = Integer.parseInt(line(in).split(";")[0].strip(), 16);
                if (size == 0) {
                    while (!line(in).isEmpty()) {
                        // trailer fields: none expected
                    }
                    break;
                }
                body.write(in.readNBytes(size));
                line(in);
            }
        } else if (length != null) {
            body.write(in.readNBytes(Integer.parseInt(length)));
        }
        return new Exchange(status, headers, body.toString(StandardCharsets.UTF_8), headBytes, chunked);
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("the server closed the connection mid-response (after \"" + b + "\")");
            }
            if (c == '\n') {
                int end = b.length() > 0 && b.charAt(b.length() - 1) == '\r' ? b.length() - 1 : b.length();
                return b.substring(0, end);
            }
            b.append((char) c);
        }
    }
}
