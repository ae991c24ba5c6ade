package io.vhdstream.topology.processor;

import io.vhdstream.schemas.Limits;
import io.vhdstream.schemas.common.Sha256s;
import io.vhdstream.schemas.common.Uuids;
import io.vhdstream.schemas.deadletter.DeadLetter;
import io.vhdstream.schemas.layer.DiskDeleted;
import io.vhdstream.schemas.layer.InputOffsets;
import io.vhdstream.schemas.layer.LayerEvent;
import io.vhdstream.schemas.layer.LayerMerged;
import io.vhdstream.schemas.layer.LayerSealed;
import io.vhdstream.topology.disk.DiskState;
import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.topology.disk.MergeRecord;
import io.vhdstream.topology.disk.Outcome;
import io.vhdstream.topology.disk.Position;
import io.vhdstream.topology.disk.SealedLayer;

import java.nio.ByteBuffer;
import java.time.Instant;

/** The topology's output values, built from {@link Outcome}s. */
public final class OutputRecords {
    private OutputRecords() {
    }

    public static LayerEvent layerSealed(DiskState disk, SealedLayer l) {
        LayerSealed s = LayerSealed.newBuilder()
                .setDiskId(disk.diskId())
                .setSnapshotId(l.snapshotId())
                .setLabel(l.label())
                .setLayerIndex(l.layerIndex())
                .setLayerFile(l.fileName())
                .setLayerUniqueId(Uuids.of(l.layerUniqueId()))
                .setParentUniqueId(l.parentUniqueId() == null ? null : Uuids.of(l.parentUniqueId()))
                .setVirtualSize(disk.virtualSize())
                .setInputOffsets(InputOffsets.newBuilder().setTopic(disk.topic()).setPartition(disk.partition())
                        .setFromOffset(l.fromOffset()).setToOffset(l.sealOffset()).build())
                .setPresentSectors(l.presentSectors())
                .setFileSize(l.fileSize())
                .setContentSha256(Sha256s.of(l.contentSha256()))
                .build();
        return LayerEvent.newBuilder().setPayload(s).build();
    }

    /** The merge a seal decided; {@code sealed} are the disk's sealed layers (the merged files' names). */
    public static LayerEvent layerMerged(DiskState disk, MergeRecord m, java.util.List<SealedLayer> sealed) {
        java.util.List<String> files = new java.util.ArrayList<>();
        for (int i = m.fromIndex(); i <= m.toIndex(); i++) {
            files.add(sealed.get(i).fileName());
        }
        LayerMerged merged = LayerMerged.newBuilder()
                .setDiskId(disk.diskId())
                .setBaseFile(LayerNames.BASE)
                .setBaseSnapshotId(sealed.get(m.toIndex()).snapshotId())
                .setFromLayerIndex(m.fromIndex())
                .setToLayerIndex(m.toIndex())
                .setMergedFiles(files)
                .setDecidedAtOffset(m.decidedAt())
                .build();
        return LayerEvent.newBuilder().setPayload(merged).build();
    }

    public static LayerEvent diskDeleted(DiskState tombstone) {
        DiskDeleted d = DiskDeleted.newBuilder()
                .setDiskId(tombstone.diskId())
                .setLayerFiles(tombstone.deletedLayers())
                .setReason(tombstone.deleteReason())
                .setCommandOffset(tombstone.deletedOffset())
                .build();
        return LayerEvent.newBuilder().setPayload(d).build();
    }

    /** A dead letter for a rejected record; the original value is left out when it is too long to carry. */
    public static DeadLetter deadLetter(Outcome.Rejected r, Position pos, byte[] key, byte[] value) {
        boolean carryValue = value != null && value.length <= Limits.MAX_DEAD_LETTER_ORIGINAL_BYTES;
        return DeadLetter.newBuilder()
                .setDiskId(r.diskId())
                .setSourceTopic(pos.topic())
                .setSourcePartition(pos.partition())
                .setSourceOffset(pos.offset())
                .setReasonCode(r.reasonCode())
                .setMessage(r.message() == null ? r.reasonCode() : r.message())
                .setRejectedAt(Instant.ofEpochMilli(pos.timestamp()))
                .setOriginalKey(key == null ? null : ByteBuffer.wrap(key))
                .setOriginalValue(carryValue ? ByteBuffer.wrap(value) : null)
                .setOriginalValueSize(value == null ? null : (long) value.length)
                .build();
    }
}
