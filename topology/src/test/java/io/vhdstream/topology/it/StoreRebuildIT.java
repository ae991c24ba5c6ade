package io.vhdstream.topology.it;

import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.schemas.layer.LayerEvent;
import io.vhdstream.topology.DiskTopology;
import io.vhdstream.topology.config.TopologyConfig;
import io.vhdstream.topology.produce.WorkloadProducer;
import io.vhdstream.topology.produce.WorkloadSpec;
import io.vhdstream.topology.support.LayerEvents;
import io.vhdstream.topology.support.Scenario;
import io.vhdstream.topology.support.SharedBroker;
import io.vhdstream.topology.support.TestBroker;
import io.vhdstream.topology.support.TopologySettings;
import io.vhdstream.topology.support.Verify;
import io.vhdstream.schemas.layer.LayerSealed;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What Kafka Streams 4.3 does when a task's layer store is empty but the group has committed offsets: the
 * layers directory is deleted between two runs, and the command topic's records before each disk's first
 * snapshot are deleted too (as time-based retention would).
 *
 * <p>Observed (and asserted): the store loads its disks' base layers from the checkpoint topic, then Streams
 * restores the rest from the input topic (its changelog, on its state updater thread) from the offset after the
 * checkpoint to the group's committed offset, and only then resumes the task's consumer there; the restoration
 * emits nothing, every snapshot is announced exactly once and every layer, including those sealed before the
 * deletion, is rebuilt with its announced id.
 */
class StoreRebuildIT {
    static final long MIB = 1 << 20;
    static final int PARTITIONS = 2;

    @TempDir
    Path work;

    record Replay(TopicPartition tp, long from, long until, long records) {
    }

