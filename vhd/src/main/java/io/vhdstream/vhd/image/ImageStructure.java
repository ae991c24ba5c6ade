package io.vhdstream.vhd.image;

import io.vhdstream.vhd.Problem;
import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.Severity;
import io.vhdstream.vhd.bat.BlockAllocationTable;
import io.vhdstream.vhd.batmap.Batmap;
import io.vhdstream.vhd.footer.DiskType;
import io.vhdstream.vhd.footer.Footer;
import io.vhdstream.vhd.header.DynamicHeader;
import io.vhdstream.vhd.io.Bytes;
import io.vhdstream.vhd.io.ImageFile;
import io.vhdstream.vhd.io.VhdTime;
import io.vhdstream.vhd.locator.LocatorPath;
import io.vhdstream.vhd.locator.ParentLocator;
import io.vhdstream.vhd.locator.PlatformCode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Everything one image file says about itself, read footer → header → BAT → locators → batmap. The walk
 * keeps going after a problem as far as the damage allows and records each one, so the same code serves
 * {@code open} (which refuses fatal problems) and {@code check} (which reports all of them).
 */
public final class ImageStructure {
    /** Locator data longer than this is not a path; refusing it keeps a lying length from costing memory. */
    static final int MAX_LOCATOR_DATA = 64 * 1024;

    private final List<Problem> problems = new ArrayList<>();
    private final List<Region> metadata = new ArrayList<>();
    private final List<LocatorEntry> locators = new ArrayList<>();
    private long fileSize;
    private Footer footer;
    private Footer endFooter;
    private Footer copyFooter;
    private boolean footerFromCopy;
    private DiskType type;
    private DynamicHeader header;
    private BlockAllocationTable bat;
    private long batBytes;
    private Batmap batmap;
    private long batmapHeaderOffset = -1;
    private long footerPos;
    private int endFooterLength = Footer.SIZE;
    private long nextFree;

    private ImageStructure() {
    }

    public List<Problem> problems() { return problems; }
    public List<Region> metadata() { return metadata; }
    public List<LocatorEntry> locators() { return locators; }
    public long fileSize() { return fileSize; }
    public Footer footer() { return footer; }
    public Footer endFooter() { return endFooter; }
    public Footer copyFooter() { return copyFooter; }
    public boolean footerFromCopy() { return footerFromCopy; }
    public DiskType type() { return type; }
    public DynamicHeader header() { return header; }
    public BlockAllocationTable bat() { return bat; }
    public Batmap batmap() { return batmap; }
    public long batmapHeaderOffset() { return batmapHeaderOffset; }
    /** Where the end footer starts: blocks must end at or before it. */
    public long footerPos() { return footerPos; }
    /** The first byte a new block may use: after every metadata region, block and the end footer's start. */
    public long nextFree() { return nextFree; }

    public boolean fatal() {
        return problems.stream().anyMatch(Problem::fatal);
    }

    public Problem firstFatal() {
        return problems.stream().filter(Problem::fatal).findFirst().orElse(null);
    }

    private void problem(ProblemCode code, Severity sev, String where, long offset, String msg, boolean fatal) {
        problems.add(new Problem(code, sev, where, offset, msg, fatal));
    }

    private void error(ProblemCode code, String where, long offset, String msg, boolean fatal) {
        problem(code, Severity.ERROR, where, offset, msg, fatal);
    }

    private void warn(ProblemCode code, String where, long offset, String msg) {
        problem(code, Severity.WARNING, where, offset, msg, false);
    }

    /** @param strict checksum mismatches are fatal (they always are reported). */
    public static ImageStructure read(ImageFile file, boolean strict) throws IOException {
        ImageStructure s = new ImageStructure();
        s.fileSize = file.size();
        if (s.fileSize < Footer.SIZE) {
            s.error(ProblemCode.FILE_TOO_SMALL, "file", 0, "file of " + s.fileSize + " bytes cannot hold a VHD footer", true);
            return s;
        }
        s.readFooters(file, strict);
        if (s.footer == null || s.type == null) {
            return s;
        }
        s.footerPos = s.fileSize - (s.footerFromCopy ? Footer.SIZE : s.endFooterLength);
        if (s.type == DiskType.FIXED) {
            s.checkFixed();
        } else {
            s.readSparse(file, strict);
        }
        return s;
    }

