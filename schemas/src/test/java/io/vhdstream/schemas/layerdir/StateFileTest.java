package io.vhdstream.schemas.layerdir;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code state} file's text rules that the topology (DiskState, every field required) and the source connector
 * (the tombstone only) both apply: what each side may rely on, and the damaged or hostile texts refused with a reason.
 */
class StateFileTest {
    static final String LIVE = "version=1\ndiskId=vm%201\ntopic=cmds\npartition=3\nvirtualSize=1073741824\n";

    @Test
    void aTombstoneRoundTripsWithOddNames() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("diskId", "vm 1/α");
        m.put(StateFile.DELETED_OFFSET, "990");
        m.put(StateFile.DELETE_REASON, "gone, for good\nreally");
        m.put(StateFile.DELETED_LAYERS, StateFile.list(List.of("base.vhd", "0001-a,b.vhd")));
        String text = StateFile.format(m);
        assertTrue(text.startsWith("version=1\n") && text.endsWith("\n") && text.lines().count() == 5, text);
        StateFile.Fields f = StateFile.parse(text);
        assertEquals("vm 1/α", f.require("diskId"));
        assertEquals(990, f.deletedOffset());
        assertEquals("gone, for good\nreally", f.deleteReason(), "a newline in a value stays inside its line");
        assertEquals(List.of("base.vhd", "0001-a,b.vhd"), f.deletedLayers(), "a comma inside a layer name stays in it");
    }

    @Test
    void aLiveDiskHasNoTombstoneAndBlankOrUnknownLinesAreIgnored() {
        StateFile.Fields f = StateFile.parse("\n" + LIVE + "\n   \nfuture=x\n");
        assertEquals(-1, f.deletedOffset());
        assertNull(f.deleteReason());
        assertEquals(List.of(), f.deletedLayers());
        assertEquals("vm 1", f.require("diskId"));
        assertEquals(3, f.intValue("partition"));
        assertEquals("x", f.values().get("future"), "unknown keys are kept, for the reader to ignore");
        // A tombstone of before deletedLayers existed (old format): still a tombstone, with no layer list.
        StateFile.Fields old = StateFile.parse(LIVE + "deletedOffset=5\n");
        assertEquals(5, old.deletedOffset());
        assertEquals(List.of(), old.deletedLayers());
    }

    @Test
    void damagedOrHostileTextIsRefusedWithTheReason() {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("", "empty");
        bad.put(LIVE + "deletedOffset=99", "torn");                          // cut before the final newline
        bad.put(LIVE.substring(0, LIVE.length() - 5), "torn");               // cut inside a number
        bad.put("whatever the topology keeps\n", "malformed line");
        bad.put(LIVE + "=x\n", "malformed line");
        bad.put("diskId=d\n", "missing version");
        bad.put("version=2\ndiskId=d\n", "unsupported state version");
        bad.put("version=one\n", "malformed number");
        bad.put(LIVE + "diskId=other\n", "diskId given twice");
        bad.put(LIVE + "reason=%G1\n", "escape");
        bad.put(LIVE + "reason=caf\u00e9\n", "non-ASCII");
        bad.put("version=1\r\n", "malformed number");                       // a CR is not part of the format
        bad.forEach((text, why) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StateFile.parse(text), text);
            assertTrue(e.getMessage().contains(why), why + ": " + e.getMessage());
        });
        StateFile.Fields f = StateFile.parse(LIVE + "deletedOffset=x\ndeletedLayers=%25G1\nbig=4294967296\n");
        for (Runnable r : List.<Runnable>of(f::deletedOffset, f::deletedLayers, () -> f.intValue("big"), () -> f.require("absent"))) {
            assertThrows(IllegalArgumentException.class, r::run);
        }
    }
}
