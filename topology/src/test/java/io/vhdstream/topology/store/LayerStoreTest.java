package io.vhdstream.topology.store;

import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.schemas.serde.AvroSerdes;
import io.vhdstream.topology.Topics;
import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.topology.disk.Outcome;
import io.vhdstream.topology.disk.Position;
import io.vhdstream.topology.recovery.InputLog;
import io.vhdstream.topology.recovery.RecoveryProgress;
import io.vhdstream.topology.support.CheckpointLogs;
import io.vhdstream.topology.support.Histories;
import io.vhdstream.topology.support.InputLogs;
import io.vhdstream.topology.support.Layers;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The store as Kafka Streams drives it: restored from the input (its changelog) up to the group's committed
 * offset, then processing; what it reports as its committed offset; when it refuses to start.
 */
class LayerStoreTest {
    static final int PARTITION = 1;
    static final TopicPartition TP = new TopicPartition(Topics.COMMANDS, PARTITION);

    @TempDir
    Path work;

    private final List<ConsumerRecord<byte[], byte[]>> log = new ArrayList<>();
    private MockProcessorContext<Object, Object> ctx;

    private LayerStore open(InputLog.Factory inputLog) {
        LayerStore store = new LayerStoreBuilder(Topics.LAYER_STORE, work.resolve("layers"), Topics.COMMANDS, 8,
                io.vhdstream.topology.disk.Retention.DEFAULT, inputLog, CheckpointLogs.empty())
                .build();
        Properties p = new Properties();
        p.put("application.id", "t");
        p.put("bootstrap.servers", "x:1");
        ctx = new MockProcessorContext<>(p, new TaskId(0, PARTITION), work.resolve("state").toFile());
        store.init(ctx.getStateStoreContext(), store);
        return store;
    }

    /** A store whose group committed {@code committed}: Streams restores [store offset, committed). */
    private LayerStore open(long committed) {
        return open(InputLogs.fixed(new InputLog.Range(0, log.size(), committed)));
    }