    private void readFooters(ImageFile file, boolean strict) throws IOException {
        endFooter = Footer.parse(file.read(fileSize - Footer.SIZE, Footer.SIZE), 0);
        if (!endFooter.cookieValid() && fileSize >= Footer.SIZE + 511) {
            // blktap also writes a 511-byte footer at the end of files made by old tools
            byte[] shortFooter = new byte[Footer.SIZE];
            System.arraycopy(file.read(fileSize - 511, 511), 0, shortFooter, 0, 511);
            Footer f = Footer.parse(shortFooter, 0);
            if (f.cookieValid()) {
                endFooter = f;
                endFooterLength = 511;
            }
        }
        Footer head = Footer.parse(file.read(0, Footer.SIZE), 0);
        copyFooter = head.cookieValid() && fileSize >= 2L * Footer.SIZE ? head : null;

        boolean endOk = endFooter.cookieValid() && endFooter.checksumValid();
        // A fixed disk has no copy at offset 0: its first sector is guest data (which may well be a VHD).
        boolean endSaysFixed = endFooter.cookieValid() && endFooter.diskType().orElse(null) == DiskType.FIXED;
        if (endSaysFixed || (copyFooter != null && !copyFooter.diskType().map(DiskType::sparse).orElse(false))) {
            copyFooter = null;
        }
        boolean copyOk = copyFooter != null && copyFooter.checksumValid();
        if (endOk) {
            footer = endFooter;
        } else if (copyOk) {
            footer = copyFooter;
            footerFromCopy = true;
            error(endFooter.cookieValid() ? ProblemCode.FOOTER_CHECKSUM : ProblemCode.FOOTER_COOKIE, "end footer",
                    fileSize - Footer.SIZE, "the end footer is damaged; the copy at offset 0 is intact (repair restores it)", false);
        } else if (endFooter.cookieValid()) {
            footer = endFooter;
        } else if (copyFooter != null) {
            footer = copyFooter;
            footerFromCopy = true;
        } else {
            error(ProblemCode.FOOTER_COOKIE, "end footer", fileSize - Footer.SIZE,
                    "no 'conectix' footer at the end of the file or at offset 0: not a VHD image", true);
            return;
        }
        long at = footerFromCopy ? 0 : fileSize - Footer.SIZE;
        String where = footerFromCopy ? "footer copy" : "end footer";
        if (!footer.checksumValid()) {
            error(ProblemCode.FOOTER_CHECKSUM, where, at, String.format("checksum 0x%08x does not match its content (0x%08x)",
                    footer.storedChecksum(), footer.computedChecksum()), strict);
        }
        type = footer.diskType().orElse(null);
        if (type == null) {
            error(ProblemCode.FOOTER_DISK_TYPE, where, at, "disk type " + footer.diskTypeCode()
                    + " is none of 2 (fixed), 3 (dynamic), 4 (differencing)", true);
            return;
        }
        if ((footer.features() & Footer.FEATURES_RESERVED) == 0) {
            warn(ProblemCode.FOOTER_FEATURES, where, at, String.format("features 0x%08x lack the always-set bit 0x2", footer.features()));
        }
        if (footer.version() != Footer.VERSION_1_0) {
            error(ProblemCode.FOOTER_VERSION, where, at, String.format("format version 0x%08x is not 1.0", footer.version()), false);
        }
        long size = footer.currentSize();
        if (size < 0 || size % 512 != 0 || size > Footer.MAX_SIZE) {
            error(ProblemCode.FOOTER_SIZE, where, at, "current size " + size + " is not a multiple of 512 between 0 and 2040 GiB", true);
            type = null;
            return;
        }
        if (footer.timestamp() > VhdTime.now() + 86_400) {
            warn(ProblemCode.FOOTER_TIMESTAMP_FUTURE, where, at, "timestamp " + VhdTime.describe(footer.timestamp())
                    + " is in the future (a writer that stored Unix time instead of seconds since 2000 looks like this)");
        }
        if (footer.savedState() > 1) {
            error(ProblemCode.FOOTER_SAVED_STATE, where, at, "saved state " + footer.savedState() + " is neither 0 nor 1", false);
        }
        if (Bytes.allZero(footer.uniqueIdBytes(), 0, 16)) {
            warn(ProblemCode.FOOTER_UNIQUE_ID_NULL, where, at, "unique id is all zeros");
        }
        if (type == DiskType.FIXED) {
            if (footer.dataOffset() != Footer.FIXED_DATA_OFFSET) {
                warn(ProblemCode.FOOTER_DATA_OFFSET, where, at, "a fixed disk's data offset should be all ones, is " + footer.dataOffset());
            }
        } else {
            if (footer.dataOffset() < Footer.SIZE || footer.dataOffset() > fileSize - DynamicHeader.SIZE - Footer.SIZE) {
                error(ProblemCode.FOOTER_DATA_OFFSET, where, at, "dynamic header offset " + footer.dataOffset()
                        + " lies outside the file of " + fileSize + " bytes", true);
                type = null;
                return;
            }
            if (copyFooter == null) {
                error(ProblemCode.FOOTER_COPY_MISSING, "footer copy", 0, "no footer copy at offset 0", false);
            } else if (!copyFooter.equals(endFooter) && !footerFromCopy) {
                error(ProblemCode.FOOTER_COPY_MISMATCH, "footer copy", 0, "the footer copy at offset 0 differs from the end footer", false);
            }
        }
    }

