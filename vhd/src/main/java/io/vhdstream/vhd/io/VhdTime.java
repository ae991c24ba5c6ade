package io.vhdstream.vhd.io;

import java.time.Instant;

/** VHD timestamps count seconds from 2000-01-01T00:00:00Z in an unsigned 32-bit field. */
public final class VhdTime {
    public static final long EPOCH_OFFSET = 946_684_800L;

    private VhdTime() {
    }

    public static long toUnsigned32(Instant instant) {
        long v = instant.getEpochSecond() - EPOCH_OFFSET;
        return Math.max(0, Math.min(v, 0xFFFF_FFFFL));
    }

    public static Instant toInstant(long vhdSeconds) {
        return Instant.ofEpochSecond(vhdSeconds + EPOCH_OFFSET);
    }

    /** "N (2024-05-01T10:00:00Z)": the stored value and what it means, for messages. */
    public static String describe(long vhdSeconds) {
        return vhdSeconds + " (" + toInstant(vhdSeconds) + ")";
    }

    public static long now() {
        return toUnsigned32(Instant.now());
    }
}
