package io.vhdstream.vhd.image;

import io.vhdstream.vhd.Problem;
import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.VhdException;
import io.vhdstream.vhd.bat.BlockAllocationTable;
import io.vhdstream.vhd.footer.DiskType;
import io.vhdstream.vhd.footer.Footer;
import io.vhdstream.vhd.footer.Geometry;
import io.vhdstream.vhd.header.DynamicHeader;
import io.vhdstream.vhd.io.ImageFile;
import io.vhdstream.vhd.io.Sectors;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Changes an image's virtual size, as {@code qemu-img resize}. Growing: the new part reads as zeros (a fixed
 * disk's file grows; a sparse image's BAT grows in place when there is room after it, otherwise a larger copy
 * goes after everything else and the header points to it). Shrinking only when asked: what lies past the new
 * end is lost. Every step leaves a valid image: the end footer with the new size is written last but one,
 * the copy at offset 0 last.
 */
public final class Resizer {
    private static final int ZERO_CHUNK = 1 << 20;

    private Resizer() {
    }

    public static void resize(Path path, long newSize, boolean shrink) throws IOException {
        if (newSize <= 0 || newSize % Sectors.SIZE != 0 || newSize > Footer.MAX_SIZE) {
            throw new VhdException(ProblemCode.INVALID_ARGUMENT, "size " + newSize
                    + " must be a positive multiple of 512 of at most 2040 GiB");
        }
        try (ImageFile f = ImageFile.open(path, true)) {
            ImageStructure s = ImageStructure.read(f, true);
            Problem fatal = s.firstFatal();
            if (fatal != null) {
                throw new VhdException(fatal.code(), path + ": " + fatal.message());
            }
            if (s.footerFromCopy()) {
                throw new VhdException(ProblemCode.FOOTER_CHECKSUM, path + ": the end footer is damaged; run 'vhdstream vhd"
                        + " repair' first");
            }
            long old = s.footer().currentSize();
            if (newSize == old) {
                return;
            }
            if (newSize < old && !shrink) {
                throw new VhdException(ProblemCode.INVALID_ARGUMENT, path + ": shrinking from " + old + " to " + newSize
                        + " bytes loses what lies past the new end; --shrink to do it anyway");
            }
            Footer next = s.footer().toBuilder().currentSize(newSize).geometry(Geometry.forSize(newSize)).build();
            if (s.type() == DiskType.FIXED) {
                resizeFixed(f, s, old, newSize, next);
            } else {
                resizeSparse(f, s, old, newSize, next);
            }
            f.force();
        }
    }

    private static void resizeFixed(ImageFile f, ImageStructure s, long old, long newSize, Footer next) throws IOException {
        f.write(newSize, next.serialize());
        if (newSize > old) {
            zero(f, old, Math.min(newSize, s.footerPos() + Footer.SIZE)); // the old footer (and any gap) is now disk
        }
        if (f.size() > newSize + Footer.SIZE) {
            f.channel().truncate(newSize + Footer.SIZE);
        }
    }

    private static void resizeSparse(ImageFile f, ImageStructure s, long old, long newSize, Footer next) throws IOException {
        DynamicHeader h = s.header();
        long bs = h.blockSize();
        long oldNeed = (old + bs - 1) / bs;
        long need = (newSize + bs - 1) / bs;
        long footerAt = s.footerPos();
        if (need > BlockAllocationTable.MAX_ENTRIES_IN_MEMORY) {
            throw new VhdException(ProblemCode.UNSUPPORTED, f.path() + ": " + need + " blocks of " + bs
                    + " bytes exceed the supported " + BlockAllocationTable.MAX_ENTRIES_IN_MEMORY);
        }
        if (need > h.maxTableEntries()) {
            long batBytes = Sectors.roundUp(h.maxTableEntries() * 4);
            long newBatBytes = Sectors.roundUp(need * 4);
            if (s.batmap() != null) {
                throw new VhdException(ProblemCode.UNSUPPORTED, f.path() + ": growing the BAT of an image with a blktap"
                        + " batmap (which sits right after it) is not supported");
            }
            byte[] table = s.bat().serialize(need);
            if (h.tableOffset() + newBatBytes <= roomAfterBat(s, h.tableOffset() + batBytes)) {
                f.write(h.tableOffset(), table);
                f.write(s.footer().dataOffset(), h.toBuilder().maxTableEntries(need).build().serialize());
            } else {
                long at = s.nextFree();
                footerAt = at + newBatBytes;
                f.write(footerAt, s.footer().serialize()); // the file never ends without a footer
                f.write(at, table);
                f.force();
                f.write(s.footer().dataOffset(), h.toBuilder().tableOffset(at).maxTableEntries(need).build().serialize());
            }
        } else if (need > oldNeed) {
            // Entries a shrink left behind must not bring old data back: the grown part reads as zeros.
            byte[] unused = new byte[(int) ((need - oldNeed) * 4)];
            Arrays.fill(unused, (byte) 0xFF);
            f.write(h.tableOffset() + oldNeed * 4, unused);
        }
        f.force();
        f.write(footerAt, next.serialize());
        f.write(0, next.serialize());
    }

    /** Where the first thing after the BAT starts (a locator, a batmap, a block), or the end footer. */
    private static long roomAfterBat(ImageStructure s, long batEnd) {
        long room = s.footerPos();
        for (Region r : s.metadata()) {
            if (r.start() >= batEnd) {
                room = Math.min(room, r.start());
            }
        }
        BlockAllocationTable bat = s.bat();
        for (int i = bat.nextAllocated(0); i >= 0; i = bat.nextAllocated(i + 1)) {
            long start = bat.sector(i) * Sectors.SIZE;
            if (start >= batEnd) {
                room = Math.min(room, start);
            }
        }
        return room;
    }

    private static void zero(ImageFile f, long from, long to) throws IOException {
        byte[] zeros = new byte[(int) Math.min(ZERO_CHUNK, Math.max(0, to - from))];
        for (long at = from; at < to; at += zeros.length) {
            f.write(at, zeros, 0, (int) Math.min(zeros.length, to - at));
        }
    }
}
