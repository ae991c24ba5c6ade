package io.vhdstream.vhd.coalesce;

import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.ProgressListener;
import io.vhdstream.vhd.VhdException;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.chain.VhdChain;
import io.vhdstream.vhd.extent.Extent;
import io.vhdstream.vhd.footer.DiskType;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * Merges a differencing child into its parent, sector-exact: exactly the sectors the child holds are
 * written into the parent. The child is left as it is (it now reads the same as before, through a parent
 * that holds its data); other children of that parent see the change, as with every coalescing tool. While
 * it writes, a {@link CoalesceMarker} beside the parent says so (an interrupted coalesce is visible to check).
 */
public final class Coalescer {
    static final int CHUNK = 4 << 20;

    private Coalescer() {
    }

    /** @return the bytes written into the parent */
    public static long coalesce(Path child, ChainOptions options, ProgressListener progress) throws IOException {
        Path parentPath;
        try (VhdChain chain = VhdChain.open(child, options, false)) {
            if (chain.top().type() != DiskType.DIFFERENCING) {
                throw new VhdException(ProblemCode.INVALID_ARGUMENT, child + " is a " + chain.top().type()
                        + " disk; only a differencing disk has a parent to merge into");
            }
            parentPath = chain.layers().get(1).path();
        }
        try (VhdImage c = VhdImage.open(child, new OpenOptions(false, options.strict()));
             VhdImage parent = VhdImage.open(parentPath, new OpenOptions(true, options.strict()))) {
            List<Extent> extents = c.presentExtents();
            // Every refusal before the first write: a parent half-merged and then refused is the worst outcome.
            for (Extent e : extents) {
                if (e.end() > parent.virtualSize()) {
                    throw new VhdException(ProblemCode.CHAIN_SIZE_MISMATCH, child + " holds data at [" + e.offset() + ", "
                            + e.end() + ") beyond its parent " + parentPath + "'s size " + parent.virtualSize()
                            + "; nothing was merged");
                }
            }
            long total = extents.stream().mapToLong(Extent::length).sum();
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, Math.max(total, 512)));
            long done = 0;
            CoalesceMarker.set(parentPath, child);
            for (Extent e : extents) {
                for (long off = e.offset(); off < e.end(); ) {
                    int n = (int) Math.min(buf.capacity(), e.end() - off);
                    buf.clear().limit(n);
                    c.readPresent(off, buf);
                    buf.flip();
                    parent.write(off, buf);
                    off += n;
                    done += n;
                    progress.progress(done, total);
                }
            }
            parent.sync();
            CoalesceMarker.clear(parentPath);
            return done;
        }
    }
}
