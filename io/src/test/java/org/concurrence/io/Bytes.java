package org.concurrence.io;

import java.nio.charset.StandardCharsets;

/** Test data helpers. */
final class Bytes {
    private Bytes() {}

    /** The ISO-8859-1 bytes of {@code s}: one byte per char, for writing test data with escapes. */
    static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The bytes of {@code s} read as ISO-8859-1: one char per byte. */
    static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** Bytes 0, 1, 2, … wrapping at 256. */
    static byte[] counting(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }
}
