package io.vhdstream.topology.disk;

import io.vhdstream.vhd.ProgressListener;
import io.vhdstream.vhd.chain.ChainOptions;
import io.vhdstream.vhd.chain.Rebaser;
import io.vhdstream.vhd.coalesce.Coalescer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Carries out a {@link MergeRecord}: for each layer of its range, lowest first, the vhd engine's coalesce writes
 * the layer's sectors into {@code base.vhd} (sector-exact, fsynced), the next layer is re-parented onto
 * {@code base.vhd} (link only: it reads the same, the base now holds what its old parent held), and only then
 * is the merged file deleted. So the lowest layer of the range still present always has {@code base.vhd} as
 * parent, and running the same record again after a crash at any point redoes at most the interrupted step
 * (coalesce rewrites the same sectors; the re-link writes the same fields) and converges.
 */
final class LayerMerger {
    private LayerMerger() {
    }

    /**
     * @param sealed     the disk's sealed layers, base first
     * @param activeName the active layer's file name (re-parented if it exists and follows the range)
     */
    static void run(Path dir, List<SealedLayer> sealed, MergeRecord m, String activeName) throws IOException {
        Path base = dir.resolve(LayerNames.BASE);
        for (int j = m.fromIndex(); j <= m.toIndex(); j++) {
            Path layer = dir.resolve(sealed.get(j).fileName());
            if (!Files.exists(layer)) {
                continue; // merged and deleted by an earlier (interrupted) run
            }
            Coalescer.coalesce(layer, ChainOptions.forImage(layer), ProgressListener.NONE);
            Path next = dir.resolve(j + 1 < sealed.size() ? sealed.get(j + 1).fileName() : activeName);
            if (Files.exists(next)) {
                ChainOptions opts = ChainOptions.forImage(next);
                Rebaser.rebase(next, base, true, opts, opts, ProgressListener.NONE);
            }
            Files.delete(layer);
            FileOps.fsyncDir(dir);
        }
    }
}