    private void checkFixed() {
        long size = footer.currentSize();
        if (footerPos < size) {
            error(ProblemCode.FIXED_SIZE_MISMATCH, "file", footerPos, "fixed disk of " + size + " bytes needs "
                    + (size + Footer.SIZE) + " bytes of file, has " + fileSize, true);
        } else if (footerPos > size) {
            warn(ProblemCode.FIXED_SIZE_MISMATCH, "file", footerPos, (footerPos - size) + " bytes between the data and the footer");
        }
    }

    private void readSparse(ImageFile file, boolean strict) throws IOException {
        long hdrAt = footer.dataOffset();
        header = DynamicHeader.parse(file.read(hdrAt, DynamicHeader.SIZE), 0);
        metadata.add(new Region("footer copy", 0, Footer.SIZE));
        metadata.add(new Region("dynamic header", hdrAt, hdrAt + DynamicHeader.SIZE));
        if (!header.cookieValid()) {
            error(ProblemCode.HEADER_COOKIE, "dynamic header", hdrAt, "cookie is not 'cxsparse'", true);
            type = null;
            return;
        }
        if (!header.checksumValid()) {
            error(ProblemCode.HEADER_CHECKSUM, "dynamic header", hdrAt, String.format("checksum 0x%08x does not match its content (0x%08x)",
                    header.storedChecksum(), header.computedChecksum()), strict);
        }
        if (header.version() != DynamicHeader.VERSION_1_0) {
            error(ProblemCode.HEADER_VERSION, "dynamic header", hdrAt, String.format("version 0x%08x is not 1.0", header.version()), false);
        }
        if (header.dataOffset() != -1L) {
            warn(ProblemCode.HEADER_DATA_OFFSET, "dynamic header", hdrAt, "data offset should be all ones");
        }
        long bs = header.blockSize();
        if (bs < 512 || Long.bitCount(bs) != 1 || bs > DynamicHeader.MAX_BLOCK_SIZE) {
            error(ProblemCode.HEADER_BLOCK_SIZE, "dynamic header", hdrAt, "block size " + bs
                    + " is not a power of two from 512 bytes to 1 GiB", true);
            type = null;
            return;
        }
        long need = (footer.currentSize() + bs - 1) / bs;
        if (header.maxTableEntries() < need) {
            error(ProblemCode.HEADER_MAX_TABLE_ENTRIES, "dynamic header", hdrAt, "max table entries " + header.maxTableEntries()
                    + " cannot cover " + footer.currentSize() + " bytes in blocks of " + bs + " (needs " + need + ")", true);
            type = null;
            return;
        }
        long tableAt = header.tableOffset();
        batBytes = (header.maxTableEntries() * 4 + 511) & ~511L;
        if (tableAt < 0 || tableAt % 512 != 0) {
            error(ProblemCode.HEADER_TABLE_OFFSET, "dynamic header", hdrAt, "BAT offset " + tableAt + " is not sector aligned", true);
            type = null;
            return;
        }
        // Subtract, never add: tableAt comes from the file and tableAt + batBytes can overflow past Long.MAX_VALUE.
        if (tableAt > fileSize - Footer.SIZE - batBytes || tableAt < Footer.SIZE) {
            error(ProblemCode.BAT_OUTSIDE_FILE, "BAT", tableAt, "BAT of " + header.maxTableEntries() + " entries at " + tableAt
                    + " does not fit inside the file of " + fileSize + " bytes", true);
            type = null;
            return;
        }
        if (need > BlockAllocationTable.MAX_ENTRIES_IN_MEMORY) {
            error(ProblemCode.UNSUPPORTED, "BAT", tableAt, "a BAT of " + need + " entries exceeds the supported "
                    + BlockAllocationTable.MAX_ENTRIES_IN_MEMORY, true);
            type = null;
            return;
        }
        bat = BlockAllocationTable.read(file, tableAt, (int) need);
        metadata.add(new Region("BAT", tableAt, tableAt + batBytes));
        readBatmap(file, tableAt + batBytes);
        readLocators(file);
        checkRegionOverlaps();
        checkBlocks();
    }

