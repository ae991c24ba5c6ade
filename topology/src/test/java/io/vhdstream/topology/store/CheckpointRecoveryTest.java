package io.vhdstream.topology.store;

import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.schemas.serde.AvroSerdes;
import io.vhdstream.topology.Topics;
import io.vhdstream.topology.checkpoint.CheckpointKeys;
import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.topology.disk.SealedLayer;
import io.vhdstream.topology.recovery.CheckpointLog;
import io.vhdstream.topology.recovery.InputLog;
import io.vhdstream.topology.recovery.RecoveryProgress;
import io.vhdstream.topology.support.CheckpointLogs;
import io.vhdstream.topology.support.Driver;
import io.vhdstream.topology.support.Histories;
import io.vhdstream.topology.support.InputLogs;
import io.vhdstream.topology.support.Layers;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;

import static io.vhdstream.topology.produce.DiskCommands.create;
import static io.vhdstream.topology.produce.DiskCommands.snapshot;
import static io.vhdstream.topology.produce.DiskCommands.trim;
import static io.vhdstream.topology.produce.DiskCommands.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A lost layer directory recovered from the checkpoint topic the processor published, plus the commands after
 * it, while the commands before it are gone (retention): the same disks as a store that processed everything.
 */
class CheckpointRecoveryTest {
    static final TopicPartition TP = new TopicPartition(Topics.COMMANDS, 0);

    @TempDir
    Path work;

    private final List<ConsumerRecord<byte[], byte[]>> log = new ArrayList<>();

    /** Histories.mixed() (a: snapshots, b: deleted) and disk c, never snapshotted, created late. */
    private List<DiskCommand> history() {
        List<DiskCommand> cs = new ArrayList<>(Histories.mixed());
        cs.add(create("c", 2 << 20, 1 << 20));
        cs.add(write("c", 4096, Histories.data(9, 8192)));
        cs.add(trim("c", 0, 8192));
        cs.add(write("a", 1 << 20, Histories.data(10, 65536)));
        cs.add(snapshot("a", "late", null));
        cs.add(write("a", 0, Histories.data(11, 512)));
        return cs;
    }

    /** Disk m, snapshotted 9 times with writes between (some over earlier ones), under a window of 3 snapshots. */
    static List<DiskCommand> mergingHistory() {
        List<DiskCommand> cs = new ArrayList<>();
        cs.add(create("m", 4 << 20, 1 << 20));
        for (int i = 0; i < 9; i++) {
            cs.add(write("m", (i % 4) * (1 << 20) + 4096L * i, Histories.data(20 + i, 65536)));
            cs.add(write("m", 512L * i, Histories.data(40 + i, 1024)));
            cs.add(snapshot("m", "s" + i, null));
        }
        cs.add(write("m", 3 << 20, Histories.data(60, 4096)));
        return cs;
    }

    static final io.vhdstream.topology.disk.Retention WINDOW = new io.vhdstream.topology.disk.Retention(3,
            io.vhdstream.topology.disk.Retention.DEFAULT_MAX_AGE_MS);

    /** Processes the history through the topology; returns the checkpoint records it published. */
    private List<CheckpointLogs.Rec> processAll(Path layers) {
        return processAll(layers, history(), null);
    }

    private List<CheckpointLogs.Rec> processAll(Path layers, List<DiskCommand> cs, io.vhdstream.topology.disk.Retention retention) {
        List<CheckpointLogs.Rec> out = new ArrayList<>();
        Properties extra = new Properties();
        if (retention != null) {
            extra.put(io.vhdstream.topology.config.TopologyConfig.RETAIN_SNAPSHOTS_CONFIG, String.valueOf(retention.snapshots()));
        }
        try (Driver d = new Driver(work.resolve("first"), layers, extra)) {
            for (int i = 0; i < cs.size(); i++) {
                DiskCommand c = cs.get(i);
                byte[] key = c.getDiskId().getBytes(StandardCharsets.UTF_8);
                byte[] value = d.encode(c);
                long ts = Driver.START.toEpochMilli() + i;
                d.input.pipeInput(key, value, java.time.Instant.ofEpochMilli(ts));
                log.add(new ConsumerRecord<>(Topics.COMMANDS, 0, i, ts, TimestampType.CREATE_TIME, 0, 0, key, value,
                        new RecordHeaders(), Optional.empty()));
            }
            for (TestRecord<byte[], byte[]> r : d.checkpoints.readRecordsToList()) {
                out.add(new CheckpointLogs.Rec(CheckpointKeys.parse(r.key()).partition(), r.key(), r.value()));
            }
        }
        return out;
    }

