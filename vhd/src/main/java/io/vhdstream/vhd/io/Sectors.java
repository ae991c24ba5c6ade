package io.vhdstream.vhd.io;

import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.VhdException;

/** Sector arithmetic shared by every structure. */
public final class Sectors {
    public static final int SIZE = 512;
    public static final int SHIFT = 9;

    private Sectors() {
    }

    public static boolean aligned(long bytes) {
        return (bytes & (SIZE - 1)) == 0;
    }

    public static long roundUp(long bytes) {
        return (bytes + SIZE - 1) & ~(long) (SIZE - 1);
    }

    /** Rejects offsets and lengths that are not whole sectors, with the caller's words for what it was. */
    public static void requireAligned(long value, String what) throws VhdException {
        if (value < 0 || !aligned(value)) {
            throw new VhdException(ProblemCode.UNALIGNED, what + " " + value + " is not a non-negative multiple of 512");
        }
    }

    /** Rejects a range that does not lie within [0, size). */
    public static void requireWithin(long offset, long length, long size) throws VhdException {
        if (offset < 0 || length < 0 || offset > size || length > size - offset) {
            throw new VhdException(ProblemCode.OUT_OF_RANGE,
                    "range [" + offset + ", +" + length + ") lies outside the virtual disk of " + size + " bytes");
        }
    }
}
