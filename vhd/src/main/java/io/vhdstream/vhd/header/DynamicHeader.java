package io.vhdstream.vhd.header;

import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.VhdException;
import io.vhdstream.vhd.io.Bytes;
import io.vhdstream.vhd.io.Checksum;
import io.vhdstream.vhd.locator.ParentLocator;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * The 1024-byte dynamic disk header of dynamic and differencing images.
 *
 * <pre>
 * off len field                      off len field
 *   0   8 cookie "cxsparse"             40  16 parent unique id
 *   8   8 data offset (all ones)        56   4 parent timestamp
 *  16   8 table offset (BAT)            60   4 reserved
 *  24   4 header version 1.0            64 512 parent unicode name (UTF-16BE)
 *  28   4 max table entries            576 192 8 parent locators x 24
 *  32   4 block size                   768 256 reserved
 *  36   4 checksum
 * </pre>
 */
public final class DynamicHeader {
    public static final int SIZE = 1024;
    public static final String COOKIE = "cxsparse";
    public static final int VERSION_1_0 = 0x0001_0000;
    public static final int CHECKSUM_AT = 36;
    public static final int NAME_AT = 64;
    public static final int NAME_BYTES = 512;
    public static final int LOCATORS_AT = 576;
    public static final int LOCATOR_COUNT = 8;
    public static final int DEFAULT_BLOCK_SIZE = 2 * 1024 * 1024;
    /**
     * The largest block size read or made: 1 GiB (real writers use at most 256 MiB). Above it a block's offsets
     * no longer fit an int and its bitmap alone would be megabytes; the field is 32 bits, so 2 GiB and up are
     * possible on disk, and only ever as damage.
     */
    public static final long MAX_BLOCK_SIZE = 1L << 30;

    private final byte[] raw;

    private DynamicHeader(byte[] raw) {
        this.raw = raw;
    }

    public static DynamicHeader parse(byte[] bytes, int from) {
        return new DynamicHeader(Arrays.copyOfRange(bytes, from, from + SIZE));
    }

    public byte[] serialize() {
        return raw.clone();
    }

    public String cookie() { return Bytes.ascii(raw, 0, 8); }
    public long dataOffset() { return Bytes.i64(raw, 8); }
    public long tableOffset() { return Bytes.i64(raw, 16); }
    public int version() { return Bytes.i32(raw, 24); }
    public long maxTableEntries() { return Bytes.u32(raw, 28); }
    public long blockSize() { return Bytes.u32(raw, 32); }
    public int storedChecksum() { return Bytes.i32(raw, CHECKSUM_AT); }
    public int computedChecksum() { return Checksum.compute(raw, 0, SIZE, CHECKSUM_AT); }
    public boolean checksumValid() { return storedChecksum() == computedChecksum(); }
    public UUID parentUniqueId() { return new UUID(Bytes.i64(raw, 40), Bytes.i64(raw, 48)); }
    public byte[] parentUniqueIdBytes() { return Arrays.copyOfRange(raw, 40, 56); }
    public long parentTimestamp() { return Bytes.u32(raw, 56); }
    public boolean cookieValid() { return COOKIE.equals(cookie()); }

    /** The parent's name as stored: UTF-16BE, NUL-terminated or filling the field. */
    public String parentUnicodeName() {
        int len = 0;
        while (len + 1 < NAME_BYTES && (raw[NAME_AT + len] != 0 || raw[NAME_AT + len + 1] != 0)) {
            len += 2;
        }
        return new String(raw, NAME_AT, len, StandardCharsets.UTF_16BE);
    }

    public ParentLocator locator(int i) {
        return ParentLocator.parse(raw, LOCATORS_AT + i * ParentLocator.SIZE);
    }

    public List<ParentLocator> locators() {
        List<ParentLocator> out = new ArrayList<>(LOCATOR_COUNT);
        for (int i = 0; i < LOCATOR_COUNT; i++) {
            out.add(locator(i));
        }
        return out;
    }

    /** Sector bitmap bytes in front of each block: one bit per sector, rounded up to whole sectors. */
    public long bitmapBytes() {
        return bitmapBytes(blockSize());
    }

    public static long bitmapBytes(long blockSize) {
        long bits = blockSize / 512;
        long bytes = (bits + 7) / 8;
        return (bytes + 511) & ~511L;
    }

    public Builder toBuilder() {
        return new Builder(raw.clone());
    }

    public static Builder builder() {
        byte[] b = new byte[SIZE];
        System.arraycopy(COOKIE.getBytes(StandardCharsets.US_ASCII), 0, b, 0, 8);
        Bytes.put64(b, 8, -1L);
        Bytes.put32(b, 24, VERSION_1_0);
        return new Builder(b);
    }

    /** Sets fields on a copy; {@link #build()} recomputes the checksum. */
    public static final class Builder {
        private final byte[] b;

        private Builder(byte[] b) {
            this.b = b;
        }

        public Builder tableOffset(long v) { Bytes.put64(b, 16, v); return this; }
        public Builder maxTableEntries(long v) { Bytes.put32(b, 28, v); return this; }
        public Builder blockSize(long v) { Bytes.put32(b, 32, v); return this; }
        public Builder parentUniqueId(UUID id) {
            Bytes.put64(b, 40, id.getMostSignificantBits());
            Bytes.put64(b, 48, id.getLeastSignificantBits());
            return this;
        }
        public Builder parentTimestamp(long v) { Bytes.put32(b, 56, v); return this; }
        public Builder parentUnicodeName(String name) throws VhdException {
            byte[] n = name.getBytes(StandardCharsets.UTF_16BE);
            if (n.length > NAME_BYTES) {
                throw new VhdException(ProblemCode.INVALID_ARGUMENT, "parent name longer than 256 UTF-16 units: " + name);
            }
            Arrays.fill(b, NAME_AT, NAME_AT + NAME_BYTES, (byte) 0);
            System.arraycopy(n, 0, b, NAME_AT, n.length);
            return this;
        }
        public Builder locator(int i, ParentLocator l) {
            l.serialize(b, LOCATORS_AT + i * ParentLocator.SIZE);
            return this;
        }

        public DynamicHeader build() {
            Bytes.put32(b, CHECKSUM_AT, Checksum.compute(b, 0, SIZE, CHECKSUM_AT));
            return new DynamicHeader(b.clone());
        }
    }
}
