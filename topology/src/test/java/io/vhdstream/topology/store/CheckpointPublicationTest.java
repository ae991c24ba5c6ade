package io.vhdstream.topology.store;

import io.vhdstream.schemas.checkpoint.DiskCheckpoint;
import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.schemas.serde.AvroSerdes;
import io.vhdstream.topology.Topics;
import io.vhdstream.topology.checkpoint.CheckpointKeys;
import io.vhdstream.topology.checkpoint.CheckpointPublisher;
import io.vhdstream.topology.config.TopologyConfig;
import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.topology.disk.Retention;
import io.vhdstream.topology.disk.SealedLayer;
import io.vhdstream.topology.processor.DiskCommandProcessor;
import io.vhdstream.topology.recovery.InputLog;
import io.vhdstream.topology.support.CheckpointLogs;
import io.vhdstream.topology.support.Driver;
import io.vhdstream.topology.support.Histories;
import io.vhdstream.topology.support.InputLogs;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

import static io.vhdstream.topology.produce.DiskCommands.create;
import static io.vhdstream.topology.produce.DiskCommands.snapshot;
import static io.vhdstream.topology.produce.DiskCommands.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checkpoint of a base goes out in bounded pieces after the Snapshot that sealed it (not in the Snapshot's
 * transaction), a publication cut short is repeated in full at the next start, and a recovery that finds chunks
 * newer than their disk's metadata still ends with the layers of a straight run.
 */
class CheckpointPublicationTest {
    static final long MIB = 1 << 20;
    /** 32 MiB, every sector written: 64 chunks of 512 KiB, four bursts. */
    static final long BIG = 32 * MIB;

    @TempDir
    Path work;

    private final List<ConsumerRecord<byte[], byte[]>> log = new ArrayList<>();

    private static List<DiskCommand> bigHistory() {
        List<DiskCommand> cs = new ArrayList<>();
        cs.add(create("big", BIG, 2 << 20));
        for (long off = 0; off < BIG; off += 512 * 1024) {
            cs.add(write("big", off, Histories.data(off, 512 * 1024)));
        }
        cs.add(snapshot("big", "s1", null));
        cs.add(write("big", 4096, Histories.data(7, 8192)));
        return cs;
    }

    /** Pipes {@code cs} (offsets from {@link #log}'s size on), recording each as the input log holds it. */
    private void pipe(Driver d, List<DiskCommand> cs) {
        for (DiskCommand c : cs) {
            byte[] key = c.getDiskId().getBytes(StandardCharsets.UTF_8);
            byte[] value = d.encode(c);
            long ts = Driver.START.toEpochMilli() + log.size();
            d.input.pipeInput(key, value, Instant.ofEpochMilli(ts));
            log.add(new ConsumerRecord<>(Topics.COMMANDS, 0, log.size(), ts, TimestampType.CREATE_TIME, 0, 0, key, value,
                    new RecordHeaders(), Optional.empty()));
        }
    }

    private static List<CheckpointLogs.Rec> read(Driver d) {
        List<CheckpointLogs.Rec> out = new ArrayList<>();
        for (TestRecord<byte[], byte[]> r : d.checkpoints.readRecordsToList()) {
            out.add(new CheckpointLogs.Rec(CheckpointKeys.parse(r.key()).partition(), r.key(), r.value()));
        }
        return out;
    }

    private static long chunks(List<CheckpointLogs.Rec> rs) {
        return rs.stream().filter(r -> !CheckpointKeys.parse(r.key()).isDisk()).count();
    }

    /** Metadata records that describe a sealed base (not the CreateDisk's, which has no sealed lines). */
    private static long baseMetadata(List<CheckpointLogs.Rec> rs) {
        return rs.stream().filter(r -> CheckpointKeys.parse(r.key()).isDisk() && r.value() != null)
                .filter(r -> ((DiskCheckpoint) AvroSerdes.checkpoint().deserialize(null, r.value()).getPayload())
                        .getSealedFile().remaining() > 0).count();
    }

