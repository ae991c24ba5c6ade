package io.vhdstream.topology.catalog;

import java.util.List;

/**
 * A disk as the layers topic or a layer directory shows it.
 *
 * @param virtualSize  bytes; -1 when unknown (the layers topic before the first snapshot says nothing)
 * @param createdAt    CreateDisk record timestamp (ms), -1 when unknown (the layers topic does not carry it)
 * @param deleteReason null unless deleted with a reason
 * @param layerFiles   every layer file of the disk in chain order, the active one last (a directory only)
 */
public record DiskInfo(String diskId, long virtualSize, long createdAt, boolean deleted, String deleteReason,
                       List<SnapshotInfo> snapshots, List<String> layerFiles) {
    public DiskInfo {
        snapshots = List.copyOf(snapshots);
        layerFiles = List.copyOf(layerFiles);
    }
}
