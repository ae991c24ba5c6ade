package io.vhdstream.vhd.check;

import io.vhdstream.vhd.Problem;
import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.Severity;
import io.vhdstream.vhd.VhdException;
import io.vhdstream.vhd.bat.BlockAllocationTable;
import io.vhdstream.vhd.batmap.Batmap;
import io.vhdstream.vhd.bitmap.SectorBitmap;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.coalesce.CoalesceMarker;
import io.vhdstream.vhd.footer.DiskType;
import io.vhdstream.vhd.header.DynamicHeader;
import io.vhdstream.vhd.image.ImageStructure;
import io.vhdstream.vhd.io.ImageFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Walks an image the way {@code open} does but keeps going after every problem, then adds what only a
 * full check looks at: batmap claims against the bitmaps, and the parent chain (found, inside the allowed
 * roots, same unique id, no cycle, bounded depth).
 */
public final class VhdChecker {
    private VhdChecker() {
    }

    public static CheckReport check(Path file, ChainOptions options) throws IOException {
        List<Problem> problems = new ArrayList<>();
        ImageStructure s;
        try (ImageFile f = ImageFile.open(file, false)) {
            s = ImageStructure.read(f, true);
            problems.addAll(s.problems());
            if (!s.fatal() && s.batmap() != null && s.bat() != null) {
                checkBatmapClaims(f, s, problems);
            }
        }
        String merging = CoalesceMarker.pending(file);
        if (merging != null) {
            problems.add(new Problem(ProblemCode.COALESCE_INCOMPLETE, Severity.ERROR, "file", -1, "a coalesce of " + merging
                    + " into " + file + " started and did not finish (marker " + CoalesceMarker.of(file)
                    + "); run that coalesce again to complete it", false));
        }
        if (!s.fatal() && s.type() == DiskType.DIFFERENCING) {
            try (VhdChain chain = VhdChain.open(file, options.lenient(), false)) {
                problems.addAll(chain.warnings());
            } catch (VhdException e) {
                problems.add(new Problem(e.code(), Severity.ERROR, "chain", -1, e.detail(), false));
            }
        }
        return new CheckReport(file, problems);
    }

    private static void checkBatmapClaims(ImageFile f, ImageStructure s, List<Problem> problems) throws IOException {
        Batmap map = s.batmap();
        BlockAllocationTable bat = s.bat();
        DynamicHeader h = s.header();
        if (!map.covers(bat.size())) {
            return;
        }
        int sectors = (int) (h.blockSize() / 512);
        for (int b = 0; b < bat.size(); b++) {
            if (!map.full(b) || !bat.allocated(b)) {
                continue;
            }
            SectorBitmap bm = new SectorBitmap(f.read(bat.sector(b) * 512, (int) h.bitmapBytes()), sectors);
            if (!bm.full()) {
                problems.add(new Problem(ProblemCode.BATMAP_FULL_BLOCK_NOT_FULL, Severity.ERROR, "batmap",
                        s.batmapHeaderOffset(), "block " + b + " is marked full but " + (sectors - bm.count())
                        + " of its sectors are not present", false));
            }
        }
    }
}
