package io.vhdstream.topology.disk;

import io.vhdstream.vhd.coalesce.ChainMerger;

import java.io.IOException;
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
     */
    static void run(Path dir, List<SealedLayer> sealed, MergeRecord m, String activeName) throws IOException {
        List<Path> range = new ArrayList<>();
        for (int j = m.fromIndex(); j <= m.toIndex(); j++) {
            range.add(dir.resolve(sealed.get(j).fileName()));
        }
        int above = m.toIndex() + 1;
        ChainMerger.merge(dir.resolve(LayerNames.BASE), range,
                dir.resolve(above < sealed.size() ? sealed.get(above).fileName() : activeName));
    }
}
