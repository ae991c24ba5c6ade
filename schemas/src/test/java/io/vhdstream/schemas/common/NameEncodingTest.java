package io.vhdstream.schemas.common;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NameEncodingTest {
    @Test
    void encodesAsTheLayerDirectoryContractSays() {
        assertEquals("vm-1.disk_0", NameEncoding.diskDir("vm-1.disk_0"));
        assertEquals("a%2Fb%20c", NameEncoding.diskDir("a/b c"));
        assertEquals("%CE%B1", NameEncoding.diskDir("α"));
        assertEquals("%2E.", NameEncoding.diskDir(".."));
        assertEquals("%2E", NameEncoding.diskDir("."));
        assertEquals("%2Ehidden", NameEncoding.diskDir(".hidden"));

        for (String id : new String[] {"vm 7/α", "..", ".", "x%y", "C:\\disk", "ok"}) {
            assertEquals(id, NameEncoding.decode(NameEncoding.diskDir(id)));
        }
        assertThrows(IllegalArgumentException.class, () -> NameEncoding.decode("%G1"));
        assertThrows(IllegalArgumentException.class, () -> NameEncoding.decode("%FF"));
        assertThrows(IllegalArgumentException.class, () -> NameEncoding.decode("abc%2"));
        assertThrows(IllegalArgumentException.class, () -> NameEncoding.decode("é"));   // raw non-ASCII: never written
        // plain encode keeps a leading dot (topic names, snapshot ids); only disk directories escape it
        assertEquals(".x%20y", NameEncoding.encode(".x y"));
    }

    @Test
    void cutsWithoutSplittingAnEscape() {
        assertEquals("abc", NameEncoding.cut("abc", 3));
        assertEquals("ab", NameEncoding.cut("abc", 2));
        assertEquals("x", NameEncoding.cut("x%2Fy", 3));   // %2F would be cut after '%2'
        assertEquals("x", NameEncoding.cut("x%2Fy", 2));
        assertEquals("x%2F", NameEncoding.cut("x%2Fy", 4));
    }
}