    private MockProcessorContext<Object, Object> ctx;

    private LayerStore open(Path layers, InputLog.Range range, CheckpointLog.Factory checkpoints) {
        return open(layers, range, checkpoints, io.vhdstream.topology.disk.Retention.DEFAULT);
    }

    private LayerStore open(Path layers, InputLog.Range range, CheckpointLog.Factory checkpoints,
                            io.vhdstream.topology.disk.Retention retention) {
        LayerStore store = new LayerStoreBuilder(Topics.LAYER_STORE, layers, Topics.COMMANDS, 8,
                retention, InputLogs.fixed(range),
                checkpoints).build();
        Properties p = new Properties();
        p.put("application.id", "t");
        p.put("bootstrap.servers", "x:1");
        ctx = new MockProcessorContext<>(p, new TaskId(0, 0), work.resolve("state").toFile());
        store.init(ctx.getStateStoreContext(), store);
        return store;
    }

    @Test
    void aLostDirectoryComesBackFromTheCheckpointAndTheCommandsAfterIt() throws Exception {
        Path lost = work.resolve("layers");
        List<CheckpointLogs.Rec> checkpoint = processAll(lost);
        Path straight = moveAside(lost);
        int n = log.size();
        assertTrue(checkpoint.size() > 10, "the processor published base chunks and disk metadata: " + checkpoint.size());

        // Retention deleted every command up to a's first snapshot: all writes to a's and b's base layers, b's
        // deletion stays. (Before merges exist, the base is the oldest layer; later layers need their commands.)
        long logStart = firstSeal(straight, "a") + 1;
        assertTrue(logStart > 5, "commands of a's and b's base layers are gone");
        InputLog.Range range = new InputLog.Range(logStart, n, (long) n);

        // Without a checkpoint the store cannot come back: the commands it needs are gone. It finds out when Streams
        // restores it (the load is not in init, which runs on the stream thread).
        LayerStore without = open(lost, range, CheckpointLogs.empty());
        ProcessorStateException gap = assertThrows(ProcessorStateException.class, () -> without.restore(log.subList(
                (int) logStart, n)));
        assertTrue(gap.getMessage().contains("retention deleted"), gap.getMessage());
        without.close();

        // Retention kept three commands the checkpoint already holds: Streams restores from the topic's start (the
        // store reports no offset while its load is pending), and the store skips them.
        InputLog.Range longer = new InputLog.Range(logStart - 3, n, (long) n);
        LayerStore store = open(lost, longer, CheckpointLogs.of(checkpoint));
        assertNull(store.committedOffset(TP), "nothing loaded in init: Streams restores from the topic's start");
        assertEquals(0.0, metric(RecoveryProgress.CHECKPOINT_BYTES_METRIC), "nothing loaded in init");
        store.restore(log.subList((int) logStart - 3, (int) logStart + 2));
        assertEquals(logStart, store.committedOffset(TP) + 1, "the checkpoint ends after a's base");
        assertTrue(metric(RecoveryProgress.CHECKPOINT_BYTES_METRIC) > 0, "loaded base data");
        replay(store, logStart + 2, 5);

        assertSameDisks(straight, lost);
    }

