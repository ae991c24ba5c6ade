package io.vhdstream.vhd.repair;

import io.vhdstream.vhd.Problem;
import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.VhdException;
import io.vhdstream.vhd.bat.BlockAllocationTable;
import io.vhdstream.vhd.batmap.Batmap;
import io.vhdstream.vhd.bitmap.SectorBitmap;
import io.vhdstream.vhd.footer.DiskType;
import io.vhdstream.vhd.footer.Footer;
import io.vhdstream.vhd.header.DynamicHeader;
import io.vhdstream.vhd.image.ImageStructure;
import io.vhdstream.vhd.image.Region;
import io.vhdstream.vhd.io.ImageFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Fixes what can be fixed without guessing at data: a damaged end footer from the copy at offset 0 (and
 * the reverse), checksums of structures whose fields are otherwise sound, and a batmap that claims more
 * than the bitmaps hold. Anything else it leaves alone and reports.
 */
public final class VhdRepairer {
    private VhdRepairer() {
    }

    /** @return the actions taken, in order; empty when the image needed nothing. */
    public static List<String> repair(Path path) throws IOException {
        List<String> actions = new ArrayList<>();
        try (ImageFile f = ImageFile.open(path, true)) {
            ImageStructure s = ImageStructure.read(f, false);
            if (s.footer() == null || s.type() == null) {
                Problem p = s.firstFatal();
                throw new VhdException(p != null ? p.code() : ProblemCode.FOOTER_COOKIE, path
                        + ": no usable footer in either copy; nothing to repair from");
            }
            repairFooters(f, s, actions);
            if (s.type() != DiskType.FIXED) {
                repairHeader(f, s, actions);
                s = ImageStructure.read(f, false);
                if (s.batmap() != null && s.bat() != null) {
                    repairBatmap(f, s, actions);
                }
            }
            f.force();
            ImageStructure after = ImageStructure.read(f, true);
            if (after.fatal()) {
                Problem p = after.firstFatal();
                throw new VhdException(p.code(), path + ": cannot repair: " + p.message());
            }
        }
        return actions;
    }

    private static void repairFooters(ImageFile f, ImageStructure s, List<String> actions) throws IOException {
        Footer good = s.footer();
        if (!good.checksumValid()) {
            good = good.toBuilder().build();
            actions.add("recomputed the footer checksum");
        }
        if (s.type() == DiskType.FIXED) {
            if (!good.equals(s.endFooter())) {
                f.write(f.size() - Footer.SIZE, good.serialize());
            }
            return;
        }
        if (s.footerFromCopy() || !good.equals(s.endFooter())) {
            long at = endFooterPosition(f, s);
            f.write(at, good.serialize());
            if (f.size() > at + Footer.SIZE) {
                f.channel().truncate(at + Footer.SIZE);
            }
            actions.add("rewrote the end footer at " + at + " from " + (s.footerFromCopy() ? "the copy at offset 0" : "the checked footer"));
        }
        if (!good.equals(s.copyFooter())) {
            f.write(0, good.serialize());
            actions.add("rewrote the footer copy at offset 0");
        }
    }

    /** Where the end footer belongs: after every block and metadata region, or over the damaged one. */
    private static long endFooterPosition(ImageFile f, ImageStructure s) throws IOException {
        long end = 0;
        for (Region r : s.metadata()) {
            end = Math.max(end, r.end());
        }
        DynamicHeader h = s.header();
        BlockAllocationTable bat = s.bat();
        if (h != null && bat != null) {
            long span = h.bitmapBytes() + h.blockSize();
            for (int i = 0; i < bat.size(); i++) {
                if (bat.allocated(i)) {
                    end = Math.max(end, bat.sector(i) * 512 + span);
                }
            }
        }
        end = (end + 511) & ~511L;
        long damagedAt = f.size() - Footer.SIZE;
        if (end >= damagedAt + Footer.SIZE) {
            // something the BAT or a locator names lies past the end of the file: truncated or garbage;
            // writing the footer past it would turn lost data into zeros and call the image clean
            throw new VhdException(ProblemCode.BAT_BLOCK_PAST_END, f.path() + ": blocks or metadata reach to " + end
                    + ", past the end of the " + f.size() + "-byte file; not extending it");
        }
        return Math.max(end, damagedAt);
    }

    private static void repairHeader(ImageFile f, ImageStructure s, List<String> actions) throws IOException {
        DynamicHeader h = s.header();
        if (h != null && h.cookieValid() && !h.checksumValid()) {
            f.write(s.footer().dataOffset(), h.toBuilder().build().serialize());
            actions.add("recomputed the dynamic header checksum");
        }
    }

    private static void repairBatmap(ImageFile f, ImageStructure s, List<String> actions) throws IOException {
        Batmap map = s.batmap();
        BlockAllocationTable bat = s.bat();
        if (!map.covers(bat.size())) {
            return;
        }
        int sectors = (int) (s.header().blockSize() / 512);
        int cleared = 0;
        for (int b = 0; b < bat.size(); b++) {
            if (!map.full(b)) {
                continue;
            }
            boolean full = bat.allocated(b)
                    && new SectorBitmap(f.read(bat.sector(b) * 512, (int) s.header().bitmapBytes()), sectors).full();
            if (!full) {
                map.setFull(b, false);
                cleared++;
            }
        }
        if (cleared > 0 || !map.checksumValid()) {
            map.updateChecksum();
            f.write(map.mapOffset(), map.map());
            f.write(s.batmapHeaderOffset(), map.header());
            actions.add("batmap: cleared " + cleared + " false 'full' bits and rewrote its checksum");
        }
    }
}
