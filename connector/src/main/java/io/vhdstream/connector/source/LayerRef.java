package io.vhdstream.connector.source;

import java.nio.file.Path;
import java.util.UUID;

/**
 * One layer of a disk's chain, as a scan found it.
 *
 * @param parentUniqueId null for the base
 * @param index          position in the chain, 0 for the base
 * @param layerFile      path relative to the disk's directory (the base's directory for foreign chains), '/'-separated
 * @param sealed         false only for an active leaf included by {@code include.active.layer}
 */
public record LayerRef(Path path, UUID uniqueId, UUID parentUniqueId, int index, String layerFile, long virtualSize,
                       int blockSize, boolean sealed) {
}
