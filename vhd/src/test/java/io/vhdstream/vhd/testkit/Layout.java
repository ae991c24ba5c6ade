package io.vhdstream.vhd.testkit;

import java.util.ArrayList;
import java.util.List;

/**
 * Where everything is in a valid image file, worked out from its bytes alone (not by the engine), so a
 * fuzz test can aim mutations at one structure and predict what a read must return afterwards.
 */
public final class Layout {
    /** A non-empty parent locator slot. */
    public record Locator(int slot, int entryAt, long code, long dataAt, long length, long spaceBytes) {
    }

    private final byte[] bytes;
    public final boolean sparse;
    public final long size;
    public final int endFooter;
    public final int header;
    public final int table;
    public final int entries;
    public final int afterBat;
    public final long blockSize;
    public final int bitmapBytes;
    public final int sectorsPerBlock;
    public final long[] bitmapAt;
    public final int batmapHeader;
    public final List<Locator> locators = new ArrayList<>();

    private Layout(VhdBytes v) {
        this.bytes = v.b.clone();
        this.endFooter = v.endFooter();
        this.size = v.u64(endFooter + VhdBytes.F_CURRENT_SIZE);
        long type = v.u32(endFooter + VhdBytes.F_DISK_TYPE);
        this.sparse = type == 3 || type == 4;
        if (!sparse) {
            header = table = entries = afterBat = bitmapBytes = sectorsPerBlock = batmapHeader = -1;
            blockSize = -1;
            bitmapAt = new long[0];
            return;
        }
        header = v.header();
        table = v.table();
        entries = (int) v.maxEntries();
        afterBat = v.afterBat();
        blockSize = v.blockSize();
        bitmapBytes = (int) v.bitmapBytes();
        sectorsPerBlock = (int) (blockSize / 512);
        bitmapAt = new long[entries];
        for (int i = 0; i < entries; i++) {
            bitmapAt[i] = v.bitmapAt(i);
        }
        batmapHeader = v.batmap();
        for (int slot = 0; slot < 8; slot++) {
            int at = v.locator(slot);
            long code = v.u32(at + VhdBytes.L_CODE);
            if (code != 0) {
                long space = v.u32(at + VhdBytes.L_SPACE);
                locators.add(new Locator(slot, at, code, v.u64(at + VhdBytes.L_OFFSET), v.u32(at + VhdBytes.L_LENGTH),
                        space < 512 ? space * 512 : space));
            }
        }
    }

    public static Layout of(VhdBytes v) {
        return new Layout(v);
    }

    public List<Integer> allocatedBlocks() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < bitmapAt.length; i++) {
            if (bitmapAt[i] >= 0) {
                out.add(i);
            }
        }
        return out;
    }

    public long dataAt(int block) {
        return bitmapAt[block] + bitmapBytes;
    }

    /** Whether this layer holds the virtual byte (a fixed disk holds all of them). */
    public boolean present(long virtualOffset) {
        if (virtualOffset < 0 || virtualOffset >= size) {
            return false;
        }
        if (!sparse) {
            return true;
        }
        int block = (int) (virtualOffset / blockSize);
        if (block >= entries || bitmapAt[block] < 0) {
            return false;
        }
        int sector = (int) ((virtualOffset - block * blockSize) / 512);
        return (bytes[(int) bitmapAt[block] + sector / 8] & (0x80 >>> (sector % 8))) != 0;
    }

    /** The virtual offset a file byte holds data for (whether or not its bit is set), or -1. */
    public long virtualOf(long fileOffset) {
        if (!sparse) {
            return fileOffset < size ? fileOffset : -1;
        }
        for (int i = 0; i < entries; i++) {
            if (bitmapAt[i] < 0) {
                continue;
            }
            long d = dataAt(i);
            if (fileOffset >= d && fileOffset < d + blockSize) {
                long v = i * blockSize + (fileOffset - d);
                return v < size ? v : -1;
            }
        }
        return -1;
    }
}
