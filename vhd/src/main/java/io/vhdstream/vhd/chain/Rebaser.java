package io.vhdstream.vhd.chain;

import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.ProgressListener;
import io.vhdstream.vhd.VhdException;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.SparseImage;
import io.vhdstream.vhd.image.VhdImage;
import io.vhdstream.vhd.io.Sectors;
import io.vhdstream.vhd.locator.LocatorPath;
import io.vhdstream.vhd.locator.PlatformCode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Points a differencing image at another parent, as {@code qemu-img rebase} does. Safe (the default): every
 * sector the child does not hold and that reads differently through the new parent than through the old
 * one is first copied into the child, so the child reads the same afterwards. Unsafe ({@code -u}): only the
 * recorded link changes (parent id, timestamp, name, locators), for a parent that was moved or copied, or to
 * record the parent's current timestamp. Either way the child's locators then name the new parent by
 * relative (W2ru) and absolute (W2ku) path, as {@code snapshot} writes them.
 */
public final class Rebaser {
    static final int CHUNK = 4 << 20;

    private Rebaser() {
    }

    /** @return the bytes copied into the child (0 when unsafe) */
    public static long rebase(Path child, Path newParent, boolean unsafe, ChainOptions oldChain, ChainOptions newChain,
                              ProgressListener progress) throws IOException {
        try (VhdImage parentImg = VhdImage.open(newParent, new OpenOptions(false, newChain.strict()));
             VhdImage top = VhdImage.open(child, new OpenOptions(true, oldChain.strict()))) {
            if (!(top instanceof SparseImage sp) || !sp.differencing()) {
                throw new VhdException(ProblemCode.INVALID_ARGUMENT, child + " is a " + top.type()
                        + " image; only a differencing image has a parent to change");
            }
            if (parentImg.virtualSize() != top.virtualSize()) {
                throw new VhdException(ProblemCode.CHAIN_SIZE_MISMATCH, newParent + " has " + parentImg.virtualSize()
                        + " bytes, " + child + " has " + top.virtualSize() + "; nothing was changed");
            }
            if (parentImg.path().toRealPath().equals(top.path().toRealPath())) {
                throw new VhdException(ProblemCode.CHAIN_CYCLE, child + " cannot be its own parent");
            }
            try (VhdChain proposed = VhdChain.open(newParent, newChain, false)) {
                for (VhdImage l : proposed.layers()) {
                    if (l.path().toRealPath().equals(top.path().toRealPath())) {
                        throw new VhdException(ProblemCode.CHAIN_CYCLE, newParent + " reads through " + child
                                + "; making it the parent would make a cycle");
                    }
                }
                long copied = unsafe ? 0 : copyDifferences(child, sp, proposed, oldChain, progress);
                Path childDir = child.toAbsolutePath().normalize().getParent();
                Path parentAbs = newParent.toAbsolutePath().normalize();
                sp.relink(parentImg.footer().uniqueId(), parentImg.footer().timestamp(),
                        LocatorPath.baseName(parentAbs.toString()), new int[] {PlatformCode.W2RU, PlatformCode.W2KU},
                        new String[] {ParentResolver.windowsRelative(childDir, parentAbs), parentAbs.toString()});
                sp.sync();
                return copied;
            }
        }
    }

    /** Copies into the child what its old parent chain shows and the new one would not. */
    private static long copyDifferences(Path child, SparseImage out, VhdChain proposed, ChainOptions oldOptions,
                                        ProgressListener progress) throws IOException {
        long size = out.virtualSize();
        long copied = 0;
        try (VhdChain old = VhdChain.open(child, oldOptions, false)) {
            ByteBuffer was = ByteBuffer.allocate((int) Math.min(CHUNK, size));
            ByteBuffer will = ByteBuffer.allocate(was.capacity());
            for (long pos = 0; pos < size; ) {
                int n = (int) Math.min(was.capacity(), size - pos);
                long[] absent = absentRuns(out, pos, n);
                for (int r = 0; r < absent.length; r += 2) {
                    long at = absent[r];
                    int len = (int) absent[r + 1];
                    was.clear().limit(len);
                    old.read(at, was);
                    will.clear().limit(len);
                    proposed.read(at, will);
                    copied += writeDiffering(out, at, was.array(), will.array(), len);
                }
                pos += n;
                progress.progress(pos, size);
            }
        }
        return copied;
    }

    /** The runs of [pos, pos+n) the child does not hold, as (offset, length) pairs. */
    private static long[] absentRuns(SparseImage img, long pos, int n) throws IOException {
        long[][] acc = {new long[8]};
        int[] count = {0};
        img.mapRuns(pos, n, (o, len, fileOff) -> {
            if (fileOff < 0) {
                if (count[0] + 2 > acc[0].length) {
                    acc[0] = Arrays.copyOf(acc[0], acc[0].length * 2);
                }
                acc[0][count[0]++] = o;
                acc[0][count[0]++] = len;
            }
        });
        return Arrays.copyOf(acc[0], count[0]);
    }

    private static long writeDiffering(SparseImage out, long at, byte[] was, byte[] will, int len) throws IOException {
        long written = 0;
        int s = 0;
        while (s < len) {
            while (s < len && Arrays.equals(was, s, s + Sectors.SIZE, will, s, s + Sectors.SIZE)) {
                s += Sectors.SIZE;
            }
            int e = s;
            while (e < len && !Arrays.equals(was, e, e + Sectors.SIZE, will, e, e + Sectors.SIZE)) {
                e += Sectors.SIZE;
            }
            if (e > s) {
                out.write(at + s, ByteBuffer.wrap(was, s, e - s));
                written += e - s;
            }
            s = e;
        }
        return written;
    }
}
