package io.vhdstream.connector.sink;

import io.vhdstream.connector.FakeContexts;
import io.vhdstream.connector.TestChains;
import io.vhdstream.connector.convert.BlockEvents;
import io.vhdstream.connector.source.SourceHarness;
import io.vhdstream.connector.source.VhdSourceConnectorConfig;
import io.vhdstream.schemas.block.DiskDeleted;
import io.vhdstream.schemas.block.EndOfLayer;
import io.vhdstream.schemas.common.NameEncoding;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9.7: disks created and deleted at the source (the topology's DeleteDisk: a tombstone {@code state}, the layer
 * files removed) leave no per-disk state in the source task nor in the replica sink task, and no error record; the
 * replica keeps what it sealed and says the disk was deleted at the source. Before, each deleted disk was an
 * IO_ERROR ("lists base.vhd, which is missing") kept by the source for good, and the sink kept every disk it loaded.
 */
class DeletedDiskTest {
    private static final int DISKS = 4;
    private static final long SIZE = 4 * TestChains.MIB;

    @TempDir
    Path tmp;

    @Test
    void disksDeletedAtTheSourceLeaveNoStateAndTheirReplicasStay() throws Exception {
        Path root = tmp.resolve("layers");
        List<List<Path>> files = new ArrayList<>();
        for (int i = 0; i < DISKS; i++) {
            files.add(TestChains.layerDirectory(root.resolve("vm" + i), SIZE, 2, new Random(i))); // layers 0, 1 sealed
        }
        Map<String, String> props = Map.of(VhdSourceConnectorConfig.ROOTS_CONFIG, root.toString());
        Path replica = tmp.resolve("replica");
        Map<String, String> sinkProps = Map.of(VhdReplicaSinkConnectorConfig.REPLICA_DIR_CONFIG, replica.toString(), "topics",
                VhdSourceConnectorConfig.TOPIC_DEFAULT);
        VhdReplicaSinkTask sink = new VhdReplicaSinkTask();
        sink.initialize(new FakeContexts.Sink(sinkProps));
        sink.start(sinkProps);
        List<SourceRecord> sent = new ArrayList<>();
        try (SourceHarness h = new SourceHarness(props, null, false)) {
            sent.addAll(h.drain(3));
            // vm0's layer 2 is sealed and sent, but the replica gets only its start: a layer it will never complete.
            Files.writeString(root.resolve("vm0/sealed"), TestChains.sealedLine(files.get(0), 2),
                    java.nio.file.StandardOpenOption.APPEND);
            List<SourceRecord> layer2 = h.drain(3);
            sent.addAll(layer2);
            List<SourceRecord> toSink = new ArrayList<>(sent);
            toSink.removeIf(r -> BlockEvents.fromConnect(r.value()).getPayload() instanceof EndOfLayer e && e.getLayerIndex() == 2);
            put(sink, toSink);
            assertEquals(DISKS, sink.knownDisks());
            assertEquals(1, sink.lagEntries(), "vm0's layer 2 is begun and not sealed");

            for (int i = 0; i < DISKS; i++) {
                deleteLikeTheTopology(root.resolve("vm" + i), 1000 + i);
            }
            List<SourceRecord> after = h.drain(3);
            sent.addAll(after);
            assertEquals(List.of(), after.stream().filter(r -> !r.topic().equals(VhdSourceConnectorConfig.TOPIC_DEFAULT)).toList(),
                    "a deleted disk is no error");
            List<DiskDeleted> deleted = new ArrayList<>();
            for (SourceRecord r : after) {
                if (BlockEvents.fromConnect(r.value()).getPayload() instanceof DiskDeleted d) {
                    deleted.add(d);
                }
            }
            assertEquals(DISKS, deleted.size(), "one DiskDeleted per disk: " + after);
            assertEquals(after.size(), deleted.size(), "nothing else is sent of deleted disks");
            assertEquals(1000L, deleted.stream().filter(d -> d.getDiskId().equals("vm0")).findFirst().orElseThrow().getCommandOffset());
            assertEquals("retired", deleted.get(0).getReason());
            assertEquals(0, h.knownDisks(), "the source keeps no state of deleted disks");

            put(sink, after);
            put(sink, after); // delivered again: nothing changes
            assertEquals(0, sink.knownDisks(), "the sink keeps no state of deleted disks");
            assertEquals(0, sink.lagEntries(), "nor lag entries");
        } finally {
            sink.stop();
        }
        for (int i = 0; i < DISKS; i++) {
            Path dir = replica.resolve(NameEncoding.diskDir("vm" + i));
            assertTrue(Files.isRegularFile(dir.resolve(ReplicaStore.DELETED_MARKER)), "vm" + i + " is marked deleted at the source");
            List<ReplicaLayers.Layer> layers = ReplicaLayers.read(dir);
            assertEquals(List.of(0, 1), layers.stream().map(ReplicaLayers.Layer::layerIndex).toList(),
                    "vm" + i + " keeps the layers it sealed, and only those");
            assertTrue(layers.stream().allMatch(l -> l.sealed() && Files.isRegularFile(l.file())));
            assertEquals(List.of(), leftovers(dir), "nothing of vm0's unfinished layer 2 is left");
        }
        // A restart with the offsets the worker stored announces nothing again.
        try (SourceHarness h = new SourceHarness(props, SourceHarness.offsetsAfter(sent), false)) {
            assertEquals(List.of(), h.drain(3));
            assertEquals(0, h.knownDisks());
        }
    }

    /** What DiskLayers.delete leaves: the tombstone state (written first), {@code sealed}, no layer file. */
    private static void deleteLikeTheTopology(Path dir, long offset) throws IOException {
        Files.writeString(dir.resolve("state"), "version=1\ndiskId=" + dir.getFileName() + "\ndeletedOffset=" + offset
                + "\ndeleteReason=retired\n");
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.vhd")) {
            for (Path p : ds) {
                Files.delete(p);
            }
        }
    }

    private static List<String> leftovers(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (n.startsWith("0002") || n.endsWith(RecordLog.SUFFIX) || n.equals(ReplicaStore.RESYNC_DIR)) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    private long offset;

    private void put(VhdReplicaSinkTask sink, List<SourceRecord> records) {
        List<SinkRecord> batch = new ArrayList<>();
        for (SourceRecord r : records) {
            if (r.topic().equals(VhdSourceConnectorConfig.TOPIC_DEFAULT)) {
                batch.add(new SinkRecord(r.topic(), 0, r.keySchema(), r.key(), r.valueSchema(), r.value(), offset++));
            }
        }
        sink.put(batch);
        sink.preCommit(new HashMap<>());
    }
}
