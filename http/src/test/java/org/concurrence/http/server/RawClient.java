package org.concurrence.http.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A client on a plain blocking socket that sends bytes exactly as given (for pipelining and malformed input) and
 * parses responses strictly: status line, fields, a body by Content-Length, chunked or close.
 */
final class RawClient implements AutoCloseable {
    final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /** A parsed response; header names in lower case. */
    record Response(int status, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    RawClient(int port) {
        this(plain(port));
    }

    private static Socket plain(int port) {
        try {
            return new Socket(InetAddress.getLoopbackAddress(), port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Over a connected socket (a TLS one, say). */
    RawClient(Socket connected) {
        try {
            socket = connected;
            socket.setSoTimeout((int) TestServer.PATIENCE.toMillis());
            socket.setTcpNoDelay(true);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    RawClient send(String text) {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawClient send(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    OutputStream output() {
        return out;
    }

    InputStream input() {
        return in;
    }

    /** Reads one response to a request that was not HEAD. */
    Response read() {
        return read(false);
    }

    /** Reads one response; {@code head}: the request was HEAD, so there is no body whatever the fields say. */
    Response read(boolean head) {
        try {
            String statusLine = line();
            if (!statusLine.startsWith("HTTP/1.1 ")) {
                fail("not a status line: " + statusLine);
            }
            int status = Integer.parseInt(statusLine.substring(9, 12));
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line = line(); !line.isEmpty(); line = line()) {
                int colon = line.indexOf(':');
                headers.merge(line.substring(0, colon).toLowerCase(Locale.ROOT), line.substring(colon + 1).strip(),
                        (a, b) -> a + ", " + b);
            }
            if (status < 200) {
                return new Response(status, headers, new byte[0]);
            }
            byte[] body;
            if (head || status == 204 || status == 304) {
                body = new byte[0];
            } else if (headers.containsKey("content-length")) {
                body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
            } else if ("chunked".equals(headers.get("transfer-encoding"))) {
                body = chunked();
            } else {
                body = in.readAllBytes();
            }
            return new Response(status, headers, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] chunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            int size = Integer.parseInt(line(), 16);
            if (size == 0) {
                assertEquals("", line(), "no trailers expected");
                return body.toByteArray();
            }
            body.write(in.readNBytes(size));
            assertEquals("", line(), "CRLF after chunk data");
        }
    }

    /** A line ending in CRLF (a bare LF fails the test). */
    String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("end of stream after \"" + sb + "\"");
            }
            if (b == '\n') {
                if (sb.isEmpty() || sb.charAt(sb.length() - 1) != '\r') {
                    fail("bare LF from the server after \"" + sb + "\"");
                }
                return sb.substring(0, sb.length() - 1);
            }
            sb.append((char) b);
        }
    }

    /** Asserts the server closed the connection: end of stream (or a reset) with no more bytes. */
    void assertClosed() {
        try {
            int b = in.read();
            if (b >= 0) {
                fail("expected the connection to be closed, got more bytes, the first 0x" + Integer.toHexString(b));
            }
        } catch (SocketTimeoutException e) {
            fail("the connection was not closed within " + TestServer.PATIENCE);
        } catch (SocketException reset) {
            // A reset is a close too.
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Test cleanup.
        }
    }
}
