package io.vhdstream.vhd.footer;

import io.vhdstream.vhd.io.Bytes;
import io.vhdstream.vhd.io.Checksum;

import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;

/**
 * The 512-byte hard disk footer, at the end of every image and copied at offset 0 of sparse ones.
 *
 * <pre>
 * off len field                 off len field
 *   0   8 cookie "conectix"       48   8 current size
 *   8   4 features (0x2 set)      56   2 cylinders
 *  12   4 format version 1.0      58   1 heads
 *  16   8 data offset             59   1 sectors per track
 *  24   4 timestamp (2000 epoch)  60   4 disk type
 *  28   4 creator application     64   4 checksum
 *  32   4 creator version         68  16 unique id
 *  36   4 creator host OS         84   1 saved state
 *  40   8 original size           85 427 reserved (blktap: 85 = hidden flag)
 * </pre>
 *
 * Parsing never fails: the raw bytes are kept (reserved bytes included, so a rewrite does not lose another
 * tool's private fields); {@code image.ImageStructure} decides whether the fields can be trusted.
 */
public final class Footer {
    public static final int SIZE = 512;
    public static final String COOKIE = "conectix";
    public static final int FEATURES_RESERVED = 0x2;
    public static final int VERSION_1_0 = 0x0001_0000;
    public static final long FIXED_DATA_OFFSET = -1L;
    public static final int CHECKSUM_AT = 64;
    /** 2040 GiB: the largest size the spec allows (0xFF000000 sectors). */
    public static final long MAX_SIZE = 0xFF00_0000L * 512;

    private final byte[] raw;

    private Footer(byte[] raw) {
        this.raw = raw;
    }

    public static Footer parse(byte[] bytes, int from) {
        return new Footer(Arrays.copyOfRange(bytes, from, from + SIZE));
    }

    public byte[] serialize() {
        return raw.clone();
    }

    public String cookie() { return Bytes.ascii(raw, 0, 8); }
    public int features() { return Bytes.i32(raw, 8); }
    public int version() { return Bytes.i32(raw, 12); }
    public long dataOffset() { return Bytes.i64(raw, 16); }
    public long timestamp() { return Bytes.u32(raw, 24); }
    public String creatorApplication() { return Bytes.ascii(raw, 28, 4); }
    public int creatorVersion() { return Bytes.i32(raw, 32); }
    public String creatorHostOs() { return Bytes.ascii(raw, 36, 4); }
    public long originalSize() { return Bytes.i64(raw, 40); }
    public long currentSize() { return Bytes.i64(raw, 48); }
    public Geometry geometry() { return new Geometry(Bytes.u16(raw, 56), raw[58] & 0xFF, raw[59] & 0xFF); }
    public long diskTypeCode() { return Bytes.u32(raw, 60); }
    public Optional<DiskType> diskType() { return DiskType.fromCode(diskTypeCode()); }
    public int storedChecksum() { return Bytes.i32(raw, CHECKSUM_AT); }
    public int computedChecksum() { return Checksum.compute(raw, 0, SIZE, CHECKSUM_AT); }
    public boolean checksumValid() { return storedChecksum() == computedChecksum(); }
    public byte[] uniqueIdBytes() { return Arrays.copyOfRange(raw, 68, 84); }
    public UUID uniqueId() { return uuid(raw, 68); }
    public int savedState() { return raw[84] & 0xFF; }
    public boolean cookieValid() { return COOKIE.equals(cookie()); }

    public Builder toBuilder() {
        return new Builder(raw.clone());
    }

    public static Builder builder() {
        byte[] b = new byte[SIZE];
        Bytes.put32(b, 0, 0x636F6E65L); // "cone"
        Bytes.put32(b, 4, 0x63746978L); // "ctix"
        Bytes.put32(b, 8, FEATURES_RESERVED);
        Bytes.put32(b, 12, VERSION_1_0);
        return new Builder(b);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Footer f && Arrays.equals(raw, f.raw);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(raw);
    }

    static UUID uuid(byte[] b, int at) {
        return new UUID(Bytes.i64(b, at), Bytes.i64(b, at + 8));
    }

    /** Sets fields on a copy; {@link #build()} recomputes the checksum. */
    public static final class Builder {
        private final byte[] b;

        private Builder(byte[] b) {
            this.b = b;
        }

        public Builder dataOffset(long v) { Bytes.put64(b, 16, v); return this; }
        public Builder timestamp(long v) { Bytes.put32(b, 24, v); return this; }
        public Builder creator(String app, int version, String hostOs) {
            for (int i = 0; i < 4; i++) {
                b[28 + i] = (byte) (i < app.length() ? app.charAt(i) : 0);
                b[36 + i] = (byte) (i < hostOs.length() ? hostOs.charAt(i) : 0);
            }
            Bytes.put32(b, 32, version);
            return this;
        }
        public Builder originalSize(long v) { Bytes.put64(b, 40, v); return this; }
        public Builder currentSize(long v) { Bytes.put64(b, 48, v); return this; }
        public Builder geometry(Geometry g) {
            Bytes.put16(b, 56, g.cylinders());
            b[58] = (byte) g.heads();
            b[59] = (byte) g.sectorsPerTrack();
            return this;
        }
        public Builder diskType(DiskType t) { Bytes.put32(b, 60, t.code()); return this; }
        public Builder uniqueId(UUID id) {
            Bytes.put64(b, 68, id.getMostSignificantBits());
            Bytes.put64(b, 76, id.getLeastSignificantBits());
            return this;
        }
        public Builder savedState(int v) { b[84] = (byte) v; return this; }

        public Footer build() {
            Bytes.put32(b, CHECKSUM_AT, Checksum.compute(b, 0, SIZE, CHECKSUM_AT));
            return new Footer(b.clone());
        }
    }
}
