package io.vhdstream.vhd.robust;

import io.vhdstream.vhd.Problem;
import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.VhdException;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.check.CheckReport;
import io.vhdstream.vhd.check.VhdChecker;
import io.vhdstream.vhd.create.VhdCreator;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;
import io.vhdstream.vhd.testkit.Batmaps;
import io.vhdstream.vhd.testkit.VhdBytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.vhdstream.vhd.testkit.VhdBytes.B_OFFSET;
import static io.vhdstream.vhd.testkit.VhdBytes.H_BLOCK_SIZE;
import static io.vhdstream.vhd.testkit.VhdBytes.H_MAX_ENTRIES;
import static io.vhdstream.vhd.testkit.VhdBytes.H_TABLE_OFFSET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Offsets and sizes from the file near the top of their ranges: each a typed finding, never an overflow. */
class ArithmeticBoundsTest {
    /** Sector aligned and so large that adding the BAT's or the map's length wraps past Long.MAX_VALUE. */
    private static final long HUGE = 0x7FFF_FFFF_FFFF_FE00L;

    @TempDir
    Path dir;

    private CheckReport check(Path p) throws Exception {
        return VhdChecker.check(p, ChainOptions.forImage(p));
    }

    private static Problem find(CheckReport r, ProblemCode code) {
        return r.problems().stream().filter(p -> p.code() == code).findFirst()
                .orElseThrow(() -> new AssertionError("no " + code + " in " + r.problems()));
    }

    @Test
    void aBatOffsetThatOverflowsIsOutsideTheFile() throws Exception {
        Path p = dir.resolve("bat.vhd");
        VhdCreator.dynamic(p, 4 << 20, 1 << 20);
        VhdBytes.of(p).header64(H_TABLE_OFFSET, HUGE).save(p);
        assertTrue(find(check(p), ProblemCode.BAT_OUTSIDE_FILE).fatal());
        VhdException e = assertThrows(VhdException.class, () -> VhdImage.open(p, OpenOptions.READ));
        assertEquals(ProblemCode.BAT_OUTSIDE_FILE, e.code());
    }

    @Test
    void aBatmapOffsetThatOverflowsIsOutsideTheFile() throws Exception {
        Path p = dir.resolve("batmap.vhd");
        VhdCreator.dynamic(p, 4 << 20, 1 << 20);
        Batmaps.addBatmap(p);
        VhdBytes v = VhdBytes.of(p);
        v.put64(v.afterBat() + B_OFFSET, HUGE).save(p);
        find(check(p), ProblemCode.BATMAP_OUTSIDE_FILE);
        try (VhdImage img = VhdImage.open(p, OpenOptions.READ)) {
            assertEquals(4 << 20, img.virtualSize(), "the batmap is optional: the image still opens");
        }
    }

    /** 2 GiB blocks: the field holds them, an int does not (a connector cast made them negative). */
    @Test
    void blocksAbove1GiBAreRefused() throws Exception {
        Path p = dir.resolve("bs.vhd");
        VhdCreator.dynamic(p, 4 << 20, 1 << 20);
        VhdBytes v = VhdBytes.of(p);
        v.put32(v.header() + H_BLOCK_SIZE, 1L << 31).put32(v.header() + H_MAX_ENTRIES, 1).fixHeader().save(p);
        Problem bs = find(check(p), ProblemCode.HEADER_BLOCK_SIZE);
        assertTrue(bs.fatal());
        assertTrue(bs.message().contains("2147483648"), bs.message());
        VhdException e = assertThrows(VhdException.class, () -> VhdImage.open(p, OpenOptions.READ));
        assertEquals(ProblemCode.HEADER_BLOCK_SIZE, e.code());
    }
}