    /** Nothing for Streams to restore (the group's offset is the topic's start): the commit that ends the restoration loads it. */
    @Test
    void withNothingToRestoreTheCommitEndingTheRestorationLoadsIt() throws Exception {
        Path lost = work.resolve("layers");
        List<CheckpointLogs.Rec> checkpoint = processAll(lost);
        Path straight = moveAside(lost);
        long replayFrom = firstSeal(straight, "a") + 1;
        // The group committed the offset just after a's base (the commands after it are processed as new ones).
        InputLog.Range range = new InputLog.Range(replayFrom, replayFrom, replayFrom);
        LayerStore store = open(lost, range, CheckpointLogs.of(checkpoint));
        assertNull(store.committedOffset(TP));
        store.commit(Map.of());
        assertEquals(replayFrom, store.committedOffset(TP) + 1);
        for (ConsumerRecord<byte[], byte[]> r : log.subList((int) replayFrom, log.size())) {
            store.apply(r.key(), r.value(), new io.vhdstream.topology.disk.Position(r.topic(), r.partition(), r.offset(),
                    r.timestamp()), io.vhdstream.topology.disk.DiskLayers.DISCARD);
        }
        store.commit(Map.of());
        store.close();
        assertSameDisks(straight, lost);
    }

    /**
     * A load that failed is not tried again by the same store: Streams' state updater may still restore or commit the
     * task while the instance stops (seen in TaskFailureIT: two more reads of the whole checkpoint partition).
     */
    @Test
    void aFailedLoadFailsAgainWithoutReadingTheTopicAgain() throws Exception {
        java.util.concurrent.atomic.AtomicInteger opens = new java.util.concurrent.atomic.AtomicInteger();
        CheckpointLog.Factory notACheckpoint = CheckpointLogs.of(List.of(new CheckpointLogs.Rec(0,
                CheckpointKeys.disk(0, "a"), "not a checkpoint".getBytes(StandardCharsets.UTF_8))));
        LayerStore store = open(work.resolve("layers"), new InputLog.Range(0, 10, 10L), configs -> {
            opens.incrementAndGet();
            return notACheckpoint.open(configs);
        });
        ProcessorStateException first = assertThrows(ProcessorStateException.class, () -> store.restore(List.of()));
        assertTrue(first.getMessage().contains("could not load its checkpoint"), first.getMessage());
        ProcessorStateException again = assertThrows(ProcessorStateException.class, () -> store.commit(Map.of()));
        assertEquals(first.getMessage(), again.getMessage());
        assertEquals(1, opens.get(), "the checkpoint topic read once");
        store.close();
    }

    @Test
    void afterMergesOnlyTheWindowsCommandsAreNeeded() throws Exception {
        Path lost = work.resolve("layers");
        List<CheckpointLogs.Rec> checkpoint = processAll(lost, mergingHistory(), WINDOW);
        Path straight = moveAside(lost);
        int n = log.size();
        List<io.vhdstream.topology.disk.MergeRecord> merges = io.vhdstream.topology.disk.MergeRecord.readAll(
                straight.resolve("m").resolve(io.vhdstream.topology.disk.MergeRecord.FILE));
        int level = merges.get(merges.size() - 1).toIndex();
        assertEquals(6, level, "9 snapshots, 3 kept: the base holds s6");

        // Retention deleted every command up to the seal of the newest layer in the base: all writes of s0..s6.
        long logStart = SealedLayer.readAll(straight.resolve("m").resolve(LayerNames.SEALED)).get(level).sealOffset() + 1;
        InputLog.Range range = new InputLog.Range(logStart, n, (long) n);
        LayerStore store = open(lost, range, CheckpointLogs.of(checkpoint), WINDOW);
        store.restore(List.of());
        assertEquals(logStart, store.committedOffset(TP) + 1, "replays from the offset after the base's newest seal");
        replay(store, logStart, 4);
        assertSameDisks(straight, lost);
    }

