package io.vhdstream.schemas.common;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.UUID;

/**
 * Conversions between the Avro {@link Uuid} fixed type and {@link UUID}. The byte order is the one
 * of a VHD footer's unique id field and of {@code new UUID(msb, lsb)} with both longs big-endian,
 * so ids read by the vhd module convert without reordering.
 */
public final class Uuids {

    private Uuids() {
    }

    public static Uuid of(UUID id) {
        ByteBuffer b = ByteBuffer.allocate(16);
        b.putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits());
        return new Uuid(b.array());
    }

    /** Copies 16 raw bytes (for example a VHD footer's unique id field). */
    public static Uuid of(byte[] raw) {
        if (raw == null || raw.length != 16) {
            throw new IllegalArgumentException("a Uuid has 16 bytes, got "
                    + (raw == null ? "null" : raw.length));
        }
        return new Uuid(Arrays.copyOf(raw, 16));
    }

    public static UUID toUuid(Uuid id) {
        ByteBuffer b = ByteBuffer.wrap(id.bytes());
        return new UUID(b.getLong(), b.getLong());
    }
}