    private void readBatmap(ImageFile file, long at) throws IOException {
        if (at + Batmap.HEADER_SIZE > fileSize - Footer.SIZE) {
            return;
        }
        byte[] h = file.read(at, Batmap.HEADER_SIZE);
        if (!Batmap.hasCookie(h)) {
            if (footer.creatorApplication().startsWith("tap") && footer.creatorVersion() >= 0x0001_0002
                    && !Bytes.allZero(h, 0, 8) && Bytes.ascii(h, 0, 3).equals("tdb")) {
                error(ProblemCode.BATMAP_COOKIE, "batmap", at, "batmap header cookie is damaged", false);
            }
            return;
        }
        batmapHeaderOffset = at;
        metadata.add(new Region("batmap header", at, at + Batmap.HEADER_SIZE));
        long mapAt = Batmap.mapOffset(h);
        long mapSectors = Batmap.mapSectors(h);
        // A map needs one bit per block; anything far larger is a lie that must not size an allocation.
        long plausibleSectors = (bat.size() / 8 + 511) / 512 + 16;
        if (mapSectors > plausibleSectors) {
            error(ProblemCode.BATMAP_SIZE, "batmap", at, "batmap claims " + mapSectors + " sectors for " + bat.size()
                    + " blocks", false);
            return;
        }
        if (mapAt < 0 || mapAt % 512 != 0 || mapAt > fileSize - Footer.SIZE - mapSectors * 512) {
            error(ProblemCode.BATMAP_OUTSIDE_FILE, "batmap", at, "batmap of " + mapSectors + " sectors at " + mapAt
                    + " does not fit inside the file", false);
            return;
        }
        Batmap b = Batmap.parse(h, file.read(mapAt, (int) (mapSectors * 512)));
        metadata.add(new Region("batmap", mapAt, mapAt + mapSectors * 512));
        if (b.version() != Batmap.VERSION_1_2) {
            warn(ProblemCode.BATMAP_VERSION, "batmap", at, String.format("batmap version 0x%08x is not 1.2", b.version()));
        }
        if (!b.checksumValid()) {
            error(ProblemCode.BATMAP_CHECKSUM, "batmap", at, String.format("batmap checksum 0x%08x does not match the map (0x%08x)",
                    b.storedChecksum(), b.computedChecksum()), false);
        }
        if (!b.covers(bat.size())) {
            error(ProblemCode.BATMAP_SIZE, "batmap", at, "batmap of " + mapSectors + " sectors cannot hold " + bat.size() + " blocks", false);
            batmap = b;
            return;
        }
        for (int i = 0; i < bat.size(); i++) {
            if (b.full(i) && !bat.allocated(i)) {
                error(ProblemCode.BATMAP_FULL_BLOCK_UNALLOCATED, "batmap", at, "block " + i + " is marked full but is not allocated", false);
            }
        }
        batmap = b;
    }

