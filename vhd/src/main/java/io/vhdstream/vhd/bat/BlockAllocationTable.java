package io.vhdstream.vhd.bat;

import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.VhdException;
import io.vhdstream.vhd.io.Bytes;

/**
 * The block allocation table: one big-endian u32 per block, the sector where the block's bitmap starts,
 * or {@link #UNALLOCATED}. Only the entries the virtual size needs are kept in memory, so memory follows
 * the disk's size in blocks and never a lying max-table-entries field.
 */
public final class BlockAllocationTable {
    public static final long UNALLOCATED = 0xFFFF_FFFFL;
    /** 2 TiB of 64 KiB blocks; a larger table would not fit a small heap and is refused with a clear error. */
    public static final int MAX_ENTRIES_IN_MEMORY = 1 << 25;

    private final int[] entries;

    private BlockAllocationTable(int[] entries) {
        this.entries = entries;
    }

    public static BlockAllocationTable parse(byte[] bytes, int count) throws VhdException {
        if (count > MAX_ENTRIES_IN_MEMORY) {
            throw new VhdException(ProblemCode.UNSUPPORTED, "a BAT of " + count + " entries exceeds the supported "
                    + MAX_ENTRIES_IN_MEMORY);
        }
        int[] e = new int[count];
        for (int i = 0; i < count; i++) {
            e[i] = Bytes.i32(bytes, i * 4);
        }
        return new BlockAllocationTable(e);
    }

    public static BlockAllocationTable empty(int count) {
        int[] e = new int[count];
        java.util.Arrays.fill(e, -1);
        return new BlockAllocationTable(e);
    }

    public int size() {
        return entries.length;
    }

    /** The bitmap's sector for block i, or {@link #UNALLOCATED}. */
    public long sector(int block) {
        return entries[block] & 0xFFFF_FFFFL;
    }

    public boolean allocated(int block) {
        return entries[block] != -1;
    }

    public void set(int block, long sector) {
        entries[block] = (int) sector;
    }

    /** The on-disk form of one entry, for writing it alone. */
    public byte[] entryBytes(int block) {
        byte[] b = new byte[4];
        Bytes.put32(b, 0, sector(block));
        return b;
    }

    public byte[] serialize(long maxEntries) {
        byte[] b = new byte[(int) (((maxEntries * 4) + 511) & ~511L)];
        java.util.Arrays.fill(b, (byte) 0xFF);
        for (int i = 0; i < entries.length; i++) {
            Bytes.put32(b, i * 4, sector(i));
        }
        return b;
    }

    public int allocatedCount() {
        int n = 0;
        for (int e : entries) {
            if (e != -1) {
                n++;
            }
        }
        return n;
    }
}