    /** Advances the driver's clock by publication ticks until the task has nothing queued; each tick's records. */
    private static List<List<CheckpointLogs.Rec>> tickUntilPublished(Driver d) {
        List<List<CheckpointLogs.Rec>> ticks = new ArrayList<>();
        for (int i = 0; i < 200 && pending(d) > 0; i++) {
            d.driver.advanceWallClockTime(Duration.ofMillis(100));
            ticks.add(read(d));
        }
        assertEquals(0, pending(d), "every queued chunk was sent");
        return ticks;
    }

    private static double pending(Driver d) {
        return d.driver.metrics().entrySet().stream()
                .filter(e -> e.getKey().name().equals(DiskCommandProcessor.CHECKPOINT_PENDING_METRIC))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
    }

    @Test
    void aLargeBaseGoesOutInBoundedPiecesAfterItsSnapshot() throws Exception {
        Path layers = work.resolve("layers");
        List<DiskCommand> cs = bigHistory();
        List<CheckpointLogs.Rec> all = new ArrayList<>();
        try (Driver d = new Driver(work.resolve("run"), layers)) {
            pipe(d, cs.subList(0, cs.size() - 1));   // up to and including the Snapshot
            List<CheckpointLogs.Rec> withSnapshot = read(d);
            all.addAll(withSnapshot);
            // The Snapshot's own transaction: at most a burst of chunks and not yet the metadata that makes them count.
            assertTrue(chunks(withSnapshot) <= CheckpointPublisher.BURST_CHUNKS, "chunks with the Snapshot: " + chunks(withSnapshot));
            assertEquals(0, baseMetadata(withSnapshot), "the base's metadata waits for its last chunk");
            assertEquals(64 - chunks(withSnapshot), pending(d), 0.0, "the rest is queued (and reported)");
            for (List<CheckpointLogs.Rec> tick : tickUntilPublished(d)) {
                assertTrue(chunks(tick) <= CheckpointPublisher.BURST_CHUNKS, "chunks in one tick: " + chunks(tick));
                all.addAll(tick);
            }
            pipe(d, cs.subList(cs.size() - 1, cs.size()));
            all.addAll(read(d));
        }
        Set<Long> indexes = new HashSet<>();
        all.stream().map(r -> CheckpointKeys.parse(r.key())).filter(k -> !k.isDisk()).forEach(k -> indexes.add(k.index()));
        assertEquals(64, indexes.size(), "every chunk of the base was published");
        assertEquals(1, baseMetadata(all));
        assertRecovers(layers, all, firstSeal(layers) + 1, Retention.DEFAULT);
    }

    @Test
    void aPublicationCutShortIsRepeatedInFullAtTheNextStart() throws Exception {
        Path layers = work.resolve("layers");
        List<DiskCommand> cs = bigHistory();
        List<CheckpointLogs.Rec> all = new ArrayList<>();
        try (Driver d = new Driver(work.resolve("run1"), layers)) {
            pipe(d, cs);
            all.addAll(read(d));   // a burst of chunks; then the task stops (or is killed) before the rest
        }
        long n = log.size();
        long seal = firstSeal(layers);
        assertEquals(0, baseMetadata(all));
        // Retention deleted the commands of the base: the checkpoint is all there is of them.
        ProcessorStateException gap = assertThrows(ProcessorStateException.class,
                () -> recover(emptyDir(), all, seal + 1, Retention.DEFAULT));
        assertTrue(gap.getMessage().contains("retention deleted"), gap.getMessage());

        // The next start (the group committed every command) sends the whole base again, then its metadata.
        InputLog.Factory committedAll = InputLogs.fixed(new InputLog.Range(0, n, n));
        try (Driver d = new Driver(work.resolve("run2"), layers, new Properties(), committedAll)) {
            List<CheckpointLogs.Rec> again = new ArrayList<>(read(d));
            tickUntilPublished(d).forEach(again::addAll);
            assertEquals(64, chunks(again), "the whole base again");
            assertEquals(1, baseMetadata(again));
            all.addAll(again);
        }
        // Once the group is past the transaction that carried it (it committed an offset beyond the one the task was
        // at), a start trusts the publication.
        InputLog.Factory committedMore = InputLogs.fixed(new InputLog.Range(0, n + 1, n + 1));
        try (Driver d = new Driver(work.resolve("run3"), layers, new Properties(), committedMore)) {
            d.driver.advanceWallClockTime(Duration.ofSeconds(1));
            assertEquals(List.of(), read(d), "nothing published again");
        }
        assertRecovers(layers, all, seal + 1, Retention.DEFAULT);
    }

