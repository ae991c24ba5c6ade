package io.vhdstream.bench;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Fast deterministic pseudo-random bytes (xorshift64*), so a run's content can be made again from its seed
 * for verification instead of being kept in memory.
 */
final class Rand {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private long state;

    Rand(long seed) {
        state = mix(seed);
        if (state == 0) {
            state = 0x9E37_79B9_7F4A_7C15L;
        }
    }

    /** SplitMix64's finaliser: spreads a seed (or a seed combined with an offset) over all 64 bits. */
    static long mix(long z) {
        z += 0x9E37_79B9_7F4A_7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    long nextLong() {
        long x = state;
        x ^= x >>> 12;
        x ^= x << 25;
        x ^= x >>> 27;
        state = x;
        return x * 0x2545_F491_4F6C_DD1DL;
    }

    /** Uniform in [0, bound). */
    int nextInt(int bound) {
        return (int) Math.floorMod(nextLong() >>> 1, (long) bound);
    }

    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Fills b[off, off+len) (len a multiple of 8) with random bytes. */
    void fill(byte[] b, int off, int len) {
        int end = off + len;
        int i = off;
        for (; i + 8 <= end; i += 8) {
            LONGS.set(b, i, nextLong());
        }
        for (; i < end; i++) {
            b[i] = (byte) nextLong();
        }
    }

    /** The content bytes for a run at {@code offset}, the same every time for the same seed and offset. */
    static void content(long seed, long offset, byte[] b, int len) {
        new Rand(seed ^ mix(offset)).fill(b, 0, len);
    }

    void shuffle(int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
