package io.vhdstream.vhd.coalesce;

import io.vhdstream.vhd.ProgressListener;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.chain.Rebaser;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.SparseImage;
import io.vhdstream.vhd.image.VhdImage;
import io.vhdstream.vhd.io.Directories;
import io.vhdstream.vhd.repair.VhdRepairer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Folds the lowest layers of a chain into its base, the retention merge of the topology's layer directory and of
 * the replica sink's chain. For each layer of the range, lowest first: {@link Coalescer} writes its sectors into
 * the base (sector-exact, fsynced, marker present meanwhile), the layer above it is re-parented onto the base
 * (link only: it reads the same, the base now holds what its old parent held), and only then is the merged
 * file deleted (directory fsynced). So the lowest layer of the range still present always has the base as
 * parent, and running the same merge again after a crash at any point redoes at most the interrupted step
 * (coalesce rewrites the same sectors; the re-link writes the same fields) and converges. The caller journals
 * the merge (durably) before calling, and calls again with the same arguments after a crash.
 */
public final class ChainMerger {
    private ChainMerger() {
    }

    /**
     * @param base  the chain's base (a dynamic image), what {@code range.get(0)} has as parent
     * @param range the layers to fold into it, lowest first, each the parent of the next
     * @param above the layer whose parent is the range's last one; re-parented onto the base if it exists
     */
    public static void merge(Path base, List<Path> range, Path above) throws IOException {
        for (int j = 0; j < range.size(); j++) {
            Path layer = range.get(j);
            if (!Files.exists(layer)) {
                continue; // merged and deleted by an earlier (interrupted) run
            }
            // A crash inside a step leaves new space after the last block or locator the file references (the BAT
            // entries and the header come after a barrier): cut it, so the redone step lays the file out as the
            // first attempt did and the result has the same bytes.
            VhdRepairer.cutUnreferencedTail(base);
            Coalescer.coalesce(layer, ChainOptions.forImage(layer), ProgressListener.NONE);
            Path next = j + 1 < range.size() ? range.get(j + 1) : above;
            if (next != null && Files.exists(next)) {
                VhdRepairer.cutUnreferencedTail(next);
                if (!syncIfLinked(next, base)) {
                    ChainOptions opts = ChainOptions.forImage(next);
                    Rebaser.rebase(next, base, true, opts, opts, ProgressListener.NONE);
                }
            }
            Files.delete(layer);
            Directories.fsync(layer.toAbsolutePath().getParent());
        }
    }

    /**
     * Whether {@code child} already names {@code base} as its parent (a re-link done before a crash: linking again
     * would put a second copy of the locators in new space); if so, makes that durable before its old parent goes.
     */
    private static boolean syncIfLinked(Path child, Path base) throws IOException {
        try (VhdImage b = VhdImage.open(base, OpenOptions.READ);
             VhdImage c = VhdImage.open(child, OpenOptions.WRITE)) {
            if (!(c instanceof SparseImage sp) || !sp.differencing()
                    || !sp.header().parentUniqueId().equals(b.footer().uniqueId())
                    || sp.header().parentTimestamp() != b.footer().timestamp()
                    || !base.getFileName().toString().equals(sp.header().parentUnicodeName())) {
                return false;
            }
            c.sync();
            return true;
        }
    }
}
