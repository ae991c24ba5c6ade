package io.vhdstream.topology.it;

import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.schemas.common.Uuids;
import io.vhdstream.schemas.deadletter.DeadLetter;
import io.vhdstream.schemas.deadletter.ReasonCodes;
import io.vhdstream.schemas.layer.LayerEvent;
import io.vhdstream.schemas.layer.LayerSealed;
import io.vhdstream.topology.Topics;
import io.vhdstream.topology.app.TopologyApp;
import io.vhdstream.topology.config.TopologyConfig;
import io.vhdstream.topology.disk.SealedLayer;
import io.vhdstream.topology.produce.DiskCommands;
import io.vhdstream.topology.produce.WorkloadProducer;
import io.vhdstream.topology.produce.WorkloadSpec;
import io.vhdstream.topology.rebuild.RebuildException;
import io.vhdstream.topology.rebuild.Rebuilder;
import io.vhdstream.topology.support.DiskModel;
import io.vhdstream.topology.support.LayerEvents;
import io.vhdstream.topology.support.Layers;
import io.vhdstream.topology.support.Scenario;
import io.vhdstream.topology.support.SharedBroker;
import io.vhdstream.topology.support.TestBroker;
import io.vhdstream.topology.support.Verify;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The application on a real broker: a seeded 64 MiB workload over two disks in two partitions, with bad
 * input mixed in; every snapshot checked against the model, every layer checked, and every snapshot rebuilt
 * from the log by {@link Rebuilder}, byte for byte.
 */
class TopologyIT {
    static final long MIB = 1 << 20;
    static final int PARTITIONS = 2;
    static TestBroker broker;

