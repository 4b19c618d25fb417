package org.concurrence.web;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import org.concurrence.http.Filter;
import org.concurrence.http.Handler;
import org.concurrence.http.HttpException;
import org.concurrence.http.Method;
import org.concurrence.http.Request;
import org.concurrence.http.Response;
import org.concurrence.http.ResponseBody;

/**
 * Logs one line per request in the Combined Log Format of Apache and nginx, which log tools read, with the time taken
 * in seconds at the end (nginx's {@code $request_time}):
 * <pre>
 * 127.0.0.1 - - [07/Dec/2026:18:30:00 +0000] "GET /api/greeting?name=you HTTP/1.1" 200 27 "-" "curl/8.5.0" 0.001
 * </pre>
 * The line is written when the response is complete: at once for a body held in memory, after its writer finished
 * for a streamed one (with the bytes it wrote and the time including the writing), and with the status of the
 * failure for a handler that threw (an {@link HttpException}'s, else 500). A streamed body whose writer fails is
 * logged with the bytes written before the failure. The server writes no body for HEAD, so HEAD logs {@code -}.
 * A streamed response that is never written (its connection broke before its turn) is not logged.
 *
 * <p>Quotes, backslashes and bytes outside printable ASCII in the logged request line and fields are written as
 * {@code \xHH}, as nginx does, so a client cannot forge lines or fields.
 *
 * <p>Place it first (outermost) to see every request, including the router's 404s and 405s. By default lines go to
 * the {@link System.Logger} {@code org.concurrence.web.access} at INFO; {@link #to(Consumer)} sends them elsewhere.
 *
 * <p>Blocking: none of its own beyond what the sink does, in the request's tasklet or its body writer. Thread-safety:
 * immutable; one instance may serve every request, and calls the sink from many tasklets at once.
 */
public final class AccessLogFilter implements Filter {
    /** The logger the default sink writes to. */
    public static final String LOGGER_NAME = "org.concurrence.web.access";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT);
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final Consumer<String> sink;
    private final ZoneId zone;
    /** The last second formatted, as [seconds, text]: most lines of a busy server share it. */
    private volatile Stamp stamp = new Stamp(Long.MIN_VALUE, "");

    private record Stamp(long second, String text) {}

    private AccessLogFilter(Consumer<String> sink, ZoneId zone) {
        this.sink = sink;
        this.zone = zone;
    }

    /** A filter logging to the {@link System.Logger} {@value #LOGGER_NAME} at INFO, times in UTC. */
    public static AccessLogFilter toLogger() {
        System.Logger logger = System.getLogger(LOGGER_NAME);
        return new AccessLogFilter(line -> logger.log(System.Logger.Level.INFO, line), ZoneOffset.UTC);
    }

    /** A filter handing each line (without a line end) to {@code sink}, times in UTC. */
    public static AccessLogFilter to(Consumer<String> sink) {
        return new AccessLogFilter(Objects.requireNonNull(sink, "sink"), ZoneOffset.UTC);
    }

    /** A copy that writes times in {@code zone} (with its offset), e.g. {@code ZoneId.systemDefault()}. */
    public AccessLogFilter withZone(ZoneId zone) {
        return new AccessLogFilter(sink, Objects.requireNonNull(zone, "zone"));
    }

    @Override
    public Response filter(Request request, Handler next) throws Exception {
        long start = System.nanoTime();
        Instant received = Instant.now();
        Response response;
        try {
            response = next.handle(request);
        } catch (HttpException e) {
            log(request, received, e.status().code(), -1, start);
            throw e;
        } catch (Exception | Error e) {
            log(request, received, 500, -1, start);
            throw e;
        }
        int status = response.status().code();
        return switch (response.body()) {
            case ResponseBody.Streamed streamed when !request.method().equals(Method.HEAD)
                    && !response.status().forbidsBody() ->
                    response.withBody(ResponseBody.ofWriter(streamed.length(), new ResponseBody.BodyWriter() {
                        @Override
                        public void writeTo(OutputStream out) throws IOException {
                            Counting counting = new Counting(out);
                            try {
                                streamed.writer().writeTo(counting);
                            } finally {
                                log(request, received, status, counting.count, start);
                            }
                        }

                        @Override
                        public void discard() throws IOException {
                            try {
                                streamed.writer().discard();
                            } finally {
                                log(request, received, status, -1, start); // the connection ended first
                            }
                        }
                    }));
            case ResponseBody body -> {
                boolean sent = !request.method().equals(Method.HEAD) && !response.status().forbidsBody();
                log(request, received, status, sent ? body.length() : -1, start);
                yield response;
            }
        };
    }

    private void log(Request request, Instant received, int status, long bytes, long start) {
        long millis = (System.nanoTime() - start) / 1_000_000;
        StringBuilder line = new StringBuilder(160);
        line.append(host(request.remoteAddress())).append(" - - [").append(time(received)).append("] \"");
        escape(line, request.method().name());
        line.append(' ');
        escape(line, request.target());
        line.append(' ').append(request.version().text()).append("\" ").append(status).append(' ');
        if (bytes > 0) {
            line.append(bytes);
        } else {
            line.append('-');
        }
        line.append(' ');
        quoted(line, request.header("Referer"));
        line.append(' ');
        quoted(line, request.header("User-Agent"));
        // Seconds with three decimals, without String.format's cost on every line.
        long thousandths = millis % 1000;
        line.append(' ').append(millis / 1000).append('.')
                .append(thousandths < 10 ? "00" : thousandths < 100 ? "0" : "").append(thousandths);
        sink.accept(line.toString());
    }

    private String time(Instant at) {
        long second = at.getEpochSecond();
        Stamp s = stamp;
        if (s.second() != second) {
            s = new Stamp(second, TIME.format(at.atZone(zone)));
            stamp = s;
        }
        return s.text();
    }

    private static String host(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
        }
        return address == null ? "-" : "local";
    }

    private static void quoted(StringBuilder line, String value) {
        if (value == null) {
            line.append("\"-\"");
            return;
        }
        line.append('"');
        escape(line, value);
        line.append('"');
    }

    /** Appends {@code value} with {@code "}, {@code \} and anything outside printable ASCII as {@code \xHH}. */
    private static void escape(StringBuilder line, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                line.append(c);
            } else if (c <= 0xff) {
                line.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
            } else {
                line.append("\\x3F"); // not a byte: header values are ISO-8859-1; nothing else reaches here
            }
        }
    }

    /** Counts what a streamed body writes. */
    private static final class Counting extends OutputStream {
        private final OutputStream out;
        long count;

        Counting(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }
    }
}
