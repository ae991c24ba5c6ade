package io.vhdstream.connector.source;

import java.nio.file.Path;
import java.util.UUID;

/**
 * One layer of a disk's chain, as a scan found it.
 *
 * @param index          position in the chain, 0 for the base
 * @param layerFile      path relative to the disk's directory (the base's directory for foreign chains), '/'-separated
 * @param parentUniqueId null for the base; the parent the layer was announced with (a layer directory's {@code sealed} line): after
 *                       a merge its header names {@code base.vhd} instead
 * @param sealed         false only for an active leaf included by {@code include.active.layer}
 * @param snapshotId     the snapshot the layer captures (layer directories), null for foreign chains
 */
public record LayerRef(Path path, UUID uniqueId, UUID parentUniqueId, int index, String layerFile, long virtualSize,
                       int blockSize, boolean sealed, String snapshotId) {
    /** The same layer, capturing another snapshot. */
    public LayerRef withSnapshot(String snapshot) {
        return new LayerRef(path, uniqueId, parentUniqueId, index, layerFile, virtualSize, blockSize, sealed, snapshot);
    }

    /** The same layer announced with another parent. */
    public LayerRef withParent(UUID parent) {
        return new LayerRef(path, uniqueId, parent, index, layerFile, virtualSize, blockSize, sealed, snapshotId);
    }
}
