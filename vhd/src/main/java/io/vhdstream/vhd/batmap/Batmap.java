package io.vhdstream.vhd.batmap;

import io.vhdstream.vhd.io.Bytes;
import io.vhdstream.vhd.io.Checksum;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * blktap's batmap extension: a 512-byte header with cookie "tdbatmap" in the sector after the BAT, and a
 * map with one bit per block (set = every sector of the block is present). Same MSB-first bit order as
 * sector bitmaps.
 *
 * <pre>
 * header off len field
 *          0   8 cookie "tdbatmap"
 *          8   8 batmap offset (bytes)
 *         16   4 batmap size (sectors)
 *         20   4 batmap version (0x00010002 = 1.2)
 *         24   4 checksum: one's complement byte sum of the whole map
 *         28   1 marker
 *         29 483 keyhash and reserved, kept as found
 * </pre>
 */
public final class Batmap {
    public static final int HEADER_SIZE = 512;
    public static final String COOKIE = "tdbatmap";
    public static final int VERSION_1_2 = 0x0001_0002;

    private final byte[] header;
    private final byte[] map;

    private Batmap(byte[] header, byte[] map) {
        this.header = header;
        this.map = map;
    }

    public static boolean hasCookie(byte[] header) {
        return COOKIE.equals(Bytes.ascii(header, 0, 8));
    }

    /** @param map the map bytes read from {@link #mapOffset(byte[])}, {@link #mapSectors(byte[])} sectors. */
    public static Batmap parse(byte[] header, byte[] map) {
        return new Batmap(header.clone(), map.clone());
    }

    public static long mapOffset(byte[] header) {
        return Bytes.i64(header, 8);
    }

    public static long mapSectors(byte[] header) {
        return Bytes.u32(header, 16);
    }

    /** A fresh batmap for {@code blocks} blocks whose map starts at {@code mapOffset}. */
    public static Batmap create(long mapOffset, int blocks) {
        byte[] h = new byte[HEADER_SIZE];
        System.arraycopy(COOKIE.getBytes(StandardCharsets.US_ASCII), 0, h, 0, 8);
        Bytes.put64(h, 8, mapOffset);
        int sectors = (int) (((blocks + 7L) / 8 + 511) / 512);
        Bytes.put32(h, 16, sectors);
        Bytes.put32(h, 20, VERSION_1_2);
        Batmap b = new Batmap(h, new byte[sectors * 512]);
        b.updateChecksum();
        return b;
    }

    public long mapOffset() { return mapOffset(header); }
    public long mapSectors() { return mapSectors(header); }
    public int version() { return Bytes.i32(header, 20); }
    public int storedChecksum() { return Bytes.i32(header, 24); }
    public int computedChecksum() { return Checksum.compute(map, 0, map.length, -1); }
    public boolean checksumValid() { return storedChecksum() == computedChecksum(); }

    public boolean covers(int blocks) {
        return mapSectors() * 512L * 8 >= blocks;
    }

    public boolean full(int block) {
        int idx = block >>> 3;
        return idx < map.length && (map[idx] & (0x80 >>> (block & 7))) != 0;
    }

    /** @return true when the bit changed. */
    public boolean setFull(int block, boolean full) {
        int idx = block >>> 3;
        int mask = 0x80 >>> (block & 7);
        int old = map[idx] & 0xFF;
        int now = full ? old | mask : old & ~mask;
        map[idx] = (byte) now;
        return now != old;
    }

    public void updateChecksum() {
        Bytes.put32(header, 24, computedChecksum());
    }

    public byte[] header() {
        return header.clone();
    }

    public byte[] map() {
        return map.clone();
    }

    /** The 512-byte sector of the map that holds block's bit, and its index in the map. */
    public int mapSectorOf(int block) {
        return (block >>> 3) / 512;
    }

    public byte[] mapSector(int sector) {
        return Arrays.copyOfRange(map, sector * 512, sector * 512 + 512);
    }
}