    @Test
    void anEmptyStoreBehindTheGroupRebuildsItsLayersFromTheInput() throws Exception {
        TestBroker broker = SharedBroker.get();
        Properties p = TopologySettings.withTopics(broker, "rebuild", "store-rebuild-it", work, PARTITIONS);
        String cmds = TopologySettings.commands(p);
        Scenario sc = new Scenario();
        for (String id : Scenario.diskIdsOnePerPartition("rb", PARTITIONS)) {
            sc.add(new WorkloadSpec(id, 8 * MIB, 1 << 20, 12 * MIB, 32 * 1024, 0.5, 0.05, 3 * MIB, 3, id.hashCode(), "s"));
        }
        Path layers = TopologySettings.layers(p);
        TopologyConfig cfg = TopologyConfig.of(p);
        List<Replay> replays = new CopyOnWriteArrayList<>();
        StateRestoreListener recording = new StateRestoreListener() {
            final Map<TopicPartition, long[]> started = new java.util.concurrent.ConcurrentHashMap<>();

            @Override
            public void onRestoreStart(TopicPartition tp, String store, long start, long end) {
                started.put(tp, new long[] {start, end});
            }

            @Override
            public void onBatchRestored(TopicPartition tp, String store, long batchEnd, long n) {
            }

            @Override
            public void onRestoreEnd(TopicPartition tp, String store, long total) {
                long[] se = started.get(tp);
                replays.add(new Replay(tp, se[0], se[1], total));
            }
        };

        Iterator<DiskCommand> commands = sc.commands();
        try (WorkloadProducer producer = WorkloadProducer.connect(broker.bootstrapServers(), cmds, Map.of());
             LayerEvents out = TopologySettings.events(p, PARTITIONS)) {
            // Run 1: the first half of the workload.
            int half = 0;
            while (commands.hasNext() && half++ < 300) {
                producer.send(commands.next());
            }
            producer.flush();
            long sealedBefore = sc.models.values().stream().mapToLong(m -> m.snapshotIds().size()).sum();
            assertTrue(sealedBefore >= 2, "the first half seals layers");
            try (KafkaStreams ks = new KafkaStreams(DiskTopology.build(cfg), cfg.streamsProperties())) {
                ks.setGlobalStateRestoreListener(recording);
                ks.start();
                out.awaitLayers(es -> LayerEvents.sealedCount(es) >= sealedBefore, Duration.ofMinutes(2));
                awaitCommitted(broker, "store-rebuild-it", cmds);
                ks.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                        .withTimeout(Duration.ofSeconds(30)));
            }
            assertTrue(replays.stream().allMatch(r -> r.records() == 0), "a fresh store starting at offset 0 replays nothing: "
                    + replays);
            replays.clear();
            Map<TopicPartition, Long> committed = broker.committedOffsets("store-rebuild-it");
            assertEquals(PARTITIONS, committed.size());

            // Retention deletes each partition's commands up to its disk's first snapshot (the base layer's
            // commands), for real: the broker's log start moves.
            List<LayerEvent> firstRun = out.awaitLayers(es -> true, Duration.ofSeconds(1));
            Map<TopicPartition, Long> checkpointEnds = new java.util.HashMap<>();
            try (Admin a = broker.admin()) {
                Map<TopicPartition, RecordsToDelete> del = new java.util.HashMap<>();
                for (String id : sc.specs.keySet()) {
                    List<LayerSealed> sealed = LayerEvents.sealed(firstRun, id);
                    if (!sealed.isEmpty()) {
                        TopicPartition tp = new TopicPartition(cmds, sealed.get(0).getInputOffsets().getPartition());
                        long end = sealed.get(0).getInputOffsets().getToOffset() + 1;
                        checkpointEnds.put(tp, end);
                        del.put(tp, RecordsToDelete.beforeOffset(end));
                    }
                }
                assertTrue(!del.isEmpty(), "some disk sealed its base in the first run");
                a.deleteRecords(del).all().get(30, java.util.concurrent.TimeUnit.SECONDS);
                Map<TopicPartition, OffsetSpec> q = new java.util.HashMap<>();
                del.keySet().forEach(tp -> q.put(tp, OffsetSpec.earliest()));
                a.listOffsets(q).all().get(30, java.util.concurrent.TimeUnit.SECONDS)
                        .forEach((tp, info) -> assertEquals(checkpointEnds.get(tp), info.offset(), "log start of " + tp));
            }

            // The layer store is lost (a new machine, a wiped disk): no layer directory, no offsets.
            deleteTree(layers);

            // Run 2: the rest of the workload on an empty store.
            while (commands.hasNext()) {
                producer.send(commands.next());
            }
            producer.flush();
            long expected = sc.totalSnapshots();
            List<LayerEvent> events;
            try (KafkaStreams ks = new KafkaStreams(DiskTopology.build(cfg), cfg.streamsProperties())) {
                ks.setGlobalStateRestoreListener(recording);
                ks.start();
                events = out.awaitLayers(es -> LayerEvents.sealedCount(es) >= expected, Duration.ofMinutes(2));
                awaitCommitted(broker, "store-rebuild-it", cmds);
                ks.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                        .withTimeout(Duration.ofSeconds(30)));
            }
            // Each store loaded its checkpoint, then Streams restored it from the input (its changelog) from the
            // checkpoint's end (0 for a disk whose base was not sealed yet) to the group's committed offset before it
            // resumed the task there.
            assertEquals(PARTITIONS, replays.size(), "one restoration per task: " + replays);
            for (Replay r : replays) {
                assertEquals(checkpointEnds.getOrDefault(r.tp(), 0L), r.from(), r.toString());
                assertEquals(committed.get(r.tp()), r.until(), r.toString());
                assertTrue(r.records() > 0, r.toString());
            }
            // Each snapshot announced once: nothing before the committed offset was processed (and emitted) again.
            assertEquals(expected, LayerEvents.sealedCount(out.awaitLayers(es -> false, Duration.ofSeconds(2))));
            Verify.layersMatchModels(layers, sc, events, true);
        }
    }

    static void awaitCommitted(TestBroker broker, String group, String topic) throws Exception {
        awaitCommitted(broker, group, topic, PARTITIONS);
    }

    static void awaitCommitted(TestBroker broker, String group, String topic, int partitions) throws Exception {
        Map<TopicPartition, Long> end = broker.endOffsets(topic, partitions);
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (System.nanoTime() < deadline) {
            Map<TopicPartition, Long> c = broker.committedOffsets(group);
            if (end.entrySet().stream().allMatch(e -> c.getOrDefault(e.getKey(), -1L) >= e.getValue())) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("group " + group + " did not commit up to " + end);
    }

    static void deleteTree(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path x : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(x);
            }
        }
    }
}
