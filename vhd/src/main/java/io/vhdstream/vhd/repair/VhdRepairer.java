package io.vhdstream.vhd.repair;

import io.vhdstream.vhd.Problem;
import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.Severity;
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

    /** What a repair did, and the findings about this file that are left (chain findings excluded). */
    public record Result(List<String> actions, List<Problem> remaining) {
        public Result {
            actions = List.copyOf(actions);
            remaining = List.copyOf(remaining);
        }
    }

    /**
     * @return the actions taken, in order; empty when the image needed nothing
     * @throws VhdException when no usable footer exists, or when the file is still unreadable afterwards
     */
    public static List<String> repair(Path path) throws IOException {
        Result r = run(path);
        for (Problem p : r.remaining()) {
            if (p.fatal()) {
                throw new VhdException(p.code(), path + ": cannot repair: " + p.message());
            }
        }
        return r.actions();
    }

    /**
     * Makes every safe fix it can, then reads the file again (as check does) and returns what is left.
     *
     * @throws VhdException only when there is no footer to start from (none with the cookie, or one whose
     *                      own fields are unusable), so nothing at all can be repaired
     */
    public static Result run(Path path) throws IOException {
        List<String> actions = new ArrayList<>();
        List<Problem> refused = new ArrayList<>();
        try (ImageFile f = ImageFile.open(path, true)) {
            ImageStructure s = ImageStructure.read(f, false);
            if (s.footer() == null || s.footer().diskType().isEmpty() || footerFieldsUnusable(s)) {
                Problem p = s.firstFatal();
                throw new VhdException(p != null ? p.code() : ProblemCode.FOOTER_COOKIE, path
                        + ": no usable footer in either copy" + (p != null ? " (" + p.message() + ")" : "")
                        + "; nothing to repair from");
            }
            repairFooters(f, s, actions, refused);
            if (s.type() != DiskType.FIXED && s.header() != null && s.header().cookieValid()) {
                repairHeader(f, s, actions);
                s = ImageStructure.read(f, false);
                if (s.batmap() != null && s.bat() != null) {
                    repairBatmap(f, s, actions);
                }
            }
            f.force();
            ImageStructure after = ImageStructure.read(f, true);
            List<Problem> remaining = new ArrayList<>(refused);
            for (Problem p : after.problems()) {
                if (refused.stream().noneMatch(r -> r.code() == p.code())) {
                    remaining.add(p);
                }
            }
            return new Result(actions, remaining);
        }
    }

    /** The footer's own fields (type, size, header offset) are what stopped the walk: no copy of it helps. */
    private static boolean footerFieldsUnusable(ImageStructure s) {
        Problem p = s.firstFatal();
        return s.type() == null && p != null && (p.code() == ProblemCode.FOOTER_DISK_TYPE
                || p.code() == ProblemCode.FOOTER_SIZE || p.code() == ProblemCode.FOOTER_DATA_OFFSET
                || p.code() == ProblemCode.FOOTER_COOKIE);
    }

    private static void repairFooters(ImageFile f, ImageStructure s, List<String> actions, List<Problem> refused)
            throws IOException {
        Footer good = s.footer();
        if (!good.checksumValid()) {
            String doubt = uncorroborated(s);
            if (doubt != null) {
                // A checksum exists to catch a corrupted field: recomputing it would bless the corruption.
                refused.add(new Problem(ProblemCode.FOOTER_CHECKSUM, Severity.ERROR, s.footerFromCopy() ? "footer copy"
                        : "end footer", -1, String.format("checksum 0x%08x does not match its content (0x%08x) and %s;"
                        + " repair does not recompute it (that would bless a corrupted field)", good.storedChecksum(),
                        good.computedChecksum(), doubt), true));
                return;
            }
            good = good.toBuilder().build();
            actions.add("recomputed the footer checksum (both footer copies agree on its content)");
        }
        boolean fixed = good.diskType().orElse(null) == DiskType.FIXED;
        if (fixed) {
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

    /**
     * Why the content of a footer whose checksum is wrong cannot be trusted, or null when it can: a dynamic
     * disk's two copies agree byte for byte (the writer computed the sum wrongly, as some QEMU versions did),
     * or a fixed disk's size is exactly what the file holds.
     */
    private static String uncorroborated(ImageStructure s) {
        Footer f = s.footer();
        if (f.diskType().orElse(null) == DiskType.FIXED) {
            return f.currentSize() == s.footerPos() ? null : "its size " + f.currentSize() + " is not the "
                    + s.footerPos() + " bytes of data the file holds";
        }
        if (s.copyFooter() == null || s.endFooter() == null || !s.copyFooter().equals(s.endFooter())) {
            return "there is no identical second copy to confirm its content";
        }
        return null;
    }

    /**
     * Cuts a writable sparse image back to what its metadata references: the space after the last block and metadata
     * region goes, and the end footer is written right after them (from the copy at offset 0 if the end one is
     * damaged). This is what a power loss (or a process crash) leaves after blocks were allocated but before the
     * barrier that writes their BAT entries: unreferenced blocks at the end, possibly a damaged end footer. Cutting
     * them makes the next allocation land where it did before the crash, so a writer that replays its writes from
     * its last {@code sync()} ends with the same bytes (docs/crash-safety.md). Nothing referenced is touched.
     *
     * @return what it did; empty when the file already ended at its last referenced byte with a sound footer
     * @throws VhdException when there is no usable footer, or the metadata references space past the end of the file
     */
    public static List<String> cutUnreferencedTail(Path path) throws IOException {
        try (ImageFile f = ImageFile.open(path, true)) {
            ImageStructure s = ImageStructure.read(f, false);
            if (s.footer() == null || s.type() == null || !s.footer().checksumValid()) {
                Problem p = s.firstFatal();
                throw new VhdException(p != null ? p.code() : ProblemCode.FOOTER_COOKIE, path + ": no usable footer"
                        + (p != null ? " (" + p.message() + ")" : ""));
            }
            if (s.type() == DiskType.FIXED || s.header() == null || s.bat() == null) {
                return List.of();
            }
            long end = referencedEnd(s);
            if (end + Footer.SIZE > f.size()) {
                throw new VhdException(ProblemCode.BAT_BLOCK_PAST_END, path + ": blocks or metadata reach to " + end
                        + ", past the end of the " + f.size() + "-byte file");
            }
            if (end + Footer.SIZE == f.size() && !s.footerFromCopy() && s.footer().equals(s.endFooter())) {
                return List.of();
            }
            long was = f.size();
            f.write(end, s.footer().serialize());
            f.channel().truncate(end + Footer.SIZE);
            f.force();
            return List.of("cut the file from " + was + " to " + (end + Footer.SIZE)
                    + " bytes (the end footer after the last referenced block" + (s.footerFromCopy() ? ", from the copy at offset 0)" : ")"));
        }
    }

    /**
     * Cuts a writable sparse image back to the {@code length} it had at a known barrier: blocks that start at or past
     * it lose their BAT entries (and batmap bits), then {@link #cutUnreferencedTail} cuts the file after what is still
     * referenced. A power loss after the barrier may keep the BAT entry of a block allocated later and lose that of
     * one allocated earlier (they sit in different BAT sectors, written separately); the tail cut alone then leaves
     * the earlier block's space orphaned in the middle of the file, and a writer replaying its writes from the barrier
     * allocates that block at the end: the same content in different bytes. Cut back to the barrier, the replay
     * allocates every block where it did the first time. Blocks and metadata before {@code length} are untouched.
     *
     * @return what it did; empty when no block starts at or past {@code length} and the tail was already right
     */
    public static List<String> cutBackTo(Path path, long length) throws IOException {
        List<String> actions = new ArrayList<>();
        try (ImageFile f = ImageFile.open(path, true)) {
            ImageStructure s = ImageStructure.read(f, false);
            BlockAllocationTable bat = s.bat();
            if (s.header() != null && bat != null && s.type() != DiskType.FIXED) {
                Batmap map = s.batmap() != null && s.batmap().covers(bat.size()) ? s.batmap() : null;
                int dropped = 0;
                for (int b = bat.nextAllocated(0); b >= 0; b = bat.nextAllocated(b + 1)) {
                    if (bat.sector(b) * 512 >= length) {
                        bat.set(b, BlockAllocationTable.UNALLOCATED);
                        f.write(s.header().tableOffset() + 4L * b, bat.entryBytes(b));
                        if (map != null) {
                            map.setFull(b, false);
                        }
                        dropped++;
                    }
                }
                if (dropped > 0) {
                    if (map != null) {
                        map.updateChecksum();
                        f.write(map.mapOffset(), map.map());
                        f.write(s.batmapHeaderOffset(), map.header());
                    }
                    f.force();
                    actions.add("dropped the BAT entries of " + dropped + " blocks allocated after byte " + length);
                }
            }
        }
        actions.addAll(cutUnreferencedTail(path));
        return actions;
    }

    /** The end of the last block or metadata region the image references (sector-aligned). */
    private static long referencedEnd(ImageStructure s) {
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
        return (end + 511) & ~511L;
    }

    /** Where the end footer belongs: after every block and metadata region, or over the damaged one. */
    private static long endFooterPosition(ImageFile f, ImageStructure s) throws IOException {
        long end = referencedEnd(s);
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