    private List<Outcome> apply(LayerStore store, long from, long until) throws IOException {
        List<Outcome> outs = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : log.subList((int) from, (int) until)) {
            store.apply(r.key(), r.value(), new Position(r.topic(), r.partition(), r.offset(), r.timestamp()), outs::add);
        }
        return outs;
    }

    /** Streams' restoration: [from, until) in batches, as its restore consumer delivers them. */
    private void restore(LayerStore store, long from, long until) {
        for (long at = from; at < until; at += 7) {
            store.restore(log.subList((int) at, (int) Math.min(until, at + 7)));
        }
    }

    private void history() {
        List<DiskCommand> cs = Histories.mixed();
        for (int i = 0; i < cs.size(); i++) {
            DiskCommand c = cs.get(i);
            log.add(new ConsumerRecord<>(Topics.COMMANDS, PARTITION, i, 1_700_000_000_000L + i,
                    org.apache.kafka.common.record.TimestampType.CREATE_TIME, 0, 0,
                    c.getDiskId().getBytes(StandardCharsets.UTF_8), AvroSerdes.diskCommand().serialize(Topics.COMMANDS, c),
                    new org.apache.kafka.common.header.internals.RecordHeaders(), java.util.Optional.empty()));
        }
    }

    private double metric(String name) {
        for (Map.Entry<MetricName, ? extends Metric> e : ctx.metrics().metrics().entrySet()) {
            if (e.getKey().group().equals(Topics.METRIC_GROUP) && e.getKey().name().equals(name)) {
                return ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        throw new AssertionError("no metric " + name);
    }

    @Test
    void aRestoredStoreHasTheFilesOfAStoreThatProcessedEverything() throws Exception {
        history();
        int n = log.size();
        Path layers = work.resolve("layers");
        LayerStore once = open(0);
        apply(once, 0, n);
        once.commit(Map.of(TP, (long) n - 1));
        assertEquals((long) n - 1, once.committedOffset(TP), "Streams' convention: the last record applied");
        once.close();
        Map<String, String> straight = Layers.fileHashes(layers);
        assertTrue(straight.size() > 5);

        // the directory is lost; the group committed n - 10: Streams restores [0, n - 10), then the rest is processed
        deleteTree(layers);
        LayerStore rebuilt = open(n - 10);
        assertNull(rebuilt.committedOffset(TP), "no offsets: Streams restores from the start");
        rebuilt.restore(List.of());   // Streams' first restoration call: the (empty) checkpoint is loaded
        assertTrue(rebuilt.recovery().active());
        assertEquals(n - 10, metric(RecoveryProgress.REMAINING_METRIC));
        restore(rebuilt, 0, n - 20);
        assertEquals(10, metric(RecoveryProgress.REMAINING_METRIC));
        assertEquals(n - 20, metric(RecoveryProgress.RECORDS_METRIC));
        rebuilt.commit(Map.of(TP, (long) n - 21));   // Streams checkpoints while restoring
        assertEquals((long) n - 20, OffsetsFile.read(offsetsFile()));
        restore(rebuilt, n - 20, n - 10);
        assertTrue(!rebuilt.recovery().active(), "done when it reached the group's offset");
        List<Outcome> outs = apply(rebuilt, n - 10, n);
        assertEquals(10, outs.size(), "the restored records produced no outcome, the processed ones one each");
        rebuilt.commit(Map.of(TP, (long) n - 1));
        rebuilt.close();
        assertEquals(straight, Layers.fileHashes(layers));
    }

    @Test
    void aRecoveryKilledMidwayResumesFromItsLastCheckpointAndEndsTheSame() throws Exception {
        history();
        int n = log.size();
        Path layers = work.resolve("layers");
        LayerStore once = open(0);
        apply(once, 0, n);
        once.commit(Map.of());
        once.close();
        Map<String, String> straight = Layers.fileHashes(layers);

        deleteTree(layers);
        LayerStore first = open(n);
        restore(first, 0, 49);
        first.commit(Map.of(TP, 48L));
        restore(first, 49, 90);   // applied to the files, never checkpointed: the process dies here
        first.layers().close();

        LayerStore second = open(n);
        assertEquals(48L, second.committedOffset(TP), "Streams resumes after the last checkpoint");
        restore(second, 49, n);   // the records after the checkpoint apply again over files that hold some of them
        second.commit(Map.of(TP, (long) n - 1));
        second.close();
        assertEquals(straight, Layers.fileHashes(layers));
    }

    @Test
    void aStoreAheadOfTheGroupReappliesTheRedeliveredRecordsWithTheSameOutcomes() throws Exception {
        history();
        int n = log.size();
        LayerStore first = open(0);
        List<Outcome> firstRun = apply(first, 0, n - 10);
        first.commit(Map.of());
        first.close();
        LayerStore ahead = open(0);   // the group committed nothing: its transactions aborted
        assertTrue(!ahead.recovery().active());
        assertEquals(kinds(firstRun), kinds(apply(ahead, 0, n - 10)));
        ahead.close();
    }

    @Test
    void anEmptyCommitKeepsTheOffsets() throws Exception {
        history();
        LayerStore store = open(0);
        apply(store, 0, 30);
        store.commit(Map.of());
        store.commit(Map.of());
        assertEquals(29L, store.committedOffset(TP));
        store.close();
        assertEquals(30L, OffsetsFile.read(offsetsFile()));
    }

    @Test
    void inputDeletedByRetentionThatTheRecoveryNeedsStopsTheTaskWithTheGap() throws Exception {
        history();
        LayerStore store = open(0);
        apply(store, 0, 30);
        store.commit(Map.of());
        store.close();

        // durable up to 30, the group is at 100, the topic now starts at 40: offsets [30, 40) are gone
        // (found when Streams restores the store: the checkpoint topic, empty here, might have held the disks)
        LayerStore behind = open(InputLogs.fixed(new InputLog.Range(40, 120, 100L)));
        ProcessorStateException e = assertThrows(ProcessorStateException.class, () -> behind.restore(List.of()));
        assertTrue(e.getMessage().contains("[30, 40)"), e.getMessage());
        behind.close();
        // the same deletion is harmless when nothing below the group's offset is missing
        open(InputLogs.fixed(new InputLog.Range(40, 120, 30L))).close();
        open(InputLogs.fixed(new InputLog.Range(30, 120, 100L))).close();
    }

    private Path offsetsFile() {
        return work.resolve("layers").resolve(LayerNames.OFFSETS_DIR).resolve(Topics.COMMANDS + "-" + PARTITION);
    }

    /** What the processor would emit for each outcome (the replayed flag and later state aside). */
    private static List<String> kinds(List<Outcome> outs) {
        return outs.stream().map(o -> {
            if (o instanceof Outcome.Sealed s) {
                return "sealed " + s.disk().diskId() + " " + s.layer().toLine();
            } else if (o instanceof Outcome.Deleted d) {
                return "deleted " + d.disk().diskId() + " " + d.disk().deletedOffset() + " " + d.disk().deletedLayers();
            } else if (o instanceof Outcome.Rejected r) {
                return r.toString();
            }
            return "ok";
        }).toList();
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path x : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(x);
            }
        }
    }
}
