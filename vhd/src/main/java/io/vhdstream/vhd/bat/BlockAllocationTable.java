package io.vhdstream.vhd.bat;

import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.VhdException;
import io.vhdstream.vhd.io.Bytes;
import io.vhdstream.vhd.io.ImageFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The block allocation table: one big-endian u32 per block, the sector where the block's bitmap starts,
 * or {@link #UNALLOCATED}. Only the entries the virtual size needs are kept in memory, so memory follows
 * the disk's size in blocks and never a lying max-table-entries field.
 */
public final class BlockAllocationTable {
    public static final long UNALLOCATED = 0xFFFF_FFFFL;
    /** 2 TiB of 64 KiB blocks; a larger table would not fit a small heap and is refused with a clear error. */
    public static final int MAX_ENTRIES_IN_MEMORY = 1 << 25;

    /** All unallocated: what {@link #nextAllocated} compares the table against, a chunk at a time. */
    private static final int[] NONE = new int[4096];

    static {
        Arrays.fill(NONE, -1);
    }

    /**
     * Entries are kept as the file's four bytes read in the machine's order (a plain memory copy on load, no
     * per-entry byte swap); {@link #sector} and {@link #set} swap one entry. All ones reads the same either way.
     */
    private static final boolean SWAP = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    /** Entries per bit of {@link #occupied}. */
    private static final int CHUNK = 64;

    private final int[] entries;
    /**
     * One bit per {@link #CHUNK} entries, clear only if none of them is allocated (a set bit may be stale after
     * an entry was freed). Built while the table is loaded, when its entries are in the CPU cache, it lets
     * {@link #nextAllocated} step over empty stretches without reading them: a 2040 GiB disk's 4 MiB table is
     * walked again by every check and every changed-extents scan.
     */
    private final long[] occupied;
    private int allocated;

    private BlockAllocationTable(int[] entries) {
        this.entries = entries;
        this.occupied = new long[chunkWords(entries.length)];
        this.allocated = countAllocated(entries, occupied, 0, entries.length);
    }

    private static int chunkWords(int count) {
        return ((count + CHUNK - 1) / CHUNK + 63) / 64;
    }

    /** Counts the allocated entries in [from, to) and marks their chunks in {@code occupied}. */
    private static int countAllocated(int[] e, long[] occupied, int from, int to) {
        int n = 0;
        for (int b = nextAllocated(e, from, to); b >= 0; b = nextAllocated(e, b + 1, to)) {
            n++;
            markOccupied(occupied, b);
        }
        return n;
    }

    private static void markOccupied(long[] occupied, int block) {
        int c = block / CHUNK;
        occupied[c >>> 6] |= 1L << c;   // the shift takes c modulo 64: the chunk's bit within its word
    }

    public static BlockAllocationTable parse(byte[] bytes, int count) throws VhdException {
        if (count > MAX_ENTRIES_IN_MEMORY) {
            throw new VhdException(ProblemCode.UNSUPPORTED, "a BAT of " + count + " entries exceeds the supported "
                    + MAX_ENTRIES_IN_MEMORY);
        }
        int[] e = new int[count];
        // one bulk memory copy (entries stay in file byte order, see SWAP) instead of a loop of Bytes.i32
        ByteBuffer.wrap(bytes, 0, count * 4).order(ByteOrder.nativeOrder()).asIntBuffer().get(e);
        return new BlockAllocationTable(e);
    }

    public static BlockAllocationTable empty(int count) {
        int[] e = new int[count];
        Arrays.fill(e, -1);
        return new BlockAllocationTable(e);
    }

    /**
     * The direct buffer {@link #read} reads through, one per thread and kept: allocating (and zeroing) a
     * 256 KiB direct buffer on every open was 16 % of opening a 2040 GiB image (profiled).
     */
    private static final ThreadLocal<ByteBuffer> READ_PIECE =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(256 * 1024).order(ByteOrder.nativeOrder()));

    /**
     * Reads {@code count} entries at {@code offset} of {@code file} in 256 KiB pieces through one direct
     * buffer: no table-sized byte[] to allocate and zero, two memory copies instead of four, and each piece
     * is still in the CPU cache when it is copied and counted.
     */
    public static BlockAllocationTable read(ImageFile file, long offset, int count) throws IOException {
        if (count > MAX_ENTRIES_IN_MEMORY) {
            throw new VhdException(ProblemCode.UNSUPPORTED, "a BAT of " + count + " entries exceeds the supported "
                    + MAX_ENTRIES_IN_MEMORY);
        }
        int[] e = new int[count];
        long[] occupied = new long[chunkWords(count)];
        ByteBuffer piece = READ_PIECE.get();
        int allocated = 0;
        for (int done = 0; done < count; ) {
            int n = Math.min(piece.capacity() / 4, count - done);
            piece.clear().limit(n * 4);
            file.readFully(offset + done * 4L, piece);
            piece.flip();
            piece.asIntBuffer().get(e, done, n);
            allocated += countAllocated(e, occupied, done, done + n);
            done += n;
        }
        return new BlockAllocationTable(e, occupied, allocated);
    }

    private BlockAllocationTable(int[] entries, long[] occupied, int allocated) {
        this.entries = entries;
        this.occupied = occupied;
        this.allocated = allocated;
    }

    public int size() {
        return entries.length;
    }

    /** The bitmap's sector for block i, or {@link #UNALLOCATED}. */
    public long sector(int block) {
        int raw = entries[block];
        return (SWAP ? Integer.reverseBytes(raw) : raw) & 0xFFFF_FFFFL;
    }

    public boolean allocated(int block) {
        return entries[block] != -1;
    }

    public void set(int block, long sector) {
        boolean was = entries[block] != -1;
        entries[block] = SWAP ? Integer.reverseBytes((int) sector) : (int) sector;
        boolean is = entries[block] != -1;
        if (was != is) {
            allocated += is ? 1 : -1;
        }
        if (is) {
            markOccupied(occupied, block);
        }
    }

    /**
     * The first allocated block at or after {@code from}, or -1. Runs of unallocated entries are skipped by a
     * vectorised compare (Arrays.mismatch), so walking a huge, sparse table costs memory bandwidth, not a
     * branch per entry: loop with {@code for (b = nextAllocated(0); b >= 0; b = nextAllocated(b + 1))}.
     */
    public int nextAllocated(int from) {
        int len = entries.length;
        int i = Math.max(from, 0);
        while (i < len) {
            int c = i / CHUNK;
            long word = occupied[c >>> 6] & (-1L << c);   // chunks at or after c within this word
            if ((word & (1L << c)) == 0) {
                int w = c >>> 6;
                while (word == 0) {
                    if (++w >= occupied.length) {
                        return -1;
                    }
                    word = occupied[w];
                }
                c = (w << 6) + Long.numberOfTrailingZeros(word);
                i = c * CHUNK;
                if (i >= len) {
                    return -1;
                }
            }
            int end = Math.min((c + 1) * CHUNK, len);
            int b = nextAllocated(entries, i, end);
            if (b >= 0) {
                return b;
            }
            i = end;
        }
        return -1;
    }

    private static int nextAllocated(int[] e, int from, int to) {
        int i = from;
        while (i < to) {
            int n = Math.min(NONE.length, to - i);
            int m = Arrays.mismatch(e, i, i + n, NONE, 0, n);
            if (m >= 0) {
                return i + m;
            }
            i += n;
        }
        return -1;
    }

    /** The on-disk form of one entry, for writing it alone. */
    public byte[] entryBytes(int block) {
        byte[] b = new byte[4];
        Bytes.put32(b, 0, sector(block));
        return b;
    }

    /** The on-disk form of entries {@code from..to} (inclusive), for writing them in one piece. */
    public byte[] entriesBytes(int from, int to) {
        byte[] b = new byte[4 * (to - from + 1)];
        for (int i = from; i <= to; i++) {
            Bytes.put32(b, 4 * (i - from), sector(i));
        }
        return b;
    }

    public byte[] serialize(long maxEntries) {
        byte[] b = new byte[(int) (((maxEntries * 4) + 511) & ~511L)];
        Arrays.fill(b, (byte) 0xFF);
        for (int i = 0; i < entries.length; i++) {
            Bytes.put32(b, i * 4, sector(i));
        }
        return b;
    }

    public int allocatedCount() {
        return allocated;
    }
}
