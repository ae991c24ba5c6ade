package io.vhdstream.topology.it;

import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.schemas.layer.LayerEvent;
import io.vhdstream.topology.app.TopologyApp;
import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.topology.produce.DiskCommands;
import io.vhdstream.topology.produce.WorkloadProducer;
import io.vhdstream.topology.rebuild.Rebuilder;
import io.vhdstream.topology.support.DiskModel;
import io.vhdstream.topology.support.Histories;
import io.vhdstream.topology.support.LayerEvents;
import io.vhdstream.topology.support.Layers;
import io.vhdstream.topology.support.Scenario;
import io.vhdstream.topology.support.SharedBroker;
import io.vhdstream.topology.support.TestBroker;
import io.vhdstream.topology.support.TopologySettings;
import io.vhdstream.vhd.io.Directories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One task that cannot apply its commands (a disk directory of partition 0 holds another disk's {@code state}), two
 * partitions on a real broker: the whole instance stops with a typed error naming the directory (TopologyApp's
 * SHUTDOWN_CLIENT; the other task stops too, see docs/decisions.md), and once the directory is repaired a restart
 * applies every command of both partitions exactly once: nothing of the healthy partition is lost or applied twice.
 */
class TaskFailureIT {
    static final long MIB = 1 << 20;
    static final int PARTITIONS = 2;

    @TempDir
    Path work;

    @Test
    void aTaskThatCannotApplyStopsTheInstanceTypedAndARestartAfterTheRepairLosesNothing() throws Exception {
        Properties p = setUp("task-failure");
        List<String> ids = Scenario.diskIdsOnePerPartition("tf", PARTITIONS);   // one disk in each partition
        String bad = ids.get(0);
        String good = ids.get(1);
        Map<String, DiskModel> models = models(ids);
        Path layers = TopologySettings.layers(p);

        try (WorkloadProducer producer = producer(p);
             LayerEvents out = TopologySettings.events(p, PARTITIONS)) {
            firstRun(p, producer, out, models, ids);
            // The damage: the bad disk's directory holds the good disk's state file.
            Path badState = layers.resolve(LayerNames.diskDir(bad)).resolve(LayerNames.STATE);
            byte[] original = Files.readAllBytes(badState);
            Files.copy(layers.resolve(LayerNames.diskDir(good)).resolve(LayerNames.STATE), badState,
                    StandardCopyOption.REPLACE_EXISTING);

            try (TopologyApp app = TopologyApp.start(p)) {
                send(producer, models, DiskCommands.write(bad, MIB, Histories.data(7, 65536)));
                send(producer, models, DiskCommands.write(good, MIB, Histories.data(8, 65536)));
                send(producer, models, DiskCommands.snapshot(good, "s2", null));
                send(producer, models, DiskCommands.snapshot(bad, "s2", null));
                producer.flush();
                assertTrue(app.awaitStopped(Duration.ofSeconds(90)), "the instance stops");
                String why = causes(app);
                assertTrue(why.contains(LayerNames.diskDir(bad)) && why.contains("belongs to disk"), why);
            }

            Files.write(badState, original);   // the repair
            try (TopologyApp app = TopologyApp.start(p)) {
                out.awaitLayers(es -> LayerEvents.sealedCount(es) >= 4, Duration.ofSeconds(90));
                assertAppliedOnce(out, layers, models, ids);
                assertTrue(app.failure().isEmpty(), "runs after the repair");
            }
        }
    }

    /**
     * The same for a failed checkpoint load: both partitions lost their directories, and the checkpoint topic holds a
     * record of one partition's disk that is not a checkpoint. The instance stops with the loader's typed error; with
     * the directory back from a backup, a restart applies every command once.
     */
    @Test
    void aFailedCheckpointLoadStopsTheInstanceTypedAndARestartAfterTheRepairLosesNothing() throws Exception {
        Properties p = setUp("load-failure");
        String cmds = TopologySettings.commands(p);
        List<String> ids = Scenario.diskIdsOnePerPartition("lf", PARTITIONS);
        String bad = ids.get(0);
        Map<String, DiskModel> models = models(ids);
        Path layers = TopologySettings.layers(p);
        try (WorkloadProducer producer = producer(p);
             LayerEvents out = TopologySettings.events(p, PARTITIONS)) {
            firstRun(p, producer, out, models, ids);
            Path backup = work.resolve("backup");
            copyTree(layers, backup);
            Directories.deleteTree(layers);   // both partitions lost their directories
            try (var raw = new org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>(Map.of(
                    "bootstrap.servers", p.getProperty("bootstrap.servers"),
                    "key.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class,
                    "value.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class))) {
                int partition = Rebuilder.partitionOf(bad, PARTITIONS);
                raw.send(new org.apache.kafka.clients.producer.ProducerRecord<>(TestBroker.checkpointsFor(cmds), partition,
                        io.vhdstream.topology.checkpoint.CheckpointKeys.disk(partition, bad),
                        "not a checkpoint".getBytes(java.nio.charset.StandardCharsets.UTF_8))).get();
            }
            try (TopologyApp app = TopologyApp.start(p)) {
                assertTrue(app.awaitStopped(Duration.ofSeconds(90)), "the instance stops");
                String why = causes(app);
                assertTrue(why.contains("checkpoint of " + cmds + "-" + Rebuilder.partitionOf(bad, PARTITIONS)), why);
            }

            Directories.deleteTree(layers);
            copyTree(backup, layers);   // the repair: the directory from a backup
            try (TopologyApp app = TopologyApp.start(p)) {
                for (String id : ids) {
                    send(producer, models, DiskCommands.write(id, MIB, Histories.data(3, 65536)));
                    send(producer, models, DiskCommands.snapshot(id, "s2", null));
                }
                producer.flush();
                out.awaitLayers(es -> LayerEvents.sealedCount(es) >= 4, Duration.ofSeconds(90));
                assertAppliedOnce(out, layers, models, ids);
                assertTrue(app.failure().isEmpty(), "runs after the repair");
            }
        }
    }

    private static Map<String, DiskModel> models(List<String> ids) {
        return Map.of(ids.get(0), new DiskModel(ids.get(0), 4 * MIB), ids.get(1), new DiskModel(ids.get(1), 4 * MIB));
    }

    /** Creates each disk, writes it and takes snapshot s1, in a run that ends with a clean stop. */
    private static void firstRun(Properties p, WorkloadProducer producer, LayerEvents out, Map<String, DiskModel> models,
                                 List<String> ids) throws Exception {
        try (TopologyApp app = TopologyApp.start(p)) {
            for (String id : ids) {
                send(producer, models, DiskCommands.create(id, 4 * MIB, 1 << 20));
                send(producer, models, DiskCommands.write(id, 0, Histories.data(id.hashCode(), 65536)));
                send(producer, models, DiskCommands.snapshot(id, "s1", null));
            }
            producer.flush();
            out.awaitLayers(es -> LayerEvents.sealedCount(es) >= 2, Duration.ofSeconds(90));
        }
    }

    /** The topics {@code <prefix>-commands} etc. created on the shared broker, and application {@code <prefix>-it} on them. */
    private Properties setUp(String prefix) throws Exception {
        Properties p = TopologySettings.withTopics(SharedBroker.get(), prefix, prefix + "-it", work, PARTITIONS);
        p.put("commit.interval.ms", "100");
        return p;
    }

    private static WorkloadProducer producer(Properties p) {
        return WorkloadProducer.connect(p.getProperty("bootstrap.servers"), TopologySettings.commands(p), Map.of());
    }

    /** Each disk's snapshots s1 and s2 announced once, s2's layer equal to the model's and clean. */
    private static void assertAppliedOnce(LayerEvents out, Path layers, Map<String, DiskModel> models, List<String> ids)
            throws Exception {
        List<LayerEvent> events = out.awaitLayers(es -> false, Duration.ofSeconds(2));   // a duplicate would come now
        for (String id : ids) {
            assertEquals(List.of("s1", "s2"), LayerEvents.sealed(events, id).stream()
                    .map(s -> s.getSnapshotId().toString()).toList(), id + ": each snapshot announced once");
            Path top = layers.resolve(LayerNames.diskDir(id)).resolve(LayerNames.sealedFile(1, "s2"));
            Layers.assertSameContent(models.get(id).snapshot("s2"), Layers.read(top), id + "@s2");
            Layers.assertClean(top);
        }
    }

    private static String causes(TopologyApp app) {
        StringBuilder why = new StringBuilder();
        for (Throwable t = app.failure().orElse(null); t != null; t = t.getCause()) {
            why.append(t).append(" / ");
        }
        return why.toString();
    }

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        try (var walk = Files.walk(from)) {
            for (Path f : walk.toList()) {
                Path t = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(f, t);
                }
            }
        }
    }

    private static void send(WorkloadProducer producer, Map<String, DiskModel> models, DiskCommand c) throws Exception {
        producer.send(c);
        models.get(c.getDiskId().toString()).apply(c);
    }
}
