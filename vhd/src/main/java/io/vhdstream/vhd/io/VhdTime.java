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
        return vhdSeconds + " (" + iso(vhdSeconds) + ")";
    }

    /**
     * "2024-05-01T10:00:00Z", as {@link Instant#toString()} prints it for whole seconds, without java.time's
     * formatters: loading and initialising those is a noticeable part of a short command's start.
     */
    public static String iso(long vhdSeconds) {
        java.time.LocalDateTime t = java.time.LocalDateTime.ofEpochSecond(vhdSeconds + EPOCH_OFFSET, 0, java.time.ZoneOffset.UTC);
        StringBuilder b = new StringBuilder(20).append(t.getYear());
        two(b.append('-'), t.getMonthValue());
        two(b.append('-'), t.getDayOfMonth());
        two(b.append('T'), t.getHour());
        two(b.append(':'), t.getMinute());
        two(b.append(':'), t.getSecond());
        return b.append('Z').toString();
    }

    private static void two(StringBuilder b, int v) {
        b.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
    }

    public static long now() {
        return toUnsigned32(Instant.now());
    }
}
