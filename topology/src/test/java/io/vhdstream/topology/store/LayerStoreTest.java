package io.vhdstream.topology.store;

import io.vhdstream.schemas.command.DiskCommand;
import io.vhdstream.schemas.serde.AvroSerdes;
import io.vhdstream.topology.Topics;
import io.vhdstream.topology.disk.LayerNames;
import io.vhdstream.topology.disk.Outcome;
import io.vhdstream.topology.disk.Position;
import io.vhdstream.topology.support.Histories;
import io.vhdstream.topology.support.Layers;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
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

/** The store's catch-up: what it replays (from its committed offset to the first record) and what not. */
class LayerStoreTest {
    static final int PARTITION = 1;

    @TempDir
    Path work;

    private final List<ConsumerRecord<byte[], byte[]>> log = new ArrayList<>();
    private final List<long[]> replays = new ArrayList<>();

    private InputReplayer.Factory fromLog(boolean fail) {
        return configs -> new InputReplayer() {
            @Override
            public long replay(TopicPartition tp, long from, long until, Handler h) throws IOException {
                if (fail) {
                    throw new IOException("the input is gone");
                }
                assertEquals(new TopicPartition(Topics.COMMANDS, PARTITION), tp);
                long n = 0;
                for (ConsumerRecord<byte[], byte[]> r : log) {
                    if (r.offset() >= from && r.offset() < until) {
                        h.accept(r);
                        n++;
                    }
                }
                replays.add(new long[] {from, until, n});
                return n;
            }

            @Override
            public void close() {
            }
        };
    }

    private LayerStore open(InputReplayer.Factory replayers) {
        LayerStore store = new LayerStoreBuilder(Topics.LAYER_STORE, work.resolve("layers"), Topics.COMMANDS, 8, replayers)
                .build();
        Properties p = new Properties();
        p.put("application.id", "t");
        p.put("bootstrap.servers", "x:1");
        MockProcessorContext<Object, Object> ctx = new MockProcessorContext<>(p, new TaskId(0, PARTITION),
                work.resolve("state").toFile());
        store.init(ctx.getStateStoreContext(), store);
        return store;
    }

    private List<Outcome> apply(LayerStore store, long from, long until) throws IOException {
        List<Outcome> outs = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : log.subList((int) from, (int) until)) {
            store.apply(r.key(), r.value(), new Position(r.topic(), r.partition(), r.offset(), r.timestamp()), outs::add);
        }
        return outs;
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

    @Test
    void aStoreBehindItsFirstRecordReplaysTheGapAndEmitsNothingForIt() throws Exception {
        history();
        int n = log.size();
        Path layers = work.resolve("layers");
        Path offsets = layers.resolve(LayerNames.OFFSETS_DIR).resolve(Topics.COMMANDS + "-" + PARTITION);
        LayerStore first = open(fromLog(false));
        List<Outcome> firstRun = apply(first, 0, n - 10);
        first.commit(Map.of());
        assertEquals((long) (n - 10), first.committedOffset(new TopicPartition(Topics.COMMANDS, PARTITION)));
        first.close();
        assertTrue(replays.isEmpty());
        Map<String, String> files = Layers.fileHashes(layers);

        // 1. the directory is lost: everything below the first record is replayed, silently
        deleteTree(layers);
        LayerStore rebuilt = open(fromLog(false));
        assertNull(rebuilt.committedOffset(new TopicPartition(Topics.COMMANDS, PARTITION)));
        List<Outcome> outs = apply(rebuilt, n - 10, n - 9);
        assertEquals(1, outs.size(), "only the first record's own outcome");
        assertEquals(List.of(0L, (long) (n - 10), (long) (n - 10)), List.of(replays.get(0)[0], replays.get(0)[1], replays.get(0)[2]));
        assertEquals(new LayerStore.CatchUp(new TopicPartition(Topics.COMMANDS, PARTITION), 0, n - 10, n - 10),
                rebuilt.lastCatchUp());
        rebuilt.commit(Map.of());
        rebuilt.close();

        // 2. an old offsets file: only the gap above it
        Files.writeString(offsets, (n - 40) + "\n");
        replays.clear();
        LayerStore behind = open(fromLog(false));
        apply(behind, n - 9, n);
        assertEquals(List.of((long) (n - 40), (long) (n - 9)), List.of(replays.get(0)[0], replays.get(0)[1]));
        behind.commit(Map.of());
        behind.close();

        // 3. the store ahead of the re-delivered records: no replay, the same outcomes again
        replays.clear();
        LayerStore ahead = open(fromLog(false));
        List<Outcome> again = apply(ahead, 0, n - 10);
        assertTrue(replays.isEmpty());
        assertEquals(kinds(firstRun), kinds(again));
        ahead.close();

        // a rebuild from the log gives the same files, byte for byte, as processing the history straight through
        deleteTree(layers);
        LayerStore once = open(fromLog(false));
        apply(once, 0, n);
        once.commit(Map.of());
        once.close();
        Map<String, String> straight = Layers.fileHashes(layers);
        deleteTree(layers);
        LayerStore viaCatchUp = open(fromLog(false));
        apply(viaCatchUp, n - 1, n);
        viaCatchUp.commit(Map.of());
        viaCatchUp.close();
        assertEquals(straight, Layers.fileHashes(layers));
        assertTrue(files.size() > 5);
    }

    @Test
    void aFailedCatchUpFailsTheRecord() throws Exception {
        history();
        LayerStore store = open(fromLog(true));
        ConsumerRecord<byte[], byte[]> r = log.get(5);
        assertThrows(IOException.class, () -> store.apply(r.key(), r.value(),
                new Position(r.topic(), r.partition(), r.offset(), r.timestamp()), o -> { }));
        store.close();
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
