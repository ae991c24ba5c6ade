package io.vhdstream.vhd.chain;

import io.vhdstream.vhd.Problem;
import io.vhdstream.vhd.ProblemCode;
import io.vhdstream.vhd.Severity;
import io.vhdstream.vhd.VhdException;
import io.vhdstream.vhd.footer.DiskType;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.SparseImage;
import io.vhdstream.vhd.image.VhdImage;
import io.vhdstream.vhd.io.Sectors;
import io.vhdstream.vhd.io.VhdTime;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * An image and its parents, top first. Reads are sector-exact: each layer answers for the sectors its
 * bitmaps mark present, the rest falls through to its parent as one coalesced request per run.
 */
public final class VhdChain implements Closeable {
    private final List<VhdImage> layers;
    private final List<Problem> warnings;

    private VhdChain(List<VhdImage> layers, List<Problem> warnings) {
        this.layers = layers;
        this.warnings = warnings;
    }

    public static VhdChain open(Path top) throws IOException {
        return open(top, ChainOptions.forImage(top), false);
    }

    /** Opens {@code top} (writable if asked) and its parents (read-only), checking ids, cycles and depth. */
    public static VhdChain open(Path top, ChainOptions options, boolean writableTop) throws IOException {
        List<VhdImage> layers = new ArrayList<>();
        List<Problem> warnings = new ArrayList<>();
        Set<Path> seen = new HashSet<>();
        Set<UUID> ids = new HashSet<>();
        try {
            VhdImage img = VhdImage.open(top, new OpenOptions(writableTop, options.strict()));
            layers.add(img);
            seen.add(top.toRealPath());
            ids.add(img.footer().uniqueId());
            while (img.type() == DiskType.DIFFERENCING) {
                if (layers.size() >= options.maxDepth()) {
                    throw new VhdException(ProblemCode.CHAIN_TOO_DEEP, top + ": chain is deeper than " + options.maxDepth() + " layers");
                }
                img = openParent((SparseImage) img, options, seen, ids, warnings);
                layers.add(img);
            }
            return new VhdChain(layers, warnings);
        } catch (IOException | RuntimeException e) {
            for (VhdImage l : layers) {
                try {
                    l.close();
                } catch (IOException ignored) {
                    // the original error is the one to report
                }
            }
            throw e;
        }
    }

    private static VhdImage openParent(SparseImage child, ChainOptions options, Set<Path> seen, Set<UUID> ids,
                                       List<Problem> warnings) throws IOException {
        UUID want = child.header().parentUniqueId();
        VhdException mismatch = null;
        for (Path p : ParentResolver.existing(child, options)) {
            if (seen.contains(p)) {
                throw new VhdException(ProblemCode.CHAIN_CYCLE, child.path() + ": parent " + p + " is already in the chain");
            }
            VhdImage parent;
            try {
                parent = VhdImage.open(p, new OpenOptions(false, options.strict()));
            } catch (VhdException e) {
                if (mismatch == null) {
                    mismatch = new VhdException(e.code() == ProblemCode.FOOTER_COOKIE ? ProblemCode.PARENT_NOT_VHD : e.code(),
                            child.path() + ": parent " + p + ": " + e.detail(), e);
                }
                continue;
            }
            if (!parent.footer().uniqueId().equals(want)) {
                mismatch = new VhdException(ProblemCode.PARENT_ID_MISMATCH, child.path() + ": parent " + p + " has id "
                        + parent.footer().uniqueId() + ", the child expects " + want);
                parent.close();
                continue;
            }
            if (!ids.add(want)) {
                parent.close();
                throw new VhdException(ProblemCode.CHAIN_CYCLE, child.path() + ": id " + want + " appears twice in the chain");
            }
            if (parent.footer().timestamp() != child.header().parentTimestamp()) {
                warnings.add(new Problem(ProblemCode.PARENT_TIMESTAMP_MISMATCH, Severity.WARNING, "chain", -1,
                        child.path() + " recorded parent timestamp " + VhdTime.describe(child.header().parentTimestamp())
                                + " but its parent " + p + " has " + VhdTime.describe(parent.footer().timestamp())
                                + " (fix the record with 'vhdstream vhd rebase -u')", false));
            }
            if (parent.virtualSize() != child.virtualSize()) {
                warnings.add(new Problem(ProblemCode.CHAIN_SIZE_MISMATCH, Severity.WARNING, "chain", -1, child.path()
                        + ": parent size " + parent.virtualSize() + " differs from the child's " + child.virtualSize(), false));
            }
            seen.add(p);
            return parent;
        }
        throw mismatch != null ? mismatch : new VhdException(ProblemCode.PARENT_NOT_FOUND, child.path() + ": parent not found");
    }

    /** Top first. */
    public List<VhdImage> layers() {
        return Collections.unmodifiableList(layers);
    }

    public VhdImage top() {
        return layers.get(0);
    }

    public long virtualSize() {
        return top().virtualSize();
    }

    /** Findings other tools tolerate: the parent's timestamp or size differ from what the child recorded. */
    public List<Problem> warnings() {
        return Collections.unmodifiableList(warnings);
    }

    /** Receives where each run of a range comes from. */
    @FunctionalInterface
    public interface ResolvedSink {
        /** @param layer index into {@link #layers()}, or -1 for zeros (no layer holds the run) */
        void run(long offset, long length, int layer, long fileOffset) throws IOException;
    }

    /** Resolves [offset, offset+length) to the layers that hold each run, in offset order. */
    public void resolve(long offset, long length, ResolvedSink sink) throws IOException {
        Sectors.requireWithin(offset, length, virtualSize());
        resolveLevel(0, offset, length, sink);
    }

    private void resolveLevel(int level, long offset, long length, ResolvedSink sink) throws IOException {
        if (level == layers.size()) {
            sink.run(offset, length, -1, -1);
            return;
        }
        VhdImage img = layers.get(level);
        long inside = Math.max(0, Math.min(length, img.virtualSize() - offset));
        if (inside > 0) {
            boolean hasParent = img.type() == DiskType.DIFFERENCING;
            img.mapRuns(offset, inside, (o, len, fileOff) -> {
                if (fileOff >= 0) {
                    sink.run(o, len, level, fileOff);
                } else if (hasParent) {
                    resolveLevel(level + 1, o, len, sink);
                } else {
                    sink.run(o, len, -1, -1);
                }
            });
        }
        if (inside < length) {
            // Past a smaller parent's end the disk reads zeros.
            sink.run(offset + inside, length - inside, -1, -1);
        }
    }

    /** Reads dst.remaining() bytes at {@code offset} through the chain. */
    public void read(long offset, ByteBuffer dst) throws IOException {
        int base = dst.position();
        resolve(offset, dst.remaining(), (o, len, layer, fileOff) -> {
            int at = base + (int) (o - offset);
            if (layer < 0) {
                zero(dst, at, (int) len);
            } else {
                layers.get(layer).file().readFully(fileOff, dst.slice(at, (int) len));
            }
        });
        dst.position(dst.limit());
    }

    private static final byte[] ZEROS = new byte[64 * 1024];

    private static void zero(ByteBuffer dst, int at, int len) {
        for (int done = 0; done < len; ) {
            int n = Math.min(ZEROS.length, len - done);
            dst.put(at + done, ZEROS, 0, n);
            done += n;
        }
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (VhdImage l : layers) {
            try {
                l.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
