package io.vhdstream.topology.it;

import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.schemas.serde.AvroSerdes;
import io.vhdstream.topology.app.TopologyApp;
import io.vhdstream.topology.config.TopicSetup;
import io.vhdstream.topology.config.TopologyConfig;
import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.topology.disk.Retention;
import io.vhdstream.topology.disk.SealedLayer;
import io.vhdstream.topology.rebuild.RebuildException;
import io.vhdstream.topology.rebuild.RebuildPoint;
import io.vhdstream.topology.rebuild.Rebuilder;
import io.vhdstream.topology.support.CheckpointsPublished;
import io.vhdstream.topology.support.Histories;
import io.vhdstream.topology.support.LayerEvents;
import io.vhdstream.topology.support.Layers;
import io.vhdstream.topology.support.TestBroker;
import io.vhdstream.topology.support.TopologySettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static io.vhdstream.topology.produce.DiskCommands.create;
import static io.vhdstream.topology.produce.DiskCommands.snapshot;
import static io.vhdstream.topology.produce.DiskCommands.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command topic with the shipped time-based retention (config/topics.properties), and Kafka itself deleting a
 * disk's early commands: a history stamped older than the retention, then a window of recent snapshots. Once the
 * broker's retention has moved the log start past the disk's CreateDisk, a lost layer directory comes back from the
 * checkpoint plus the retained commands (the sealed layers byte for byte, the base's content the same), {@code rebuild}
 * of a retained snapshot starts from the checkpoint and equals the topology's layers, and {@code rebuild --at} a
 * point whose commands were deleted fails with the oldest rebuildable point.
 */
class RetainedCommandsIT {
    static final long MIB = 1 << 20;
    static final String APP = "retained-commands-it";
    static final String DISK = "rc";
    static final Retention WINDOW = new Retention(48, Duration.ofDays(90).toMillis());

    @TempDir
    Path work;

    @Test
    void aDiskWhoseEarlyCommandsKafkaDeletedRecoversAndRebuildsFromItsCheckpoint() throws Exception {
        // The broker checks retention every half second (the default is five minutes).
        try (TestBroker broker = TestBroker.start(Map.of("log.retention.check.interval.ms", "500"))) {
            String cmds = "rc-commands";
            TopicPartition tp = new TopicPartition(cmds, 0);
            broker.createTopics(cmds, "rc-layers", "rc-dead-letters", 1);
            long retentionMs = Long.parseLong(TopicSetup.commandsConfigs().get("retention.ms"));
            try (Admin a = broker.admin()) {
                // Small segments, so that retention (which deletes whole closed segments) can delete the history.
                a.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, cmds), List.of(
                        new AlterConfigOp(new ConfigEntry("segment.bytes", String.valueOf(MIB)), AlterConfigOp.OpType.SET))))
                        .all().get(30, TimeUnit.SECONDS);
            }
            long now = System.currentTimeMillis();
            long old = now - retentionMs - Duration.ofDays(3).toMillis();
            List<DiskCommand> history = new ArrayList<>();
            history.add(create(DISK, 8 * MIB, 1 << 21));
            for (int i = 0; i < 24; i++) {   // 12 MiB over an 8 MiB disk, older than the retention
                history.add(write(DISK, (i % 16) * 512 * 1024L, Histories.data(100 + i, 512 * 1024)));
            }
            history.add(snapshot(DISK, "old", null));
            List<DiskCommand> window = new ArrayList<>();
            for (int s = 1; s <= 2; s++) {
                for (int i = 0; i < 4; i++) {
                    window.add(write(DISK, (s * 5L + i * 3L) * 256 * 1024, Histories.data(200 + s * 10 + i, 256 * 1024)));
                }
                window.add(snapshot(DISK, "w" + s, null));
            }
            send(broker, cmds, history, old);
            send(broker, cmds, window, now);

            Properties p = settings(broker, cmds);
            Path layers = Path.of(p.getProperty(TopologyConfig.LAYERS_DIR_CONFIG));
            try (LayerEvents out = new LayerEvents(broker.bootstrapServers(), "rc-layers", "rc-dead-letters", 1)) {
                try (TopologyApp app = TopologyApp.start(p)) {
                    out.awaitLayers(es -> LayerEvents.sealed(es, DISK).size() >= 3, Duration.ofMinutes(3));
                    CheckpointsPublished.await(app, Duration.ofMinutes(2));
                }
                // Kafka's retention deletes the segments that hold only old commands: the CreateDisk and most writes.
                long logStart = awaitLogStartAfter(broker, tp, 0, Duration.ofMinutes(2));
                List<SealedLayer> sealed = SealedLayer.readAll(layers.resolve(DISK).resolve(LayerNames.SEALED));
                assertTrue(logStart <= sealed.get(0).sealOffset() + 1, "the window's commands stay: log start " + logStart);

                // The layer directory is lost; the topology recovers it from the checkpoint and the retained commands.
                Path straight = work.resolve("straight");
                Files.move(layers, straight);
                send(broker, cmds, List.of(snapshot(DISK, "probe", null)), System.currentTimeMillis());
                try (TopologyApp app = TopologyApp.start(p)) {
                    out.awaitLayers(es -> LayerEvents.sealed(es, DISK).stream()
                            .anyMatch(l -> l.getSnapshotId().equals("probe")), Duration.ofMinutes(3));
                }
                List<SealedLayer> recovered = SealedLayer.readAll(layers.resolve(DISK).resolve(LayerNames.SEALED));
                assertEquals(sealed, recovered.subList(0, sealed.size()), "the same seals");
                Layers.assertSameContent(Layers.read(straight.resolve(DISK).resolve(LayerNames.BASE)),
                        Layers.read(layers.resolve(DISK).resolve(LayerNames.BASE)), "base.vhd");
                for (SealedLayer l : sealed.subList(1, sealed.size())) {
                    assertArrayEquals(Files.readAllBytes(straight.resolve(DISK).resolve(l.fileName())),
                            Files.readAllBytes(layers.resolve(DISK).resolve(l.fileName())), l.fileName());
                }

                // rebuild of a retained snapshot starts from the checkpoint: the topology's chain at w2.
                Path flat = work.resolve("w2.raw");
                Rebuilder.rebuild(request(broker, cmds, work.resolve("rebuilt"), new RebuildPoint.AtSnapshot("w2"))
                        .withFlat(flat));
                assertArrayEquals(Layers.read(layers.resolve(DISK).resolve(sealed.get(2).fileName())), Files.readAllBytes(flat),
                        "rebuild --until w2 equals the topology's layers");

                // A point whose commands Kafka deleted: the oldest rebuildable point, and nothing left behind.
                Path tooOld = work.resolve("too-old");
                RebuildException e = assertThrows(RebuildException.class, () -> Rebuilder.rebuild(request(broker, cmds,
                        tooOld, new RebuildPoint.AtOffset(sealed.get(0).sealOffset() - 1))));
                assertEquals(RebuildException.OUT_OF_RANGE, e.code(), e.getMessage());
                assertTrue(e.getMessage().contains("oldest rebuildable point is snapshot old"), e.getMessage());
                assertTrue(!Files.exists(tooOld), "no output left");
            }
        }
    }

    private Properties settings(TestBroker broker, String cmds) {
        Properties p = TopologySettings.of(broker, APP, work, cmds, "rc-layers", "rc-dead-letters");
        // A window older than the command topic's retention: nothing is merged, the base stays "old", whose commands
        // Kafka deletes.
        p.put(TopologyConfig.RETAIN_MAX_AGE_MS_CONFIG, String.valueOf(WINDOW.maxAgeMs()));
        return p;
    }

    private static Rebuilder.Request request(TestBroker broker, String cmds, Path out, RebuildPoint point) {
        return Rebuilder.Request.of(broker.bootstrapServers(), DISK, "-", out).withTopic(cmds).withLayersTopic("rc-layers")
                .withCheckpointsTopic(TestBroker.checkpointsFor(cmds)).withPoint(point).withRetention(WINDOW);
    }

    /** Sends {@code cs} stamped {@code firstTs}, {@code firstTs} + 1, ... */
    private static void send(TestBroker broker, String topic, List<DiskCommand> cs, long firstTs) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(), ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * (int) MIB,
                ProducerConfig.LINGER_MS_CONFIG, 0), new ByteArraySerializer(), new ByteArraySerializer())) {
            long ts = firstTs;
            for (DiskCommand c : cs) {
                p.send(new ProducerRecord<>(topic, 0, ts++, c.getDiskId().getBytes(StandardCharsets.UTF_8),
                        AvroSerdes.diskCommand().serialize(topic, c))).get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static long awaitLogStartAfter(TestBroker broker, TopicPartition tp, long after, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin a = broker.admin()) {
            while (true) {
                long start = a.listOffsets(Map.of(tp, OffsetSpec.earliest())).all().get(30, TimeUnit.SECONDS).get(tp).offset();
                if (start > after) {
                    return start;
                }
                assertTrue(System.nanoTime() < deadline, "Kafka's retention did not delete the old commands within " + timeout);
                Thread.sleep(200);
            }
        }
    }
}
