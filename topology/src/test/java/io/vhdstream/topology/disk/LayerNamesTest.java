package io.vhdstream.topology.disk;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LayerNamesTest {
    @Test
    void percentEncodingKeepsSafeCharactersAndRoundTrips() {
        assertEquals("vm-1_a.b", LayerNames.encode("vm-1_a.b"));
        assertEquals("a%2Fb%20c%25", LayerNames.encode("a/b c%"));
        assertEquals("%C3%A9", LayerNames.encode("\u00e9"));
        for (String s : new String[] {"a/b c%", "\u00e9t\u00e9", "..", "x\u0000y", "\ud83d\ude00"}) {
            assertEquals(s, LayerNames.decode(LayerNames.encode(s)));
        }
        assertThrows(IllegalArgumentException.class, () -> LayerNames.decode("%G1"));
        assertThrows(IllegalArgumentException.class, () -> LayerNames.decode("ab%4"));
    }

    @Test
    void diskDirectoriesAreNeverDotNamesOrHidden() {
        assertEquals("%2E", LayerNames.diskDir("."));
        assertEquals("%2E.", LayerNames.diskDir(".."));
        assertEquals("%2Eoffsets", LayerNames.diskDir(".offsets"));
        assertEquals("%2E.%2Fetc", LayerNames.diskDir("../etc"));
        assertEquals("..", LayerNames.decode(LayerNames.diskDir("..")));
        assertTrue(!LayerNames.diskDir(".offsets").equals(LayerNames.OFFSETS_DIR));
    }

    @Test
    void idLimits() {
        assertNull(LayerNames.diskIdProblem("vm-17"));
        assertNull(LayerNames.diskIdProblem("x".repeat(200)));
        assertNotNull(LayerNames.diskIdProblem(""));
        assertNotNull(LayerNames.diskIdProblem("x".repeat(201)));
        assertNotNull(LayerNames.diskIdProblem("\u00e9".repeat(50)));   // 100 bytes, but a 300-byte name
        assertNull(LayerNames.snapshotIdProblem("nightly 2026-11-23/01"));
        assertNotNull(LayerNames.snapshotIdProblem(""));
        assertNotNull(LayerNames.snapshotIdProblem("s".repeat(1025)));
    }

    @Test
    void layerFileNamesCutSnapshotIdsWithoutSplittingAnEscape() {
        assertEquals("base.vhd", LayerNames.sealedFile(0, "s0"));
        assertEquals("base.vhd", LayerNames.activeFile(0));
        assertEquals("0001.vhd", LayerNames.activeFile(1));
        assertEquals("0001@s1.vhd", LayerNames.sealedFile(1, "s1"));
        assertEquals("0001-s1.vhd", LayerNames.legacyFile(1, "s1"));
        assertEquals("12345@x.vhd", LayerNames.sealedFile(12345, "x"), "a disk that lives for years passes 9999 layers");
        assertEquals("0012@a%20b.vhd", LayerNames.sealedFile(12, "a b"));
        String cut = LayerNames.sealedFile(2, "x".repeat(99) + "/y");   // escape would straddle byte 100
        assertEquals("0002@" + "x".repeat(99) + ".vhd", cut);
        assertEquals(100 + 9, LayerNames.sealedFile(3, "z".repeat(300)).length());
        assertTrue(LayerNames.isLayerFile("0001-s1.vhd"));
        assertTrue(!LayerNames.isLayerFile(".0001-s1.vhd.tmp"));
        assertTrue(LayerNames.isTmp(LayerNames.tmp("base.vhd")));
    }
}