    private void readLocators(ImageFile file) throws IOException {
        long hdrAt = footer.dataOffset();
        Set<Integer> codes = new HashSet<>();
        for (int i = 0; i < DynamicHeader.LOCATOR_COUNT; i++) {
            ParentLocator l = header.locator(i);
            if (l.isEmpty()) {
                continue;
            }
            long at = hdrAt + DynamicHeader.LOCATORS_AT + (long) i * ParentLocator.SIZE;
            String where = "locator " + i + " (" + l.platformName() + ")";
            if (!PlatformCode.known(l.platformCode())) {
                warn(ProblemCode.LOCATOR_PLATFORM_CODE, where, at, "unknown platform code 0x" + Integer.toHexString(l.platformCode()));
            }
            if (!codes.add(l.platformCode())) {
                warn(ProblemCode.LOCATOR_DUPLICATE, where, at, "a second locator with platform code " + l.platformName());
            }
            long start = l.dataOffset();
            long end = start + l.regionLength();
            byte[] data = null;
            if (start < 0 || end < start || end > fileSize - Footer.SIZE || l.dataLength() > l.regionLength()) {
                error(ProblemCode.LOCATOR_OUTSIDE_FILE, where, at, "platform data [" + start + ", " + end
                        + ") does not lie inside the file of " + fileSize + " bytes", false);
            } else if (l.dataLength() > MAX_LOCATOR_DATA) {
                error(ProblemCode.LOCATOR_DATA, where, at, "platform data of " + l.dataLength() + " bytes is too long for a path", false);
            } else {
                data = file.read(start, (int) l.dataLength());
                metadata.add(new Region(where, start, end));
            }
            locators.add(new LocatorEntry(i, l, data));
        }
        if (type == DiskType.DIFFERENCING) {
            String name = LocatorPath.baseName(header.parentUnicodeName());
            for (LocatorEntry e : locators) {
                String p = e.path();
                if (p != null && !name.isEmpty() && !LocatorPath.baseName(p).equals(name)) {
                    warn(ProblemCode.PARENT_NAME_MISMATCH, "locator " + e.slot(), -1, "locator names '" + LocatorPath.baseName(p)
                            + "' but the header names the parent '" + name + "'");
                }
            }
        }
    }

    private void checkRegionOverlaps() {
        for (int i = 0; i < metadata.size(); i++) {
            for (int j = i + 1; j < metadata.size(); j++) {
                Region a = metadata.get(i);
                Region b = metadata.get(j);
                if (a.overlaps(b.start(), b.end())) {
                    ProblemCode code = a.name().startsWith("locator") || b.name().startsWith("locator")
                            ? ProblemCode.LOCATOR_OVERLAP : ProblemCode.BAT_OVERLAP;
                    error(code, b.name(), b.start(), b.name() + " [" + b.start() + ", " + b.end() + ") overlaps "
                            + a.name() + " [" + a.start() + ", " + a.end() + ")", code == ProblemCode.BAT_OVERLAP);
                }
            }
        }
    }

    private void checkBlocks() {
        long blockSpan = header.bitmapBytes() + header.blockSize();
        long metaEnd = 0;
        for (Region r : metadata) {
            metaEnd = Math.max(metaEnd, r.end());
        }
        long maxEnd = metaEnd;
        int n = 0;
        long[] starts = new long[bat.allocatedCount()];
        for (int i = bat.nextAllocated(0); i >= 0; i = bat.nextAllocated(i + 1)) {
            long start = bat.sector(i) * 512;
            long end = start + blockSpan;
            if (end > footerPos) {
                error(ProblemCode.BAT_BLOCK_PAST_END, "BAT entry " + i, header.tableOffset() + 4L * i, "block " + i + " at " + start
                        + " ends at " + end + ", past the end footer at " + footerPos, true);
                continue;
            }
            for (Region r : metadata) {
                if (r.overlaps(start, end)) {
                    error(ProblemCode.BAT_BLOCK_IN_METADATA, "BAT entry " + i, header.tableOffset() + 4L * i, "block " + i
                            + " [" + start + ", " + end + ") overlaps " + r.name() + " [" + r.start() + ", " + r.end() + ")", true);
                }
            }
            starts[n++] = start;
            maxEnd = Math.max(maxEnd, end);
        }
        long[] sorted = Arrays.copyOf(starts, n);
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] < sorted[i - 1] + blockSpan) {
                error(ProblemCode.BAT_OVERLAP, "BAT", header.tableOffset(), "blocks at " + sorted[i - 1] + " and " + sorted[i]
                        + " overlap", true);
            }
        }
        nextFree = (Math.max(maxEnd, footerPos) + 511) & ~511L;
    }
}
