package io.vhdstream.topology.catalog;

import io.vhdstream.schemas.layer.DiskDeleted;
import io.vhdstream.schemas.layer.LayerEvent;
import io.vhdstream.schemas.layer.LayerMerged;
import io.vhdstream.schemas.layer.LayerSealed;
import io.vhdstream.schemas.layerdir.LayerDirectoryLines;
import io.vhdstream.schemas.serde.AvroSerdes;
import io.vhdstream.topology.config.ClusterProblem;
import io.vhdstream.topology.disk.DiskState;
import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.topology.disk.MergeRecord;
import io.vhdstream.topology.disk.SealedLayer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Every disk and its snapshots, from one of the two places that hold them: the layers topic (LayerSealed and
 * DiskDeleted events, what a remote operator can see) or a layer directory (the topology's or a replica's
 * {@code state} and {@code sealed} files, which also know the size, creation time and active layer).
 * Disks are sorted by id.
 */
public final class DiskCatalog {
    private DiskCatalog() {
    }

    /** The disks the layers topic knows; a disk deleted and created again shows its new life only. */
    public static List<DiskInfo> fromLayersTopic(Map<String, ?> clientSettings, String topic) throws ClusterProblem {
        Map<String, DiskInfo> disks = new TreeMap<>();
        var serde = AvroSerdes.layerEvent();
        TopicReader.read(clientSettings, topic, false, () -> true, r -> apply(disks, r, serde));
        return List.copyOf(disks.values());
    }

    static void apply(Map<String, DiskInfo> disks, ConsumerRecord<byte[], byte[]> r,
                              org.apache.kafka.common.serialization.Deserializer<LayerEvent> serde) {
        LayerEvent e;
        try {
            e = r.value() == null ? null : serde.deserialize(r.topic(), r.value());
        } catch (SerializationException ex) {
            return;   // not ours to judge here: the topology writes this topic
        }
        if (e == null) {
            return;
        }
        if (e.getPayload() instanceof LayerSealed s) {
            DiskInfo d = disks.get(s.getDiskId());
            List<SnapshotInfo> snaps = d == null || d.deleted() ? new ArrayList<>() : new ArrayList<>(d.snapshots());
            snaps.add(new SnapshotInfo(s.getSnapshotId(), s.getLabel(), s.getLayerIndex(), s.getLayerFile(), s.getFileSize(),
                    s.getPresentSectors(), r.timestamp()));
            disks.put(s.getDiskId(), new DiskInfo(s.getDiskId(), s.getVirtualSize(), -1, false, null, snaps, List.of(),
                    d == null || d.deleted() ? List.of() : d.merged()));
        } else if (e.getPayload() instanceof LayerMerged m && disks.get(m.getDiskId()) != null) {
            DiskInfo d = disks.get(m.getDiskId());
            disks.put(d.diskId(), new DiskInfo(d.diskId(), d.virtualSize(), d.createdAt(), false, null,
                    d.snapshots(), d.layerFiles(), d.merged()).mergedUpTo(m.getToLayerIndex(), m.getBaseFile(), -1));
        } else if (e.getPayload() instanceof DiskDeleted x) {
            DiskInfo d = disks.get(x.getDiskId());
            disks.put(x.getDiskId(), new DiskInfo(x.getDiskId(), d == null ? -1 : d.virtualSize(), -1, true, x.getReason(),
                    d == null ? List.of() : d.snapshots(), x.getLayerFiles(), d == null ? List.of() : d.merged()));
        }
    }

    /** The disks of a layer directory ({@code <layers.dir>}: one directory per disk, see docs/layer-directory.md). */
    public static List<DiskInfo> fromDirectory(Path layersDir) throws IOException {
        List<DiskInfo> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(layersDir)) {
            for (Path dir : s.sorted().toList()) {
                if (!dir.getFileName().toString().startsWith(".") && Files.isRegularFile(dir.resolve(LayerNames.STATE))) {
                    out.add(fromDiskDirectory(dir));
                }
            }
        }
        out.sort(java.util.Comparator.comparing(DiskInfo::diskId));
        return out;
    }

    /** One disk directory. */
    public static DiskInfo fromDiskDirectory(Path dir) throws IOException {
        DiskState st = DiskState.read(dir.resolve(LayerNames.STATE));
        List<SnapshotInfo> snaps = new ArrayList<>();
        for (SealedLayer l : SealedLayer.readAll(dir.resolve(LayerNames.SEALED))) {
            snaps.add(new SnapshotInfo(l.snapshotId(), l.label(), l.layerIndex(), l.fileName(), l.fileSize(),
                    l.presentSectors(), l.sealedAt()));
        }
        List<String> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.map(p -> p.getFileName().toString()).filter(LayerNames::isLayerFile)
                    .sorted(java.util.Comparator.comparing((String n) -> !n.equals(LayerNames.BASE)).thenComparing(n -> n)).toList();
        }
        DiskInfo d = new DiskInfo(st.diskId(), st.virtualSize(), st.createdAt(), st.deleted(), st.deleteReason(), snaps,
                st.deleted() ? st.deletedLayers() : files, List.of());
        // The sealed file keeps the lines of merged layers; the merged file's last range says how far the base got.
        List<MergeRecord> merges = MergeRecord.readAll(dir.resolve(MergeRecord.FILE));
        if (merges.isEmpty()) {
            return d;
        }
        Path base = dir.resolve(LayerNames.BASE);
        return d.mergedUpTo(LayerDirectoryLines.MergeLine.level(merges), LayerNames.BASE, Files.exists(base) ? Files.size(base) : -1);
    }
}
