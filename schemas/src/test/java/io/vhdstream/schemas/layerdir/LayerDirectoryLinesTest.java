package io.vhdstream.schemas.layerdir;

import io.vhdstream.schemas.layerdir.LayerDirectoryLines.MergeLine;
import io.vhdstream.schemas.layerdir.LayerDirectoryLines.SealedLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The line rules of {@code sealed} and {@code merged} that the topology (writer, strict about its own fields) and the
 * source connector (reader of live and old-layout directories) both apply, with the edge cases either side handled.
 */
class LayerDirectoryLinesTest {

    @Test
    void onlyCompleteNonBlankLinesCount() {
        assertEquals(List.of(), LayerDirectoryLines.completeLines(""));
        assertEquals(List.of(), LayerDirectoryLines.completeLines("0 base.vhd s1 10"), "an append in progress");
        assertEquals(List.of(), LayerDirectoryLines.completeLines("\n\n  \n"));
        assertEquals(List.of("0 base.vhd s1 10", "1 0001@s2.vhd s2 20"),
                LayerDirectoryLines.completeLines("0 base.vhd s1 10\n\n1 0001@s2.vhd s2 20\n2 0002@s3.vhd s3 3"),
                "a blank line skipped, the torn last line cut");
    }

    @Test
    void aSealedLineOfEachLayoutParses() {
        SealedLine full = SealedLine.parse("1 0001@s2.vhd s2 5120 from=2300 at=1732363200000 id=6f1c parent=0a9b"
                + " sectors=2048 size=1100288 sha256=9f86 label=nightly%20run future=x\n");
        assertEquals(1, full.layerIndex());
        assertEquals("0001@s2.vhd", full.fileName());
        assertEquals("s2", full.snapshotField());
        assertEquals(5120, full.sealOffset());
        assertEquals("nightly%20run", full.field("label"), "values stay as written (percent-encoded)");
        assertEquals("x", full.field("future"), "unknown keys are kept, for the reader to ignore");
        assertNull(full.field("absent"));

        SealedLine old = SealedLine.parse("  1   0001-s1.vhd   s2   20  "); // old layout, spaces repeated
        assertEquals(List.of(1, "0001-s1.vhd", "s2", 20L, Map.of()),
                List.of(old.layerIndex(), old.fileName(), old.snapshotField(), old.sealOffset(), old.fields()));
        SealedLine bare = SealedLine.parse("0 base.vhd");
        assertNull(bare.snapshotField());
        assertEquals(-1, bare.sealOffset(), "no seal offset: the old layout (the topology refuses such a line)");
    }

    @Test
    void aSealedLineBreakingARuleIsRefusedWithTheReason() {
        for (String bad : List.of("", "0", "x base.vhd s1 1", "-1 base.vhd s1 1", "1 ../0001@s2.vhd s2 1",
                "1 sub/0001.vhd s2 1", "1 a\\b.vhd s2 1", "1 .0001.vhd s2 1", "1 0001@s2.vhd s2 x", "1 0001@s2.vhd s2 5 id",
                "1 0001@s2.vhd s2 5 =x")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SealedLine.parse(bad), bad);
            assertTrue(e.getMessage() != null && !e.getMessage().isEmpty(), bad);
        }
    }

    @Test
    void mergeLinesContinueEachOtherAndGiveTheBaseLevel() {
        List<MergeLine> ms = MergeLine.parseAll(LayerDirectoryLines.completeLines("10 1 2\n20  3 3\n30 4 6\n40 7"));
        assertEquals(List.of(new MergeLine(10, 1, 2), new MergeLine(20, 3, 3), new MergeLine(30, 4, 6)), ms,
                "the torn last line is no merge yet");
        assertEquals(6, MergeLine.level(ms));
        assertEquals(0, MergeLine.level(List.of()));
        assertEquals("30 4 6\n", ms.get(2).toLine());
        assertTrue(ms.get(2).covers(4) && ms.get(2).covers(6) && !ms.get(2).covers(3) && !ms.get(2).covers(7));
        for (List<String> bad : List.of(List.of("10 2 3"), List.of("10 1 2", "20 4 5"), List.of("10 0 2"), List.of("10 3 2"),
                List.of("10 1"), List.of("x 1 2"))) {
            assertThrows(IllegalArgumentException.class, () -> MergeLine.parseAll(bad), bad::toString);
        }
    }

    @Test
    void aMergeIsUnfinishedWhileAFileOfItsRangeIsThere(@TempDir Path dir) throws IOException {
        MergeLine m = new MergeLine(30, 2, 3);
        for (String other : List.of("base.vhd", "0001@s2.vhd", "0004@s5.vhd", "0005.vhd", ".0002@s3.vhd.tmp", "0002@s3.vhd.x",
                "sealed", "merged")) {
            Files.writeString(dir.resolve(other), "");
        }
        assertFalse(m.filesLeftIn(dir), "layers outside 2..3, temporary files and other files say nothing of the merge");
        for (String inRange : List.of("0002@s3.vhd", "0003.vhd", "0003-s2.vhd")) { // sealed, a renamed-back active, old layout
            Path f = Files.writeString(dir.resolve(inRange), "");
            assertTrue(m.filesLeftIn(dir), inRange);
            Files.delete(f);
        }
        assertFalse(m.filesLeftIn(dir));
        assertThrows(IOException.class, () -> m.filesLeftIn(dir.resolve("gone")), "an unreadable directory is an error, not 'finished'");
    }
}
