package io.vhdstream.vhd.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A whole image file as a byte array, with the field offsets of the VHD structures, for corrupting exactly
 * one field in a test. Offsets follow the spec (and the engine's javadoc tables); nothing here calls the
 * engine, so a test built on it does not share the engine's mistakes.
 *
 * <pre>
 * footer: 0 cookie, 8 features, 12 version, 16 data offset, 24 timestamp, 28 creator app, 32 creator version,
 *         36 creator host, 40 original size, 48 current size, 56 geometry, 60 disk type, 64 checksum,
 *         68 unique id, 84 saved state, 85.. reserved
 * header: 0 cookie, 8 data offset, 16 table offset, 24 version, 28 max table entries, 32 block size,
 *         36 checksum, 40 parent id, 56 parent timestamp, 60 reserved, 64 parent name, 576 locators x 24, 768 reserved
 * locator: 0 code, 4 data space, 8 data length, 12 reserved, 16 data offset
 * batmap header: 0 cookie, 8 map offset, 16 map sectors, 20 version, 24 checksum, 28 marker
 * </pre>
 */
public final class VhdBytes {
    public static final int F_COOKIE = 0, F_FEATURES = 8, F_VERSION = 12, F_DATA_OFFSET = 16, F_TIMESTAMP = 24,
            F_CREATOR_APP = 28, F_CREATOR_VERSION = 32, F_CREATOR_HOST = 36, F_ORIGINAL_SIZE = 40, F_CURRENT_SIZE = 48,
            F_GEOMETRY = 56, F_DISK_TYPE = 60, F_CHECKSUM = 64, F_UNIQUE_ID = 68, F_SAVED_STATE = 84, F_RESERVED = 85;
    public static final int H_COOKIE = 0, H_DATA_OFFSET = 8, H_TABLE_OFFSET = 16, H_VERSION = 24, H_MAX_ENTRIES = 28,
            H_BLOCK_SIZE = 32, H_CHECKSUM = 36, H_PARENT_ID = 40, H_PARENT_TIMESTAMP = 56, H_RESERVED1 = 60,
            H_PARENT_NAME = 64, H_LOCATORS = 576, H_RESERVED2 = 768;
    public static final int L_CODE = 0, L_SPACE = 4, L_LENGTH = 8, L_RESERVED = 12, L_OFFSET = 16;
    public static final int B_COOKIE = 0, B_OFFSET = 8, B_SECTORS = 16, B_VERSION = 20, B_CHECKSUM = 24, B_MARKER = 28;
    public static final int W2KU = 0x57326B75, W2RU = 0x57327275;

    public byte[] b;

    public VhdBytes(byte[] b) {
        this.b = b;
    }

    public static VhdBytes of(Path p) throws IOException {
        return new VhdBytes(Files.readAllBytes(p));
    }

    public VhdBytes copy() {
        return new VhdBytes(b.clone());
    }

    public VhdBytes save(Path p) throws IOException {
        Files.write(p, b);
        return this;
    }

    public int length() {
        return b.length;
    }

    // ---- raw big-endian access ----

    public long u8(long at) {
        return b[(int) at] & 0xFF;
    }

    public long u32(long at) {
        int i = (int) at;
        return ((b[i] & 0xFFL) << 24) | ((b[i + 1] & 0xFFL) << 16) | ((b[i + 2] & 0xFFL) << 8) | (b[i + 3] & 0xFFL);
    }

    public long u64(long at) {
        return (u32(at) << 32) | u32(at + 4);
    }

    public VhdBytes put8(long at, long v) {
        b[(int) at] = (byte) v;
        return this;
    }

    public VhdBytes put32(long at, long v) {
        int i = (int) at;
        b[i] = (byte) (v >>> 24);
        b[i + 1] = (byte) (v >>> 16);
        b[i + 2] = (byte) (v >>> 8);
        b[i + 3] = (byte) v;
        return this;
    }

    public VhdBytes put64(long at, long v) {
        put32(at, v >>> 32);
        return put32(at + 4, v);
    }

    public VhdBytes putAscii(long at, String s) {
        byte[] a = s.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(a, 0, b, (int) at, a.length);
        return this;
    }

    public String ascii(long at, int len) {
        return new String(b, (int) at, len, StandardCharsets.ISO_8859_1);
    }

    // ---- structure positions ----

    /** The end footer: always the last 512 bytes. */
    public int endFooter() {
        return b.length - 512;
    }

    /** The dynamic header, at the data offset the end footer names. */
    public int header() {
        return (int) u64(endFooter() + F_DATA_OFFSET);
    }

    public int table() {
        return (int) u64(header() + H_TABLE_OFFSET);
    }

    public long maxEntries() {
        return u32(header() + H_MAX_ENTRIES);
    }

    public long blockSize() {
        return u32(header() + H_BLOCK_SIZE);
    }

    /** Bitmap bytes in front of every block: one bit per sector rounded up to whole sectors. */
    public long bitmapBytes() {
        long bytes = (blockSize() / 512 + 7) / 8;
        return (bytes + 511) / 512 * 512;
    }

    /** The BAT padded to a sector: where a blktap batmap header sits. */
    public int afterBat() {
        return (int) (table() + (maxEntries() * 4 + 511) / 512 * 512);
    }

    public long batEntry(int block) {
        return u32(table() + 4L * block);
    }

    public VhdBytes setBatEntry(int block, long sector) {
        return put32(table() + 4L * block, sector);
    }

    /** File offset of block's sector bitmap, or -1 when the block is not allocated. */
    public long bitmapAt(int block) {
        long e = batEntry(block);
        return e == 0xFFFF_FFFFL ? -1 : e * 512;
    }

    public long dataAt(int block) {
        long bm = bitmapAt(block);
        return bm < 0 ? -1 : bm + bitmapBytes();
    }

    public int locator(int slot) {
        return header() + H_LOCATORS + 24 * slot;
    }

    public String locatorPath(int slot) {
        int l = locator(slot);
        int at = (int) u64(l + L_OFFSET);
        int len = (int) u32(l + L_LENGTH);
        return new String(b, at, len, StandardCharsets.UTF_16LE);
    }

    // ---- checksums ----

    public static int checksum(byte[] bytes, int from, int len, int checksumAt) {
        long sum = 0;
        for (int i = 0; i < len; i++) {
            if (checksumAt >= 0 && i >= checksumAt && i < checksumAt + 4) {
                continue;
            }
            sum += bytes[from + i] & 0xFF;
        }
        return (int) ~sum;
    }

    public VhdBytes fixFooterAt(int at) {
        if (at < 0 || at + 512 > b.length) {
            return this;
        }
        return put32(at + F_CHECKSUM, checksum(b, at, 512, F_CHECKSUM) & 0xFFFF_FFFFL);
    }

    public boolean hasFooterCopy() {
        return b.length >= 1024 && "conectix".equals(ascii(0, 8));
    }

    /** Sets a 32-bit footer field in the end footer and (for sparse images) the copy, with checksums fixed. */
    public VhdBytes footer32(int field, long v) {
        return footerEdit(at -> put32(at + field, v));
    }

    public VhdBytes footer64(int field, long v) {
        return footerEdit(at -> put64(at + field, v));
    }

    public VhdBytes footer8(int field, long v) {
        return footerEdit(at -> put8(at + field, v));
    }

    public VhdBytes footerEdit(java.util.function.IntConsumer edit) {
        boolean copy = hasFooterCopy();
        edit.accept(endFooter());
        fixFooterAt(endFooter());
        if (copy) {
            edit.accept(0);
            fixFooterAt(0);
        }
        return this;
    }

    public VhdBytes fixHeader() {
        return fixHeaderAt(header());
    }

    /** Recomputes the header checksum at a known offset (the footer's data offset may be the thing mutated). */
    public VhdBytes fixHeaderAt(int h) {
        if (h < 0 || h + 1024 > b.length) {
            return this;
        }
        return put32(h + H_CHECKSUM, checksum(b, h, 1024, H_CHECKSUM) & 0xFFFF_FFFFL);
    }

    /** Recomputes a batmap checksum for the header at {@code h}, if its map lies inside the array. */
    public VhdBytes fixBatmapAt(int h) {
        if (h < 0 || h + 512 > b.length) {
            return this;
        }
        long mapAt = u64(h + B_OFFSET);
        long len = u32(h + B_SECTORS) * 512;
        // mapAt + len would overflow for a mutated offset near 2^63 (fuzz case 0x4f65b813a9286194)
        if (mapAt < 0 || len < 0 || mapAt > b.length || len > b.length - mapAt) {
            return this;
        }
        return put32(h + B_CHECKSUM, checksum(b, (int) mapAt, (int) len, -1) & 0xFFFF_FFFFL);
    }

    public VhdBytes header32(int field, long v) {
        put32(header() + field, v);
        return fixHeader();
    }

    public VhdBytes header64(int field, long v) {
        put64(header() + field, v);
        return fixHeader();
    }

    public VhdBytes locatorField32(int slot, int field, long v) {
        put32(locator(slot) + field, v);
        return fixHeader();
    }

    public VhdBytes locatorField64(int slot, int field, long v) {
        put64(locator(slot) + field, v);
        return fixHeader();
    }

    /** Rewrites a locator's path in its existing space (UTF-16LE, as W2ru/W2ku hold it). */
    public VhdBytes setLocatorPath(int slot, String path) {
        int l = locator(slot);
        int at = (int) u64(l + L_OFFSET);
        long space = u32(l + L_SPACE);
        long spaceBytes = space < 512 ? space * 512 : space;
        byte[] data = path.getBytes(StandardCharsets.UTF_16LE);
        if (data.length > spaceBytes) {
            throw new IllegalArgumentException("path does not fit the locator's " + spaceBytes + " bytes");
        }
        Arrays.fill(b, at, (int) (at + spaceBytes), (byte) 0);
        System.arraycopy(data, 0, b, at, data.length);
        put32(l + L_LENGTH, data.length);
        return fixHeader();
    }

    public VhdBytes setParentName(String name) {
        int at = header() + H_PARENT_NAME;
        Arrays.fill(b, at, at + 512, (byte) 0);
        byte[] n = name.getBytes(StandardCharsets.UTF_16BE);
        System.arraycopy(n, 0, b, at, n.length);
        return fixHeader();
    }

    public VhdBytes setParentId(byte[] id16) {
        System.arraycopy(id16, 0, b, header() + H_PARENT_ID, 16);
        return fixHeader();
    }

    public byte[] uniqueId() {
        return Arrays.copyOfRange(b, endFooter() + F_UNIQUE_ID, endFooter() + F_UNIQUE_ID + 16);
    }

    /** The batmap header offset if this file has one right after the BAT, else -1. */
    public int batmap() {
        int at = afterBat();
        return at + 512 <= endFooter() && "tdbatmap".equals(ascii(at, 8)) ? at : -1;
    }

    public VhdBytes fixBatmap() {
        int h = batmap();
        int mapAt = (int) u64(h + B_OFFSET);
        int len = (int) (u32(h + B_SECTORS) * 512);
        return put32(h + B_CHECKSUM, checksum(b, mapAt, len, -1) & 0xFFFF_FFFFL);
    }

    public int batmapMap() {
        return (int) u64(batmap() + B_OFFSET);
    }

    public boolean batmapBit(int block) {
        return (b[batmapMap() + block / 8] & (0x80 >>> (block % 8))) != 0;
    }

    public VhdBytes setBatmapBit(int block, boolean on) {
        int at = batmapMap() + block / 8;
        int mask = 0x80 >>> (block % 8);
        b[at] = (byte) (on ? (b[at] | mask) : (b[at] & ~mask));
        return this;
    }

    public boolean batmapChecksumValid() {
        int h = batmap();
        int mapAt = (int) u64(h + B_OFFSET);
        int len = (int) (u32(h + B_SECTORS) * 512);
        return (checksum(b, mapAt, len, -1) & 0xFFFF_FFFFL) == u32(h + B_CHECKSUM);
    }
}
