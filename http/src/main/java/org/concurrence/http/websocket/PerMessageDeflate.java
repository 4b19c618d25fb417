package org.concurrence.http.websocket;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.concurrence.http.Headers;

/**
 * The {@code permessage-deflate} extension (RFC 7692), always without context takeover in either direction: every
 * message is compressed on its own, so a session keeps no zlib state between messages and the compressors are pooled
 * for the whole process (a {@link Deflater} with its window is ~256 KiB of native memory, an {@link Inflater} ~40 KiB:
 * per connection they would outweigh everything else a connection holds). Compressing each message alone costs some
 * ratio on small, similar messages; a message shorter than {@link #MIN_SIZE} is sent as it is (RFC 7692 allows
 * uncompressed messages in a compressing session), and so is one that deflate would not shrink.
 *
 * <p>Negotiation, server: the first offer the server can honour is accepted with {@code server_no_context_takeover;
 * client_no_context_takeover}, which every client must obey (and {@code server_max_window_bits=15} if the offer named
 * it, which is how a server accepts that parameter). An offer with an unknown or repeated parameter, or with
 * {@code server_max_window_bits} below 15 (the JDK's deflater always uses a 32 KiB window), is declined. Client: it
 * offers {@link #OFFER} and accepts an answer with {@code server_no_context_takeover} and at most
 * {@code client_no_context_takeover} and a {@code server_max_window_bits} (any window inflates) besides.
 *
 * <p>Thread-safety: stateless apart from the pools, which any thread may use; a borrowed compressor is used and
 * returned without parking, so a pool holds about one per carrier thread.
 */
final class PerMessageDeflate {
    /** Messages shorter than this go uncompressed: deflate's framing would eat most of the gain. */
    static final int MIN_SIZE = 256;
    static final String RESPONSE = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";
    /** A client's offer: the server must compress each message on its own; the client does anyway. */
    static final String OFFER = "permessage-deflate; client_no_context_takeover; server_no_context_takeover";
    private static final String NAME = "permessage-deflate";
    /** The end of an empty stored block, which RFC 7692 strips from each message and the receiver appends. */
    private static final byte[] TAIL = {0, 0, (byte) 0xFF, (byte) 0xFF};
    private static final ArrayBlockingQueue<Deflater> DEFLATERS = new ArrayBlockingQueue<>(64);
    private static final ArrayBlockingQueue<Inflater> INFLATERS = new ArrayBlockingQueue<>(64);

    private PerMessageDeflate() {}

    /**
     * The Sec-WebSocket-Extensions value that accepts the first permessage-deflate offer of {@code headers} (a
     * handshake's) the server can honour, or null if there is none: {@link #RESPONSE}, with
     * {@code server_max_window_bits=15} added when the offer named that parameter (RFC 7692 §7.1.2.1: a server accepts
     * such an offer by including it).
     */
    static String response(Headers headers) {
        for (String field : headers.all("Sec-WebSocket-Extensions")) {
            for (String offer : split(field, ',')) {
                String answer = answer(offer);
                if (answer != null) {
                    return answer;
                }
            }
        }
        return null;
    }

    /** The answer that accepts {@code offer}, or null if it cannot be accepted. */
    private static String answer(String offer) {
        Map<String, String> parameters = parameters(offer);
        if (parameters == null) {
            return null;
        }
        for (Map.Entry<String, String> parameter : parameters.entrySet()) {
            String value = parameter.getValue();
            boolean valid = switch (parameter.getKey()) {
                case "server_no_context_takeover", "client_no_context_takeover" -> value == null;
                case "client_max_window_bits" -> value == null || windowBits(value) > 0;
                case "server_max_window_bits" -> value != null && windowBits(value) == 15;
                default -> false;
            };
            if (!valid) {
                return null;
            }
        }
        return parameters.containsKey("server_max_window_bits") ? RESPONSE + "; server_max_window_bits=15" : RESPONSE;
    }

    /**
     * Checks a server's Sec-WebSocket-Extensions fields (all of them, in order) against {@link #OFFER}, the client's
     * offer (RFC 7692 §5 and §7.1).
     *
     * @return whether permessage-deflate is in use (false: no extension was accepted)
     * @throws IllegalArgumentException naming what the client cannot honour: another extension, more than one, or
     *                                  parameters it did not offer or cannot obey
     */
    static boolean accepted(List<String> fields) {
        List<String> extensions = new ArrayList<>();
        for (String field : fields) {
            extensions.addAll(split(field, ','));
        }
        if (extensions.isEmpty()) {
            return false;
        }
        if (extensions.size() > 1) {
            throw new IllegalArgumentException("more than one extension accepted: " + String.join(", ", extensions));
        }
        Map<String, String> parameters = parameters(extensions.getFirst());
        if (parameters == null) {
            throw new IllegalArgumentException("an extension that was not offered, or with a repeated parameter: "
                    + extensions.getFirst());
        }
        if (!parameters.containsKey("server_no_context_takeover")) {
            throw new IllegalArgumentException("permessage-deflate without server_no_context_takeover (offered; each"
                    + " message is decompressed on its own)");
        }
        for (Map.Entry<String, String> parameter : parameters.entrySet()) {
            String value = parameter.getValue();
            boolean valid = switch (parameter.getKey()) {
                case "server_no_context_takeover", "client_no_context_takeover" -> value == null;
                case "server_max_window_bits" -> value != null && windowBits(value) > 0;
                default -> false; // client_max_window_bits was not offered: a server may not send it
            };
            if (!valid) {
                throw new IllegalArgumentException("permessage-deflate parameter not offered or invalid: "
                        + parameter.getKey() + (value == null ? "" : "=" + value));
            }
        }
        return true;
    }