    @Test
    void chunksNewerThanTheirMetadataAreCaughtUpByTheReplay() throws Exception {
        Path layers = work.resolve("layers");
        List<CheckpointLogs.Rec> all = new ArrayList<>();
        Properties window = new Properties();
        window.put(TopologyConfig.RETAIN_SNAPSHOTS_CONFIG, String.valueOf(CheckpointRecoveryTest.WINDOW.snapshots()));
        try (Driver d = new Driver(work.resolve("run"), layers, window)) {
            for (DiskCommand c : CheckpointRecoveryTest.mergingHistory()) {
                pipe(d, List.of(c));
                d.driver.advanceWallClockTime(Duration.ofSeconds(1));
                all.addAll(read(d));
            }
        }
        // Killed after the last merge's chunks were committed, before its metadata: the topic holds chunks newer than
        // the metadata it has, which replays from an older seal.
        int last = -1;
        for (int i = 0; i < all.size(); i++) {
            if (CheckpointKeys.parse(all.get(i).key()).isDisk()) {
                last = i;
            }
        }
        List<CheckpointLogs.Rec> cut = new ArrayList<>(all.subList(0, last));
        int kept = -1;
        for (int i = 0; i < cut.size(); i++) {
            if (CheckpointKeys.parse(cut.get(i).key()).isDisk()) {
                kept = i;
            }
        }
        assertTrue(chunks(cut.subList(kept + 1, cut.size())) > 0, "chunks after the metadata that stays");
        assertTrue(baseMetadata(cut) >= 2, "an older merge's metadata stays");
        assertRecovers(layers, cut, 0, CheckpointRecoveryTest.WINDOW);
    }

    /** The directory is lost; recovered from {@code checkpoint} and the commands from {@code logStart} on. */
    private void assertRecovers(Path layers, List<CheckpointLogs.Rec> checkpoint, long logStart, Retention retention)
            throws Exception {
        Path straight = work.resolve("straight");
        Files.move(layers, straight);
        recover(layers, checkpoint, logStart, retention);
        CheckpointRecoveryTest.assertSameDisks(straight, layers);
    }

    private void recover(Path layers, List<CheckpointLogs.Rec> checkpoint, long logStart, Retention retention) {
        int n = log.size();
        LayerStore store = new LayerStoreBuilder(Topics.LAYER_STORE, layers, Topics.COMMANDS, 8, retention,
                InputLogs.fixed(new InputLog.Range(logStart, n, (long) n)), CheckpointLogs.of(checkpoint)).build();
        Properties p = new Properties();
        p.put("application.id", "t");
        p.put("bootstrap.servers", "x:1");
        MockProcessorContext<Object, Object> ctx = new MockProcessorContext<>(p, new TaskId(0, 0), work.resolve("state").toFile());
        store.init(ctx.getStateStoreContext(), store);
        Long committed = store.committedOffset(CheckpointRecoveryTest.TP);
        for (int at = committed == null ? 0 : (int) (committed + 1); at < n; at += 5) {
            store.restore(log.subList(at, Math.min(n, at + 5)));
        }
        store.commit(Map.of());
        store.close();
    }

    /** An empty directory for a recovery attempt that must fail (the real one is kept for later). */
    private Path emptyDir() {
        return work.resolve("attempt-" + System.nanoTime());
    }

    private static long firstSeal(Path layers) throws Exception {
        return SealedLayer.readAll(layers.resolve("big").resolve(LayerNames.SEALED)).get(0).sealOffset();
    }
}
