package org.concurrence.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Query strings and urlencoded bodies: fields split at '&', names from values at each field's first '='. */
class ParametersTest {
    @Test
    void eachFieldSplitsAtItsOwnFirstEquals() {
        Parameters p = Parameters.parse("a&b=1&c&d=2=3&&=e&f=");
        assertEquals("", p.get("a"));
        assertEquals("1", p.get("b"));
        assertEquals("", p.get("c"), "a field without '=' takes none from the fields after it");
        assertEquals("2=3", p.get("d"));
        assertEquals("e", p.get(""));
        assertEquals("", p.get("f"));
    }

    @Test
    void repeatedNamesKeepTheirValuesInOrderAndEscapesDecode() {
        Parameters p = Parameters.parse("x=1&x=%32&y=a+b%26c&x");
        assertEquals(List.of("1", "2", ""), p.all("x"));
        assertEquals("a b&c", p.get("y"));
        assertThrows(HttpException.class, () -> Parameters.parse("z=%G1"));
    }

    @Test
    void aMalformedEscapeIs400QuotingOnlyTheStartOfTheField() {
        HttpException e = assertThrows(HttpException.class, () -> Parameters.parse("z=" + "a".repeat(100_000) + "%G1"));
        assertEquals(400, e.status().code());
        assertTrue(e.getMessage().startsWith("malformed percent-encoding in \"aaa"), e.getMessage());
        assertTrue(e.getMessage().length() < 200, "message of " + e.getMessage().length() + " chars");
    }
}