    /**
     * The parameters of a permessage-deflate element (names in lower case, values unquoted, null for none), or null
     * if it names another extension or repeats a parameter.
     */
    private static Map<String, String> parameters(String element) {
        List<String> parts = split(element, ';');
        if (parts.isEmpty() || !parts.getFirst().equalsIgnoreCase(NAME)) {
            return null;
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String parameter : parts.subList(1, parts.size())) {
            int eq = parameter.indexOf('=');
            String name = (eq < 0 ? parameter : parameter.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
            String value = eq < 0 ? null : unquote(parameter.substring(eq + 1).strip());
            if (parameters.containsKey(name)) {
                return null;
            }
            parameters.put(name, value);
        }
        return parameters;
    }

    /** 8 to 15, or -1 for anything else. */
    private static int windowBits(String value) {
        if (value.length() < 1 || value.length() > 2 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        int bits = Integer.parseInt(value);
        return bits >= 8 && bits <= 15 ? bits : -1;
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
    }

    /** Splits at {@code separator} outside quoted strings, stripping and dropping empty elements. */
    private static List<String> split(String text, char separator) {
        List<String> parts = new ArrayList<>();
        boolean quoted = false;
        int from = 0;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : separator;
            if (c == '"') {
                quoted = !quoted;
            } else if (c == separator && !quoted) {
                String part = text.substring(from, i).strip();
                if (!part.isEmpty()) {
                    parts.add(part);
                }
                from = i + 1;
            }
        }
        return parts;
    }

    /** {@code message} compressed, or null if it is too short or would not shrink (then it goes as it is). */
    static byte[] compress(byte[] message) {
        if (message.length < MIN_SIZE) {
            return null;
        }
        Deflater deflater = DEFLATERS.poll();
        if (deflater == null) {
            deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        }
        try {
            deflater.setInput(message);
            // Room for exactly the message and the tail: filling it means the result would not be shorter, and a
            // SYNC_FLUSH that does not fill its buffer has written everything.
            byte[] out = new byte[message.length + TAIL.length];
            int n = deflater.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
            if (n == out.length || n < TAIL.length || !Arrays.equals(out, n - TAIL.length, n, TAIL, 0, TAIL.length)) {
                return null;
            }
            return Arrays.copyOf(out, n - TAIL.length);
        } finally {
            deflater.reset();
            if (!DEFLATERS.offer(deflater)) {
                deflater.end();
            }
        }
    }

    /**
     * Decompresses a whole message (its frames' payloads joined), appending the tail the sender stripped.
     *
     * @throws ProtocolError 1009 if it would be longer than {@code limit}, 1007 if it is not valid deflate data
     */
    static byte[] decompress(byte[] compressed, int limit) throws ProtocolError {
        Inflater inflater = INFLATERS.poll();
        if (inflater == null) {
            inflater = new Inflater(true);
        }
        try {
            // One byte over the limit is enough to know the message is too long.
            int capacity = Math.min(limit, Integer.MAX_VALUE - 16) + 1;
            byte[] out = new byte[(int) Math.min(capacity, Math.max(1024L, compressed.length * 4L))];
            int n = 0;
            boolean tailGiven = false;
            inflater.setInput(compressed);
            while (true) {
                if (n == out.length) {
                    out = Arrays.copyOf(out, (int) Math.min(capacity, out.length * 2L));
                }
                n += inflater.inflate(out, n, out.length - n);
                if (n > limit) {
                    throw new ProtocolError(CloseCodes.TOO_BIG, "message longer than " + limit
                            + " bytes once decompressed");
                }
                if (inflater.finished()) {
                    return Arrays.copyOf(out, n); // the sender ended with a final block (RFC 7692 §7.2.3.3)
                }
                if (inflater.needsDictionary()) {
                    throw new ProtocolError(CloseCodes.INVALID_DATA, "compressed message asks for a dictionary");
                }
                if (inflater.needsInput()) {
                    if (tailGiven) {
                        return Arrays.copyOf(out, n);
                    }
                    inflater.setInput(TAIL);
                    tailGiven = true;
                }
            }
        } catch (DataFormatException e) {
            throw new ProtocolError(CloseCodes.INVALID_DATA, "compressed message is not valid deflate data: "
                    + e.getMessage());
        } finally {
            inflater.reset();
            if (!INFLATERS.offer(inflater)) {
                inflater.end();
            }
        }
    }
}
