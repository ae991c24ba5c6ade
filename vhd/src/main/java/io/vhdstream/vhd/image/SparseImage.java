package io.vhdstream.vhd.image;

import io.vhdstream.vhd.bat.BlockAllocationTable;
import io.vhdstream.vhd.batmap.Batmap;
import io.vhdstream.vhd.bitmap.SectorBitmap;
import io.vhdstream.vhd.extent.Extent;
import io.vhdstream.vhd.extent.ExtentBuilder;
import io.vhdstream.vhd.footer.DiskType;
import io.vhdstream.vhd.header.DynamicHeader;
import io.vhdstream.vhd.io.ImageFile;
import io.vhdstream.vhd.io.Sectors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A dynamic or differencing image: blocks of sectors allocated on first write, each a sector bitmap then
 * data. Presence is sector-exact: a clear bit is the parent's sector (differencing) or zeros (dynamic).
 *
 * <p>Write order, so that a crash at any point leaves an image that opens and checks clean:
 * <ul>
 * <li>new block (placed as {@link #alignedBlockStart} says): (1) the end footer is written
 * past the new block, so the file never ends without a valid footer; (2) the block's data and bitmap, and
 * zeros over the old end footer if the block does not start there; (3) its BAT entry; (4) the batmap bit if
 * the block is full. Until (3) the block is unreferenced space; after it, the block is complete.</li>
 * <li>existing block: data first, then the bitmap bits, so a set bit never points at old data.</li>
 * </ul>
 * These orders hold for a process crash as they are; {@link #sync()} is the durability point against power
 * loss (see docs/crash-safety.md).
 */
public final class SparseImage extends VhdImage {
    private static final long BITMAP_CACHE_BYTES = 16L << 20;
    private static final int ZERO_CHUNK = 1 << 20;
    private static final long MAX_DATA_ALIGNMENT = 64 * 1024;
    /** An allocating write at least this long places its block without alignment (see {@link #alignedBlockStart}). */
    static final int STREAMING_WRITE_BYTES = 1 << 20;

    private DynamicHeader header;
    private final BlockAllocationTable bat;
    private final Batmap batmap;
    private final long blockSize;
    private final int bitmapBytes;
    private final int sectorsPerBlock;
    private final Map<Integer, SectorBitmap> bitmapCache;
    private long nextFree;
    // Metadata written since the last flush is held here and written after a barrier (see flushMetadata).
    private final TreeMap<Integer, SectorBitmap> dirtyBitmaps = new TreeMap<>();
    private final TreeSet<Integer> pendingEntries = new TreeSet<>();
    private final TreeSet<Integer> dirtyMapSectors = new TreeSet<>();
    /** Past this many blocks with unwritten metadata, it is written (memory stays bounded without sync calls). */
    static final int MAX_PENDING_BLOCKS = 4096;

    SparseImage(ImageFile file, ImageStructure s) {
        super(file, s);
        this.header = s.header();
        this.bat = s.bat();
        this.batmap = s.batmap() != null && s.batmap().covers(s.bat().size()) ? s.batmap() : null;
        this.blockSize = header.blockSize();
        this.bitmapBytes = (int) header.bitmapBytes();
        this.sectorsPerBlock = (int) (blockSize / Sectors.SIZE);
        this.nextFree = s.nextFree();
        int maxCached = (int) Math.max(16, BITMAP_CACHE_BYTES / bitmapBytes);
        this.bitmapCache = new LinkedHashMap<>(64, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, SectorBitmap> eldest) {
                return size() > maxCached;
            }
        };
    }

    public DynamicHeader header() { return header; }
    public long blockSize() { return blockSize; }
    public int blockCount() { return bat.size(); }
    public boolean blockAllocated(int block) { return bat.allocated(block); }
    public int allocatedBlocks() { return bat.allocatedCount(); }
    public boolean differencing() { return type() == DiskType.DIFFERENCING; }

    @Override
    public void mapRuns(long offset, long length, RunSink sink) throws IOException {
        Sectors.requireWithin(offset, length, virtualSize());
        RunMerger m = new RunMerger(sink);
        long pos = offset;
        long end = offset + length;
        while (pos < end) {
            int block = (int) (pos / blockSize);
            long inBlock = pos - block * blockSize;
            long n = Math.min(blockSize - inBlock, end - pos);
            if (!bat.allocated(block)) {
                m.run(pos, n, -1);
            } else {
                long dataAt = bat.sector(block) * Sectors.SIZE + bitmapBytes;
                SectorBitmap bm = bitmap(block, true);
                int s = (int) (inBlock / Sectors.SIZE);
                int sEnd = (int) ((inBlock + n + Sectors.SIZE - 1) / Sectors.SIZE);
                long blockStart = block * blockSize;
                while (s < sEnd) {
                    boolean present = bm.get(s);
                    int next = Math.min(bm.next(s, !present), sEnd);
                    long runOff = blockStart + (long) s * Sectors.SIZE;
                    long runEnd = Math.min(blockStart + (long) next * Sectors.SIZE, end);
                    long from = Math.max(runOff, pos);
                    m.run(from, runEnd - from, present ? dataAt + (from - blockStart) : -1);
                    s = next;
                }
            }
            pos += n;
        }
        m.flush();
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        checkWrite(offset, src.remaining());
        long pos = offset;
        while (src.hasRemaining()) {
            int block = (int) (pos / blockSize);
            int inBlock = (int) (pos - block * blockSize);
            int n = (int) Math.min(blockSize - inBlock, src.remaining());
            ByteBuffer piece = src.slice(src.position(), n);
            if (bat.allocated(block)) {
                writeExisting(block, inBlock, piece);
            } else {
                allocate(block, inBlock, piece);
            }
            src.position(src.position() + n);
            pos += n;
        }
    }

    @Override
    public void zero(long offset, long length) throws IOException {
        checkWrite(offset, length);
        ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(ZERO_CHUNK, Math.max(length, Sectors.SIZE)));
        long pos = offset;
        long end = offset + length;
        while (pos < end) {
            int block = (int) (pos / blockSize);
            long n = Math.min(blockSize - (pos - block * blockSize), end - pos);
            // A dynamic disk reads zeros where nothing is allocated: only a differencing layer must mask its parent.
            if (bat.allocated(block) || differencing()) {
                for (long done = 0; done < n; ) {
                    int k = (int) Math.min(zeros.capacity(), n - done);
                    zeros.clear().limit(k);
                    write(pos + done, zeros);
                    done += k;
                }
            }
            pos += n;
        }
    }

    private void allocate(int block, int inBlock, ByteBuffer piece) throws IOException {
        long gapAt = nextFree;
        long start = newBlockStart(gapAt, piece.remaining(), bitmapBytes, blockSize);
        long span = bitmapBytes + blockSize;
        long newFooterAt = start + span;
        if (newFooterAt / Sectors.SIZE > BlockAllocationTable.UNALLOCATED - 1) {
            throw new io.vhdstream.vhd.VhdException(io.vhdstream.vhd.ProblemCode.UNSUPPORTED,
                    path() + ": the file would outgrow the BAT's 32-bit sector numbers");
        }
        file.write(newFooterAt, footer().serialize());
        SectorBitmap bm = SectorBitmap.empty(bitmapBytes, sectorsPerBlock);
        int s0 = inBlock / Sectors.SIZE;
        bm.set(s0, s0 + piece.remaining() / Sectors.SIZE);
        file.writeFully(start + bitmapBytes + inBlock, piece);
        file.write(start, bm.bytes());
        if (start != gapAt) {
            file.write(gapAt, new byte[Sectors.SIZE]);   // the old end footer, now in the unused gap: no stale copy left
        }
        bat.set(block, start / Sectors.SIZE);
        pendingEntries.add(block); // written after a barrier: flushMetadata
        nextFree = newFooterAt;
        bitmapCache.put(block, bm);
        markFullIfSo(block, bm);
        flushIfMany();
    }

    /**
     * Where a new block goes when the first write into it is {@code firstWrite} bytes long and the file's free
     * space starts at {@code free} (also {@link BlockLayout}'s answer, so a measured size is the real one).
     */
    static long newBlockStart(long free, long firstWrite, int bitmapBytes, long blockSize) {
        return firstWrite < STREAMING_WRITE_BYTES ? alignedBlockStart(free, bitmapBytes, blockSize) : free;
    }

    /**
     * Where a new block goes when the write that allocates it is smaller than {@link #STREAMING_WRITE_BYTES}:
     * the first sector at or after {@code free} from which the block's data (after its bitmap) starts on a
     * multiple of {@link #dataAlignment}. The format lets a block start at any sector; aligning its data lets
     * the page cache hold a guest's writes in whole large folios: on ext4 (Linux 6.18) 64 KiB writes into
     * blocks laid end to end, i.e. shifted by the 512-byte bitmap, cost 1.2-1.35x the CPU of writes into
     * 64 KiB-aligned data (engine: 0.38 vs 0.31 s per GiB), and readers gain the same way. The skipped
     * sectors stay holes in a sparse file. A block allocated by a large write is being streamed (import,
     * coalesce, big guest writes): there the holes cost more than alignment saves (1 MiB
     * writes: 0.27 s per GiB end to end vs 0.30 aligned), so it goes right after the previous one.
     */
    static long alignedBlockStart(long free, int bitmapBytes, long blockSize) {
        long alignment = dataAlignment(blockSize);
        long dataAt = (free + bitmapBytes + alignment - 1) / alignment * alignment;
        return dataAt - bitmapBytes;
    }

    /** 64 KiB, or less for small blocks so that the gaps stay within 1/32 of the file (at least one sector). */
    static long dataAlignment(long blockSize) {
        return Math.max(Sectors.SIZE, Math.min(MAX_DATA_ALIGNMENT, blockSize / 32));
    }

    private void writeExisting(int block, int inBlock, ByteBuffer piece) throws IOException {
        long bitmapAt = bat.sector(block) * Sectors.SIZE;
        int s0 = inBlock / Sectors.SIZE;
        int s1 = s0 + piece.remaining() / Sectors.SIZE;
        file.writeFully(bitmapAt + bitmapBytes + inBlock, piece);
        SectorBitmap bm = bitmap(block, true);
        if (bm.set(s0, s1) != null) {
            dirtyBitmaps.put(block, bm); // written after a barrier: flushMetadata
            flushIfMany();
        }
        // Also when no bit changed: a block left full without its "full" bit (a crash before the batmap write) gets it
        // back, so a replay of the writes ends with the batmap of the first run.
        markFullIfSo(block, bm);
    }

    private void markFullIfSo(int block, SectorBitmap bm) throws IOException {
        if (batmap == null || batmap.full(block) || !bm.full()) {
            return;
        }
        batmap.setFull(block, true);
        batmap.updateChecksum();
        dirtyMapSectors.add(batmap.mapSectorOf(block));
    }

    private void flushIfMany() throws IOException {
        if (pendingEntries.size() + dirtyBitmaps.size() > MAX_PENDING_BLOCKS) {
            flushMetadata(false);
        }
    }

    /**
     * Writes the metadata held since the last flush: BAT entries of new blocks, bitmaps with new bits, batmap
     * sectors. A barrier (fdatasync) comes first, so that on the disk nothing ever points at data that is not
     * there: a disk keeps unsynced writes in any order, and a BAT entry or a bitmap bit that arrived before its
     * data would show zeros or stale bytes as the guest's, or point past the end of the file. A process crash
     * before the flush leaves the image as at the previous flush for these blocks' new sectors (all-old);
     * readers in this process see everything at once (the in-memory BAT and bitmaps). Then, when
     * {@code durable}, a second fdatasync makes the metadata itself durable (what {@link #sync()} promises).
     */
    private void flushMetadata(boolean durable) throws IOException {
        if (pendingEntries.isEmpty() && dirtyBitmaps.isEmpty() && dirtyMapSectors.isEmpty()) {
            if (durable) {
                file.force();
            }
            return;
        }
        file.force();
        for (Map.Entry<Integer, SectorBitmap> e : dirtyBitmaps.entrySet()) {
            file.write(bat.sector(e.getKey()) * Sectors.SIZE, e.getValue().bytes());
        }
        dirtyBitmaps.clear();
        writePendingEntries();
        if (!dirtyMapSectors.isEmpty()) {
            file.force(); // a "full" bit must not reach the disk before its block's BAT entry and bitmap
            for (int sector : dirtyMapSectors) {
                file.write(batmap.mapOffset() + (long) sector * Sectors.SIZE, batmap.mapSector(sector));
            }
            file.write(structure.batmapHeaderOffset(), batmap.header());
            dirtyMapSectors.clear();
        }
        if (durable) {
            file.force();
        }
    }

    /**
     * The new BAT entries, one write per BAT sector: a sector reaches the disk whole, so a power loss keeps all of a
     * sector's new entries or none. Blocks are placed in the order they were allocated, so this keeps a block's entry
     * from surviving while that of a block placed before it in the same sector is lost (a hole that a replay would fill
     * with a block at a new place: the same content, other bytes; docs/crash-safety.md).
     */
    private void writePendingEntries() throws IOException {
        int perSector = Sectors.SIZE / 4;
        Integer first = null;
        int last = -1;
        for (int block : pendingEntries) {
            if (first != null && block / perSector != first / perSector) {
                file.write(header.tableOffset() + 4L * first, bat.entriesBytes(first, last));
                first = null;
            }
            if (first == null) {
                first = block;
            }
            last = block;
        }
        if (first != null) {
            file.write(header.tableOffset() + 4L * first, bat.entriesBytes(first, last));
        }
        pendingEntries.clear();
    }

    @Override
    public void flush() throws IOException {
        flushMetadata(false);
    }

    /** Writes the held metadata after a barrier, then makes everything durable. */
    @Override
    public void sync() throws IOException {
        flushMetadata(true);
    }

    /** Writes the held metadata (after a barrier) before closing; durable only through {@link #sync()}. */
    @Override
    public void close() throws IOException {
        try {
            if (writable()) {
                flushMetadata(false);
            }
        } finally {
            super.close();
        }
    }

    /**
     * Makes this differencing image name another parent (or the same one afresh): the parent's unique id and
     * timestamp, its file name in the header, and new W2ru and W2ku locators. The locators' data goes into new
     * space after everything else, as a new block would (end footer first, then the data, then the header),
     * so a crash leaves the old link or the new one, never a mix; the old locator space is left unused.
     * {@link #structure()} still describes the old link afterwards: reopen to see the new one.
     */
    public void relink(java.util.UUID parentId, long parentTimestamp, String parentName, int[] codes, String[] paths)
            throws IOException {
        if (!writable() || !differencing()) {
            throw new io.vhdstream.vhd.VhdException(io.vhdstream.vhd.ProblemCode.INVALID_ARGUMENT, path()
                    + (differencing() ? " is open read-only" : " is not a differencing image; it has no parent to change"));
        }
        DynamicHeader.Builder hb = header.toBuilder().parentUniqueId(parentId).parentTimestamp(parentTimestamp)
                .parentUnicodeName(parentName);
        for (int i = 0; i < DynamicHeader.LOCATOR_COUNT; i++) {
            hb.locator(i, new io.vhdstream.vhd.locator.ParentLocator(0, 0, 0, 0, 0));
        }
        byte[][] data = new byte[codes.length][];
        long at = nextFree;
        long[] offsets = new long[codes.length];
        for (int i = 0; i < codes.length; i++) {
            data[i] = io.vhdstream.vhd.locator.LocatorPath.encode(codes[i], paths[i]);
            long space = Sectors.roundUp(Math.max(1, data[i].length));
            offsets[i] = at;
            // Data space in bytes, as Windows and blktap write it and as VhdCreator does.
            hb.locator(i, new io.vhdstream.vhd.locator.ParentLocator(codes[i], space, data[i].length, 0, at));
            at += space;
        }
        DynamicHeader next = hb.build();
        file.write(at, footer().serialize());
        for (int i = 0; i < codes.length; i++) {
            byte[] padded = java.util.Arrays.copyOf(data[i], (int) Sectors.roundUp(Math.max(1, data[i].length)));
            file.write(offsets[i], padded);
        }
        file.force();
        file.write(footer().dataOffset(), next.serialize());
        header = next;
        nextFree = at;
    }

    /** The block's bitmap; cached reads for the hot paths, uncached for whole-disk scans. */
    public SectorBitmap bitmap(int block, boolean cache) throws IOException {
        SectorBitmap bm = dirtyBitmaps.get(block);
        if (bm == null) {
            bm = bitmapCache.get(block);
        }
        if (bm != null) {
            return bm;
        }
        bm = new SectorBitmap(file.read(bat.sector(block) * Sectors.SIZE, bitmapBytes), sectorsPerBlock);
        if (cache) {
            bitmapCache.put(block, bm);
        }
        return bm;
    }

    @Override
    public List<Extent> presentExtents() throws IOException {
        ExtentBuilder out = new ExtentBuilder();
        long size = virtualSize();
        for (int block = bat.nextAllocated(0); block >= 0; block = bat.nextAllocated(block + 1)) {
            SectorBitmap bm = bitmap(block, false);
            long blockStart = block * blockSize;
            int limit = (int) Math.min(sectorsPerBlock, (size - blockStart) / Sectors.SIZE);
            int s = bm.next(0, true);
            while (s < limit) {
                int e = Math.min(bm.next(s, false), limit);
                out.add(blockStart + (long) s * Sectors.SIZE, (long) (e - s) * Sectors.SIZE);
                s = e < limit ? bm.next(e, true) : limit;
            }
        }
        return out.build();
    }
}
