package io.vhdstream.topology.processor;

import io.vhdstream.schemas.common.Sha256s;
import io.vhdstream.schemas.common.Uuids;
import io.vhdstream.schemas.layer.DiskDeleted;
import io.vhdstream.schemas.layer.LayerEvent;
import io.vhdstream.schemas.layer.LayerSealed;
import io.vhdstream.topology.Topics;
import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.topology.disk.SealedLayer;
import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.topology.support.DiskModel;
import io.vhdstream.topology.support.Driver;
import io.vhdstream.topology.support.Layers;
import io.vhdstream.vhd.image.SparseImage;
import io.vhdstream.vhd.image.VhdImage;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import static io.vhdstream.topology.produce.DiskCommands.create;
import static io.vhdstream.topology.produce.DiskCommands.delete;
import static io.vhdstream.topology.produce.DiskCommands.snapshot;
import static io.vhdstream.topology.produce.DiskCommands.trim;
import static io.vhdstream.topology.produce.DiskCommands.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DiskTopologyTest {
    static final long MIB = 1 << 20;
    static final String DISK = "vm-1";

    @TempDir
    Path work;

    static byte[] data(long seed, int len) {
        byte[] b = new byte[len];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void theTaskMetricCountsWriteDataOnceItIsInTheLayerFiles() throws Exception {
        try (Driver d = new Driver(work)) {
            d.pipe(create(DISK, 16 * MIB, 2 * (int) MIB));
            d.pipe(write(DISK, 0, data(1, 64 * 1024)));
            d.pipe(write(DISK, 5 * MIB, data(2, 4096)));
            d.pipe(write(DISK, 20 * MIB, data(3, 4096)));          // past the end: dead-lettered, not written
            d.pipe(snapshot(DISK, "s1", null));                    // seals: every queued write has landed
            assertEquals(64 * 1024 + 4096, DiskCommandProcessor.bytesWritten(d.driver.metrics()), 0.0);
            assertEquals(1, d.deadLetters().size());
        }
    }

    @Test
    void createWriteTrimSnapshotSealsLayersWhoseEventsMatchTheFiles() throws Exception {
        try (Driver d = new Driver(work)) {
            DiskModel model = new DiskModel(DISK, 16 * MIB);
            List<io.vhdstream.schemas.command.DiskCommand> cmds = new ArrayList<>();
            cmds.add(create(DISK, 16 * MIB, 2 * (int) MIB));
            cmds.add(write(DISK, 0, data(1, 64 * 1024)));
            cmds.add(write(DISK, 5 * MIB + 512, data(2, 4096)));
            cmds.add(write(DISK, 16 * MIB - 512 * 1024, data(3, 512 * 1024)));
            cmds.add(write(DISK, 3 * MIB, new byte[8192]));          // explicit zeros: present, zero run
            cmds.add(trim(DISK, 4096, 8192));                          // base: zeroes only what it holds
            cmds.add(trim(DISK, 9 * MIB, MIB));                        // base: nothing held there, nothing present
            cmds.add(snapshot(DISK, "s1", "first"));
            cmds.add(write(DISK, 4096, data(4, 4096)));
            cmds.add(trim(DISK, 16 * MIB - 1024, 1024));               // differencing: masks the parent
            cmds.add(trim(DISK, 12 * MIB, 4096));                      // differencing: present zeros
            cmds.add(snapshot(DISK, "s2", null));
            cmds.add(snapshot(DISK, "s3", null));                      // an empty layer
            for (var c : cmds) {
                d.pipe(c);
                model.apply(c);
            }
            List<TestRecord<byte[], LayerEvent>> events = d.layerEvents();
            assertEquals(3, events.size());
            assertTrue(d.deadLetters().isEmpty());

            Path dir = d.diskDir(DISK);
            String[] files = {"base.vhd", "0001@s2.vhd", "0002@s3.vhd"};
            long[] sealOffsets = {7, 11, 12};
            long[] fromOffsets = {0, 8, 12};
            UUID parent = null;
            for (int i = 0; i < 3; i++) {
                TestRecord<byte[], LayerEvent> r = events.get(i);
                assertEquals(DISK, new String(r.key(), StandardCharsets.UTF_8));
                LayerSealed s = (LayerSealed) r.value().getPayload();
                Path layer = dir.resolve(files[i]);
                assertEquals(DISK, s.getDiskId());
                assertEquals("s" + (i + 1), s.getSnapshotId());
                assertEquals(i == 0 ? "first" : null, s.getLabel());
                assertEquals(i, s.getLayerIndex());
                assertEquals(files[i], s.getLayerFile());
                assertEquals(16 * MIB, s.getVirtualSize());
                assertEquals(Topics.COMMANDS, s.getInputOffsets().getTopic());
                assertEquals(0, s.getInputOffsets().getPartition());
                assertEquals(fromOffsets[i], s.getInputOffsets().getFromOffset());
                assertEquals(sealOffsets[i], s.getInputOffsets().getToOffset());
                assertEquals(Files.size(layer), s.getFileSize());
                try (VhdImage img = VhdImage.open(layer)) {
                    assertEquals(img.footer().uniqueId(), Uuids.toUuid(s.getLayerUniqueId()));
                    UUID headerParent = i == 0 ? null : ((SparseImage) img).header().parentUniqueId();
                    assertEquals(headerParent, s.getParentUniqueId() == null ? null : Uuids.toUuid(s.getParentUniqueId()));
                    assertEquals(parent, headerParent);
                    parent = img.footer().uniqueId();
                }
                // present sectors and digest: from the file, and from the model (no VHD code involved)
                assertEquals(Layers.presentSectors(layer), s.getPresentSectors());
                assertEquals(model.presentSectors(i).cardinality(), s.getPresentSectors(), "present sectors of layer " + i);
                assertArrayEquals(Layers.digest(layer), s.getContentSha256().bytes(), "digest of " + files[i]);
                assertArrayEquals(model.expectedDigest(i), s.getContentSha256().bytes(), "model digest of " + files[i]);
                Layers.assertClean(layer);
                Layers.assertSameContent(model.snapshot("s" + (i + 1)), Layers.read(layer), "content at s" + (i + 1));
            }
            // the next layer is open, empty, child of the last sealed one
            Path active = dir.resolve("0003.vhd");
            assertTrue(Files.exists(active));
            assertEquals(0, Layers.presentSectors(active));
            Layers.assertClean(active);
            // sealed file lines agree with the events
            List<SealedLayer> sealed = SealedLayer.readAll(dir.resolve(LayerNames.SEALED));
            assertEquals(3, sealed.size());
            assertEquals("s2", sealed.get(1).snapshotId());
            assertEquals(HexFormat.of().formatHex(sealed.get(1).contentSha256()),
                    Sha256s.hex(((LayerSealed) events.get(1).value().getPayload()).getContentSha256()));
            assertTrue(Files.readString(dir.resolve(LayerNames.SEALED)).startsWith("0 base.vhd s1 7 "));
        }
    }

    @Test
    void layerIdsAreDeterministic() throws Exception {
        List<UUID> first = new ArrayList<>();
        for (String run : List.of("a", "b")) {
            try (Driver d = new Driver(work.resolve(run))) {
                d.pipe(create(DISK, 4 * MIB, 512 * 1024));
                d.pipe(write(DISK, 0, data(1, 4096)));
                d.pipe(snapshot(DISK, "s1", null));
                d.pipe(snapshot(DISK, "s2", null));
                List<UUID> ids = new ArrayList<>();
                for (var e : d.layerEvents()) {
                    ids.add(Uuids.toUuid(((LayerSealed) e.value().getPayload()).getLayerUniqueId()));
                }
                if (first.isEmpty()) {
                    first.addAll(ids);
                } else {
                    assertEquals(first, ids);
                }
            }
        }
        assertEquals(2, first.stream().distinct().count());
    }

    @Test
    void aSealPastTheRetentionWindowIsFollowedByItsLayerMerged() throws Exception {
        java.util.Properties retain = new java.util.Properties();
        retain.put(io.vhdstream.topology.config.TopologyConfig.RETAIN_SNAPSHOTS_CONFIG, "2");
        DiskModel model = new DiskModel(DISK, 4 * MIB);
        try (Driver d = new Driver(work, work.resolve("layers"), retain)) {
            List<DiskCommand> cmds = List.of(create(DISK, 4 * MIB, 2 * (int) MIB), write(DISK, 0, data(1, 4096)),
                    snapshot(DISK, "s1", null), write(DISK, 4096, data(2, 4096)), snapshot(DISK, "s2", null),
                    write(DISK, 0, data(3, 512)), snapshot(DISK, "s3", null), snapshot(DISK, "s4", null));
            for (DiskCommand c : cmds) {
                d.pipe(c);
                model.apply(c);
            }
            List<Object> payloads = d.layerEvents().stream().map(r -> r.value().getPayload()).toList();
            assertEquals(List.of("LayerSealed", "LayerSealed", "LayerSealed", "LayerMerged", "LayerSealed", "LayerMerged"),
                    payloads.stream().map(p -> p.getClass().getSimpleName()).toList());
            io.vhdstream.schemas.layer.LayerMerged m = (io.vhdstream.schemas.layer.LayerMerged) payloads.get(5);
            assertEquals(List.of(2, 2), List.of(m.getFromLayerIndex(), m.getToLayerIndex()));
            assertEquals("s3", m.getBaseSnapshotId());
            assertEquals(List.of("0002@s3.vhd"), m.getMergedFiles());
            assertEquals(7, m.getDecidedAtOffset());
            Path dir = d.diskDir(DISK);
            assertFalse(Files.exists(dir.resolve("0001@s2.vhd")));
            assertFalse(Files.exists(dir.resolve("0002@s3.vhd")));
            Layers.assertSameContent(model.snapshot("s3"), Layers.read(dir.resolve("base.vhd")), "base holds s3");
            Layers.assertSameContent(model.snapshot("s4"), Layers.read(dir.resolve("0003@s4.vhd")), "s4");
            Layers.assertClean(dir.resolve("0003@s4.vhd"));
        }
    }

    @Test
    void deleteDiskEmitsThenRemovesLayersAndLeavesATombstone() throws Exception {
        try (Driver d = new Driver(work)) {
            d.pipe(create(DISK, 4 * MIB, 2 * (int) MIB));
            d.pipe(write(DISK, 0, data(1, 4096)));
            d.pipe(snapshot(DISK, "s1", null));
            d.pipe(write(DISK, 8192, data(2, 4096)));
            d.pipe(delete(DISK, "decommissioned"));
            List<TestRecord<byte[], LayerEvent>> events = d.layerEvents();
            assertEquals(2, events.size());
            DiskDeleted del = (DiskDeleted) events.get(1).value().getPayload();
            assertEquals(DISK, del.getDiskId());
            assertEquals(List.of("base.vhd", "0001.vhd"), del.getLayerFiles());
            assertEquals("decommissioned", del.getReason());
            assertEquals(4, del.getCommandOffset());
            Path dir = d.diskDir(DISK);
            assertFalse(Files.exists(dir.resolve("base.vhd")));
            assertFalse(Files.exists(dir.resolve("0001.vhd")));
            assertTrue(Files.exists(dir.resolve(LayerNames.STATE)));
            assertTrue(Files.exists(dir.resolve(LayerNames.SEALED)));
            assertTrue(d.store().layers().state(DISK).deleted());
        }
    }

    @Test
    void disksAreIndependentAndOffsetsAreCheckpointed() throws Exception {
        try (Driver d = new Driver(work)) {
            DiskModel a = new DiskModel("a", 4 * MIB);
            DiskModel b = new DiskModel("b", 8 * MIB);
            var cmds = List.of(create("a", 4 * MIB, 1 << 20), create("b", 8 * MIB, 1 << 21),
                    write("a", 0, data(1, 8192)), write("b", 0, data(2, 8192)), snapshot("a", "x", null),
                    write("b", 7 * MIB, data(3, 65536)), snapshot("b", "x", null), write("a", 512, data(4, 512)));
            for (var c : cmds) {
                d.pipe(c);
                (c.getDiskId().equals("a") ? a : b).apply(c);
            }
            assertEquals(2, d.layerEvents().size());
            Layers.assertSameContent(a.snapshot("x"), Layers.read(d.diskDir("a").resolve("base.vhd")), "a@x");
            Layers.assertSameContent(b.snapshot("x"), Layers.read(d.diskDir("b").resolve("base.vhd")), "b@x");
            Layers.assertSameContent(a.content(), Layers.read(d.diskDir("a").resolve("0001.vhd")), "a now");
            // the driver commits after every record: the file holds the next record's offset, the store reports
            // the last applied one (Streams' changelog convention)
            assertEquals(7L, d.store().committedOffset(new org.apache.kafka.common.TopicPartition(Topics.COMMANDS, 0)));
            assertNull(d.store().committedOffset(new org.apache.kafka.common.TopicPartition("other", 0)));
            // first line: the next offset; then each open disk's active layer and its length at the checkpoint
            List<String> lines = Files.readAllLines(d.layersDir.resolve(".offsets").resolve(Topics.COMMANDS + "-0"));
            assertEquals(List.of("8",
                    "a 0001.vhd " + Files.size(d.diskDir("a").resolve("0001.vhd")),
                    "b 0001.vhd " + Files.size(d.diskDir("b").resolve("0001.vhd"))), lines);
        }
    }
}
