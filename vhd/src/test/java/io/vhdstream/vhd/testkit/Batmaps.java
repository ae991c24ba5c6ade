package io.vhdstream.vhd.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Test-only builder of blktap batmap images (the engine reads and maintains a batmap but never makes one).
 * Takes a freshly created dynamic image (footer copy, header, BAT, end footer; no blocks) and lays out, as
 * blktap does: the batmap header in the sector right after the BAT, the map right after it, then the end
 * footer; the footers become creator 'tap\0' version 1.2 so the image is one blktap would write.
 */
public final class Batmaps {
    public static final int VERSION_1_2 = 0x0001_0002;

    private Batmaps() {
    }

    /** Adds an empty batmap (no block full) to a fresh dynamic image. */
    public static void addBatmap(Path freshDynamic) throws IOException {
        VhdBytes v = VhdBytes.of(freshDynamic);
        long entries = v.maxEntries();
        for (int i = 0; i < entries; i++) {
            if (v.batEntry(i) != 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("addBatmap needs an image without blocks; block " + i + " is allocated");
            }
        }
        int hdrAt = v.afterBat();
        if (hdrAt != v.endFooter()) {
            throw new IllegalArgumentException("expected the end footer right after the BAT, at " + hdrAt);
        }
        int mapAt = hdrAt + 512;
        int mapSectors = (int) (((entries + 7) / 8 + 511) / 512);
        int footerAt = mapAt + mapSectors * 512;
        byte[] out = Arrays.copyOf(v.b, footerAt + 512);
        System.arraycopy(v.b, v.endFooter(), out, footerAt, 512);
        Arrays.fill(out, hdrAt, footerAt, (byte) 0);
        VhdBytes n = new VhdBytes(out);
        n.putAscii(hdrAt, "tdbatmap");
        n.put64(hdrAt + VhdBytes.B_OFFSET, mapAt);
        n.put32(hdrAt + VhdBytes.B_SECTORS, mapSectors);
        n.put32(hdrAt + VhdBytes.B_VERSION, VERSION_1_2);
        n.footerEdit(at -> {
            n.putAscii(at + VhdBytes.F_CREATOR_APP, "tap\0");
            n.put32(at + VhdBytes.F_CREATOR_VERSION, VERSION_1_2);
            n.put32(at + VhdBytes.F_CREATOR_HOST, 0);
        });
        n.fixBatmap();
        n.save(freshDynamic);
    }
}
