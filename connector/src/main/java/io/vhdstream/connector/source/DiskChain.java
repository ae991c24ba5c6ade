package io.vhdstream.connector.source;

import java.nio.file.Path;
import java.util.List;

/**
 * A disk and the layers of it that may be emitted, base first.
 *
 * @param layerDirectory true for a vhdstream layer directory, false for a foreign chain
 * @param baseLevel      the highest layer index whose content retention merged into the base (0: none, and
 *                       always 0 for foreign chains); {@code layers} then holds the base and the layers above it
 * @param mergeStamp     a layer directory's merge state when it was scanned ({@link RootScanner#mergeStamp}); null for
 *                       foreign chains
 */
public record DiskChain(String diskId, Path root, boolean layerDirectory, int baseLevel, List<LayerRef> layers,
                        String mergeStamp) {
    public DiskChain {
        layers = List.copyOf(layers);
    }

    /** True when retention began or finished a merge in the layer directory since it was scanned. */
    boolean mergedSinceScan() {
        return mergeStamp != null && !mergeStamp.equals(RootScanner.mergeStamp(layers.get(0).path().getParent()));
    }
}
