package io.vhdstream.vhd.footer;

/**
 * Cylinder/head/sector geometry as the VHD spec derives it from a size. Tools disagree on whether the
 * disk's size is the footer's current size or C*H*S*512; we always use the current size and report the
 * CHS size beside it.
 */
public record Geometry(int cylinders, int heads, int sectorsPerTrack) {

    public long sizeBytes() {
        return (long) cylinders * heads * sectorsPerTrack * 512L;
    }

    /** The spec's algorithm (appendix "CHS calculation"). */
    public static Geometry forSize(long sizeBytes) {
        long totalSectors = sizeBytes / 512;
        if (totalSectors > 65535L * 16 * 255) {
            totalSectors = 65535L * 16 * 255;
        }
        long spt;
        long heads;
        long cylTimesHeads;
        if (totalSectors >= 65535L * 16 * 63) {
            spt = 255;
            heads = 16;
            cylTimesHeads = totalSectors / spt;
        } else {
            spt = 17;
            cylTimesHeads = totalSectors / spt;
            heads = (cylTimesHeads + 1023) / 1024;
            if (heads < 4) {
                heads = 4;
            }
            if (cylTimesHeads >= heads * 1024 || heads > 16) {
                spt = 31;
                heads = 16;
                cylTimesHeads = totalSectors / spt;
            }
            if (cylTimesHeads >= heads * 1024) {
                spt = 63;
                heads = 16;
                cylTimesHeads = totalSectors / spt;
            }
        }
        long cylinders = cylTimesHeads / heads;
        return new Geometry((int) cylinders, (int) heads, (int) spt);
    }

    @Override
    public String toString() {
        return cylinders + "/" + heads + "/" + sectorsPerTrack;
    }
}
