package io.vhdstream.topology.catalog;

/**
 * One sealed snapshot of a disk: the layer file that captures it (with the layers below it, the disk as it was
 * at the snapshot), its size, and when the Snapshot command was issued.
 *
 * @param sealedAt Snapshot record timestamp, ms since the epoch
 */
public record SnapshotInfo(String snapshotId, String label, int layerIndex, String layerFile, long fileSize,
                           long presentSectors, long sealedAt) {
}
