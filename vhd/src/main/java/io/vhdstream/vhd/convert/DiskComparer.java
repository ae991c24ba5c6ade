package io.vhdstream.vhd.convert;

import io.vhdstream.vhd.ProgressListener;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Compares two virtual disks as {@code qemu-img compare} does: the common part byte for byte, then the rest of
 * the larger one must read as zeros (unless strict, where different sizes already differ). Ranges both sides
 * hold nowhere are skipped unread.
 */
public final class DiskComparer {
    static final int CHUNK = 4 << 20;

    private DiskComparer() {
    }

    /** How two disks compare: {@code firstDifference} is -1 when they are identical. */
    public record Result(long firstDifference, long sizeA, long sizeB, String reason) {
        public boolean identical() {
            return firstDifference < 0;
        }
    }

    public static Result compare(DiskSource a, DiskSource b, boolean strict, ProgressListener progress) throws IOException {
        long sa = a.size();
        long sb = b.size();
        if (strict && sa != sb) {
            return new Result(Math.min(sa, sb), sa, sb, "sizes differ: " + sa + " and " + sb + " bytes");
        }
        long end = Math.max(sa, sb);
        ByteBuffer x = ByteBuffer.allocate((int) Math.min(CHUNK, Math.max(512, end)));
        ByteBuffer y = ByteBuffer.allocate(x.capacity());
        for (long pos = 0; pos < end; ) {
            int n = (int) Math.min(x.capacity(), end - pos);
            if (!(a.hole(pos, n) && b.hole(pos, n))) {
                x.clear().limit(n);
                a.read(pos, x);
                y.clear().limit(n);
                b.read(pos, y);
                int m = java.util.Arrays.mismatch(x.array(), 0, n, y.array(), 0, n);
                if (m >= 0) {
                    long at = pos + m;
                    String where = at >= Math.min(sa, sb) ? " (past the end of the smaller disk, which reads as zeros)" : "";
                    return new Result(at, sa, sb, "content differs at offset " + at + where);
                }
            }
            pos += n;
            progress.progress(pos, end);
        }
        return new Result(-1, sa, sb, sa == sb ? "identical" : "identical (the larger one is zeros past the smaller's end)");
    }
}
