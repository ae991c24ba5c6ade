package io.vhdstream.topology.catalog;

import io.vhdstream.schemas.layer.DiskDeleted;
import io.vhdstream.schemas.layer.InputOffsets;
import io.vhdstream.schemas.layer.LayerEvent;
import io.vhdstream.schemas.layer.LayerMerged;
import io.vhdstream.schemas.layer.LayerSealed;
import io.vhdstream.schemas.serde.AvroSerdes;
import io.vhdstream.schemas.common.Sha256s;
import io.vhdstream.schemas.common.Uuids;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The disks as the layers topic tells them: seals, a retention merge, a deletion and a new life. */
class DiskCatalogTest {
    final Map<String, DiskInfo> disks = new TreeMap<>();
    long offset;

    void event(Object payload) {
        byte[] v = AvroSerdes.layerEvent().serialize("layers", LayerEvent.newBuilder().setPayload(payload).build());
        DiskCatalog.apply(disks, new ConsumerRecord<>("layers", 0, offset, 1000 + offset++,
                org.apache.kafka.common.record.TimestampType.CREATE_TIME, 0, v.length, new byte[0], v,
                new org.apache.kafka.common.header.internals.RecordHeaders(), java.util.Optional.empty()), AvroSerdes.layerEvent());
    }

    static LayerSealed sealed(String disk, String snap, int index) {
        return LayerSealed.newBuilder().setDiskId(disk).setSnapshotId(snap).setLabel(null).setLayerIndex(index)
                .setLayerFile(index == 0 ? "base.vhd" : String.format("%04d@%s.vhd", index, snap))
                .setLayerUniqueId(Uuids.of(UUID.randomUUID())).setParentUniqueId(null).setVirtualSize(1 << 20)
                .setInputOffsets(InputOffsets.newBuilder().setTopic("c").setPartition(0).setFromOffset(0).setToOffset(1).build())
                .setPresentSectors(8).setFileSize(4096).setContentSha256(Sha256s.of(new byte[32])).build();
    }

    List<String> snapshots(String disk) {
        return disks.get(disk).snapshots().stream().map(s -> s.snapshotId() + "=" + s.layerFile()).toList();
    }

    @Test
    void mergedSnapshotsLeaveTheListAsMergedAndTheNewestMergedOneLivesInTheBase() {
        event(sealed("d", "s1", 0));
        event(sealed("d", "s2", 1));
        event(sealed("d", "s3", 2));
        event(sealed("d", "s4", 3));
        event(LayerMerged.newBuilder().setDiskId("d").setBaseFile("base.vhd").setBaseSnapshotId("s3").setFromLayerIndex(1)
                .setToLayerIndex(2).setMergedFiles(List.of("0001@s2.vhd", "0002@s3.vhd")).setDecidedAtOffset(9).build());
        assertEquals(List.of("s3=base.vhd", "s4=0003@s4.vhd"), snapshots("d"));
        assertEquals(List.of("s1", "s2"), disks.get("d").merged(), "the merged snapshots are named, not forgotten");

        event(DiskDeleted.newBuilder().setDiskId("d").setLayerFiles(List.of("base.vhd", "0003@s4.vhd")).setReason("old")
                .setCommandOffset(20).build());
        assertTrue(disks.get("d").deleted());
        assertEquals("old", disks.get("d").deleteReason());
        event(sealed("d", "n1", 0));
        assertEquals(List.of("n1=base.vhd"), snapshots("d"), "a disk created again starts a new list");
        assertEquals(List.of(), disks.get("d").merged());
        assertTrue(!disks.get("d").deleted());
    }
}
