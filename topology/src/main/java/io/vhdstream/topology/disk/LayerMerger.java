package io.vhdstream.topology.disk;

import io.vhdstream.vhd.coalesce.ChainMerger;
import io.vhdstream.vhd.extent.Extent;
import io.vhdstream.vhd.image.OpenOptions;
import io.vhdstream.vhd.image.VhdImage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Carries out a {@link MergeRecord} in a layer directory with the vhd engine's {@link ChainMerger} (the replica
 * sink merges its chain with the same code): layers {@code fromIndex..toIndex} fold into {@code base.vhd} and
 * the layer above them (sealed or active) is re-parented onto it. Running the same record again after a crash
 * converges.
 */
final class LayerMerger {
    private LayerMerger() {
    }

    /**
     * @param sealed     the disk's sealed layers, base first
     * @param activeName the active layer's file name (re-parented if it exists and follows the range)
     * @return the ranges the merge writes into the base (of the range's layers still there: a redone merge
     *         reports only what it had left to do)
     */
    static List<Extent> run(Path dir, List<SealedLayer> sealed, MergeRecord m, String activeName) throws IOException {
        List<Path> range = new ArrayList<>();
        List<Extent> written = new ArrayList<>();
        for (int j = m.fromIndex(); j <= m.toIndex(); j++) {
            Path layer = dir.resolve(sealed.get(j).fileName());
            range.add(layer);
            if (Files.exists(layer)) {
                try (VhdImage img = VhdImage.open(layer, OpenOptions.READ)) {
                    written.addAll(img.presentExtents());
                }
            }
        }
        int above = m.toIndex() + 1;
        ChainMerger.merge(dir.resolve(LayerNames.BASE), range,
                dir.resolve(above < sealed.size() ? sealed.get(above).fileName() : activeName));
        return written;
    }
}
