package io.vhdstream.vhd.interop;

import io.vhdstream.vhd.image.VhdImage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Random;

/**
 * What a disk should read as: every write and zero goes to the image and to this byte array; a caller that
 * passes a {@link BitSet} also learns which sectors the layer now holds (what {@code presentExtents()} must
 * report). One model follows a whole chain: a differencing child's writes land on its parent's content.
 */
final class DiskModel {
    final byte[] bytes;
    final Random random;

    DiskModel(byte[] initial, long seed) {
        this.bytes = initial;
        this.random = new Random(seed);
    }

    DiskModel(int size, long seed) {
        this(new byte[size], seed);
    }

    int size() {
        return bytes.length;
    }

    /** Writes random bytes into the image and the model, and marks the sectors in {@code present} (if given). */
    void write(VhdImage img, BitSet present, long offset, int length) throws IOException {
        byte[] data = new byte[length];
        random.nextBytes(data);
        img.write(offset, ByteBuffer.wrap(data));
        System.arraycopy(data, 0, bytes, (int) offset, length);
        mark(present, offset, length);
    }

    /** Zeros the range in the image and the model; {@code present} null when the image may not allocate. */
    void zero(VhdImage img, BitSet present, long offset, int length) throws IOException {
        img.zero(offset, length);
        Arrays.fill(bytes, (int) offset, (int) offset + length, (byte) 0);
        mark(present, offset, length);
    }

    private static void mark(BitSet present, long offset, int length) {
        if (present != null) {
            present.set((int) (offset / 512), (int) ((offset + length) / 512));
        }
    }

    /** A random multiple of {@code unit} in [0, bound). */
    long aligned(long bound, int unit) {
        return (long) random.nextInt((int) (bound / unit)) * unit;
    }
}
