package io.vhdstream.vhd.bitmap;

/**
 * The sector bitmap in front of each block: bit {@code 7 - i % 8} of byte {@code i / 8} is sector i of the
 * block (most significant bit first). Run scanning skips whole 0x00/0xFF bytes, so a mostly uniform bitmap
 * costs a byte compare per eight sectors, not a bit test per sector.
 */
public final class SectorBitmap {
    private final byte[] bits;
    private final int sectors;

    public SectorBitmap(byte[] bits, int sectors) {
        if (bits.length * 8L < sectors) {
            throw new IllegalArgumentException("bitmap of " + bits.length + " bytes cannot hold " + sectors + " sectors");
        }
        this.bits = bits;
        this.sectors = sectors;
    }

    public static SectorBitmap empty(int bitmapBytes, int sectors) {
        return new SectorBitmap(new byte[bitmapBytes], sectors);
    }

    public byte[] bytes() {
        return bits;
    }

    public int sectors() {
        return sectors;
    }

    public boolean get(int sector) {
        return (bits[sector >>> 3] & (0x80 >>> (sector & 7))) != 0;
    }

    /** Sets sectors [from, to) and returns the index range of bitmap bytes that changed, or null if none did. */
    public int[] set(int from, int to) {
        int firstChanged = -1;
        int lastChanged = -1;
        for (int s = from; s < to; ) {
            int byteIdx = s >>> 3;
            int bit = s & 7;
            int n = Math.min(8 - bit, to - s);
            int mask = ((0xFF >>> bit) & (0xFF << (8 - bit - n))) & 0xFF;
            int old = bits[byteIdx] & 0xFF;
            if ((old | mask) != old) {
                bits[byteIdx] = (byte) (old | mask);
                if (firstChanged < 0) {
                    firstChanged = byteIdx;
                }
                lastChanged = byteIdx;
            }
            s += n;
        }
        return firstChanged < 0 ? null : new int[] {firstChanged, lastChanged};
    }

    /** First sector at or after {@code from} whose bit equals {@code value}, or {@link #sectors()} if none. */
    public int next(int from, boolean value) {
        int skip = value ? 0x00 : 0xFF;
        int s = from;
        while (s < sectors) {
            if ((s & 7) == 0) {
                int idx = s >>> 3;
                while (idx < (sectors >>> 3) && (bits[idx] & 0xFF) == skip) {
                    idx++;
                }
                s = Math.max(s, idx << 3);
                if (s >= sectors) {
                    break;
                }
            }
            if (get(s) == value) {
                return s;
            }
            s++;
        }
        return sectors;
    }

    public boolean full() {
        return next(0, false) == sectors;
    }

    public int count() {
        int n = 0;
        int whole = sectors >>> 3;
        for (int i = 0; i < whole; i++) {
            n += Integer.bitCount(bits[i] & 0xFF);
        }
        for (int s = whole << 3; s < sectors; s++) {
            if (get(s)) {
                n++;
            }
        }
        return n;
    }
}
