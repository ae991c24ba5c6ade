package io.vhdstream.topology.catalog;

import java.util.ArrayList;
import java.util.List;

/**
 * A disk as the layers topic or a layer directory shows it.
 *
 * @param virtualSize  bytes; -1 when unknown (the layers topic before the first snapshot says nothing)
 * @param createdAt    CreateDisk record timestamp (ms), -1 when unknown (the layers topic does not carry it)
 * @param deleteReason null unless deleted with a reason
 * @param layerFiles   every layer file of the disk in chain order, the active one last (a directory only)
 * @param merged       snapshots retention merged into the base, oldest first: their data is in {@code base.vhd},
 *                     under the oldest snapshot still listed, and none of them can be read on its own any more
 */
public record DiskInfo(String diskId, long virtualSize, long createdAt, boolean deleted, String deleteReason,
                       List<SnapshotInfo> snapshots, List<String> layerFiles, List<String> merged) {
    public DiskInfo {
        snapshots = List.copyOf(snapshots);
        layerFiles = List.copyOf(layerFiles);
        merged = List.copyOf(merged);
    }

    /**
     * This disk after retention merged every layer up to {@code level} into the base: the snapshots below that
     * layer join {@link #merged}, the one at it is now read from {@code baseFile} ({@code baseSize} bytes, or its
     * old size when -1).
     */
    public DiskInfo mergedUpTo(int level, String baseFile, long baseSize) {
        List<SnapshotInfo> kept = new ArrayList<>();
        List<String> gone = new ArrayList<>(merged);
        for (SnapshotInfo s : snapshots) {
            if (s.layerIndex() < level) {
                gone.add(s.snapshotId());
            } else if (s.layerIndex() == level) {
                kept.add(new SnapshotInfo(s.snapshotId(), s.label(), s.layerIndex(), baseFile,
                        baseSize < 0 ? s.fileSize() : baseSize, s.presentSectors(), s.sealedAt()));
            } else {
                kept.add(s);
            }
        }
        return new DiskInfo(diskId, virtualSize, createdAt, deleted, deleteReason, kept, layerFiles, gone);
    }
}
