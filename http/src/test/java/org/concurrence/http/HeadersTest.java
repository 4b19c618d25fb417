package org.concurrence.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class HeadersTest {

    @Test
    void parsedFieldsAreReadOnlyAndLookedUpLikeOthers() {
        String[] fields = {"Host", "example.com", "accept", "*/*", "Accept", "text/plain", null, null};
        Headers h = Headers.ofParsed(fields, 3);
        assertTrue(h.isReadOnly());
        assertEquals(3, h.size());
        assertEquals("*/*", h.get("ACCEPT"));
        assertEquals(List.of("*/*", "text/plain"), h.all("Accept"));
        assertThrows(UnsupportedOperationException.class, () -> h.add("X", "y"));
        assertThrows(IllegalArgumentException.class, () -> Headers.ofParsed(fields, 5));
        assertThrows(IllegalArgumentException.class, () -> Headers.ofParsed(fields, -1));
    }

    @Test
    void aCopyOfParsedFieldsIsMutableAndChecksWhatIsAdded() {
        Headers copy = Headers.copyOf(Headers.ofParsed(new String[] {"Host", "example.com"}, 1));
        copy.add("X-Trace", "1");
        assertEquals(2, copy.size());
        assertThrows(IllegalArgumentException.class, () -> copy.add("X-Bad", "a\r\nSet-Cookie: x=1"));
    }

    @Test
    void ofSizesForItsPairsAndStillGrows() {
        Headers h = Headers.of("Content-Type", "text/plain");
        h.add("A", "1").add("B", "2").add("C", "3");
        assertEquals(List.of("Content-Type", "A", "B", "C"), List.of(h.name(0), h.name(1), h.name(2), h.name(3)));
        assertThrows(IllegalArgumentException.class, () -> new Headers(-1));
        assertEquals(1, new Headers(0).add("A", "1").size());
    }
}