    @TempDir
    static Path work;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = SharedBroker.get();
        broker.createTopics(Topics.COMMANDS, Topics.LAYERS, Topics.DEAD_LETTERS, PARTITIONS);
    }

    @Test
    void workloadBecomesCheckedLayersAndEverySnapshotRebuildsFromTheLog() throws Exception {
        Scenario sc = new Scenario();
        for (String id : Scenario.diskIdsOnePerPartition("disk", PARTITIONS)) {
            sc.add(new WorkloadSpec(id, 24 * MIB, 1 << 20, 32 * MIB, 64 * 1024, 0.6, 0.05, 8 * MIB, 4,
                    id.hashCode(), "snap-"));
        }
        Path layers = work.resolve("layers");
        Properties p = new Properties();
        p.put("application.id", "topology-it");
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("state.dir", work.resolve("state").toString());
        p.put(TopologyConfig.LAYERS_DIR_CONFIG, layers.toString());
        long t0 = System.nanoTime();
        try (TopologyApp app = TopologyApp.start(p);
             WorkloadProducer producer = WorkloadProducer.connect(broker.bootstrapServers(), Topics.COMMANDS, Map.of());
             LayerEvents out = new LayerEvents(broker.bootstrapServers(), Topics.LAYERS, Topics.DEAD_LETTERS, PARTITIONS)) {
            Iterator<DiskCommand> cmds = sc.commands();
            String disk0 = sc.specs.keySet().iterator().next();
            int i = 0;
            while (cmds.hasNext()) {
                producer.send(cmds.next());
                if (++i == 100) {   // bad input in the middle of the stream
                    producer.send(DiskCommands.write(disk0, 100, new byte[512]));
                    producer.send(DiskCommands.write("no-such-disk", 0, new byte[512]));
                    producer.send(DiskCommands.write(disk0, 24 * MIB, new byte[512]));
                }
            }
            producer.flush();
            try (var raw = new org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>(Map.of(
                    "bootstrap.servers", broker.bootstrapServers(),
                    "key.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class,
                    "value.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class))) {
                raw.send(new ProducerRecord<>(Topics.COMMANDS, disk0.getBytes(StandardCharsets.UTF_8),
                        "garbage".getBytes(StandardCharsets.UTF_8))).get();
            }
            assertTrue(producer.dataBytes() >= 64 * MIB, "at least 64 MiB of writes");
            long expected = sc.totalSnapshots();
            List<LayerEvent> events = out.awaitLayers(es -> LayerEvents.sealedCount(es) >= expected, Duration.ofMinutes(3));
            assertEquals(expected, LayerEvents.sealedCount(events));
            System.out.printf("TopologyIT: %d MiB, %d snapshots applied in %.1f s%n", producer.dataBytes() >> 20, expected,
                    (System.nanoTime() - t0) / 1e9);
            List<DeadLetter> dead = out.drainDeadLetters(Duration.ofSeconds(2));
            assertEquals(List.of(ReasonCodes.MISALIGNED, ReasonCodes.UNDECODABLE, ReasonCodes.UNKNOWN_DISK,
                    ReasonCodes.WRITE_PAST_END), dead.stream().map(DeadLetter::getReasonCode).sorted().toList());

            Verify.layersMatchModels(layers, sc, events);

            // Rebuild every snapshot from the log alone: same content, same layer ids as announced.
            for (DiskModel m : sc.models.values()) {
                List<LayerSealed> sealed = LayerEvents.sealed(events, m.diskId());
                for (LayerSealed s : sealed) {
                    Path out1 = work.resolve("rebuild").resolve(m.diskId()).resolve(s.getSnapshotId());
                    Path flat = out1.resolveSibling(s.getSnapshotId() + ".raw");
                    Rebuilder.Result r = Rebuilder.rebuild(Rebuilder.Request.of(broker.bootstrapServers(), m.diskId(),
                            s.getSnapshotId(), out1).withFlat(flat));
                    assertEquals(s.getLayerFile(), r.top().getFileName().toString());
                    Layers.assertSameContent(m.snapshot(s.getSnapshotId()), Layers.read(r.top()),
                            "rebuilt " + m.diskId() + "@" + s.getSnapshotId());
                    Layers.assertSameContent(m.snapshot(s.getSnapshotId()), Files.readAllBytes(flat),
                            "flat " + m.diskId() + "@" + s.getSnapshotId());
                    Layers.assertClean(r.top());
                    SealedLayer top = r.layers().get(r.layers().size() - 1);
                    assertEquals(Uuids.toUuid(s.getLayerUniqueId()), top.layerUniqueId());
                    assertEquals(s.getPresentSectors(), top.presentSectors());
                    assertTrue(java.util.Arrays.equals(s.getContentSha256().bytes(), top.contentSha256()));
                    assertTrue(Files.list(out1).noneMatch(f -> f.getFileName().toString().startsWith(
                            String.format("%04d", s.getLayerIndex() + 1))), "nothing above the snapshot's layer");
                }
            }
            // reading every partition (producers with another partitioner) gives the same chain
            DiskModel m0 = sc.models.values().iterator().next();
            String snap = m0.snapshotIds().get(1);
            Path all = work.resolve("rebuild-all");
            Rebuilder.Result r = Rebuilder.rebuild(Rebuilder.Request.of(broker.bootstrapServers(), m0.diskId(), snap, all)
                    .withAllPartitions(true));
            Layers.assertSameContent(m0.snapshot(snap), Layers.read(r.top()), "rebuilt from all partitions");
            RebuildException notEmpty = assertThrows(RebuildException.class, () -> Rebuilder.rebuild(
                    Rebuilder.Request.of(broker.bootstrapServers(), m0.diskId(), snap, all)));
            assertTrue(notEmpty.getMessage().contains("not empty"), notEmpty.getMessage());
            assertTrue(app.failure().isEmpty(), "the application kept running through the bad input");
            String disk = sc.specs.keySet().iterator().next();
            assertThrows(RebuildException.class, () -> Rebuilder.rebuild(Rebuilder.Request.of(broker.bootstrapServers(),
                    disk, "never-taken", work.resolve("rebuild-missing"))));
        }
    }
}
