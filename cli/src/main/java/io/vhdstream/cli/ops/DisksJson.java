package io.vhdstream.cli.ops;

import io.vhdstream.topology.catalog.DiskInfo;
import io.vhdstream.topology.catalog.SnapshotInfo;

import java.time.Instant;
import java.util.List;

/**
 * The JSON shape of a disk for {@code disk list|show --json}: unknown facts left out, times in ISO-8601 UTC;
 * {@code mergedIntoBase}: the snapshot ids retention merged into the base (left out when none).
 */
record DisksJson(String disk, Long virtualSize, String createdAt, boolean deleted, String deleteReason,
                 List<Snapshot> snapshots, List<String> layerFiles, List<String> mergedIntoBase) {
    record Snapshot(String snapshotId, String label, int layerIndex, String layerFile, long fileSize, long presentSectors,
                    String sealedAt) {
    }

    record ListDocument(String source, List<DisksJson> disks) {
    }

    record ShowDocument(String source, DisksJson disk) {
    }

    static DisksJson of(DiskInfo d) {
        return new DisksJson(d.diskId(), d.virtualSize() < 0 ? null : d.virtualSize(),
                d.createdAt() < 0 ? null : Instant.ofEpochMilli(d.createdAt()).toString(), d.deleted(), d.deleteReason(),
                d.snapshots().stream().map(DisksJson::of).toList(), d.layerFiles(), d.merged().isEmpty() ? null : d.merged());
    }

    private static Snapshot of(SnapshotInfo s) {
        return new Snapshot(s.snapshotId(), s.label(), s.layerIndex(), s.layerFile(), s.fileSize(), s.presentSectors(),
                Instant.ofEpochMilli(s.sealedAt()).toString());
    }
}