    @Test
    void aLoadKilledBeforeItsOffsetsWereWrittenLoadsAgainOverItsOwnLeftovers() throws Exception {
        Path lost = work.resolve("layers");
        List<CheckpointLogs.Rec> checkpoint = processAll(lost);
        Path straight = moveAside(lost);
        int n = log.size();
        InputLog.Range range = new InputLog.Range(firstSeal(straight, "a") + 1, n, (long) n);
        LayerStore first = open(lost, range, CheckpointLogs.of(checkpoint));
        first.restore(List.of());
        first.close();
        // The kill: the directories were switched into place, the offsets file not yet written; and a half-made
        // working directory of the next attempt.
        Files.delete(lost.resolve(LayerNames.OFFSETS_DIR).resolve(LayerNames.offsetsFile(TP.topic(), TP.partition())));
        Files.createDirectories(lost.resolve(".vhdstream-commands-0.checkpoint.tmp").resolve("a"));
        Files.write(lost.resolve("a").resolve("0001-s1.vhd"), new byte[] {1, 2, 3});   // stale junk of a layer

        LayerStore store = open(lost, range, CheckpointLogs.of(checkpoint));
        store.restore(List.of());
        long replayFrom = store.committedOffset(TP) + 1;
        replay(store, replayFrom, 5);
        assertSameDisks(straight, lost);
        try (Stream<Path> s = Files.list(lost)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "the working directory is gone");
        }
    }

    /** Restores the log from {@code from} to its end in chunks of {@code chunk} commands, as Streams does, then commits and closes. */
    private void replay(LayerStore store, long from, int chunk) throws Exception {
        int n = log.size();
        for (long at = from; at < n; at += chunk) {
            store.restore(log.subList((int) at, (int) Math.min(n, at + chunk)));
        }
        store.commit(Map.of());
        store.close();
    }

    /**
     * Same files in every disk directory; the same bytes for state, sealed and the layers the replay made (their
     * parent locators name base.vhd by its absolute path, the same); the same content (through the chain) for
     * base.vhd, which the checkpoint rebuilt from its chunks.
     */
    static void assertSameDisks(Path expected, Path actual) throws Exception {
        Map<String, Path> want = diskFiles(expected);
        Map<String, Path> have = diskFiles(actual);
        assertEquals(want.keySet(), have.keySet());
        for (var e : want.entrySet()) {
            Path w = e.getValue();
            Path h = have.get(e.getKey());
            if (w.getFileName().toString().equals(LayerNames.BASE)) {
                Layers.assertSameContent(Layers.read(w), Layers.read(h), e.getKey());
                Layers.assertClean(h);
            } else if (w.getFileName().toString().endsWith(".vhd") && Files.exists(w.resolveSibling(
                    io.vhdstream.topology.disk.MergeRecord.FILE))) {
                // Above a merged base the first run re-linked the layer onto the base (new locators), the recovery
                // made it there: the same identity and content, the header laid out differently.
                Layers.assertSameContent(Layers.read(w), Layers.read(h), e.getKey());
                Layers.assertClean(h);
                try (var a = io.vhdstream.vhd.image.VhdImage.open(w, io.vhdstream.vhd.image.OpenOptions.READ);
                     var b = io.vhdstream.vhd.image.VhdImage.open(h, io.vhdstream.vhd.image.OpenOptions.READ)) {
                    assertEquals(a.footer().uniqueId(), b.footer().uniqueId(), e.getKey());
                }
            } else {
                assertArrayEquals(Files.readAllBytes(w), Files.readAllBytes(h), e.getKey());
            }
        }
    }

    private static Map<String, Path> diskFiles(Path layers) throws Exception {
        Map<String, Path> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(layers)) {
            s.filter(Files::isRegularFile).filter(p -> !layers.relativize(p).startsWith(LayerNames.OFFSETS_DIR))
                    .forEach(p -> out.put(layers.relativize(p).toString(), p));
        }
        return out;
    }

    /** The directory is lost: what it held is kept elsewhere for comparison (same path: layers name parents by it). */
    private Path moveAside(Path layers) throws Exception {
        Path kept = work.resolve("straight");
        Files.move(layers, kept);
        return kept;
    }

    private static long firstSeal(Path layers, String disk) throws Exception {
        return SealedLayer.readAll(layers.resolve(disk).resolve(LayerNames.SEALED)).get(0).sealOffset();
    }

    private double metric(String name) {
        for (var e : ctx.metrics().metrics().entrySet()) {
            if (e.getKey().group().equals(Topics.METRIC_GROUP) && e.getKey().name().equals(name)) {
                return ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        throw new AssertionError("no metric " + name);
    }
}
